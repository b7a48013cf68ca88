package io.skoop.model

import spock.lang.Specification

class IpSpec extends Specification {

    def "parses and prints #text as #printed (the form iproute2 prints)"() {
        expect:
        Ip.parse(text).toString() == printed
        Ip.parse(text).isV6() == v6

        where:
        text                                   | printed                    | v6
        '10.244.1.5'                           | '10.244.1.5'               | false
        '0.0.0.0'                              | '0.0.0.0'                  | false
        '255.255.255.255'                      | '255.255.255.255'          | false
        '2001:db8::1'                          | '2001:db8::1'              | true
        '2001:0db8:0000:0000:0000:0000:0000:1' | '2001:db8::1'              | true
        '::'                                   | '::'                       | true
        '::1'                                  | '::1'                      | true
        'fe80::a8c1:abff:fe00:1'               | 'fe80::a8c1:abff:fe00:1'   | true
        '2001:db8:0:1:0:0:0:1'                 | '2001:db8:0:1::1'          | true
        '2001:db8:0:0:1:0:0:1'                 | '2001:db8::1:0:0:1'        | true
        '2001:db8:1:2:3:4:5:6'                 | '2001:db8:1:2:3:4:5:6'     | true
        '2001:db8:0:1:2:3:4:5'                 | '2001:db8:0:1:2:3:4:5'     | true
        '::ffff:10.0.0.1'                      | '::ffff:10.0.0.1'          | true
        '[fd00::5]'                            | 'fd00::5'                  | true
    }

    def "rejects '#text' naming it"() {
        when:
        Ip.parse(text)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(text)

        where:
        text << ['10.0.0', '10.0.0.256', '10.0.0.1.2', 'web.default', 'fe80::1%eth0', '1.2.3.4x', '1..2.3', '1234.1.1.1', ':::1x']
    }

    def "the EUI-64 link-local address of MAC #mac is #ll (as the kernel derives it)"() {
        expect:
        Ip.linkLocalEui64(mac).toString() == ll

        where: 'the first from Calico (the host-side veth), the second read back from a lab node\'s eth0'
        mac                 || ll
        'ee:ee:ee:ee:ee:ee' || 'fe80::ecee:eeff:feee:eeee'
        '1e:5a:aa:23:ec:87' || 'fe80::1c5a:aaff:fe23:ec87'
        '00:00:00:00:00:01' || 'fe80::200:ff:fe00:1'
    }

    def "a malformed MAC is refused naming it: '#mac'"() {
        when:
        Ip.linkLocalEui64(mac)

        then:
        IllegalArgumentException e = thrown()
        e.message == "not a 48-bit MAC: $mac"

        where:
        mac << ['ee:ee:ee:ee:ee', 'ee:ee:ee:ee:ee:gg', 'ee:ee:ee:ee:ee:100', 'ee-ee-ee-ee-ee-ee']
    }

    def "never looks up host names"() {
        expect:
        Ip.tryParse('localhost') == null
        Ip.tryParse('example.com') == null
    }

    def "masks and prefixes"() {
        expect:
        Ip.parse(ip).mask(len).toString() == masked

        where:
        ip                | len | masked
        '10.244.1.5'      | 16  | '10.244.0.0'
        '10.244.1.5'      | 0   | '0.0.0.0'
        '10.244.1.5'      | 32  | '10.244.1.5'
        '2001:db8::ff:1'  | 64  | '2001:db8::'
        '2001:db8::ff:1'  | 120 | '2001:db8::ff:0'
        '2001:db8::ff:1'  | 128 | '2001:db8::ff:1'
        'ffff::1'         | 1   | '8000::'
    }

    def "prefix containment respects family and length"() {
        expect:
        Prefix.parse(prefix).contains(Ip.parse(ip)) == inside

        where:
        prefix            | ip               | inside
        '10.244.0.0/16'   | '10.244.255.1'   | true
        '10.244.0.0/16'   | '10.245.0.1'     | false
        '0.0.0.0/0'       | '203.0.113.9'    | true
        '0.0.0.0/0'       | '2001:db8::1'    | false
        '2001:db8::/32'   | '2001:db8:5::1'  | true
        '2001:db8::/32'   | '2001:db9::1'    | false
        '10.0.0.5'        | '10.0.0.5'       | true
        '10.0.0.5/24'     | '10.0.0.77'      | true
    }

    def "prefix normalises host bits and validates length"() {
        expect:
        Prefix.parse('10.1.2.3/8').toString() == '10.0.0.0/8'

        when:
        Prefix.parse('10.0.0.0/33')

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('10.0.0.0/33')
    }

    def "round-trips through bytes and orders v4 before v6"() {
        given:
        def a = Ip.parse('2001:db8::42')

        expect:
        Ip.of(a.bytes()) == a
        Ip.of(Ip.parse('192.0.2.1').bytes()).toString() == '192.0.2.1'
        Ip.parse('10.0.0.1') < Ip.parse('10.0.0.2')
        Ip.parse('255.255.255.255') < Ip.parse('::')
        Ip.parse('10.0.0.255').plus(1).toString() == '10.0.1.0'
    }
}
