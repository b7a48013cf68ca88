package io.skoop.lab.topology

import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.parse.ParseException
import spock.lang.Specification

class TopologyAllocationSpec extends Specification {

    static final String HEAD = '''\
name: t
cni: {type: flannel, backend: host-gw}
clusterCIDR: 10.244.0.0/16
serviceCIDR: 10.96.0.0/24
underlay: 192.168.56.0/24
'''

    static ResolvedTopology load(String body) {
        TopologyLoader.parse('t.yaml', HEAD + body.stripIndent())
    }

    def "podCIDRs: the range allocator takes the lowest free /24, skipping podCIDRs written out (a /23 covers two)"() {
        when:
        def t = load('''
            nodes:
              - name: a
              - name: b
                podCIDR: 10.244.0.0/23
              - name: c
              - name: d
                podCIDR: 10.244.3.0/24
              - name: e
            ''')

        then:
        t.nodes()*.podCIDR()*.toString() == ['10.244.2.0/24', '10.244.0.0/23', '10.244.4.0/24', '10.244.3.0/24', '10.244.5.0/24']
    }

    def "node addresses: from the underlay's second address, skipping written ones; the first is the lab router's"() {
        when:
        def t = load('''
            nodes:
              - name: a
              - name: b
                address: 192.168.56.2
              - name: c
            ''')

        then:
        t.underlayGateway() == Ip.parse('192.168.56.1')
        t.nodes()*.address()*.toString() == ['192.168.56.3', '192.168.56.2', '192.168.56.4']
    }

    def "pod IPs: host-local order per node, .1 is the gateway, written IPs are skipped"() {
        when:
        def t = load('''
            nodes:
              - name: a
              - name: b
            pods:
              - {name: p1, node: a}
              - {name: p2, node: b}
              - {name: p3, node: a, ip: 10.244.0.3}
              - {name: p4, node: a}
              - {name: p5, node: a}
            ''')

        then:
        t.pods().collect { "${it.name()}=${it.ip()}".toString() } ==
                ['p1=10.244.0.2', 'p2=10.244.1.2', 'p3=10.244.0.3', 'p4=10.244.0.4', 'p5=10.244.0.5']
    }

    def "a /30 podCIDR holds exactly one pod: network, gateway, pod, broadcast"() {
        when:
        load('''
            nodes:
              - {name: a, podCIDR: 10.244.0.0/30}
            pods:
              - {name: p1, node: a}
              - {name: p2, node: a}
            ''')

        then:
        def e = thrown(ParseException)
        e.message == 't.yaml:11: podCIDR 10.244.0.0/30 of node a has no free address left for pod default/p2'
    }

    def "cluster IPs from the service CIDR's second address (.1 is the kubernetes service's); node ports from 30000; written ones skipped"() {
        when:
        def t = load('''
            nodes:
              - name: a
            services:
              - name: s1
                type: NodePort
                ports:
                  - {name: x, port: 80}
                  - {name: y, port: 81, nodePort: 30001}
              - name: s2
                clusterIP: 10.96.0.2
                ports:
                  - {port: 80}
              - name: s3
                type: NodePort
                ports:
                  - {name: dns, port: 53, protocol: UDP, nodePort: 30000}
                  - {name: dns-tcp, port: 53, nodePort: 30000}
              - name: s4
                type: NodePort
                ports:
                  - {port: 80}
            ''')

        then: 'the same node port may serve TCP and UDP of one service'
        t.services()*.service()*.clusterIP()*.toString() == ['10.96.0.3', '10.96.0.2', '10.96.0.4', '10.96.0.5']
        t.services().collect { it.ports()*.port()*.nodePort() } == [[30002, 30001], [0], [30000, 30000], [30003]]
    }

    def "an exhausted service CIDR or node port range is an error at the Service that no longer fits"() {
        when: 'a /30 service CIDR: network, kubernetes, one Service, broadcast'
        TopologyLoader.parse('t.yaml', HEAD.replace('10.96.0.0/24', '10.96.0.0/30') + """\
nodes: [{name: a}]
services:
  - {name: s1, ports: [{port: 80}]}
  - {name: s2, ports: [{port: 80}]}
""")

        then:
        def e = thrown(ParseException)
        e.message == 't.yaml:9: serviceCIDR 10.96.0.0/30 has no free address left for service default/s2'

        when: '2768 node ports fit in 30000-32767, the 2769th does not'
        String services = (1..2769).collect { "  - {name: s$it, type: NodePort, ports: [{port: 80}]}" }.join('\n')
        TopologyLoader.parse('t.yaml', HEAD.replace('10.96.0.0/24', '10.96.0.0/16') + 'nodes: [{name: a}]\nservices:\n' + services + '\n')

        then:
        e = thrown(ParseException)
        e.message == "t.yaml:2776: no free nodePort left in 30000-32767 for service default/s2769 (at '80/tcp')"
    }

    def "endpoints: label selector within the namespace; a named targetPort resolves per pod and protocol, pods without it are skipped"() {
        when:
        def t = load('''
            nodes:
              - name: a
            pods:
              - name: w1
                node: a
                labels: {app: w, tier: front}
                ports: [{name: http, port: 8080}, {name: dns, port: 53, protocol: UDP}]
              - name: w2
                node: a
                labels: {app: w}
                ports: [{name: http, port: 9090}]
              - name: w3
                node: a
                labels: {app: w}
                ports: [{name: dns, port: 5353}]
              - name: w4
                namespace: other
                node: a
                labels: {app: w}
                ports: [{name: http, port: 8080}]
            services:
              - name: web
                selector: {app: w}
                ports:
                  - {name: http, port: 80, targetPort: http}
                  - {name: dns, port: 53, targetPort: dns, protocol: UDP}
                  - {name: raw, port: 7000}
              - name: front
                selector: {app: w, tier: front}
                ports: [{port: 80, targetPort: 8080}]
              - name: manual
                ports: [{port: 80}]
              - name: nobody
                selector: {app: none}
                ports: [{port: 80, targetPort: http}]
            ''')
        def eps = { String svc, String port -> t.service(svc).port(port).endpoints().collect { "${it.ip()}:${it.port()}".toString() } }

        then:
        eps('web', 'http') == ['10.244.0.2:8080', '10.244.0.3:9090']
        eps('web', 'dns') == ['10.244.0.2:53']
        eps('web', 'raw') == ['10.244.0.2:7000', '10.244.0.3:7000', '10.244.0.4:7000']
        eps('front', '80/tcp') == ['10.244.0.2:8080']
        eps('manual', '80/tcp') == []
        eps('nobody', '80/tcp') == []
    }

    def "listeners default to the container ports; written listeners replace them"() {
        when:
        def t = load('''
            nodes:
              - {name: a, listeners: [{port: 22}, {port: 53, protocol: udp}]}
            pods:
              - {name: p1, node: a, ports: [{port: 80}, {port: 53, protocol: UDP}]}
              - {name: p2, node: a, ports: [{port: 80}], listeners: [{port: 81}]}
            ''')

        then:
        t.node('a').listeners() == [new Listener(22, Protocol.TCP), new Listener(53, Protocol.UDP)]
        t.pod('p1').listeners() == [new Listener(80, Protocol.TCP), new Listener(53, Protocol.UDP)]
        t.pod('p2').listeners() == [new Listener(81, Protocol.TCP)]
    }

    def "a topology built in code (as the DSL will) resolves the same way; its errors have no line"() {
        given:
        def node = new Node('a', null, null, [], Origin.NONE)
        def pod = new Pod('default', 'p', 'a', [app: 'x'], null, [new ContainerPort('http', 8080, Protocol.TCP)], null, Origin.NONE)
        def svc = new Service('default', 's', ServiceType.ClusterIP, (io.skoop.model.Ip) null,
                [new ServicePort('http', 80, TargetPort.named('http'), Protocol.TCP, 0, Origin.NONE)], [app: 'x'], Origin.NONE)
        def topo = { List<Pod> pods -> new Topology('t', new Cni.Flannel(Cni.FlannelBackend.VXLAN), Prefix.parse('10.244.0.0/16'),
                Prefix.parse('10.96.0.0/16'), Prefix.parse('192.168.56.0/24'), [node], pods, [svc], [], Origin.NONE) }

        when:
        def t = topo([pod]).resolve()

        then:
        t.service('s').port('http').endpoints()*.port() == [8080]

        when:
        topo([pod, pod]).resolve()

        then:
        def e = thrown(ParseException)
        e.message == "<topology>: duplicate pod (at 'default/p')"
    }
}
