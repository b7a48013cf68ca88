package io.skoop.lab.run

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Verdict
import io.skoop.lab.flannel.Flannel
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.model.IpFamily
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.Diagnoses
import io.skoop.testsupport.ExampleLab
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.SnapshotChecks
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.Unroll

/**
 * The dual-stack example judged by the kernel: one lab (flannel vxlan with {@code EnableIPv6}, 3 nodes, Services of each
 * ipFamilyPolicy) built for real; what flanneld and kube-proxy's IPv6 proxier leave (flannel-v6.1 over the nodes' IPv6
 * addresses, its onlink routes, permanent neighbours and FDB entries, ip6tables KUBE-SERVICES) read back from the kernel;
 * every flow probed over IPv6 and IPv4 with real connections and diagnosed REACHABLE from the lab's snapshot; then
 * IPv6-only faults, each injected and repaired on the same lab, that must break the IPv6 flow while the same pair still
 * connects over IPv4, and that skoop must name on the hop that breaks. Needs root: runs in CI; fails (does not skip)
 * under CI without root.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class DualStackLabKernelSpec extends Specification {

    @Shared ExampleLab ex
    @Shared ResolvedTopology topology
    @Shared Diagnostor healthy

    def setupSpec() {
        ex = new ExampleLab('sds', 'dual-stack', 'ds')
        topology = ex.topology
    }

    def cleanupSpec() {
        ex?.close()
    }

    def "the kernel holds what flanneld and kube-proxy program for IPv6: flannel-v6.1 over the nodes' IPv6 addresses, its routes, neighbours, FDB; ip6tables"() {
        given:
        def n1 = topology.node('node-1')
        def n2 = topology.node('node-2')
        def n3 = topology.node('node-3')

        expect: 'flannel-v6.1 on node-1: VNI 1, local its IPv6 InternalIP, port 8472; asked for 1450 (flanneld: the interface MTU - 50), the kernel caps it at 1430 (1500 - 70 for an IPv6 outer header)'
        String link = ex.sh('node-1', 'ip -d link show flannel-v6.1')
        link.contains('mtu 1430')
        link.contains("link/ether ${Flannel.vtepMacV6(topology, n1)}")
        link.contains('vxlan id 1 local fd00:192:168:56::2 dev eth0')
        link.contains('dstport 8472')
        ex.sh('node-1', 'ip -6 -o addr show dev flannel-v6.1 scope global').contains('inet6 fd00:10:244::/128')
        ex.sh('node-1', 'ip -d link show flannel.1').contains('mtu 1450')

        and: "each remote node's IPv6 podCIDR via its VTEP address, onlink; permanent neighbours and FDB entries to the remote IPv6 InternalIPs"
        ex.assertVxlanPeersV6('node-1', 'flannel-v6.1', [['fd00:10:244:1::/64', 'fd00:10:244:1::', Flannel.vtepMacV6(topology, n2), 'fd00:192:168:56::3'],
                                                       ['fd00:10:244:2::/64', 'fd00:10:244:2::', Flannel.vtepMacV6(topology, n3), 'fd00:192:168:56::4']])

        and: 'a pod: both addresses on eth0, IPv6 default route via cni0\'s IPv6 gateway'
        ex.sh('default/web-2', 'ip -6 -o addr show dev eth0 scope global').contains('inet6 fd00:10:244:1::2/64')
        ex.lines('default/web-2', 'ip -6 route show default')[0].startsWith('default via fd00:10:244:1::1 dev eth0')

        and: "kube-proxy's IPv6 proxier: the IPv6 cluster IPs in ip6tables, the IPv4-only kube-dns only in iptables"
        String v6 = ex.sh('node-1', 'ip6tables-save -t nat')
        v6.contains('-d fd00:10:96::1/128') && v6.contains('-d fd00:10:96::2/128')
        !v6.contains('kube-system/kube-dns')
        ex.sh('node-1', 'iptables-save -t nat').contains('kube-system/kube-dns')
    }

    def "the lab's snapshot is sound: every dump read with nothing unknown; the objects carry both families"() {
        when:
        Path dir = ex.take('healthy')
        healthy = new Diagnostor(Snapshot.open(dir))
        def objects = io.skoop.snapshot.k8s.KubeObjects.read(io.skoop.snapshot.SnapshotLayout.k8s(dir))

        then:
        SnapshotChecks.problems(dir) == []
        objects.findPod('default', 'web-2').get().podIPs()*.toString() == ['10.244.1.2', 'fd00:10:244:1::2']
        objects.findService('default', 'api').get().clusterIPs()*.toString() == ['fd00:10:96::3', '10.96.0.3']
        objects.findService('default', 'web6').get().clusterIPs()*.toString() == ['fd00:10:96::2']
    }

    @Unroll
    def "#flow: #src -> #dst (IPv#fam):#port/#proto connects (#answeredBy); skoop: REACHABLE, nothing breaking"() {
        expect:
        ex.healthyFlow(healthy, src, dst, fam, port, proto, answeredBy.split(' or ').toList())

        where: 'pod and node sources, pod, node and Service destinations, both protocols, in IPv6 (and the same pairs once in IPv4)'
        flow                           | src              | dst                        | fam | port  | proto || answeredBy
        'pod to pod, same node'        | 'default/client' | 'default/web-1'            | 6   | 8080  | 'tcp' || 'pod default/web-1 8080/tcp'
        'pod to pod, across flannel-v6.1' | 'default/client' | 'default/web-2'         | 6   | 8080  | 'tcp' || 'pod default/web-2 8080/tcp'
        'pod to pod, IPv4 alongside'   | 'default/client' | 'default/web-2'            | 4   | 8080  | 'tcp' || 'pod default/web-2 8080/tcp'
        'pod to pod, UDP'              | 'default/client' | 'kube-system/coredns'      | 6   | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'pod to node'                  | 'default/client' | 'node-3'                   | 6   | 10250 | 'tcp' || 'node node-3 10250/tcp'
        'pod to own node'              | 'default/client' | 'node-1'                   | 6   | 10250 | 'tcp' || 'node node-1 10250/tcp'
        'node to pod'                  | 'node-2'         | 'default/web-1'            | 6   | 8080  | 'tcp' || 'pod default/web-1 8080/tcp'
        'node to pod, UDP'             | 'node-1'         | 'kube-system/coredns'      | 6   | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'pod to NodePort, IPv6 address' | 'default/client' | 'node-3'                  | 6   | 30080 | 'tcp' || 'pod default/api-1 9090/tcp'
        'pod to IPv6-primary Service'  | 'default/client' | 'svc/default/api'          | 6   | 8080  | 'tcp' || 'pod default/api-1 9090/tcp'
        'same Service, IPv4 cluster IP' | 'default/client' | 'svc/default/api'         | 4   | 8080  | 'tcp' || 'pod default/api-1 9090/tcp'
    }

    @Unroll
    def "#service (IPv#fam) reaches every endpoint through the DNAT of kube-proxy's IPv#fam proxier; skoop: REACHABLE, delivered to each"() {
        expect: 'probed until every backend answered (kube-proxy picks at random)'
        ex.reachesEveryBackend(healthy, 'default/client', service, fam, 80,
                ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8080/tcp'],
                ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3'])

        where:
        service            | fam
        'svc/default/web'  | 6
        'svc/default/web'  | 4
        'svc/default/web6' | 6
    }

    def "an IPv6-only Service has no IPv4 address: probe and diagnosis both refuse to guess one"() {
        when:
        ex.diagnose(healthy, 'default/client', 'svc/default/web6', 4, 80)

        then:
        IllegalArgumentException e = thrown()
        e.message == 'Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)'

        when:
        ex.lab.address('svc/default/web6', IpFamily.IPv4)

        then:
        thrown(IllegalArgumentException)
    }

    @Unroll
    def "IPv6-only fault '#fault' breaks default/client -> default/web-2 over IPv6 while IPv4 still connects; skoop names it on #hop; repaired, it connects again"() {
        expect: 'the kernel fails the IPv6 flow and completes the IPv4 one; skoop agrees and says why on the hop that breaks'
        ex.ipv6OnlyFault(fault, inject, repair, hop, words)

        where:
        [fault, inject, repair, hop, words] << [
                ['net.ipv6.conf.all.forwarding = 0 on node-2 (IPv4 forwarding stays on)',
                 [['node-2', 'sysctl -qw net.ipv6.conf.all.forwarding=0']],
                 [['node-2', 'sysctl -qw net.ipv6.conf.all.forwarding=1']],
                 'node:node-2', 'ip6_forward: net.ipv6.conf.all.forwarding = 0'],
                ['node-1 lost its IPv6 route to node-2\'s IPv6 podCIDR',
                 [['node-1', 'ip -6 route del fd00:10:244:1::/64']],
                 [['node-1', 'ip -6 route replace fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink']],
                 'node:node-1', 'fd00:10:244:1::2'],
                ['an ip6tables DROP for web-2 in node-2\'s FORWARD chain',
                 [['node-2', 'ip6tables -I FORWARD -d fd00:10:244:1::2 -p tcp --dport 8080 -j DROP']],
                 [['node-2', 'ip6tables -D FORWARD -d fd00:10:244:1::2 -p tcp --dport 8080 -j DROP']],
                 'node:node-2', 'iptables: dropped by filter/FORWARD#1 `-A FORWARD -d fd00:10:244:1::2/128 -p tcp -m tcp --dport 8080 -j DROP`'],
        ]
    }

    def "ICMPv6 Packet Too Big dropped in node-2's OUTPUT: web-2's answer over IPv6 stalls (a path MTU black hole) while IPv4 connects; skoop: REACHABLE with a CRITICAL on node-2 naming the rule"() {
        given: 'flannel-v6.1 (1430) is smaller than the pods\' 1450: full-size IPv6 segments between nodes need Packet Too Big'
        assert ex.connect('default/client', 'default/web-2', 6, 8080).connected()

        when: 'node-2 drops the Packet Too Big it sends; web-2 forgets the path MTU it learnt earlier'
        ex.sh('node-2', 'ip6tables -I OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP')
        ex.sh('default/web-2', 'ip -6 route flush cache')
        Probe.Result broken = ex.connect('default/client', 'default/web-2', 6, 8080, 'tcp', ExampleLab.FAIL_TIMEOUT)
        Probe.Result control = ex.connect('default/client', 'default/web-2', 4, 8080)
        Diagnostor after = ex.snapshot('ptb-dropped')
        Diagnosis d = ex.diagnose(after, 'default/client', 'default/web-2', 6, 8080)
        Diagnosis h = ex.diagnose(healthy, 'default/client', 'default/web-2', 6, 8080)

        then: 'the kernel: the banner comes, the full-size segments never do; IPv4 unaffected'
        broken.outcome() == Probe.Outcome.TRUNCATED
        control.connected()

        and: 'skoop: REACHABLE (the handshake completes) with a CRITICAL on node-2 naming the rule; healthy, only an INFO'
        d.verdict() == Verdict.REACHABLE
        Diagnoses.breakingHops(d).keySet() == ['node:node-2'] as Set
        Diagnoses.breakingHops(d)['node:node-2'].any { it.contains('IPv6 path MTU black hole: flannel-v6.1 MTU 1430 < the 1450-byte TCP segments of the answer')
                && it.contains('--icmpv6-type 2 -j DROP') }
        Diagnoses.breakingHops(h) == [:]
        h.request().nodes().collectMany { it.suspicions() }*.message().any { it.startsWith('IPv6 path MTU discovery: flannel-v6.1 MTU 1430') }

        cleanup:
        ex.sh('node-2', 'ip6tables -D OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP')
        ex.sh('default/web-2', 'ip -6 route flush cache')
        assert ex.connect('default/client', 'default/web-2', 6, 8080).connected()
    }

    def "node-1 routes node-2's pods via node-2's cni0 address on eth0 (onlink): ARP answers for any local address, NDP only for the receiving device's; IPv4 connects, IPv6 does not; skoop agrees on both"() {
        when: 'both families of node-2\'s podCIDRs routed via cni0\'s address of that family, out of the underlay device'
        ex.sh('node-1', 'ip route replace 10.244.1.0/24 via 10.244.1.1 dev eth0 onlink')
        // an IPv6 onlink gateway must not already be routed via another device: the flannel-v6.1 route goes first
        ex.sh('node-1', 'ip -6 route del fd00:10:244:1::/64 && ip -6 route add fd00:10:244:1::/64 via fd00:10:244:1::1 dev eth0 onlink')
        Probe.Result v4 = ex.connect('default/client', 'default/web-2', 4, 8080)
        Probe.Result v6 = ex.connect('default/client', 'default/web-2', 6, 8080, 'tcp', ExampleLab.FAIL_TIMEOUT)
        String neigh = ex.sh('node-1', 'ip -6 neigh show dev eth0 to fd00:10:244:1::1')
        Diagnostor after = ex.snapshot('via-cni0-on-eth0')
        Diagnosis d4 = ex.diagnose(after, 'default/client', 'default/web-2', 4, 8080)
        Diagnosis d6 = ex.diagnose(after, 'default/client', 'default/web-2', 6, 8080)

        then: 'the kernel: node-2 answers ARP for 10.244.1.1 on eth0 (arp_ignore 0), never the solicitation for fd00:10:244:1::1'
        v4.connected()
        !v6.connected()
        v6.outcome() in [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE]
        !neigh.contains('lladdr')

        and: 'skoop: IPv4 REACHABLE (frames to node-2 over eth0), IPv6 UNREACHABLE naming the unanswered solicitation on node-1'
        d4.verdict() == Verdict.REACHABLE
        Diagnoses.breakingHops(d4) == [:]
        d6.verdict() == Verdict.UNREACHABLE
        Diagnoses.breakingHops(d6)['node:node-1']?.any { it.contains('node node-2 holds fd00:10:244:1::1 on cni0, but answers neighbour solicitations on eth0 only for eth0\'s own addresses') }
        d6.request().nodes().find { it.hop().toString() == 'node:node-1' }.suspicions()*.message().contains(
                'podCIDR fd00:10:244:1::/64 of node node-2 is routed via fd00:10:244:1::1 dev eth0; flannel installs fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink')

        cleanup:
        ex.sh('node-1', 'ip route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink')
        ex.sh('node-1', 'ip -6 route del fd00:10:244:1::/64; ip -6 route add fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink; '
                + 'ip -6 neigh del fd00:10:244:1::1 dev eth0 || true')
        assert ex.connect('default/client', 'default/web-2', 6, 8080).connected()
        assert ex.connect('default/client', 'default/web-2', 4, 8080).connected()
    }

    def "proxy NDP: node-1 routes node-2's IPv6 pods on-link out of eth0; nobody answers for web-2's address until node-2 proxies it (proxy_ndp on eth0 + a proxy entry); skoop agrees before and after"() {
        given: 'node-2\'s IPv6 podCIDR on-link on node-1\'s eth0: node-1 solicits the pods\' addresses on the underlay'
        ex.sh('node-1', 'ip -6 route del fd00:10:244:1::/64 && ip -6 route add fd00:10:244:1::/64 dev eth0')

        when: 'without proxy NDP'
        Probe.Result before = ex.connect('default/client', 'default/web-2', 6, 8080, 'tcp', ExampleLab.FAIL_TIMEOUT)
        Diagnosis d1 = ex.diagnose(ex.snapshot('onlink-no-proxy'), 'default/client', 'default/web-2', 6, 8080)

        then: 'the kernel: no neighbour answer; skoop: UNREACHABLE, nobody answers the solicitation'
        !before.connected()
        d1.verdict() == Verdict.UNREACHABLE
        Diagnoses.breakingHops(d1)['node:node-1']?.any { it.contains('no host on the underlay answers neighbour solicitations for fd00:10:244:1::2') }

        when: 'node-2 answers for web-2 by proxy on eth0 (forwarding is on there: all.forwarding = 1)'
        ex.sh('node-2', 'sysctl -qw net.ipv6.conf.eth0.proxy_ndp=1 && ip -6 neigh add proxy fd00:10:244:1::2 dev eth0')
        ex.sh('node-1', 'ip -6 neigh flush dev eth0')
        Probe.Result after = ex.connect('default/client', 'default/web-2', 6, 8080)
        Path dir = ex.take('onlink-proxy')
        Diagnosis d2 = ex.diagnose(new Diagnostor(Snapshot.open(dir)), 'default/client', 'default/web-2', 6, 8080)

        then: 'the kernel connects; the dump lists the proxy entry; skoop: REACHABLE through node-2\'s proxy answer'
        after.connected()
        dir.resolve('nodes/node-2/host/neigh-proxy.json').toFile().text.contains('"dst":"fd00:10:244:1::2"')
        d2.verdict() == Verdict.REACHABLE
        Diagnoses.breakingHops(d2) == [:]
        d2.request().nodes().find { it.hop().toString() == 'node:node-1' }.explanation().any { it.contains('answers neighbour solicitations for fd00:10:244:1::2 on eth0 by proxy') }

        cleanup:
        ex.sh('node-2', 'ip -6 neigh del proxy fd00:10:244:1::2 dev eth0; sysctl -qw net.ipv6.conf.eth0.proxy_ndp=0')
        ex.sh('node-1', 'ip -6 route del fd00:10:244:1::/64; ip -6 route add fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink; ip -6 neigh flush dev eth0')
        assert ex.connect('default/client', 'default/web-2', 6, 8080).connected()
    }

    def "IPv4 path MTU: flannel.1 at 1400 on node-2 makes web-2's 1450-byte answers need ICMP fragmentation needed; passed, the answer comes (INFO); dropped in node-2's OUTPUT, it stalls (black hole); skoop agrees on both"() {
        given: 'node-2\'s flannel.1 below the pods\' MTU; web-2 has no path MTU cached'
        ex.sh('node-2', 'ip link set flannel.1 mtu 1400')
        ex.sh('default/web-2', 'ip route flush cache')

        when: 'the error leaves node-2'
        Probe.Result passed = ex.connect('default/client', 'default/web-2', 4, 8080)
        Diagnosis d1 = ex.diagnose(ex.snapshot('ipv4-pmtu'), 'default/client', 'default/web-2', 4, 8080)

        then: 'the kernel: web-2 learns the path MTU and the answer comes; skoop: REACHABLE, an INFO on node-2'
        passed.connected()
        d1.verdict() == Verdict.REACHABLE
        Diagnoses.breakingHops(d1) == [:]
        d1.reply().nodes().find { it.hop().toString() == 'node:node-2' }.suspicions()*.message().any {
            it.startsWith('IPv4 path MTU discovery: flannel.1 MTU 1400 < the 1450-byte TCP segments of the answer') }

        when: 'node-2 drops the ICMP error it sends'
        ex.sh('node-2', 'iptables -I OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP')
        ex.sh('default/web-2', 'ip route flush cache')
        Probe.Result dropped = ex.connect('default/client', 'default/web-2', 4, 8080, 'tcp', ExampleLab.FAIL_TIMEOUT)
        Diagnosis d2 = ex.diagnose(ex.snapshot('ipv4-pmtu-dropped'), 'default/client', 'default/web-2', 4, 8080)

        then: 'the kernel: the banner comes, the full-size segments never do; skoop: REACHABLE with a CRITICAL on node-2 naming the rule'
        dropped.outcome() == Probe.Outcome.TRUNCATED
        d2.verdict() == Verdict.REACHABLE
        Diagnoses.breakingHops(d2).keySet() == ['node:node-2'] as Set
        Diagnoses.breakingHops(d2)['node:node-2'].any { it.startsWith('IPv4 path MTU black hole: flannel.1 MTU 1400 < the 1450-byte TCP segments of the answer')
                && it.contains('-j DROP') }

        cleanup:
        ex.sh('node-2', 'iptables -D OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP; ip link set flannel.1 mtu 1450')
        ex.sh('default/web-2', 'ip route flush cache')
        assert ex.connect('default/client', 'default/web-2', 4, 8080).connected()
    }
}
