package io.skoop.model

import spock.lang.Specification

class PacketSpec extends Specification {

    def "parses '#text'"() {
        when:
        def p = Packet.parse(text)

        then:
        p.protocol() == proto
        p.src().toString() == src
        p.sport() == sport
        p.dst().toString() == dst
        p.dport() == dport
        p.toString() == text

        where:
        text                                     | proto          | src           | sport | dst          | dport
        'tcp 10.244.1.5:40000 > 10.96.0.10:80'   | Protocol.TCP   | '10.244.1.5'  | 40000 | '10.96.0.10' | 80
        'udp 10.244.1.5:5353 > 10.96.0.10:53'    | Protocol.UDP   | '10.244.1.5'  | 5353  | '10.96.0.10' | 53
        'tcp [fd00::1]:1234 > [fd00::2]:443'     | Protocol.TCP   | 'fd00::1'     | 1234  | 'fd00::2'    | 443
        'icmp 10.0.0.1 > 10.0.0.2'               | Protocol.ICMP  | '10.0.0.1'    | 0     | '10.0.0.2'   | 0
    }

    def "rejects '#text' saying what was expected"() {
        when:
        Packet.parse(text)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(expected)

        where:
        text                                  | expected
        'tcp 10.0.0.1:1 10.0.0.2:2'           | "expected 'PROTO SRC:SPORT > DST:DPORT'"
        'gre 10.0.0.1:1 > 10.0.0.2:2'         | 'unknown protocol'
        'tcp 10.0.0.1:99999 > 10.0.0.2:80'    | 'not a port'
        'tcp 10.0.0.1 > 10.0.0.2:80'          | 'missing port'
        'tcp 10.0.0.1:1 > fd00::2:80'         | 'different families'
    }

    def "reversed swaps the tuple; encapsulation keeps the inner packet"() {
        given:
        def inner = Packet.parse('tcp 10.244.1.5:40000 > 10.244.2.7:80')
        def outer = inner.encapsulatedIn(Ip.parse('192.168.0.11'), 45000, Ip.parse('192.168.0.12'), 8472, Protocol.UDP)

        expect:
        inner.reversed().toString() == 'tcp 10.244.2.7:80 > 10.244.1.5:40000'
        outer.encap() == inner
        outer.toString() == 'udp 192.168.0.11:45000 > 192.168.0.12:8472 encap(tcp 10.244.1.5:40000 > 10.244.2.7:80)'
        inner.withMark(0x4000).toString().endsWith('mark 0x4000')
    }
}
