package io.skoop.diagnose

import io.skoop.model.Level
import io.skoop.model.NetNode
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.IpvsSnapshot
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * kube-proxy's IPVS mode end to end through the Diagnostor, on the flannel-vxlan snapshot with its nodes' dumps
 * written in IPVS mode ({@link IpvsSnapshot}; this kernel has no ip_vs, so nothing here is kernel-judged): the
 * ClusterIP is delivered locally to kube-ipvs0's address, IPVS at LOCAL_IN picks each real server with its share, NATs
 * and sends it on through OUTPUT and POSTROUTING; the processor (KubeProxyIpvsProcessor) names the virtual service and
 * real servers and cross-checks them with the EndpointSlices.
 */
class IpvsDiagnosisSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-ipvs')

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    Diagnosis diagnose(String name, Query q, Closure edit = null) {
        Path dir = tmp.resolve(name)
        if (!Files.exists(dir)) {
            IpvsSnapshot.build(dir, edit)
        }
        new Diagnostor(Snapshot.open(dir)).diagnose(q)
    }

    static List<String> messages(Diagnosis d, Level level) {
        d.allSuspicions().findAll { it.level() == level }*.message()
    }

    static List<String> delivered(Diagnosis d) {
        d.branches().findAll { it.direction() == Walk.Direction.REQUEST && it.kind() == Outcome.End.Kind.DELIVERED }
                .collect { it.hop().toString() }.unique().sort()
    }

    static NetNode node(Diagnosis d, String hop) {
        d.request().nodes().find { it.hop().toString() == hop }
    }

    /** Edits node {@code node}'s ipvs.txt. */
    static Closure ipvs(String node, Closure<String> change) {
        return { Path dir ->
            Path f = dir.resolve("nodes/$node/host/ipvs.txt")
            f.text = change(f.text)
        }
    }

    def "pod to a ClusterIP (default/web:80): REACHABLE, one IPVS branch of 1/3 per real server, delivered to the three pods, replies un-NATed"() {
        when:
        Diagnosis d = diagnose('healthy', Query.tcp('default/client', 'svc/default/web', 80))
        NetNode node1 = node(d, 'node:node-1')

        then:
        d.verdict() == Verdict.REACHABLE
        d.successProbability() == 1.0d
        delivered(d) == ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        messages(d, Level.FATAL) == []
        messages(d, Level.CRITICAL) == []
        messages(d, Level.WARNING) == []
        d.reply().origins()*.hop()*.toString().sort() == ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']

        and: 'the processor names the virtual service and each real server with its share'
        node1.explanation().findAll { it.startsWith('Service default/web port 80/TCP (cluster ip 10.96.0.2:80) -> IPVS virtual service -t 10.96.0.2:80 (scheduler rr) -> real server ') }.size() == 3
        node1.explanation().any { it.contains('-> real server 10.244.2.2:8081, masquerading (NAT), share 1/3 (rr: equal shares, weights not used)') }
        node1.explanation().any { it.startsWith('IPVS') && it.contains('INPUT ipvs -t 10.96.0.2:80') }
    }

    def "a node port on the node's address from outside: KUBE-NODE-PORT marks it, IPVS sends it on, KUBE-POSTROUTING masquerades: REACHABLE"() {
        when:
        Diagnosis d = diagnose('healthy', new Query('node/node-2', 'node/node-1', '30080', Protocol.TCP))

        then:
        d.verdict() == Verdict.REACHABLE
        delivered(d) == ['pod:default/api-1', 'pod:default/api-2']
        messages(d, Level.FATAL) == []
        node(d, 'node:node-1').explanation().any { it.startsWith('Service default/api port 8080/TCP (node port on 192.168.56.2:30080) -> IPVS virtual service -t 192.168.56.2:30080') }
        node(d, 'node:node-1').explanation().any { it.contains('KUBE-MARK-MASQ') }
        node(d, 'node:node-1').explanation().any { it.contains('MASQUERADE') }
    }

    def "a node's own process to a ClusterIP: IPVS at LOCAL_OUT, the packet goes through OUTPUT again and is masqueraded: REACHABLE"() {
        when:
        Diagnosis d = diagnose('healthy', Query.udp('node/node-1', 'svc/kube-system/kube-dns', 53))

        then:
        d.verdict() == Verdict.REACHABLE
        delivered(d) == ['pod:kube-system/coredns']
        node(d, 'node:node-1').explanation().any { it.startsWith('IPVS') && it.contains('OUTPUT ipvs -u 10.96.0.10:53') }
    }

    def "UDP to kube-dns from a pod: REACHABLE through IPVS"() {
        expect:
        diagnose('healthy', Query.udp('default/client', 'svc/kube-system/kube-dns', 53)).verdict() == Verdict.REACHABLE
    }

    def "a virtual service with no real server: UNREACHABLE, FATAL naming the virtual service"() {
        when:
        Diagnosis d = diagnose('no-real-server', Query.tcp('default/client', 'svc/default/web', 80),
                ipvs('node-1') { String t -> t.readLines().findAll { !it.startsWith('-a -t 10.96.0.2:80 ') }.join('\n') + '\n' })

        then:
        d.verdict() == Verdict.UNREACHABLE
        messages(d, Level.FATAL).any {
            it.startsWith('Service default/web port 80/TCP (cluster ip 10.96.0.2:80) on node node-1: IPVS virtual service -t 10.96.0.2:80' +
                    ' (scheduler rr) has no real server: ip_vs_schedule finds no destination, ip_vs_leave answers ICMP port unreachable')
        }
    }

    def "a stale real server and a missing one: WARNINGs cross-checking with the EndpointSlices"() {
        when:
        Diagnosis d = diagnose('stale', Query.tcp('default/client', 'svc/default/web', 80),
                ipvs('node-1') { String t -> t.replace('-r 10.244.2.2:8081 -m -w 1', '-r 10.244.2.9:8081 -m -w 1') })
        List<String> w = messages(d, Level.WARNING)

        then:
        w.any { it.contains("IPVS virtual service -t 10.96.0.2:80 has real server 10.244.2.9:8081, which is not a usable endpoint in the EndpointSlices") }
        w.any { it.contains('endpoint 10.244.2.2:8081 is usable in the EndpointSlices but node node-1\'s IPVS virtual service -t 10.96.0.2:80 never sends to it') }
    }

    def "a quiesced real server (weight 0) gets no branch; the EndpointSlices' ready endpoint it is draws a WARNING"() {
        when:
        Diagnosis d = diagnose('quiesced', Query.tcp('default/client', 'svc/default/web', 80),
                ipvs('node-1') { String t -> t.replace('-r 10.244.2.2:8081 -m -w 1', '-r 10.244.2.2:8081 -m -w 0') })

        then:
        d.verdict() == Verdict.REACHABLE
        delivered(d) == ['pod:default/web-1', 'pod:default/web-2']
        messages(d, Level.WARNING).any { it.contains('endpoint 10.244.2.2:8081 is usable in the EndpointSlices but node node-1\'s IPVS virtual service') }
    }

    def "no virtual service for the ClusterIP port (ipvs.txt without it): KUBE-IPVS-FILTER rejects it, FATAL naming the rule"() {
        when:
        Diagnosis d = diagnose('no-virtual-service', Query.tcp('default/client', 'svc/default/web', 80), { Path dir ->
            ipvs('node-1') { String t -> t.readLines().findAll { !it.contains('10.96.0.2:80') }.join('\n') + '\n' }.call(dir)
            Path s = dir.resolve('nodes/node-1/host/ipset.txt')
            s.text = s.text.readLines().findAll { it != 'add KUBE-CLUSTER-IP 10.96.0.2,tcp:80' }.join('\n') + '\n'
        })

        then:
        d.verdict() == Verdict.UNREACHABLE
        messages(d, Level.FATAL).any { it.contains('stops it before IPVS') && it.contains('KUBE-IPVS-FILTER') }
    }

    def "an empty iptables.txt on the client's node: UNKNOWN, saying kube-proxy in ipvs mode writes KUBE-SERVICES there"() {
        when:
        Diagnosis d = diagnose('empty-iptables', Query.tcp('default/client', 'svc/default/web', 80), { Path dir ->
            dir.resolve('nodes/node-1/host/iptables.txt').text = ''
        })

        then:
        d.verdict() == Verdict.UNKNOWN
        d.allSuspicions()*.message().any { it.contains('is empty, although kube-proxy (ipvs mode) writes KUBE-SERVICES on every node') }
    }
}
