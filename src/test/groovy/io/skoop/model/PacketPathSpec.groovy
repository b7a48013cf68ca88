package io.skoop.model

import spock.lang.Specification

class PacketPathSpec extends Specification {

    def "a path keeps nodes by hop, links in order, and the worst suspicion per node"() {
        given:
        def client = new NetNode(NetNodeType.POD, 'default/client')
        def node1 = new NetNode(NetNodeType.NODE, 'node1')
        def path = new PacketPath(client)
        def pkt = Packet.parse('tcp 10.244.1.5:40000 > 10.96.0.10:80')
        def link = new Link(LinkType.VETH, client.hop(), node1.hop(), pkt, LinkAttribute.of('eth0'), LinkAttribute.of('veth1'), 0)

        when:
        path.addNode(node1)
        def again = path.addNode(new NetNode(NetNodeType.NODE, 'node1'))
        path.addLink(link)
        node1.addSuspicion(Suspicion.warning('cni0 MTU 1500 differs from 1450'))
        node1.addSuspicion(Suspicion.fatal('route to 10.244.2.0/24 missing'))
        client.addAction(new Action(ActionType.SEND, null, [link]))

        then:
        again.is(node1)
        path.nodes()*.id() == ['default/client', 'node1']
        path.linksFrom(client.hop()) == [link]
        path.linksTo(node1.hop()) == [link]
        node1.maxLevel() == Level.FATAL
        client.maxLevel() == null
        client.actions()[0].outputs() == [link]
        new Transmission(node1.hop(), link).nextHop() == node1.hop()
    }

    def "a transmission must lead where its link goes"() {
        given:
        def pkt = Packet.parse('udp 10.0.0.1:1 > 10.0.0.2:53')
        def link = new Link(LinkType.INFRA, new Hop(NetNodeType.NODE, 'a'), new Hop(NetNodeType.NODE, 'b'), pkt, null, null, 0)

        when:
        new Transmission(new Hop(NetNodeType.NODE, 'c'), link)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('node:c')
    }

    def "nodes, links, suspicions and explanation lines are recorded once; a reply path has several origins"() {
        given:
        def path = new PacketPath()
        def web1 = path.addOrigin(new NetNode(NetNodeType.POD, 'default/web-1'))
        def web2 = path.addOrigin(new NetNode(NetNodeType.POD, 'default/web-2'))
        def pkt = Packet.parse('tcp 10.244.0.6:8080 > 10.244.0.5:40000')
        def link = new Link(LinkType.VETH, web1.hop(), new Hop(NetNodeType.NODE, 'node-1'), pkt, null, null, 0)

        when:
        path.addOrigin(new NetNode(NetNodeType.POD, 'default/web-1'))
        path.addLink(link)
        path.addLink(new Link(LinkType.VETH, web1.hop(), new Hop(NetNodeType.NODE, 'node-1'), pkt, null, null, 0))
        2.times {
            web1.addSuspicion(Suspicion.warning('eth0 MTU 1500 differs from 1450'))
            web1.explain('output route: via 10.244.0.1 dev eth0')
        }

        then:
        path.origins()*.id() == ['default/web-1', 'default/web-2']
        path.origin().is(web1)
        path.links() == [link]
        web1.suspicions().size() == 1
        web1.explanation() == ['output route: via 10.244.0.1 dev eth0']
        web2.maxLevel() == null
        Level.CRITICAL.breaksFlow() && Level.FATAL.breaksFlow() && !Level.WARNING.breaksFlow()
    }

    def "an empty path has no origin"() {
        when:
        new PacketPath().origin()

        then:
        thrown(IllegalStateException)
    }
}
