package io.skoop.lab.kubeproxy

import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.ServiceType
import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.Rule
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.parse.IptablesSaveParser
import spock.lang.Shared
import spock.lang.Specification

/** kube-proxy's input and output on each node of the bundled flannel-vxlan lab. */
class TopologyServicesSpec extends Specification {

    @Shared
    ResolvedTopology t = LabExamples.load('flannel-vxlan')

    static String key(ServicePort p) {
        "${p.servicePortName()} ${p.protocolName()} ${p.clusterIp()}:${p.port()} np=${p.nodePort()}"
    }

    def 'node context: the node name, its underlay address and the cluster CIDR'() {
        when:
        def n = TopologyServices.node(t, 'node-2')

        then:
        n.nodeName() == 'node-2'
        n.nodeIps() == [Ip.parse('192.168.56.3')]
        n.nodeIps() == [t.node('node-2').address()]
        n.clusterCidr() == t.clusterCIDR()
        n.masqueradeBit() == NodeContext.DEFAULT_MASQUERADE_BIT
    }

    def 'one service port per Service port, Services in file order, node ports only for NodePort Services'() {
        when:
        def ports = TopologyServices.servicePorts(t, 'node-1')
        def api = t.service('api')

        then: 'computed from the topology'
        ports.collect { key(it) } == t.services().collectMany { rs ->
            rs.ports().collect { p ->
                def np = rs.service().type() == ServiceType.NodePort ? p.port().nodePort() : 0
                "${rs.service().namespace()}/${rs.service().name()}:${p.port().name()} ${p.port().protocol().ianaName().toLowerCase()} ${rs.service().clusterIP()}:${p.port().port()} np=$np".toString()
            }
        }

        and: 'concrete values'
        ports.collect { key(it) } == [
                'default/web:http tcp 10.96.0.2:80 np=0',
                'default/api:http tcp 10.96.0.3:8080 np=30080',
                "default/api:metrics tcp 10.96.0.3:9100 np=${api.port('metrics').port().nodePort()}".toString(),
                'kube-system/kube-dns:dns udp 10.96.0.10:53 np=0',
                'kube-system/kube-dns:dns-tcp tcp 10.96.0.10:53 np=0']
        api.port('metrics').port().nodePort() in 30000..32767
        api.port('metrics').port().nodePort() != 30080
        ports[3].protocol() == Protocol.UDP
        ports.every { it.externalIps().isEmpty() && it.loadBalancerIps().isEmpty() }
    }

    def 'endpoints are the resolved backends, all ready, with their node'() {
        when:
        def ports = TopologyServices.servicePorts(t, 'node-3')

        then: 'computed from the topology'
        ports.collect { p -> p.endpoints().collect { "${it.ip()}:${it.port()}@${it.nodeName()}".toString() } } ==
                t.services().collectMany { rs -> rs.ports().collect { p -> p.endpoints().collect { "${it.ip()}:${it.port()}@${it.node()}".toString() } } }
        ports.every { p -> p.endpoints().every { it.ready() } }

        and: 'concrete values: a named targetPort follows each pod, UDP and TCP DNS both reach coredns'
        ports[0].endpoints().collect { it.hostPort() } == ['10.244.0.3:8080', '10.244.1.2:8080', '10.244.2.2:8081']
        ports[0].endpoints()*.nodeName() == ['node-1', 'node-2', 'node-3']
        ports[1].endpoints().collect { it.hostPort() } == ['10.244.0.4:9090', '10.244.1.3:9090']
        ports[2].endpoints().collect { it.hostPort() } == ['10.244.0.4:9100', '10.244.1.3:9100']
        ports[3].endpoints().collect { it.hostPort() } == ['10.244.2.3:53']
        ports[4].endpoints().collect { it.hostPort() } == ['10.244.2.3:53']
    }

    def 'local flags on #node: an endpoint is local exactly where its pod runs'() {
        when:
        def ports = TopologyServices.servicePorts(t, node)

        then:
        ports.every { p -> p.endpoints().every { it.local() == (it.nodeName() == node) } }
        ports.collectMany { p -> p.endpoints().findAll { it.local() }.collect { "${p.servicePortName()} ${it.hostPort()}".toString() } } == local

        where:
        node     || local
        'node-1' || ['default/web:http 10.244.0.3:8080', 'default/api:http 10.244.0.4:9090', 'default/api:metrics 10.244.0.4:9100']
        'node-2' || ['default/web:http 10.244.1.2:8080', 'default/api:http 10.244.1.3:9090', 'default/api:metrics 10.244.1.3:9100']
        'node-3' || ['default/web:http 10.244.2.2:8081', 'kube-system/kube-dns:dns 10.244.2.3:53', 'kube-system/kube-dns:dns-tcp 10.244.2.3:53']
    }

    def 'every node gets every Service: the same service ports apart from the local flags'() {
        expect:
        def strip = { String n -> TopologyServices.servicePorts(t, n).collect { p -> [key(p), p.endpoints().collect { [it.ip(), it.port(), it.nodeName()] }] } }
        strip('node-1') == strip('node-2')
        strip('node-2') == strip('node-3')
    }

    def 'the rendered text on #node parses without Unknown elements, one KUBE-SVC chain per service port, NodePort rules'() {
        when:
        String text = TopologyServices.iptablesRestoreText(t, node)
        Ruleset rs = IptablesSaveParser.parse('iptables.txt', text, false)
        def nat = rs.table('nat')
        def ports = TopologyServices.servicePorts(t, node)
        List<Rule> all = rs.tables().values().collectMany { tb -> tb.chains().values().collectMany { it.rules() } }

        then: 'no element the simulator cannot model'
        all.findAll { it.hasUnknown() } == []

        and: 'a KUBE-SVC chain per service port with endpoints, with one KUBE-SEP jump per endpoint'
        ports.every { it.endpoints() }
        ports.every { p ->
            def chain = nat.chains()[KubeProxyIptables.servicePortPolicyClusterChain(p.servicePortName(), p.protocolName())]
            chain != null && chain.rules().count { it.text().contains('-j KUBE-SEP-') } == p.endpoints().size()
        }
        nat.chains().keySet().count { it.startsWith('KUBE-SVC-') } == 5
        nat.chains().keySet().count { it.startsWith('KUBE-SEP-') } == 3 + 2 + 2 + 1 + 1

        and: 'the cluster IPs in KUBE-SERVICES'
        nat.chain('KUBE-SERVICES').rules().any { it.text().contains('-d 10.96.0.10 ') && it.text().contains('-p udp') && it.text().contains('--dport 53') }

        and: 'KUBE-NODEPORTS holds exactly the NodePort service ports'
        def nodePorts = nat.chain('KUBE-NODEPORTS').rules().collect { r -> (r.text() =~ /--dport (\d+)/)[0][1] as int }
        nodePorts as Set == [30080, t.service('api').port('metrics').port().nodePort()] as Set
        nat.chain('KUBE-NODEPORTS').rules().every { it.text().contains('-j KUBE-EXT-') }
        !nat.chain('KUBE-NODEPORTS').rules().any { it.text().contains('default/web') || it.text().contains('kube-dns') }

        and: 'DNAT to the endpoints the topology resolved'
        nat.chains().findAll { k, v -> k.startsWith('KUBE-SEP-') }.values()
                .collectMany { c -> c.rules().collect { r -> (r.text() =~ /--to-destination (\S+)/).with { it.find() ? it.group(1) : null } } }
                .findAll().toSet() == ['10.244.0.3:8080', '10.244.1.2:8080', '10.244.2.2:8081', '10.244.0.4:9090', '10.244.1.3:9090',
                                      '10.244.0.4:9100', '10.244.1.3:9100', '10.244.2.3:53'] as Set

        where:
        node << ['node-1', 'node-2', 'node-3']
    }

    def 'an unknown node is rejected with the list of nodes'() {
        when:
        call.call()

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains("'node-9'")
        e.message.contains('[node-1, node-2, node-3]')

        where:
        call << [{ TopologyServices.node(t, 'node-9') }, { TopologyServices.servicePorts(t, 'node-9') },
                 { TopologyServices.iptablesRestoreText(t, 'node-9') }]
    }
}
