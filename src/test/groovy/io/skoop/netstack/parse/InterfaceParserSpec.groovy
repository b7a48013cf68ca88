package io.skoop.netstack.parse

import io.skoop.netstack.link.Interface
import io.skoop.netstack.link.Interfaces
import io.skoop.netstack.link.Scope
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/** link.json + addr.json as captured from this kernel (src/test/resources/netstack/route/basic, see capture.sh). */
class InterfaceParserSpec extends Specification {
    static final Path DIR = Path.of('src/test/resources/netstack/route/basic')

    @Shared
    Interfaces ifs = InterfaceParser.parse('link.json', Files.readString(DIR.resolve('link.json')),
            'addr.json', Files.readString(DIR.resolve('addr.json')))

    def "interface #name: kind #kind, master #master, slave kind #slaveKind, up #up"() {
        when:
        Interface i = ifs.byName(name).orElseThrow()

        then:
        i.kind() == kind
        i.master() == master
        i.slaveKind() == slaveKind
        i.isUp() == up
        i.mtu() == mtu

        where:
        name    | kind       | master | slaveKind | up   | mtu
        'lo'    | 'loopback' | null   | null      | true | 65536
        'va'    | 'veth'     | null   | null      | true | 1500
        'br0'   | 'bridge'   | null   | null      | true | 1500
        'vd'    | 'veth'     | 'br0'  | 'bridge'  | true | 1500
        'vx0'   | 'vxlan'    | null   | null      | true | 1450
        'vdown' | 'veth'     | null   | null      | true | 1500
    }

    def "veth peers: by name in the same namespace, by index and netnsid in another"() {
        expect:
        ifs.byName('vd').get().peer().name() == 'vc'
        !ifs.byName('vd').get().peer().inOtherNamespace()
        ifs.byName('va').get().peer().name() == null
        ifs.byName('va').get().peer().inOtherNamespace()
        ifs.byName('va').get().peer().ifindex() > 0
    }

    def "flags, operstate and group"() {
        expect:
        ifs.byName('vdown').get().flags().contains('NO-CARRIER')
        ifs.byName('vdown').get().operstate() == 'DOWN'
        ifs.byName('lo').get().isLoopback()
        ifs.byName('vc').get().group() == 5
        ifs.byName('va').get().group() == 0
        ifs.byName('va').get().mac() ==~ /([0-9a-f]{2}:){5}[0-9a-f]{2}/
    }

    def "vxlan parameters come from info_data"() {
        when:
        def vx = ifs.byName('vx0').get().vxlan()

        then:
        vx.id() == 42
        vx.local().toString() == '10.1.0.1'
        vx.port() == 4789
        vx.dev() == 'va'
        !vx.learning()
        vx.remote() == null
    }

    def "ipip parameters (iproute2's iptunnel_print_opt shape, edited dumps: this kernel has no ipip): #why"() {
        given:
        String link = '[{"ifindex":5,"link":null,"ifname":"tunl0","flags":["NOARP","UP","LOWER_UP"],"mtu":1480,"link_type":"ipip",' +
                '"address":"0.0.0.0","broadcast":"0.0.0.0","linkinfo":{"info_kind":"ipip"' + data + '}}]'

        expect:
        InterfaceParser.parse('l', link, 'a', '[]').byName('tunl0').get().ipip() == new io.skoop.netstack.link.IpipInfo(
                local == null ? null : io.skoop.model.Ip.parse(local), remote == null ? null : io.skoop.model.Ip.parse(remote), ttl, pmtu, dev)

        where:
        why                      | data                                                                                           | local      | remote     | ttl | pmtu  | dev
        "Calico's tunl0"         | ',"info_data":{"remote":"any","local":"any","ttl":0,"pmtudisc":false}'                       | null       | null       | 0   | false | null
        'a point-to-point tunnel' | ',"info_data":{"remote":"10.0.0.2","local":"10.0.0.1","link":"eth0","ttl":64,"pmtudisc":true}' | '10.0.0.1' | '10.0.0.2' | 64  | true  | 'eth0'
        'no info_data'           | ''                                                                                             | null       | null       | 0   | false | null
    }

    def "a malformed ipip info_data is named: #why"() {
        when:
        InterfaceParser.parse('l', '[{"ifindex":5,"ifname":"t","linkinfo":{"info_kind":"ipip","info_data":' + data + '}}]', 'a', '[]')

        then:
        def e = thrown(ParseException)
        e.message.contains(message)

        where:
        why            | data                                   | message
        'TTL 300'      | '{"remote":"any","ttl":300}'           | 'a TTL 0..255'
        'IPv6 remote'  | '{"remote":"2001:db8::1"}'             | 'an IPv4 address or "any"'
        'pmtudisc "x"' | '{"pmtudisc":"x"}'                     | 'true or false'
    }

    def "other devices are no ipip tunnels"() {
        expect:
        ifs.byName('va').get().ipip() == null
        !ifs.byName('va').get().isTunnel()
        ifs.byName('vx0').get().isTunnel()
    }

    def "addresses in kernel order with scope, label and flags (#dev #local)"() {
        when:
        def a = ifs.byName(dev).get().addresses().find { it.local().toString() == local }

        then:
        a.prefixlen() == len
        a.scope() == scope
        a.isSecondary() == secondary
        a.flags().containsAll(flags)

        where:
        dev  | local         | len | scope       | secondary | flags
        'va' | '10.1.0.1'    | 24  | Scope.GLOBAL | false    | []
        'va' | '10.1.0.5'    | 24  | Scope.GLOBAL | true     | ['secondary']
        'va' | '2001:db8:1::1' | 64 | Scope.GLOBAL | false   | ['nodad']
        'lo' | '127.0.0.1'   | 8   | Scope.HOST  | false     | []
        'lo' | '10.9.9.9'    | 32  | Scope.GLOBAL | false    | []
    }

    def "malformed input names the file and what was expected: #why"() {
        when:
        InterfaceParser.parse('ns1/link.json', link, 'ns1/addr.json', addr)

        then:
        def e = thrown(ParseException)
        e.file() == file
        e.message.contains(message)

        where:
        why                 | link                                        | addr                                                                                   | file            | message
        'bad JSON'          | '[{"ifindex":1,'                            | '[]'                                                                                   | 'ns1/link.json' | 'malformed JSON'
        'not an array'      | '{"ifindex":1}'                             | '[]'                                                                                   | 'ns1/link.json' | 'expected a JSON array'
        'no ifname'         | '[{"ifindex":1}]'                           | '[]'                                                                                   | 'ns1/link.json' | "entry 0 key 'ifname': expected to be present"
        'bad address'       | '[{"ifindex":1,"ifname":"lo"}]'             | '[{"ifindex":1,"addr_info":[{"family":"inet","local":"10.0.0.300","prefixlen":8}]}]'    | 'ns1/addr.json' | 'an IPv4 or IPv6 address'
        'bad prefix length' | '[{"ifindex":1,"ifname":"lo"}]'             | '[{"ifindex":1,"addr_info":[{"family":"inet","local":"10.0.0.3","prefixlen":33}]}]'     | 'ns1/addr.json' | 'a prefix length 0..32'
        'unknown interface' | '[{"ifindex":1,"ifname":"lo"}]'             | '[{"ifindex":9,"addr_info":[]}]'                                                       | 'ns1/addr.json' | 'does not list'
        'family mismatch'   | '[{"ifindex":1,"ifname":"lo"}]'             | '[{"ifindex":1,"addr_info":[{"family":"inet6","local":"10.0.0.3","prefixlen":8}]}]'     | 'ns1/addr.json' | 'of family inet6'
    }

    def "a bridge port's STP state and hairpin flag come from info_slave_data (captured: vd, hairpin off); other devices have none"() {
        expect:
        ifs.byName('vd').get().bridgePort() == new io.skoop.netstack.link.BridgePort('forwarding', false)
        ifs.byName('vd').get().bridgePort().forwards()
        ifs.byName('va').get().bridgePort() == null
        ifs.byName('br0').get().bridgePort() == null
    }

    def "bridge port #state: forwards frames #forwards"() {
        given:
        String link = '[{"ifindex":3,"ifname":"veth1","flags":["UP"],"mtu":1500,"master":"cni0","linkinfo":{"info_kind":"veth",' +
                '"info_slave_kind":"bridge","info_slave_data":{"state":"' + state + '","hairpin":true}}}]'

        expect:
        InterfaceParser.parse('l', link, 'a', '[]').byName('veth1').get().bridgePort().forwards() == forwards

        where:
        state        | forwards
        'forwarding' | true
        'disabled'   | false
        'blocking'   | false
        'listening'  | false
        'learning'   | false
    }

    def "an unknown bridge port state or a hairpin that is not a boolean is a parse error naming the entry"() {
        when:
        InterfaceParser.parse('n/link.json', '[{"ifindex":3,"ifname":"veth1","linkinfo":{"info_slave_kind":"bridge","info_slave_data":' + data + '}}]',
                'n/addr.json', '[]')

        then:
        def e = thrown(ParseException)
        e.file() == 'n/link.json'
        e.message.contains(message)

        where:
        data                                   | message
        '{"state":"up"}'                       | 'a bridge port state: disabled, listening, learning, forwarding, blocking'
        '{"state":"forwarding","hairpin":"1"}' | 'true or false'
    }

    def "an unknown link kind is kept with its name"() {
        when:
        def i = InterfaceParser.parse('l', '[{"ifindex":7,"ifname":"w0","flags":["UP"],"mtu":1420,"linkinfo":{"info_kind":"wireguard"}}]', 'a', '[]')

        then:
        i.byName('w0').get().kind() == 'wireguard'
    }
}
