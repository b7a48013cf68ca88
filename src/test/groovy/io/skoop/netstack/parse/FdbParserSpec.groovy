package io.skoop.netstack.parse

import io.skoop.model.Ip
import io.skoop.netstack.neigh.Fdb
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

class FdbParserSpec extends Specification {
    @Shared Fdb fdb = FdbParser.parse('fdb.json', DumpFixtures.text('netstack/dump/node/fdb.json'))

    def "bridge -j fdb show entry #mac on #ifname"() {
        when:
        def e = fdb.onDevice(ifname).find { it.mac() == mac && (dst == null || it.dst() == Ip.parse(dst)) }

        then:
        e != null
        e.master() == master
        e.dst() == (dst == null ? null : Ip.parse(dst))
        e.flags() == flags
        e.state() == state
        e.port() == port
        e.vni() == vni
        e.self == self
        e.static == isStatic
        e.externLearn == extern

        where:
        mac                 | ifname      | master | dst            | flags                     | state       | port | vni  | self  | isStatic | extern
        '00:00:00:00:00:00' | 'vx0'       | null   | '192.0.2.10'   | ['self']                  | 'permanent' | null | null | true  | true     | false
        '00:00:00:00:00:00' | 'vx0'       | null   | '192.0.2.11'   | ['self']                  | 'permanent' | null | null | true  | true     | false
        '0a:58:0a:f4:01:00' | 'flannel.1' | null   | '10.0.0.2'     | ['self']                  | 'permanent' | null | null | true  | true     | false
        '02:00:00:00:00:42' | 'vx0'       | null   | '192.0.2.12'   | ['self']                  | 'permanent' | 4790 | 4242 | true  | true     | false
        '02:00:00:00:00:43' | 'vx0'       | null   | '192.0.2.13'   | ['self', 'extern_learn']  | 'permanent' | null | null | true  | true     | true
        '02:00:00:00:00:51' | 'veth1'     | 'cni0' | null           | []                        | 'static'    | null | null | false | true     | false
        '02:00:00:00:00:52' | 'veth1'     | 'cni0' | null           | []                        | 'permanent' | null | null | false | true     | false
        '33:33:00:00:00:01' | 'eth0'      | null   | null           | ['self']                  | 'permanent' | null | null | true  | true     | false
    }

    def "learned bridge entries have an empty state and are dynamic"() {
        expect:
        fdb.entries().any { it.master() == 'cni0' && it.state() == '' && !it.static }
    }

    def "vlan and via are read (hand-written row: this kernel has no VLAN filtering)"() {
        when:
        def e = FdbParser.parse('fdb.json', '[{"mac":"02:00:00:00:00:61","ifname":"veth1","vlan":10,"viaIf":"eth0","flags":["master"],"master":"br0","state":"static"}]').entries()[0]

        then:
        e.vlan() == 10
        e.via() == 'eth0'
        e.master() == 'br0'
    }

    def "malformed fdb.json: #why"() {
        when:
        FdbParser.parse('fdb.json', text)

        then:
        def e = thrown(ParseException)
        e.file() == 'fdb.json'
        e.message.contains(expected)

        where:
        why            | text                                                          | expected
        'bad MAC'      | '[{"mac":"02:00:00:00:00","ifname":"vx0"}]'                   | 'expected a MAC address'
        'no ifname'    | '[{"mac":"02:00:00:00:00:01"}]'                               | "entry 0 key 'ifname': expected to be present"
        'bad dst'      | '[{"mac":"02:00:00:00:00:01","ifname":"vx0","dst":"x"}]'      | 'expected an IPv4 or IPv6 address'
        'flags string' | '[{"mac":"02:00:00:00:00:01","ifname":"vx0","flags":"self"}]' | "entry 0 key 'flags': expected an array"
        'vlan string'  | '[{"mac":"02:00:00:00:00:01","ifname":"vx0","vlan":"ten"}]'   | 'expected an integer'
    }
}
