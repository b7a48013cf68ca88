package io.skoop.netstack.route

import spock.lang.Specification

/** The words of {@code ip route get} as {@link RouteQuery#parse} reads them. */
class RouteQuerySpec extends Specification {

    def "'#words' parses and prints back as '#printed'"() {
        when:
        RouteQuery q = RouteQuery.parse(words.split(' ') as List)

        then:
        q.toString() == printed
        q.isInput() == input

        where:
        words                                                | printed                                              | input
        '10.0.0.1'                                           | '10.0.0.1'                                           | false
        'to 10.0.0.1 from 10.1.0.1'                          | '10.0.0.1 from 10.1.0.1'                             | false
        '10.0.0.1 from 10.1.0.1 iif eth0 mark 0x10'          | '10.0.0.1 from 10.1.0.1 iif eth0 mark 0x10'          | true
        '10.0.0.1 oif eth1 mark 16 ipproto tcp dport 80'     | '10.0.0.1 oif eth1 mark 0x10 ipproto 6 dport 80'     | false
        '10.0.0.1 ipproto 17 sport 53 tos 0x10 uid 1000'     | '10.0.0.1 ipproto 17 sport 53 tos 0x10 uid 1000'     | false
        '2001:db8::1 from 2001:db8::2'                       | '2001:db8::1 from 2001:db8::2'                       | false
    }

    def "bad words say what was expected: #words"() {
        when:
        RouteQuery.parse(words.split(' ') as List)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(message)

        where:
        words                         | message
        'from 10.0.0.1'               | 'missing destination'
        '10.0.0.1 mark 0x1ffffffff'   | "bad mark '0x1ffffffff'"
        '10.0.0.1 dport 70000'        | "bad dport '70000'"
        '10.0.0.1 from 2001:db8::1'   | 'different families'
        '10.0.0.1 10.0.0.2'           | "unexpected word '10.0.0.2'"
        '10.0.0.1 ipproto bogus'      | "bad ipproto 'bogus'"
    }

    def "a simulated packet becomes a query with its addresses, mark, protocol and ports"() {
        when:
        RouteQuery q = RouteQuery.of(io.skoop.model.Packet.parse('tcp 10.0.0.1:40000 > 10.0.0.2:80').withMark(0x4000), 'eth0', null)

        then:
        q.toString() == '10.0.0.2 from 10.0.0.1 iif eth0 mark 0x4000 ipproto 6 sport 40000 dport 80'
        q.isInput()
    }
}
