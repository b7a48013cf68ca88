package io.skoop.netstack

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.FinalVerdict
import io.skoop.netstack.netfilter.Path as NfPath
import io.skoop.netstack.netfilter.TraceRequest
import io.skoop.netstack.route.RouteQuery
import io.skoop.snapshot.Examples
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/** The namespace aggregate on the embedded flannel + kube-proxy node (src/main/resources/io/skoop/examples). */
class NetNSSpec extends Specification {
    @Shared NetNS node1 = NetNS.load(Examples.path('node1'))
    @Shared NetNS client = NetNS.load(Examples.path('default_client'))

    def "every part of the dump parses"() {
        expect:
        node1.interfaces().byName('flannel.1').get().vxlan().id() == 1
        node1.interfaces().byName('cni0').get().mtu() == 1450
        node1.iptables().tables().keySet().containsAll(['filter', 'nat'])
        node1.neighbours().lookup(Ip.parse('10.244.2.0'), 'flannel.1').isPresent()
        node1.fdb().vxlanRemotes('flannel.1', '2a:5c:10:02:00:01')*.toString() == ['192.168.0.12']
        node1.sysctls().ipForward().get()
        node1.sysctls().bridgeNfCallIptables().get()
        !node1.sockets().listening(Ip.parse('192.168.0.11'), 10250, Protocol.TCP).isEmpty()
        node1.sockets().listening(Ip.parse('192.168.0.11'), 80, Protocol.TCP).isEmpty()
        node1.ipsets().all().isEmpty()
    }

    def "files that were not collected are named with the reason"() {
        expect: 'IPVS is not in this kernel, so ipvsadm failed when the example was dumped'
        node1.untrusted().any { it.file().fileName.toString() == 'ipvs.txt' && it.kind() == PartState.Kind.FAILED
                && it.reason().startsWith('not collected: `ipvsadm -Sn` failed with exit status') }
        !node1.untrusted().any { it.file().fileName.toString() == 'iptables.txt' }
    }

    def "routing follows the node's tables: remote podCIDR over flannel.1, local pods on cni0"() {
        expect:
        node1.routeGet(RouteQuery.of(Packet.parse("tcp 10.244.1.5:40000 > $dst:80"), 'cni0', null)).dev() == dev

        where:
        dst            | dev
        '10.244.2.7'   | 'flannel.1'
        '10.244.1.7'   | 'cni0'
        '203.0.113.7'  | 'eth0'
    }

    def "a ClusterIP is DNATed to each endpoint with its probability and routed by the real tables"() {
        when:
        def r = node1.trace(TraceRequest.of(Packet.parse('tcp 10.244.1.5:40000 > 10.96.0.10:80'), NfPath.FORWARD).withIif('cni0'))

        then:
        r.branches().size() == 2
        r.branches().collect { [it.packet().dst().toString(), it.probability(), it.verdict()] } as Set == [
                ['10.244.1.7', 0.5d, FinalVerdict.FORWARDED],
                ['10.244.2.7', 0.5d, FinalVerdict.FORWARDED]] as Set
        r.branches().find { it.packet().dst().toString() == '10.244.2.7' }.detail().contains('flannel.1')
    }

    def "traffic leaving the cluster is masqueraded to the node's address chosen like inet_select_addr"() {
        when:
        def r = node1.trace(TraceRequest.of(Packet.parse('tcp 10.244.1.5:40000 > 203.0.113.7:443'), NfPath.FORWARD).withIif('cni0'))

        then:
        r.branches().size() == 1
        r.branches()[0].verdict() == FinalVerdict.FORWARDED
        r.branches()[0].packet().src().toString() == '192.168.0.11'
    }

    def "the pod's own namespace routes everything to its gateway"() {
        expect:
        client.routeGet(RouteQuery.to(Ip.parse('10.96.0.10'))).gateway().toString() == '10.244.1.1'
        client.routeGet(RouteQuery.to(Ip.parse('10.96.0.10'))).dev() == 'eth0'
    }

    def "a folder that is not a dump is refused with what was expected"() {
        given:
        def dir = Files.createTempDirectory('notadump')

        when:
        NetNS.load(dir)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('not a netns dump folder')
        e.message.contains('collect-netns.sh')

        cleanup:
        Files.deleteIfExists(dir)
    }

    def "a dump without routing files says which are missing when routing is needed"() {
        given:
        def dir = Files.createTempDirectory('partial')
        Files.writeString(dir.resolve('iptables.txt'), '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n')
        def ns = NetNS.load(dir)

        when:
        ns.router()

        then:
        def e = thrown(UnavailablePartException)
        e.message.startsWith('routing cannot be simulated: ' + dir.resolve('link.json') + ': not in the dump')
        e.part().kind() == PartState.Kind.NOT_COLLECTED

        cleanup:
        dir.toFile().deleteDir()
    }

    def "nftables tables whose base chains the simulator does not run (bridge, netdev, ingress) are named as not simulated"() {
        given:
        def dir = Files.createTempDirectory('nft')
        Files.writeString(dir.resolve('nft.json'), nft)
        def ns = NetNS.load(dir)

        expect:
        ns.nftTablesNotSimulated()*.toString() == notSimulated

        cleanup:
        dir.toFile().deleteDir()

        where:
        nft << [
                // captured: `nft add table inet kube-proxy; nft add chain inet kube-proxy filter-forward { type filter hook forward priority -110 ; }; iptables -A FORWARD -j ACCEPT; nft -j list ruleset`
                '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "kube-proxy", "handle": 1}}, {"chain": {"family": "inet", "table": "kube-proxy", "name": "filter-forward", "handle": 1, "type": "filter", "hook": "forward", "prio": -110, "policy": "accept"}}, {"table": {"family": "ip", "name": "filter", "handle": 2}}, {"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}}]}',
                '{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "inet", "name": "empty", "handle": 1}}, {"chain": {"family": "inet", "table": "empty", "name": "helper", "handle": 1}}]}',
                '',
                // a bridge-family base chain and a netdev ingress chain: not on the IP hooks the simulator runs
                '{"nftables": [{"table": {"family": "bridge", "name": "filter", "handle": 1}}, {"chain": {"family": "bridge", "table": "filter", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": -200, "policy": "accept"}}, {"table": {"family": "netdev", "name": "ing", "handle": 2}}, {"chain": {"family": "netdev", "table": "ing", "name": "in", "handle": 1, "type": "filter", "hook": "ingress", "dev": "eth0", "prio": 0, "policy": "accept"}}, {"table": {"family": "inet", "name": "kube-proxy", "handle": 3}}, {"chain": {"family": "inet", "table": "kube-proxy", "name": "filter-forward", "handle": 1, "type": "filter", "hook": "forward", "prio": -110, "policy": "accept"}}]}',
        ]
        // inet kube-proxy's forward chain is simulated (NftRuleset): not listed
        notSimulated << [[], [], [], ['bridge filter (hooks forward)', 'netdev ing (hooks ingress)']]
    }

    def "the example node runs only iptables-nft tables"() {
        expect:
        node1.nftTables()*.toString() as Set == ['ip filter (hooks input, forward, output)', 'ip nat (hooks prerouting, input, output, postrouting)'] as Set
        node1.nftTablesNotSimulated().isEmpty()
    }

    def "iptables-save and the kernel's iptables-nft copy (nft.json) are cross-checked chain by chain: #pairs agree, a dropped rule is named"() {
        given: 'the corpus pairs: an iptables-save file and nft -j list ruleset after loading it with iptables-nft-restore'
        Path root = CORPUS
        def dir = Files.createTempDirectory('nftx')
        Files.copy(root.resolve(pair[1]), dir.resolve('nft.json'))
        List<String> lines = root.resolve(pair[0]).readLines()
        if (drop) {
            lines.remove(lines.findIndexOf { it.startsWith('-A ') && it.contains(drop) })
        }
        dir.resolve('iptables.txt').text = lines.join('\n') + '\n'

        expect:
        NetNS.load(dir).iptablesNftMismatches() == expected

        cleanup:
        dir.toFile().deleteDir()

        where:
        pairs    | pair                                                                                    | drop                | expected
        'azure'  | ['azure-npm/iptablesave.iptables', 'azure-npm/iptablesave.compat.nft.json']            | null                | []
        'calico' | ['calico/cali-iptables-dump.iptables', 'calico/cali-iptables-dump.compat.nft.json']    | null                | []
        'azure'  | ['azure-npm/iptablesave.iptables', 'azure-npm/iptablesave.compat.nft.json']            | '-A KUBE-SERVICES ' | [mismatch(CORPUS, 'azure-npm/iptablesave.iptables', 'KUBE-SERVICES')]
    }

    static final Path CORPUS = Path.of('src/test/resources/corpus')

    /** The expected line for a chain whose iptables-save copy lost one rule. */
    static String mismatch(Path root, String file, String chain) {
        String table = null
        int n = 0
        def lines = root.resolve(file).readLines()
        String t = null
        lines.each { l -> if (l.startsWith('*')) { t = l.substring(1) } else if (l.startsWith("-A $chain ")) { table = t; n++ } }
        "ip $table/$chain: ${n - 1} rules in iptables.txt, $n in nft.json".toString()
    }
}
