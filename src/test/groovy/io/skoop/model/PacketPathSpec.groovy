package io.skoop.model

import spock.lang.Specification

class PacketPathSpec extends Specification {

    def "a path keeps nodes by hop, links in order, and the worst suspicion per node"() {
        given:
        def client = new NetNode(NetNodeType.POD, 'default/client', null)
        def node1 = new NetNode(NetNodeType.NODE, 'node1', null)
        def path = new PacketPath(client)
        def pkt = Packet.parse('tcp 10.244.1.5:40000 > 10.96.0.10:80')
        def link = new Link(LinkType.VETH, client.hop(), node1.hop(), pkt, LinkAttribute.of('eth0'), LinkAttribute.of('veth1'), 0)

        when:
        path.addNode(node1)
        def again = path.addNode(new NetNode(NetNodeType.NODE, 'node1', null))
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

    def "a node without behaviour terminates packets"() {
        expect:
        new NetNode(NetNodeType.EXTERNAL, '203.0.113.7', null).send(new Endpoint(Ip.parse('10.0.0.1'), EndpointType.POD, 80), Protocol.TCP).isEmpty()
        Level.CRITICAL.breaksFlow() && Level.FATAL.breaksFlow() && !Level.WARNING.breaksFlow()
    }
}
