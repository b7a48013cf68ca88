package io.skoop.render

import groovy.json.JsonSlurper
import io.skoop.testsupport.Diagnoses
import spock.lang.Specification

/** {@link JsonRenderer}: the schema of docs/diagnose-json.md, filled from the diagnosis. */
class JsonRendererSpec extends Specification {

    static Map json(d) {
        new JsonSlurper().parseText(new JsonRenderer().render(d)) as Map
    }

    def "top level: query, resolved endpoints, verdict, then the two paths, branches, opened dumps and policy intent, in that order"() {
        when:
        def j = json(Diagnoses.refused())

        then:
        j.keySet() as List == ['schemaVersion', 'query', 'source', 'destination', 'verdict', 'successProbability', 'snapshot',
                               'suspicions', 'request', 'reply', 'branches', 'opened', 'policies']
        j.schemaVersion == 1
        j.query == [source: 'default/client', destination: 'default/sleeper', port: '80', protocol: 'tcp', namespace: 'default']
        j.source == [kind: 'POD', name: 'default/client', ip: '10.244.0.2']
        j.destination == [kind: 'POD', name: 'default/sleeper', ip: '10.244.2.4', port: 80]
        j.verdict == 'UNREACHABLE'
        j.successProbability == 0
        j.snapshot == 'vxlan'
        j.suspicions == []
        j.reply == [origins: [], nodes: [], links: []]
        j.branches.size() == 1
        j.branches[0].keySet() as List == ['direction', 'kind', 'hop', 'probability', 'packet', 'reason']
        j.branches[0].direction == 'REQUEST'
        j.branches[0].kind == 'DROPPED'
        j.branches[0].hop == 'pod:default/sleeper'
        j.branches[0].probability == 1
        j.branches[0].packet == [protocol: 'tcp', src: '10.244.0.2', sport: 40000, dst: '10.244.2.4', dport: 80, mark: 0]
        j.opened == ['nodes/node-1/pods/default_client', 'nodes/node-1/host', 'nodes/node-3/host', 'nodes/node-3/pods/default_sleeper']
    }

    def "nodes carry hop id, type, name, action kinds, suspicions and explanation lines"() {
        when:
        def nodes = json(Diagnoses.refused()).request.nodes

        then:
        nodes*.id == ['pod:default/client', 'node:node-1', 'node:node-3', 'pod:default/sleeper']
        nodes.every { it.keySet() as List == ['id', 'type', 'name', 'actions', 'suspicions', 'explanation', 'explanationBranches'] }
        nodes.every { it.explanationBranches == [] }
        nodes[0].type == 'POD'
        nodes[0].name == 'default/client'
        nodes[0].actions == ['SEND']
        nodes[1].type == 'NODE'
        nodes[1].name == 'node-1'
        nodes[3].suspicions == [[level: 'FATAL',
                                 message: 'no socket listens on 10.244.2.4:80/tcp in pod:default/sleeper (the kernel answers RST: connection refused; its sockets.txt is empty: nothing listens on any port there)']]
        nodes[0].explanation[0] == 'source selection: ip route get 10.244.2.4 -> 10.244.2.4 via 10.244.0.1 dev eth0 src 10.244.0.2'
        nodes.every { !it.explanation.isEmpty() }
    }

    def "a node where the trace branched groups each branch's own lines under its label; shared lines stay in explanation only"() {
        when:
        def node1 = json(Diagnoses.service()).request.nodes.find { it.id == 'node:node-1' }
        def groups = node1.explanationBranches

        then: 'one group per backend of the Service, labelled with the packet as it left and where it went'
        groups*.branch == ['branch 1/3 p=0.333: tcp 10.244.0.2:40000 > 10.244.0.3:8080 FORWARDED via cni0',
                           'branch 2/3 p=0.333: tcp 10.244.0.2:40000 > 10.244.1.2:8080 FORWARDED via flannel.1',
                           'branch 3/3 p=0.333: tcp 10.244.0.2:40000 > 10.244.2.2:8081 FORWARDED via flannel.1']

        and: 'each branch tells its whole story after the split: the DNAT to its backend, its route, its egress'
        groups[0].lines.any { it.contains('DNAT --to-destination 10.244.0.3:8080') }
        groups[0].lines.last() == 'bridge cni0: 10.244.0.3 (pod default/web-1) is behind port vethac4efbf3'
        groups[1].lines.any { it.contains('DNAT --to-destination 10.244.1.2:8080') }
        groups[1].lines.any { it.startsWith('vxlan flannel.1: neighbour 10.244.1.0') }
        !groups[1].lines.any { it.contains('10.244.2.2') || it.contains('10.244.0.3:8080') && it.contains('DNAT') }
        groups[2].lines.any { it.startsWith('vxlan flannel.1: neighbour 10.244.2.0') }

        and: 'the rules before the statistic split are shared: in explanation, in no group'
        String portal = node1.explanation.find { it.contains('KUBE-SERVICES#1') }
        portal != null
        groups.every { g -> !g.lines.contains(portal) }
        node1.explanation.indexOf(portal) < node1.explanation.findIndexOf { it.startsWith('BRANCH') }
    }

    def "links: type, hops, the packet with the inner packet only on tunnels, both attributes flattened, level"() {
        when:
        def links = json(Diagnoses.refused()).request.links

        then:
        links*.type == ['VETH', 'VXLAN', 'VETH']
        links*.level == [0, 1, 2]
        links[0].keySet() as List == ['type', 'source', 'destination', 'packet', 'sourceAttribute', 'destinationAttribute', 'level']
        links[0].source == 'pod:default/client'
        links[0].destination == 'node:node-1'
        !links[0].packet.containsKey('encap')
        links[0].sourceAttribute == [device: 'eth0', address: null, kind: 'veth', mtu: 1450]
        links[0].destinationAttribute.device == 'vethec56b3b9'
        links[1].packet.protocol == 'udp'
        links[1].packet.dport == 8472
        links[1].packet.keySet() as List == ['protocol', 'src', 'sport', 'dst', 'dport', 'mark', 'encap']
        links[1].packet.encap == [protocol: 'tcp', src: '10.244.0.2', sport: 40000, dst: '10.244.2.4', dport: 80, mark: 0]
    }

    def "a Service: three backends, a reply origin each, success probability 1, port not given is null"() {
        when:
        def j = json(Diagnoses.service())

        then:
        j.query.port == null
        j.destination == [kind: 'SERVICE', name: 'svc/default/web', ip: '10.96.0.2', port: 80]
        j.verdict == 'REACHABLE'
        j.successProbability == 1
        j.request.nodes.find { it.id == 'node:node-1' }.actions == ['SERVICE', 'FORWARD']
        j.reply.origins == ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        j.branches.findAll { it.direction == 'REQUEST' }*.kind == ['DELIVERED'] * 3
        Math.abs(j.branches.sum { it.direction == 'REPLY' ? it.probability : 0 } - 1) < 1e-9
    }

    def "the same diagnosis gives the same bytes: two-space indent, LF, a final newline, [] for empty lists"() {
        given:
        def d = Diagnoses.refused()

        when:
        String a = new JsonRenderer().render(d)

        then:
        a == new JsonRenderer().render(d)
        a.startsWith('{\n  "schemaVersion": 1,\n  "query": {\n    "source": "default/client",')
        a.endsWith('\n}\n')
        !a.contains('\r')
        a.contains('"suspicions": [],')
    }
}
