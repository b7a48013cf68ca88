package io.skoop.snapshot

import io.skoop.netstack.NetNS
import io.skoop.testsupport.SnapshotChecks
import java.nio.file.Path
import spock.lang.Specification

/** The snapshots checked into the jar (scripts/examples/lab-snapshot.sh): sound, readable without root. */
class EmbeddedSnapshotSpec extends Specification {

    static Path dir = Path.of(EmbeddedSnapshotSpec.getResource('/io/skoop/snapshots/flannel-vxlan/snapshot.json').toURI()).parent

    def "it is a sound snapshot of its topology: one dump per node and pod, all read with no unknown constructs, k8s objects exact"() {
        expect:
        SnapshotChecks.problems(dir) == []
        SnapshotMeta.read(dir) .with { [source(), name(), cni(), cniBackend(), proxyMode()] } == ['lab', 'vxlan', 'flannel', 'vxlan', 'iptables']
    }

    def "the dumps hold what flannel and kube-proxy made: node-1 routes node-2's podCIDR over flannel.1, kube-proxy rules, pod routes"() {
        given:
        NetNS node1 = NetNS.load(SnapshotLayout.host(dir, 'node-1'))
        NetNS client = NetNS.load(SnapshotLayout.pod(dir, 'node-1', 'default', 'client'))

        expect:
        node1.routeGet(io.skoop.netstack.route.RouteQuery.to(io.skoop.model.Ip.parse('10.244.1.2'))).toString().contains('dev flannel.1')
        node1.iptables().table('nat').chains().keySet().containsAll(['KUBE-SERVICES', 'KUBE-POSTROUTING', 'FLANNEL-POSTRTG'])
        node1.interfaces().byName('cni0').isPresent()
        node1.interfaces().byName('flannel.1').get().mtu() == 1450
        client.routeGet(io.skoop.netstack.route.RouteQuery.to(io.skoop.model.Ip.parse('10.96.0.2'))).toString().contains('via 10.244.0.1')
    }

    static Path calico = Path.of(EmbeddedSnapshotSpec.getResource('/io/skoop/snapshots/calico-bgp/snapshot.json').toURI()).parent

    def "calico-bgp: sound, with Calico's objects, BIRD's routes, the cali veths and Felix's rules and ipsets"() {
        given:
        NetNS node3 = NetNS.load(SnapshotLayout.host(calico, 'node-3'))
        String db = io.skoop.lab.calico.Calico.vethName('default', 'db')

        expect:
        SnapshotChecks.problems(calico) == []
        SnapshotMeta.read(calico).with { [source(), name(), cni(), cniBackend(), proxyMode()] } == ['lab', 'calico', 'calico', 'bgp', 'iptables']
        Snapshot.example('calico-bgp').objects().networkPolicies()*.key() == ['default/db-from-api']
        Snapshot.example('calico-bgp').objects().ipPools()*.cidr()*.toString() == ['10.244.0.0/16']
        node3.routeGet(io.skoop.netstack.route.RouteQuery.to(io.skoop.model.Ip.parse('10.244.0.64'))).toString().contains('via 192.168.56.3')
        node3.iptables().table('filter').chains().keySet().containsAll(['cali-FORWARD', "cali-tw-$db".toString(), 'cali-from-wl-dispatch'])
        node3.iptables().table('filter').chains().keySet().any { it.startsWith('cali-pi-') }
        node3.iptables().table('nat').chains().keySet().containsAll(['KUBE-SERVICES', 'cali-nat-outgoing'])
    }

    static Path nftables = Path.of(EmbeddedSnapshotSpec.getResource('/io/skoop/snapshots/flannel-vxlan-nftables/snapshot.json').toURI()).parent

    def "flannel-vxlan-nftables: sound, kube-proxy's table in nft.json and no KUBE- chain in iptables; a Service is resolved by the nft rules"() {
        given:
        NetNS node1 = NetNS.load(SnapshotLayout.host(nftables, 'node-1'))
        def d = new io.skoop.diagnose.Diagnostor(Snapshot.example('flannel-vxlan-nftables'))
                .diagnose(new io.skoop.diagnose.Query('default/client', 'svc/default/web', '80', io.skoop.model.Protocol.TCP))

        expect:
        SnapshotChecks.problems(nftables) == []
        SnapshotMeta.read(nftables).with { [source(), name(), cni(), cniBackend(), proxyMode()] } == ['lab', 'vxlan-nft', 'flannel', 'vxlan', 'nftables']
        node1.nftRuleset().chains().find { it.name() == 'services' }.tableRef() == 'ip kube-proxy'
        node1.nftRuleset().set('ip', 'kube-proxy', 'service-ips').dataType() == 'verdict'
        node1.iptables().tables().values().every { t -> t.chains().keySet().every { !it.startsWith('KUBE-') } }
        node1.iptables().table('nat').chains().containsKey('FLANNEL-POSTRTG')
        d.verdict() == io.skoop.diagnose.Verdict.REACHABLE
        d.request().nodes().find { it.id() == 'node-1' }.explanation().findAll { it.contains('DNAT to') && it.contains('endpoint-') }.size() == 3
    }

    static Path dual = Path.of(EmbeddedSnapshotSpec.getResource('/io/skoop/snapshots/dual-stack/snapshot.json').toURI()).parent

    def "dual-stack: sound, both families in the objects, flannel-v6.1 and ip6tables in the dumps; web's IPv6 and IPv4 cluster IPs reach its three backends"() {
        given:
        NetNS node1 = NetNS.load(SnapshotLayout.host(dual, 'node-1'))
        def diagnostor = new io.skoop.diagnose.Diagnostor(Snapshot.example('dual-stack'))
        def query = { io.skoop.model.IpFamily f -> new io.skoop.diagnose.Query('default/client', 'svc/default/web', '80', io.skoop.model.Protocol.TCP, null, f) }
        def d6 = diagnostor.diagnose(query(io.skoop.model.IpFamily.IPv6))
        def d4 = diagnostor.diagnose(query(io.skoop.model.IpFamily.IPv4))
        def delivered = { d -> d.branches().findAll { it.direction().name() == 'REQUEST' && it.kind().name() == 'DELIVERED' }*.hop()*.toString().unique().sort() }

        expect:
        SnapshotChecks.problems(dual) == []
        SnapshotMeta.read(dual).with { [source(), name(), cni(), cniBackend(), proxyMode()] } == ['lab', 'dual', 'flannel', 'vxlan', 'iptables']
        Snapshot.example('dual-stack').objects().findService('default', 'web').get().clusterIPs()*.toString() == ['10.96.0.2', 'fd00:10:96::1']
        node1.interfaces().byName('flannel-v6.1').get().mtu() == 1430
        node1.routeGet(io.skoop.netstack.route.RouteQuery.to(io.skoop.model.Ip.parse('fd00:10:244:1::2'))).toString().contains('dev flannel-v6.1')
        node1.ip6tables().table('nat').chains().keySet().containsAll(['KUBE-SERVICES', 'FLANNEL-POSTRTG'])
        [d6, d4]*.verdict() == [io.skoop.diagnose.Verdict.REACHABLE] * 2
        d6.request().nodes()[0].hop().toString() == 'pod:default/client'
        delivered(d6) == ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        delivered(d4) == delivered(d6)
        and: "flannel's intent holds in both families on the healthy cluster (flannel-v6.1's routes, neighbours, FDB): no WARNING"
        [d6, d4].every { d -> (d.request().nodes() + d.reply().nodes()).collectMany { it.suspicions() }.every { it.level() != io.skoop.model.Level.WARNING } }
    }
}
