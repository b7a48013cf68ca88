package io.skoop.lab.topology

import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import spock.lang.Specification

class LabExamplesSpec extends Specification {

    static List<String> endpoints(ResolvedService s, String port) {
        s.port(port).endpoints().collect { "${it.pod()}@${it.ip()}:${it.port()}/${it.protocol().ianaName()}".toString() }
    }

    def "lists the bundled examples and names the known ones for an unknown name"() {
        expect:
        LabExamples.names() == ['flannel-vxlan', 'flannel-host-gw', 'calico-bgp', 'calico-vxlan', 'flannel-vxlan-nftables', 'dual-stack', 'calico-dual-stack']

        when:
        LabExamples.load('flannel-vxlam')

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "no lab example 'flannel-vxlam'; examples: flannel-vxlan, flannel-host-gw, calico-bgp, calico-vxlan, flannel-vxlan-nftables, dual-stack, calico-dual-stack; did you mean 'flannel-vxlan'?"
    }

    def "flannel-vxlan-nftables is the flannel-vxlan cluster with kube-proxy in nftables mode, under its own lab name"() {
        when:
        def nft = LabExamples.load('flannel-vxlan-nftables')
        def ipt = LabExamples.load('flannel-vxlan')

        then:
        nft.proxyMode() == ProxyMode.NFTABLES
        ipt.proxyMode() == ProxyMode.IPTABLES
        nft.name() == 'vxlan-nft'
        nft.cni() == ipt.cni() && nft.clusterCIDR() == ipt.clusterCIDR() && nft.serviceCIDR() == ipt.serviceCIDR()
        sameButOrigins(nft, ipt)
        LabExamples.names().every { it == 'flannel-vxlan-nftables' || LabExamples.load(it).proxyMode() == ProxyMode.IPTABLES }
    }

    /** Same nodes, pods, Services and external hosts as written (their origins name other files and lines). */
    static boolean sameButOrigins(ResolvedTopology a, ResolvedTopology b) {
        a.nodes().collect { "$it.name $it.podCIDR $it.address $it.listeners" } == b.nodes().collect { "$it.name $it.podCIDR $it.address $it.listeners" }
                && a.pods()*.key() == b.pods()*.key() && a.pods()*.ip() == b.pods()*.ip()
                && a.services()*.service()*.key() == b.services()*.service()*.key()
                && a.services()*.service()*.clusterIP() == b.services()*.service()*.clusterIP()
                && a.services().collect { s -> s.ports().collect { "${it.port().nodePort()} ${it.endpoints()}" } }
                == b.services().collect { s -> s.ports().collect { "${it.port().nodePort()} ${it.endpoints()}" } }
                && a.externalHosts()*.address() == b.externalHosts()*.address()
    }

    def "calico-dual-stack: each node gets an IPv4 /26 and an IPv6 /122 block, pods take both from ordinal 0"() {
        when:
        def t = LabExamples.load('calico-dual-stack')

        then:
        t.name() == 'calico6'
        t.dualStack()
        t.cni() == new Cni.Calico(Cni.CalicoMode.BGP, 26)
        t.nodes().collect { "$it.name $it.podCIDR $it.podCIDRv6 $it.address $it.addressV6".toString() } == [
                'node-1 10.244.0.0/26 fd00:10:244::/122 192.168.56.2 fd00:192:168:56::2',
                'node-2 10.244.0.64/26 fd00:10:244::40/122 192.168.56.3 fd00:192:168:56::3',
                'node-3 10.244.0.128/26 fd00:10:244::80/122 192.168.56.4 fd00:192:168:56::4']
        t.pods().collect { "${it.key()} ${it.ip()} ${it.ipV6()}".toString() }.take(4) == [
                'default/client 10.244.0.0 fd00:10:244::',
                'default/web-1 10.244.0.1 fd00:10:244::1',
                'default/api-1 10.244.0.2 fd00:10:244::2',
                'default/web-2 10.244.0.64 fd00:10:244::40']
        t.service('default/api').service().clusterIPs()*.isV6() == [true, false]
        t.externalHosts()*.addressV6() == [Ip.parse('2001:db8:113::10')]

        when: 'in vxlan mode ordinal 0 of each block is the node\'s tunnel address (IPv4 and IPv6), the pods start at 1'
        def x = TopologyLoader.parse('x.yaml', LabExamples.text('calico-dual-stack').replace('  mode: bgp', '  mode: vxlan'))

        then:
        x.nodes().collect { "$it.name $it.tunnelAddress ${io.skoop.lab.calico.Calico.tunnelAddressV6(it)}".toString() } == [
                'node-1 10.244.0.0 fd00:10:244::', 'node-2 10.244.0.64 fd00:10:244::40', 'node-3 10.244.0.128 fd00:10:244::80']
        x.pods().collect { "${it.key()} ${it.ip()} ${it.ipV6()}".toString() }.take(2) == [
                'default/client 10.244.0.1 fd00:10:244::1', 'default/web-1 10.244.0.2 fd00:10:244::2']
    }

    def "flannel-vxlan: podCIDRs, node addresses and pod IPs are allocated in file order"() {
        when:
        def t = LabExamples.load('flannel-vxlan')

        then:
        t.name() == 'vxlan'
        t.cni() == new Cni.Flannel(Cni.FlannelBackend.VXLAN)
        t.underlayGateway() == Ip.parse('192.168.56.1')
        t.nodes().collect { "$it.name $it.podCIDR $it.address".toString() } == [
                'node-1 10.244.0.0/24 192.168.56.2',
                'node-2 10.244.1.0/24 192.168.56.3',
                'node-3 10.244.2.0/24 192.168.56.4']
        t.node('node-1').listeners() == [new Listener(10250, Protocol.TCP)]
        t.pods().collect { "${it.key()} ${it.node()} ${it.ip()}".toString() } == [
                'default/client node-1 10.244.0.2',
                'default/web-1 node-1 10.244.0.3',
                'default/api-1 node-1 10.244.0.4',
                'default/web-2 node-2 10.244.1.2',
                'default/api-2 node-2 10.244.1.3',
                'default/client-2 node-2 10.244.1.4',
                'default/web-3 node-3 10.244.2.2',
                'kube-system/coredns node-3 10.244.2.3',
                'default/sleeper node-3 10.244.2.4',
                'staging/web-canary node-3 10.244.2.5']
        ResolvedTopology.podGateway(t.node('node-3')) == Ip.parse('10.244.2.1')
        t.pod('kube-system/coredns').listeners() == [new Listener(53, Protocol.UDP), new Listener(53, Protocol.TCP)]
        t.pod('sleeper').listeners() == []
        t.podsOn('node-2')*.name() == ['web-2', 'api-2', 'client-2']
        t.externalHosts()*.address() == [Ip.parse('203.0.113.10')]
    }

    def "flannel-vxlan: cluster IPs, node ports and endpoints (named targetPort resolved per pod)"() {
        when:
        def t = LabExamples.load('flannel-vxlan')
        def web = t.service('web')
        def api = t.service('default/api')
        def dns = t.service('kube-system/kube-dns')

        then:
        web.service().type() == ServiceType.ClusterIP
        web.service().clusterIP() == Ip.parse('10.96.0.2')
        endpoints(web, 'http') == ['default/web-1@10.244.0.3:8080/tcp', 'default/web-2@10.244.1.2:8080/tcp', 'default/web-3@10.244.2.2:8081/tcp']
        web.port('http').port().nodePort() == 0

        api.service().clusterIP() == Ip.parse('10.96.0.3')
        api.port('http').port().nodePort() == 30080
        api.port('metrics').port().nodePort() == 30000
        endpoints(api, 'http') == ['default/api-1@10.244.0.4:9090/tcp', 'default/api-2@10.244.1.3:9090/tcp']
        endpoints(api, 'metrics') == ['default/api-1@10.244.0.4:9100/tcp', 'default/api-2@10.244.1.3:9100/tcp']

        dns.service().clusterIP() == Ip.parse('10.96.0.10')
        endpoints(dns, 'dns') == ['kube-system/coredns@10.244.2.3:53/udp']
        endpoints(dns, 'dns-tcp') == ['kube-system/coredns@10.244.2.3:53/tcp']
    }

    def "flannel-host-gw: written podCIDRs, addresses and a written pod IP are kept; allocation works around them"() {
        when:
        def t = LabExamples.load('flannel-host-gw')

        then:
        t.cni() == new Cni.Flannel(Cni.FlannelBackend.HOST_GW)
        t.nodes().collect { "$it.name $it.podCIDR $it.address".toString() } == [
                'node-1 10.244.1.0/24 192.168.57.11',
                'node-2 10.244.2.0/24 192.168.57.12',
                'node-3 10.244.3.0/24 192.168.57.13']
        t.pods().collect { "${it.name()} ${it.ip()}".toString() } == [
                'client 10.244.1.2', 'web-1 10.244.1.3', 'api-1 10.244.1.4',
                'web-2 10.244.2.20', 'api-2 10.244.2.2', 'client-2 10.244.2.3',
                'web-3 10.244.3.2', 'coredns 10.244.3.3', 'coredns-2 10.244.1.5', 'sleeper 10.244.3.4']
        t.pod('web-3').listeners() == []
        t.pod('web-3').ports() == [new ContainerPort('http', 8080, Protocol.TCP)]
        t.clusterCIDR() == Prefix.parse('10.244.0.0/16')

        and: 'web-3 stays an endpoint although nothing listens: the EndpointSlice does not know'
        endpoints(t.service('web'), 'http') == ['default/web-1@10.244.1.3:8080/tcp', 'default/web-2@10.244.2.20:8080/tcp', 'default/web-3@10.244.3.2:8080/tcp']

        and: 'an unnamed single port is labelled port/protocol; its node port is allocated'
        t.service('api').service().clusterIP() == Ip.parse('10.96.0.3')
        t.service('api').port('8080/tcp').port().nodePort() == 30000
        endpoints(t.service('api'), '8080/tcp') == ['default/api-1@10.244.1.4:9090/tcp', 'default/api-2@10.244.2.2:9090/tcp']
        endpoints(t.service('kube-system/kube-dns'), 'dns') == ['kube-system/coredns@10.244.3.3:53/udp', 'kube-system/coredns-2@10.244.1.5:53/udp']
        t.externalHosts()*.listeners() == [[new Listener(443, Protocol.TCP)]]
    }
}
