package io.skoop.netstack.parse

import io.skoop.model.Prefix
import io.skoop.netstack.ipset.Element
import io.skoop.netstack.ipset.IpSets
import io.skoop.netstack.ipset.SetType
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

class IpsetParserSpec extends Specification {
    @Shared IpSets saved = IpsetParser.parse('ipset.txt', DumpFixtures.text('netstack/dump/node/ipset.txt'))
    @Shared IpSets hand = IpsetParser.parse('ipset.txt', DumpFixtures.text('netstack/dump/ipset-handwritten.txt'))

    def "every ipset type is read: #name is #type"() {
        when:
        def s = (saved.get(name).orElse(null) ?: hand.get(name).orElseThrow())

        then:
        s.type() == type
        s.typeName() == type.typeName()
        s.options().family() == family
        s.entries().size() == count
        s.entries()[0].elements().size() == (name == 'bmipmac' ? 2 : type.dims().size())

        where:
        name          | type                       | family  | count
        'kube-ips'    | SetType.HASH_IP            | 'inet'  | 6
        'ips6'        | SetType.HASH_IP            | 'inet6' | 2
        'ip-netmask'  | SetType.HASH_IP            | 'inet'  | 2
        'nets'        | SetType.HASH_NET           | 'inet'  | 5
        'nets6'       | SetType.HASH_NET           | 'inet6' | 3
        'ipport'      | SetType.HASH_IP_PORT       | 'inet'  | 8
        'netport'     | SetType.HASH_NET_PORT      | 'inet'  | 3
        'netport6'    | SetType.HASH_NET_PORT      | 'inet6' | 2
        'ipportip'    | SetType.HASH_IP_PORT_IP    | 'inet'  | 2
        'ipportnet'   | SetType.HASH_IP_PORT_NET   | 'inet'  | 3
        'netiface'    | SetType.HASH_NET_IFACE     | 'inet'  | 3
        'bmip'        | SetType.BITMAP_IP          | null    | 6
        'bmipnet'     | SetType.BITMAP_IP          | null    | 1
        'bmipmac'     | SetType.BITMAP_IP_MAC      | null    | 2
        'bmport'      | SetType.BITMAP_PORT        | null    | 5
        'listset'     | SetType.LIST_SET           | null    | 2
        'netportnet'  | SetType.HASH_NET_PORT_NET  | 'inet'  | 2
        'netnet'      | SetType.HASH_NET_NET       | 'inet'  | 3
        'netnet6'     | SetType.HASH_NET_NET       | 'inet6' | 1
        'ipmark'      | SetType.HASH_IP_MARK       | 'inet'  | 2
        'macs'        | SetType.HASH_MAC           | null    | 2
        'ipmac'       | SetType.HASH_IP_MAC        | 'inet'  | 1
        'biglist'     | SetType.LIST_SET           | null    | 2
    }

    def "all 16 types of ipset 7 occur in the fixtures"() {
        expect:
        (saved.all() + hand.all())*.type().toSet() == (SetType.values() as List - SetType.UNKNOWN).toSet()
        saved.get('emptyset').get().entries().isEmpty()
    }

    def "create options of #name: #option = #value"() {
        expect:
        (saved.get(name).orElse(null) ?: hand.get(name).orElseThrow()).options().get(option).orElse(null) == value

        where:
        name         | option       | value
        'kube-ips'   | 'hashsize'   | '1024'
        'kube-ips'   | 'maxelem'    | '65536'
        'kube-ips'   | 'counters'   | ''
        'kube-ips'   | 'comment'    | ''
        'kube-ips'   | 'bucketsize' | '12'
        'nets'       | 'initval'    | '0x12345678'
        'nets'       | 'maxelem'    | '1000'
        'ips6'       | 'timeout'    | '600'
        'ip-netmask' | 'netmask'    | '24'
        'ipport'     | 'skbinfo'    | ''
        'bmip'       | 'range'      | '10.96.0.0-10.96.255.255'
        'bmip'       | 'timeout'    | '0'
        'bmipnet'    | 'netmask'    | '24'
        'bmport'     | 'range'      | '1-1024'
        'listset'    | 'size'       | '8'
        'ipmark'     | 'markmask'   | '0x0000ffff'
        'biglist'    | 'timeout'    | '100'
    }

    def "entry '#text' of #name"() {
        when:
        def s = (saved.get(name).orElse(null) ?: hand.get(name).orElseThrow())
        def e = s.entries().find { it.text() == text }

        then:
        e != null
        e.nomatch() == nomatch
        e.timeout() == timeout
        e.packets() == packets
        e.comment() == comment

        where:
        name         | text                                  | nomatch | timeout | packets | comment
        'kube-ips'   | '10.0.0.2'                            | false   | null    | 5       | 'peer'
        'kube-ips'   | '192.168.5.3'                         | false   | null    | 0       | null      // a /30 add is saved as 4 hosts
        'ips6'       | 'fd00::2'                             | false   | 299     | null    | null
        'ip-netmask' | '172.16.9.0/24'                       | false   | null    | null    | null      // netmask 24 applied
        'nets'       | '10.1.0.0/16'                         | true    | null    | null    | null
        'nets'       | '0.0.0.0/1'                           | false   | null    | null    | null
        'nets'       | '192.0.2.1'                           | false   | null    | null    | null
        'nets6'      | '2001:db8:1::/48'                     | true    | null    | null    | null
        'ipport'     | '10.96.0.30,udp:1001'                 | false   | null    | null    | null      // a port range is saved expanded
        'ipport'     | '10.96.0.1,tcp:443'                   | false   | null    | null    | null      // bare port = tcp
        'ipport'     | '10.96.0.20,sctp:9000'                | false   | null    | null    | null
        'ipport'     | '10.96.0.40,icmp:echo-request'        | false   | null    | null    | null
        'netport6'   | 'fd00::1,ipv6-icmp:echo-request'      | false   | null    | null    | null
        'ipportnet'  | '10.96.0.10,tcp:80,10.244.3.0/24'     | true    | null    | null    | null
        'netiface'   | '0.0.0.0/0,physdev:eth0'              | false   | null    | null    | null
        'bmip'       | '10.96.3.2'                           | false   | 0       | null    | null
        'bmipnet'    | '192.168.1.0/24'                      | false   | null    | null    | null
        'bmipmac'    | '10.0.0.9,02:00:00:00:00:09'          | false   | null    | null    | null
        'bmipmac'    | '10.0.0.10'                           | false   | null    | null    | null
        'bmport'     | '101'                                 | false   | null    | 0       | null
        'netportnet' | '10.244.5.0/24,tcp:443,10.96.0.0/12'  | true    | null    | null    | null
        'netnet'     | '172.16.0.1,172.16.0.2'               | false   | null    | null    | null
        'ipmark'     | '10.0.0.5,0x00004000'                 | false   | null    | null    | null
        'macs'       | '0a:58:0a:f4:01:00'                   | false   | null    | null    | null      // MACs kept lower case
        'listset'    | 'nets'                                | false   | null    | null    | null
        'biglist'    | 'netnet'                              | false   | 50      | null    | null
    }

    def "skbinfo options and element kinds"() {
        when:
        def e = saved.get('ipport').get().entries().find { it.text() == '10.96.0.10,udp:53' }
        def port = e.elements()[1] as Element.Port
        def icmp = saved.get('ipport').get().entries().find { it.text().contains('icmp') }.elements()[1] as Element.Port

        then:
        e.skbinfo() == ['skbmark 0x10/0xff', 'skbprio 1:2', 'skbqueue 3']
        port.proto() == 'udp' && port.from() == 53 && port.to() == 53
        icmp.icmpTypeCode() == '8/0'
        (saved.get('nets').get().entries()[0].elements()[0] as Element.Addr).prefix() == Prefix.parse('0.0.0.0/1')
        (saved.get('bmport').get().entries()[0].elements()[0] as Element.Port).proto() == null
    }

    def "an unknown set type and unknown options are kept as text"() {
        when:
        def sets = IpsetParser.parse('ipset.txt', '''\
create future hash:ip,port,mac family inet shiny 1
add future 10.0.0.1,tcp:80,02:00:00:00:00:01 sparkle
create h hash:ip family inet
add h 10.0.0.1 glitter
''')
        def f = sets.get('future').get()

        then:
        f.type() == SetType.UNKNOWN
        f.typeName() == 'hash:ip,port,mac'
        f.options().unknown() == ['shiny', '1']
        f.entries()[0].elements() == [new Element.Unknown('10.0.0.1,tcp:80,02:00:00:00:00:01')]
        f.entries()[0].unknown() == ['sparkle']
        sets.get('h').get().entries()[0].unknown() == ['glitter']
    }

    def "malformed ipset.txt: #why"() {
        when:
        IpsetParser.parse('ipset.txt', "create s hash:ip family inet\n" + text)

        then:
        def e = thrown(ParseException)
        e.file() == 'ipset.txt'
        e.line() == line
        e.message.contains(expected)

        where:
        why                 | text                                                      | line | expected
        'unknown command'   | 'flush s now'                                             | 2    | "expected 'create' or 'add'"
        'add before create' | 'add t 10.0.0.1'                                          | 2    | 'not created above'
        'created twice'     | 'create s hash:net'                                       | 2    | 'created twice'
        'bad address'       | 'add s 10.0.0.300'                                        | 2    | 'expected an IP address'
        'wrong family'      | 'add s fd00::1'                                           | 2    | 'does not match the set'
        'net in ip'         | 'add s 10.0.0.0/24'                                       | 2    | 'expected a single address'
        'too many parts'    | 'add s 10.0.0.1,tcp:80'                                   | 2    | 'expected 1 comma-separated'
        'bad port'          | 'create p hash:ip,port\nadd p 10.0.0.1,tcp:http'          | 3    | 'expected [PROTO:]PORT'
        'port range order'  | 'create p hash:ip,port\nadd p 10.0.0.1,tcp:90-80'         | 3    | 'FROM <= TO'
        'bad mac'           | 'create m hash:mac\nadd m 02:00:00'                       | 3    | 'expected a MAC address'
        'bad mark'          | 'create m hash:ip,mark\nadd m 10.0.0.1,mark'              | 3    | 'expected a mark'
        'bad family'        | 'create f hash:ip family ipx'                             | 2    | 'expected family inet or inet6'
        'bad number'        | 'create f hash:ip hashsize big'                           | 2    | "expected a number after 'hashsize'"
        'missing argument'  | 'create f hash:ip maxelem'                                | 2    | 'needs an argument'
        'open quote'        | 'add s 10.0.0.1 comment "peer'                            | 2    | 'unterminated quoted string'
        'short line'        | 'add s'                                                   | 2    | "expected 'create NAME TYPE"
        'timeout not number'| 'add s 10.0.0.1 timeout soon'                             | 2    | "expected a number after 'timeout'"
    }
}
