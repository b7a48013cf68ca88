package io.skoop.diagnose

import io.skoop.model.Level
import io.skoop.netstack.NetNS
import io.skoop.netstack.PartState
import io.skoop.snapshot.Snapshot
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * A dump file that cannot be trusted — not collected, failed, lost, empty where its tool always prints something,
 * incomplete — and objects that contradict the dumps never yield a network verdict: the decision that needed the file
 * ends UNKNOWN with a suspicion naming it (which node's or pod's dump, which file, why), and no FATAL blames the
 * network (issue 12, "data integrity as a first-class input"). Each case breaks one thing in a copy of the embedded
 * example, whose client reaches svc/default/web on all three branches.
 */
class DumpIntegritySpec extends Specification {
    static final Path EXAMPLE = Path.of('src/main/resources/io/skoop/snapshots/flannel-vxlan')
    static final String NODE1 = 'nodes/node-1/host'
    static final String WEB2 = 'nodes/node-2/pods/default_web-2'

    @TempDir Path tmp

    @Shared Diagnosis baseline = new Diagnostor(Snapshot.open(EXAMPLE)).diagnose(Query.tcp('default/client', 'svc/default/web', 80))

    Path copy() {
        io.skoop.testsupport.ExampleCopy.copy(tmp.resolve('snap'))
    }

    static void meta(Path dumpDir, String file, String status) {
        Path m = dumpDir.resolve('meta.json')
        m.text = m.readLines().collect { line ->
            line.contains("\"file\": \"$file\"") ? line.replace('"status": "ok", "exit": 0', "\"status\": \"$status\", \"exit\": 1")
                    .replaceFirst(/"stderr": "[^"]*"/, '"stderr": "it broke"') : line
        }.join('\n')
    }

    def "the baseline: REACHABLE, and no FATAL"() {
        expect:
        baseline.verdict() == Verdict.REACHABLE
        baseline.allSuspicions().every { it.level() != Level.FATAL }
    }

    def "#file #how: #verdict, a suspicion names the file and says #why, no FATAL"() {
        given:
        Path snap = copy()
        change(snap.resolve(file))

        when:
        Diagnosis d = new Diagnostor(Snapshot.open(snap)).diagnose(Query.tcp('default/client', dst, port))
        def texts = d.allSuspicions()*.message()

        then:
        d.verdict() == verdict
        d.allSuspicions().every { it.level() != Level.FATAL && it.level() != Level.CRITICAL }
        texts.any { it.contains(snap.resolve(file).toString()) && it.contains(why) }

        where:
        file                      | how                               | dst               | port || verdict          | why
        "$NODE1/sysctl.txt"       | 'emptied'                         | 'svc/default/web' | 80   || Verdict.UNKNOWN  | 'empty, but `sysctl -a` always prints something'
        "$NODE1/sysctl.txt"       | 'deleted'                         | 'svc/default/web' | 80   || Verdict.UNKNOWN  | 'not in the dump, although meta.json records `sysctl -a` as collected'
        "$NODE1/sysctl.txt"       | 'without the forwarding keys'     | 'svc/default/web' | 80   || Verdict.UNKNOWN  | 'holds no net.ipv4.ip_forward'
        "$NODE1/route.json"       | 'emptied'                         | 'svc/default/web' | 80   || Verdict.UNKNOWN  | 'empty, but `ip -j -d route show table all` always prints'
        "$NODE1/link.json"        | 'recorded as failed'              | 'svc/default/web' | 80   || Verdict.UNKNOWN  | 'failed with exit status 1 (it broke) (meta.json)'
        "$NODE1/iptables.txt"     | 'deleted'                         | 'svc/default/web' | 80   || Verdict.UNKNOWN  | 'not in the dump'
        "$NODE1/iptables.txt"     | 'recorded as failed'              | 'svc/default/web' | 80   || Verdict.UNKNOWN  | 'failed with exit status 1'
        "$WEB2/sockets.txt"       | 'deleted'                         | 'default/web-2'   | 8080 || Verdict.UNKNOWN  | 'not in the dump'
        "$WEB2/sockets.txt"       | 'recorded as failed'              | 'default/web-2'   | 8080 || Verdict.UNKNOWN  | 'failed'
        "$WEB2/rule.json"         | 'emptied'                         | 'default/web-2'   | 8080 || Verdict.UNKNOWN  | 'empty, but `ip -j rule show` always prints'
        'nodes/node-2/host/neigh.json' | 'deleted'                    | 'default/web-2'   | 8080 || Verdict.UNKNOWN  | 'not in the dump'

        change << [
                { Path p -> p.text = '' },
                { Path p -> Files.delete(p) },
                { Path p -> p.text = p.readLines().findAll { !it.contains('forward') }.join('\n') },
                { Path p -> p.text = '' },
                { Path p -> meta(p.parent, 'link.json', 'failed') },
                { Path p -> Files.delete(p) },
                { Path p -> meta(p.parent, 'iptables.txt', 'failed') },
                { Path p -> Files.delete(p) },
                { Path p -> meta(p.parent, 'sockets.txt', 'failed') },
                { Path p -> p.text = '\n' },
                { Path p -> Files.delete(p) },
        ]
    }

    def "a file a decision does not need may be missing: the verdict stands"() {
        given:
        Path snap = copy()
        Files.delete(snap.resolve("$NODE1/ipset.txt"))
        meta(snap.resolve(NODE1), 'nft.json', 'missing')

        when:
        Diagnosis d = new Diagnostor(Snapshot.open(snap)).diagnose(Query.tcp('default/client', 'svc/default/web', 80))

        then:
        d.verdict() == baseline.verdict()
        d.successProbability() == baseline.successProbability()
    }

    def "the states of a dump's files"() {
        given:
        Path snap = copy()
        Path dir = snap.resolve(NODE1)
        dir.resolve('route6.json').text = ''
        Files.delete(dir.resolve('ipset.txt'))
        dir.resolve('iptables.txt').text = ''
        meta(dir, 'fdb.json', 'failed')
        NetNS ns = NetNS.load(dir)

        expect:
        ns.state('route.json').kind() == PartState.Kind.COLLECTED
        ns.state('iptables.txt').kind() == PartState.Kind.EMPTY          // iptables-save prints nothing without tables
        ns.state('route6.json').kind() == PartState.Kind.TRUNCATED       // ip -j always prints at least []
        ns.state('ipset.txt').kind() == PartState.Kind.LOST              // meta.json says collected
        ns.state('fdb.json').kind() == PartState.Kind.FAILED
        ns.state('ipvs.txt').kind() == PartState.Kind.FAILED             // the lab's kernel has no ip_vs
        ns.untrusted()*.file()*.fileName*.toString() == ['route6.json', 'fdb.json', 'ipset.txt', 'ipvs.txt']
    }

    def "an IPv6 lookup without a trustworthy rule6.json is refused, IPv4 goes on"() {
        given:
        Path dir = copy().resolve(NODE1)
        Files.delete(dir.resolve('rule6.json'))
        NetNS ns = NetNS.load(dir)

        when:
        ns.routeGet(io.skoop.netstack.route.RouteQuery.of(io.skoop.model.Packet.parse('tcp [fd00::1]:1 > [fd00::2]:80'), null, null))

        then:
        def e = thrown(io.skoop.netstack.UnavailablePartException)
        e.message.contains('IPv6 routing cannot be simulated')
        e.message.contains('rule6.json')

        and:
        ns.routeGet(io.skoop.netstack.route.RouteQuery.of(io.skoop.model.Packet.parse('tcp 192.168.56.2:1 > 10.244.1.2:80'), null, null)).ok()
    }

    def "a rules-only dump: an addrtype match is UNKNOWN, not a crash"() {
        given:
        Path dir = tmp.resolve('rules-only')
        Files.createDirectories(dir)
        dir.resolve('iptables.txt').text = '''*nat
:PREROUTING ACCEPT [0:0]
:KUBE-NODEPORTS - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -p tcp --dport 30080 -j DNAT --to-destination 10.244.1.2:8080
COMMIT
'''
        NetNS ns = NetNS.load(dir)

        when:
        def r = ns.trace(io.skoop.netstack.netfilter.TraceRequest.of(io.skoop.model.Packet.parse('tcp 203.0.113.9:4000 > 192.168.56.2:30080'),
                io.skoop.netstack.netfilter.Path.FORWARD).withIif('eth0'))

        then:
        r.branches().every { it.verdict() == io.skoop.netstack.netfilter.FinalVerdict.UNKNOWN }
        r.branches().any { it.detail().contains('routing cannot be simulated') && it.detail().contains('link.json: not in the dump') }
    }

    def "a pod IP in pods.json that its dump contradicts: UNKNOWN, the contradiction named, no FATAL"() {
        given:
        Path snap = copy()
        Path pods = snap.resolve('k8s/pods.json')
        pods.text = pods.text.replace('"10.244.1.2"', '"10.244.1.9"')

        when:
        Diagnosis d = new Diagnostor(Snapshot.open(snap)).diagnose(Query.tcp('default/client', 'default/web-2', 8080))
        def texts = d.allSuspicions()*.message()

        then:
        d.verdict() == Verdict.UNKNOWN
        d.allSuspicions().every { it.level() != Level.FATAL && it.level() != Level.CRITICAL }
        texts.any { it.contains('pods.json says default/web-2 has 10.244.1.9, but its dump') && it.contains('10.244.1.2 on eth0') }
    }

    def "a pod listed twice with two IPs: the contradiction is named"() {
        given:
        Path snap = copy()
        Path pods = snap.resolve('k8s/pods.json')
        def json = new groovy.json.JsonSlurper().parse(pods.toFile())
        def web2 = json.items.find { it.metadata.name == 'web-2' }
        def twin = new groovy.json.JsonSlurper().parseText(groovy.json.JsonOutput.toJson(web2))
        twin.status.podIP = '10.244.1.77'
        twin.status.podIPs = [[ip: '10.244.1.77']]
        json.items << twin
        pods.text = groovy.json.JsonOutput.toJson(json)

        when:
        Diagnosis d = new Diagnostor(Snapshot.open(snap)).diagnose(Query.tcp('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNKNOWN
        d.allSuspicions()*.message().any { it.contains('pods.json lists default/web-2 2 times') }
    }
}
