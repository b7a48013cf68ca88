package io.skoop.lab.plan

import io.skoop.lab.flannel.Flannel
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.Protocol
import spock.lang.Specification

/** The build plan, checked without root: what the lab would create, in which namespace, in which order. */
class LabPlannerSpec extends Specification {

    static ResolvedTopology vxlan = LabExamples.load('flannel-vxlan')
    static ResolvedTopology hostgw = LabExamples.load('flannel-host-gw')

    static List<String> lines(LabPlan p) {
        p.steps()*.shell()
    }

    def "every namespace carries the lab's prefix: underlay, one per node, pod and external host"() {
        when:
        LabPlan p = LabPlanner.plan(vxlan)

        then:
        p.namespaces().size() == 1 + 3 + 10 + 1
        p.namespaces().every { it.startsWith('vxlan.') && LabNetns.labOf(it) == 'vxlan' }
        p.namespaces().containsAll(['vxlan.underlay', 'vxlan.node.node-2', 'vxlan.pod.kube-system.coredns', 'vxlan.ext.internet'])
        p.steps().findAll { it.netns() != null }.every { it.netns() in p.namespaces() }
        p.steps().findAll { it.argv()[0..2] == ['ip', 'netns', 'add'] }*.argv()*.get(3) == p.namespaces()
    }

    def "vxlan: flannel.1 as flanneld makes it, and per remote node a route, a permanent neighbour and an FDB entry"() {
        given:
        List<String> l = lines(LabPlanner.plan(vxlan))
        def n1 = vxlan.node('node-1'), n2 = vxlan.node('node-2')
        String mac2 = Flannel.vtepMac(vxlan, n2)

        expect:
        l.contains("ip -n vxlan.node.node-1 link add flannel.1 address ${Flannel.vtepMac(vxlan, n1)} mtu 1450 type vxlan id 1 local 192.168.56.2 dev eth0 dstport 8472 nolearning".toString())
        l.contains('ip -n vxlan.node.node-1 link set flannel.1 up')
        l.contains('ip -n vxlan.node.node-1 addr add 10.244.0.0/32 dev flannel.1')
        l.contains('ip -n vxlan.node.node-1 route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink')
        l.contains("ip -n vxlan.node.node-1 neigh add 10.244.1.0 lladdr $mac2 dev flannel.1 nud permanent".toString())
        l.contains("bridge -n vxlan.node.node-1 fdb append $mac2 dev flannel.1 dst 192.168.56.3 self permanent".toString())
        !l.any { it.contains('route add 10.244.0.0/24') && it.startsWith('ip -n vxlan.node.node-1 ') }
        l.count { it ==~ /ip -n vxlan\.node\.node-\d route add 10\.244\.\d\.0\/24 via .*/ } == 6
    }

    def "host-gw: no VXLAN device, routes to the other podCIDRs via the nodes' addresses, MTU 1500"() {
        given:
        List<String> l = lines(LabPlanner.plan(hostgw))

        expect:
        !l.any { it.contains('flannel.1') }
        l.contains('ip -n hostgw.node.node-1 route add 10.244.2.0/24 via 192.168.57.12 dev eth0')
        l.contains('ip -n hostgw.node.node-1 route add 10.244.3.0/24 via 192.168.57.13 dev eth0')
        l.any { it.startsWith('ip -n hostgw.node.node-1 link add cni0 ') && it.contains(' mtu 1500 ') }
    }

    def "a pod: veth into cni0 with hairpin, eth0 with its IP, default and cluster routes via the gateway, the CNI's MTU"() {
        given:
        List<String> l = lines(LabPlanner.plan(vxlan))
        String veth = l.find { it.startsWith('ip -n vxlan.node.node-2 link add veth') && it.contains('netns vxlan.pod.default.web-2') }.split(' ')[5]

        expect:
        veth ==~ /veth[0-9a-f]{8}/
        l.find { it.contains("link add $veth ") }.contains('mtu 1450 type veth peer name eth0 ')
        l.contains("ip -n vxlan.node.node-2 link set $veth master cni0".toString())
        l.contains("ip -n vxlan.node.node-2 link set $veth type bridge_slave hairpin on".toString())
        l.contains('ip -n vxlan.pod.default.web-2 addr add 10.244.1.2/24 dev eth0')
        l.contains('ip -n vxlan.pod.default.web-2 route add default via 10.244.1.1 dev eth0')
        l.contains('ip -n vxlan.pod.default.web-2 route add 10.244.0.0/16 via 10.244.1.1 dev eth0')
        l.contains('ip -n vxlan.node.node-2 addr add 10.244.1.1/24 dev cni0')
    }

    def "iptables: kube-proxy's tables restored whole, then flannel's appended with --noflush; sysctls as kube-proxy needs them"() {
        given:
        LabPlan p = LabPlanner.plan(vxlan)
        List<Step> ipt = p.steps().findAll { it.netns() == 'vxlan.node.node-3' && it.argv().contains('iptables-restore') }

        expect:
        ipt.size() == 2
        ipt[0].argv() == ['ip', 'netns', 'exec', 'vxlan.node.node-3', 'iptables-restore']
        ipt[0].stdin().contains(':KUBE-SERVICES - [0:0]')
        ipt[1].argv().last() == '--noflush'
        ipt[1].stdin().contains('-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully')
        lines(p).contains('ip netns exec vxlan.node.node-3 sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.ipv4.conf.all.route_localnet=1')
    }

    def "the underlay is a wire: node and external eth0 and their bridge ports send MTU-sized frames only"() {
        given:
        List<String> l = lines(LabPlanner.plan(vxlan))

        expect:
        ['vxlan.node.node-1 link set dev eth0', 'vxlan.underlay link set dev vn0', 'vxlan.ext.internet link set dev eth0', 'vxlan.underlay link set dev vx0']
                .every { l.contains("ip -n $it gso_max_segs 1".toString()) }
    }

    def "listeners: socat (TCP) or a one-socket responder (UDP) per declared port; a banner naming who answers"() {
        given:
        LabPlan p = LabPlanner.plan(vxlan)

        expect:
        // kubelet 10250/tcp on 3 nodes; pods: web-1, api-1 ×2, web-2, api-2 ×2, web-3, coredns ×2, web-canary; internet ×2
        p.listeners().size() == 3 + 10 + 2
        p.listeners().find { it.owner() == 'pod default/web-3' }.banner() == 'skoop-lab pod default/web-3 8081/tcp'
        p.steps().find { it.kind() == Step.Kind.LISTENER && it.netns() == 'vxlan.ext.internet' && it.what().contains('53/udp') }.argv() ==
                ['setsid', '-f', 'ip', 'netns', 'exec', 'vxlan.ext.internet', 'python3', '-S', '-c', LabPlanner.UDP_RESPONDER, '0.0.0.0', '53',
                 'skoop-lab external internet 53/udp']
        p.steps().find { it.kind() == Step.Kind.LISTENER && it.netns() == 'vxlan.node.node-1' }.argv()[7] == 'TCP4-LISTEN:10250,reuseaddr,fork'
        p.steps().findAll { it.kind() == Step.Kind.LISTENER && it.argv()[6] == 'socat' }*.argv().every { it[7] ==~ /TCP4-LISTEN:\d+,reuseaddr,fork/ }
        p.steps().count { it.kind() == Step.Kind.LISTENER && it.argv()[6] == 'python3' } == 2    // coredns and internet, 53/udp
    }

    def "UDP node listeners bind each node address (replies leave from the address asked)"() {
        given:
        String yaml = LabExamples.text('flannel-vxlan').replace('      - {port: 10250}   # kubelet', '      - {port: 10250}\n      - {port: 8125, protocol: UDP}   # kubelet')
        LabPlan p = LabPlanner.plan(TopologyLoader.parse('x.yaml', yaml))

        expect:
        p.listeners().findAll { it.netns() == 'vxlan.node.node-1' && it.protocol() == Protocol.UDP }*.bind()*.toString() ==
                ['192.168.56.2', '10.244.0.0', '10.244.0.1']
    }

    def "the same topology gives the same plan; another name gives other MACs and veth names"() {
        expect:
        lines(LabPlanner.plan(vxlan)) == lines(LabPlanner.plan(LabExamples.load('flannel-vxlan')))
        def other = lines(LabPlanner.plan(vxlan.withName('copy')))
        other.size() == lines(LabPlanner.plan(vxlan)).size()
        !other.any { it.contains('vxlan.') }
        Flannel.vtepMac(vxlan, vxlan.node('node-1')) != Flannel.vtepMac(vxlan.withName('copy'), vxlan.node('node-1'))
    }

    def "Step.shell quotes what a shell would split, and shows stdin as a here-document"() {
        expect:
        new Step('x', null, ['echo', 'a b', "it's", 'plain-1.2/3:4=5,6'], null, Step.Kind.COMMAND).shell() == "echo 'a b' 'it'\\''s' plain-1.2/3:4=5,6"
        new Step('x', null, ['cat'], 'line\n', Step.Kind.COMMAND).shell() == "cat <<'EOF'\nline\nEOF"
    }

    def "labOf reads the lab back from a namespace name, only for lab-shaped names"() {
        expect:
        LabNetns.labOf(name) == lab

        where:
        name                        || lab
        'vxlan.node.node-1'         || 'vxlan'
        'a-b.pod.default.client'    || 'a-b'
        'a.underlay'                || 'a'
        'a.ext.internet'            || 'a'
        'a.other'                   || null
        'underlay'                  || null
        '.node.x'                   || null
        'cni-1234'                  || null
    }
}
