package io.skoop.lab.run

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Verdict
import io.skoop.lab.calico.Calico
import io.skoop.snapshot.Snapshot
import io.skoop.snapshot.SnapshotLayout
import io.skoop.snapshot.k8s.KubeObjects
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
 * The calico-dual-stack example judged by the kernel: one lab (Calico in BGP mode with IPv4 and IPv6, 3 nodes) built
 * for real; what BIRD, the Calico CNI plugin and Felix leave for IPv6 (each remote /122 block via the node's IPv6
 * address, the pods' /128 routes, the host-side veth's link-local gateway fe80::ecee:eeff:feee:eeee and its sysctls,
 * Felix's ip6tables chains and cali60 ipsets) read back from the kernel; flows probed over IPv6 with real connections and
 * diagnosed from the lab's snapshot (the NetworkPolicy enforced by Felix's ip6tables rules too); then IPv6-only faults,
 * each injected and repaired on the same lab, that break the IPv6 flow while the same pair still connects over IPv4,
 * and that skoop must name on the hop that breaks. Needs root: runs in CI; fails (does not skip) under CI without root.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class CalicoDualStackLabKernelSpec extends Specification {

    @Shared ExampleLab ex
    @Shared Diagnostor healthy

    def setupSpec() {
        ex = new ExampleLab('scd', 'calico-dual-stack', 'c6')
    }

    def cleanupSpec() {
        ex?.close()
    }

    def "the kernel holds what BIRD, the Calico CNI plugin and Felix program for IPv6: /122 block routes, /128 pod routes, the veth's link-local gateway, ip6tables and cali60 ipsets"() {
        given:
        String clientVeth = Calico.vethName('default', 'client')

        expect: "BIRD: each remote node's IPv6 block via its IPv6 address; the own block a blackhole; CNI: a /128 route per local pod"
        ex.lines('node-1', 'ip -6 route show proto bird').toSorted() == [
                'blackhole fd00:10:244::/122 dev lo metric 1024 pref medium',
                'fd00:10:244::40/122 via fd00:192:168:56::3 dev eth0 metric 1024 pref medium',
                'fd00:10:244::80/122 via fd00:192:168:56::4 dev eth0 metric 1024 pref medium']
        ex.lines('node-1', "ip -6 route show dev $clientVeth") == ['fd00:10:244:: metric 1024 pref medium', 'fe80::/64 proto kernel metric 256 pref medium']

        and: "the host-side veth's link-local address comes from its fixed MAC; the pod routes default via it; proxy_ndp and forwarding on"
        ex.sh('node-1', "ip -6 -o addr show dev $clientVeth scope link").contains('inet6 fe80::ecee:eeff:feee:eeee/64')
        ex.lines('default/client', 'ip -6 route show default')[0].startsWith('default via fe80::ecee:eeff:feee:eeee dev eth0')
        ex.sh('default/client', 'ip -6 -o addr show dev eth0 scope global').contains('inet6 fd00:10:244::/128')
        ex.sh('node-1', "sysctl -n net.ipv6.conf.${clientVeth}.proxy_ndp net.ipv6.conf.${clientVeth}.forwarding net.ipv6.conf.${clientVeth}.accept_ra")
                .readLines() == ['1', '1', '0']

        and: "Felix's IPv6 rules: cali chains in ip6tables, the NetworkPolicy's selector as a cali60 set of the pods' IPv6 addresses"
        String filter = ex.sh('node-3', 'ip6tables-save -t filter')
        filter.contains(':cali-FORWARD - [0:0]') && filter.contains(':cali-wl-to-host - [0:0]')
        filter.readLines().findAll { it.startsWith('-A cali-wl-to-host ') }.collect { (it =~ /--icmpv6-type (\d+)/).with { m -> m ? m[0][1] : it.replaceAll(/.* -j /, '-j ') } } ==
                ['130', '131', '132', '133', '135', '136', '-j cali-from-wl-dispatch', '-j ACCEPT']
        ex.sh('node-3', 'ipset list -n').readLines().findAll { it.startsWith('cali60') }.toSorted()
                .containsAll(['cali60all-ipam-pools', 'cali60masq-ipam-pools', 'cali60this-host'])
        thisHost(ex, 'node-3') == hostAddresses(ex, 'node-3')
        thisHost(ex, 'node-3').containsAll(['::1', 'fd00:192:168:56::4'])
    }

    /** The members of the node's cali60this-host set. */
    static Set<String> thisHost(ExampleLab ex, String node) {
        ex.sh(node, 'ipset list cali60this-host').readLines().dropWhile { it != 'Members:' }.drop(1).findAll { it }.toSet()
    }

    /** Every IPv6 address of the node's interfaces but the cali veths, as Felix's host-IP manager collects them. */
    static Set<String> hostAddresses(ExampleLab ex, String node) {
        ex.lines(node, 'ip -6 -o addr show').collect { it.split(/\s+/) }.findAll { !it[1].startsWith('cali') }.collect { it[3].replaceAll('/.*', '') }.toSet()
    }

    def "the lab's snapshot is sound: every dump read; the objects carry both pools, a BlockAffinity per node and family, IPv6Address annotations"() {
        when:
        Path dir = ex.take('healthy')
        healthy = new Diagnostor(Snapshot.open(dir))
        def objects = KubeObjects.read(SnapshotLayout.k8s(dir))

        then:
        SnapshotChecks.problems(dir) == []
        objects.ipPools().collect { "$it.cidr".toString() } == ['10.244.0.0/16', 'fd00:10:244::/64']
        objects.blockAffinities().findAll { it.node() == 'node-2' }*.cidr()*.toString() == ['10.244.0.64/26', 'fd00:10:244::40/122']
        objects.findPod('default', 'web-2').get().podIPs()*.toString() == ['10.244.0.64', 'fd00:10:244::40']
        objects.findNode('node-2').get().annotations()['projectcalico.org/IPv6Address'] == 'fd00:192:168:56::3/64'
    }

    @Unroll
    def "#flow: #src -> #dst (IPv#fam):#port/#proto connects (#answeredBy); skoop: REACHABLE, nothing breaking"() {
        expect:
        ex.healthyFlow(healthy, src, dst, fam, port, proto, answeredBy.split(' or ').toList())

        where:
        flow                           | src              | dst                   | fam | port  | proto || answeredBy
        'pod to pod, same node'        | 'default/client' | 'default/web-1'       | 6   | 8080  | 'tcp' || 'pod default/web-1 8080/tcp'
        'pod to pod, BIRD route'       | 'default/client' | 'default/web-2'       | 6   | 8080  | 'tcp' || 'pod default/web-2 8080/tcp'
        'pod to pod, IPv4 alongside'   | 'default/client' | 'default/web-2'       | 4   | 8080  | 'tcp' || 'pod default/web-2 8080/tcp'
        'pod to pod, UDP'              | 'default/client' | 'kube-system/coredns' | 6   | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'pod to node'                  | 'default/client' | 'node-3'              | 6   | 10250 | 'tcp' || 'node node-3 10250/tcp'
        'node to pod'                  | 'node-2'         | 'default/web-1'       | 6   | 8080  | 'tcp' || 'pod default/web-1 8080/tcp'
        'pod to IPv6-primary Service'  | 'default/client' | 'svc/default/api'     | 6   | 8080  | 'tcp' || 'pod default/api-1 9090/tcp or pod default/api-2 9090/tcp'
        'NodePort from outside, IPv6'  | 'internet'       | 'node-3'              | 6   | 30080 | 'tcp' || 'pod default/api-1 9090/tcp or pod default/api-2 9090/tcp'
        'policy allows api to db'      | 'default/api-1'  | 'default/db'          | 6   | 5432  | 'tcp' || 'pod default/db 5432/tcp'
    }

    def "svc/default/web over IPv6 reaches every endpoint; skoop: REACHABLE, delivered to each"() {
        expect: 'probed until every backend answered (kube-proxy picks at random)'
        ex.reachesEveryBackend(healthy, 'default/client', 'svc/default/web', 6, 80,
                ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp'],
                ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3'])
    }

    def "the NetworkPolicy holds over IPv6: client -> db:5432 dropped by Felix's ip6tables rules on node-3, as over IPv4; skoop names db's cali-tw chain"() {
        when:
        Probe.Result v6 = ex.connect('default/client', 'default/db', 6, 5432, 'tcp', ExampleLab.FAIL_TIMEOUT)
        Probe.Result v4 = ex.connect('default/client', 'default/db', 4, 5432, 'tcp', ExampleLab.FAIL_TIMEOUT)
        Diagnosis d = ex.diagnose(healthy, 'default/client', 'default/db', 6, 5432)

        then:
        v6.outcome() == Probe.Outcome.TIMEOUT
        v4.outcome() == Probe.Outcome.TIMEOUT
        d.verdict() == Verdict.UNREACHABLE
        Diagnoses.breakingHops(d)['node:node-3']?.any { it.contains("cali-tw-${Calico.vethName('default', 'db')}") }
    }

    def "the IPv6 pool has no outgoing NAT (calico-node's default): a pod reaches the external host over IPv4, not over IPv6; skoop says the reply has no way back"() {
        when:
        Probe.Result v6 = ex.connect('default/client', 'internet', 6, 80, 'tcp', ExampleLab.FAIL_TIMEOUT)
        Probe.Result v4 = ex.connect('default/client', 'internet', 4, 80)
        Diagnosis d6 = ex.diagnose(healthy, 'default/client', 'internet', 6, 80)
        Diagnosis d4 = ex.diagnose(healthy, 'default/client', 'internet', 4, 80)

        then:
        !v6.connected()
        v4.connected()
        d6.verdict() == Verdict.UNREACHABLE
        Diagnoses.breakingHops(d6).values().flatten().any { it.contains('has no route to fd00:10:244::') && it.contains('no MASQUERADE or SNAT rule') }
        d4.verdict() == Verdict.REACHABLE
    }

    @Unroll
    def "IPv6-only fault '#fault' breaks default/client -> default/web-2 over IPv6 while IPv4 still connects; skoop names it on #hop; repaired, it connects again"() {
        expect: 'the kernel fails the IPv6 flow and completes the IPv4 one; skoop agrees and says why on the hop that breaks'
        ex.ipv6OnlyFault(fault, inject, repair, hop, words)

        where:
        [fault, inject, repair, hop, words] << [
                ["node-1 lost BIRD's IPv6 route to node-2's block",
                 [['node-1', 'ip -6 route del fd00:10:244::40/122']],
                 [['node-1', 'ip -6 route add fd00:10:244::40/122 via fd00:192:168:56::3 dev eth0 proto bird']],
                 'node:node-1', 'fd00:10:244::40'],
                ["the client's host-side veth lost its link-local address (the pod's IPv6 gateway)",
                 // the pod forgets the gateway's MAC too: a cached neighbour entry would carry the flow on until it went stale
                 [['node-1', "ip -6 addr flush dev ${Calico.vethName('default', 'client')} scope link"], ['default/client', 'ip -6 neigh flush dev eth0']],
                 [['node-1', "ip -6 addr add fe80::ecee:eeff:feee:eeee/64 dev ${Calico.vethName('default', 'client')} scope link"],
                  ['default/client', 'ip -6 neigh flush dev eth0']],
                 'pod:default/client', 'fe80::ecee:eeff:feee:eeee'],
        ]
    }
}
