package io.skoop.lab.run

import io.skoop.diagnose.Diagnostor
import io.skoop.lab.calico.Calico
import io.skoop.plugin.calico.CalicoNames
import io.skoop.snapshot.Snapshot
import io.skoop.snapshot.SnapshotLayout
import io.skoop.snapshot.k8s.KubeObjects
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
 * The calico-dual-stack example in VXLAN mode judged by the kernel: one lab where Felix carries IPv6 between nodes in
 * {@code vxlan-v6.calico} (VNI 4096, port 4789 over the nodes' IPv6 addresses, MTU 1430, the IPv6 block's ordinal 0 as
 * the tunnel address, the VTEP MAC from SHA-1 of the node name + {@code -v6}) beside {@code vxlan.calico}; the device,
 * its routes, neighbours and FDB entries and the pods' MTU (the smaller of the two encapsulations) read back; flows
 * probed and diagnosed over IPv6; two IPv6-only faults against the IPv4 pair as control. Needs root: runs in CI; fails
 * (does not skip) under CI without root.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class CalicoVxlanDualStackLabKernelSpec extends Specification {

    @Shared ExampleLab ex
    @Shared Diagnostor healthy

    def setupSpec() {
        ex = new ExampleLab('scx', 'calico-dual-stack', 'c6x', { String y -> y.replace('  mode: bgp', '  mode: vxlan') })
    }

    def cleanupSpec() {
        ex?.close()
    }

    def "the kernel holds what Felix programs for IPv6 in VXLAN mode: vxlan-v6.calico, its routes, neighbours, FDB; pods at the IPv6 VXLAN MTU"() {
        given:
        def n1 = ex.topology.node('node-1')
        def n2 = ex.topology.node('node-2')
        def n3 = ex.topology.node('node-3')

        expect: 'vxlan-v6.calico on node-1: VNI 4096 over its IPv6 address, port 4789, MTU 1500 - 70, the IPv6 block\'s ordinal 0 as a /128'
        String link = ex.sh('node-1', 'ip -d link show vxlan-v6.calico')
        link.contains('mtu 1430')
        link.contains("link/ether ${Calico.vtepMacV6(n1)}")
        link.contains('vxlan id 4096 local fd00:192:168:56::2 dev eth0')
        link.contains('dstport 4789')
        ex.sh('node-1', 'ip -6 -o addr show dev vxlan-v6.calico scope global').contains('inet6 fd00:10:244::/128')
        Calico.vtepMacV6(n1) != Calico.vtepMac(n1)

        and: "each remote IPv6 block via its node's tunnel address, onlink; permanent neighbours and FDB entries to the nodes' IPv6 addresses"
        ex.assertVxlanPeersV6('node-1', 'vxlan-v6.calico', [['fd00:10:244::40/122', 'fd00:10:244::40', Calico.vtepMacV6(n2), 'fd00:192:168:56::3'],
                                                          ['fd00:10:244::80/122', 'fd00:10:244::80', Calico.vtepMacV6(n3), 'fd00:192:168:56::4']])

        and: 'pods take the smaller MTU (IPv6 VXLAN\'s) and their IPv6 addresses from ordinal 1'
        ex.sh('default/client', 'ip link show eth0').contains('mtu 1430')
        ex.sh('default/client', 'ip -6 -o addr show dev eth0 scope global').contains('inet6 fd00:10:244::1/128')

        and: "Felix's cali60this-host: every IPv6 address of the node's non-cali interfaces, both VXLAN devices' included"
        CalicoDualStackLabKernelSpec.thisHost(ex, 'node-3') == CalicoDualStackLabKernelSpec.hostAddresses(ex, 'node-3')
        CalicoDualStackLabKernelSpec.thisHost(ex, 'node-3').contains('fd00:10:244::80')
    }

    def "the lab's snapshot is sound; the IPv6 pool is VXLAN, the nodes carry IPv6VXLANTunnelAddr"() {
        when:
        Path dir = ex.take('healthy')
        healthy = new Diagnostor(Snapshot.open(dir))
        def objects = KubeObjects.read(SnapshotLayout.k8s(dir))

        then:
        SnapshotChecks.problems(dir) == []
        objects.ipPools().collect { "$it.cidr $it.vxlanMode".toString() } == ['10.244.0.0/16 Always', 'fd00:10:244::/64 Always']
        objects.findNode('node-2').get().annotations()['projectcalico.org/IPv6VXLANTunnelAddr'] == 'fd00:10:244::40'
    }

    @Unroll
    def "#flow: #src -> #dst (IPv#fam):#port connects (#answeredBy); skoop: REACHABLE, nothing breaking"() {
        expect:
        ex.healthyFlow(healthy, src, dst, fam, port, 'tcp', answeredBy.split(' or ').toList())

        where:
        flow                                | src              | dst             | fam | port  || answeredBy
        'pod to pod across vxlan-v6.calico' | 'default/client' | 'default/web-2' | 6   | 8080  || 'pod default/web-2 8080/tcp'
        'the same pair over vxlan.calico'   | 'default/client' | 'default/web-2' | 4   | 8080  || 'pod default/web-2 8080/tcp'
        'node to a remote pod'              | 'node-2'         | 'default/web-1' | 6   | 8080  || 'pod default/web-1 8080/tcp'
        'pod to a remote node'              | 'default/client' | 'node-3'        | 6   | 10250 || 'node node-3 10250/tcp'
        'NodePort from outside, IPv6'       | 'internet'       | 'node-3'        | 6   | 30080 || 'pod default/api-1 9090/tcp or pod default/api-2 9090/tcp'
    }

    @Unroll
    def "IPv6-only fault '#fault' breaks default/client -> default/web-2 over IPv6 while IPv4 still connects; skoop names it on #hop; repaired, it connects again"() {
        expect:
        ex.ipv6OnlyFault(fault, inject, repair, hop, words)

        where:
        [fault, inject, repair, hop, words] << [
                ["node-1 lost the FDB entry of node-2's IPv6 VTEP",
                 [['node-1', "bridge fdb del ${CalicoNames.vtepMac('node-2-v6')} dev vxlan-v6.calico dst fd00:192:168:56::3"]],
                 [['node-1', "bridge fdb append ${CalicoNames.vtepMac('node-2-v6')} dev vxlan-v6.calico dst fd00:192:168:56::3 self permanent"]],
                 'node:node-1', "vxlan-v6.calico FDB has no entry for ${CalicoNames.vtepMac('node-2-v6')}"],
                // down also drops the device's routes, neighbours and IPv6 addresses: the repair programs them again
                ['vxlan-v6.calico down on node-2',
                 [['node-2', 'ip link set vxlan-v6.calico down']],
                 [['node-2', 'ip link set vxlan-v6.calico up && ip -6 addr add fd00:10:244::40/128 dev vxlan-v6.calico && ip -6 route replace fd00:10:244::/122 via fd00:10:244:: dev vxlan-v6.calico onlink'
                         + ' && ip -6 route replace fd00:10:244::80/122 via fd00:10:244::80 dev vxlan-v6.calico onlink'
                         + " && ip -6 neigh replace fd00:10:244:: lladdr ${CalicoNames.vtepMac('node-1-v6')} dev vxlan-v6.calico nud permanent"
                         + " && ip -6 neigh replace fd00:10:244::80 lladdr ${CalicoNames.vtepMac('node-3-v6')} dev vxlan-v6.calico nud permanent"]],
                 'node:node-2', 'vxlan-v6.calico is down'],
        ]
    }
}
