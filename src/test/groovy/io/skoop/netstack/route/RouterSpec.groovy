package io.skoop.netstack.route

import io.skoop.netstack.parse.InterfaceParser
import io.skoop.netstack.parse.RouteParser
import io.skoop.netstack.parse.RuleParser
import spock.lang.Specification

/**
 * Router behaviours on small hand-made namespaces written in the JSON shapes this iproute2
 * prints (the same shapes as the captured fixtures), one behaviour per feature.
 */
class RouterSpec extends Specification {
    static final String LINKS = '''[
      {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"operstate":"UNKNOWN","group":"default","link_type":"loopback"},
      {"ifindex":2,"ifname":"a","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","group":"default","link_type":"ether","linkinfo":{"info_kind":"veth"}},
      {"ifindex":3,"ifname":"b","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","group":"7","link_type":"ether","linkinfo":{"info_kind":"veth"}},
      {"ifindex":4,"ifname":"c","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1500,"operstate":"LOWERLAYERDOWN","group":"default","link_type":"ether","linkinfo":{"info_kind":"veth"}}]'''
    static final String ADDRS = '''[
      {"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo"}]},
      {"ifindex":2,"ifname":"a","addr_info":[{"family":"inet","local":"10.1.0.1","prefixlen":24,"scope":"global","label":"a"},
                                             {"family":"inet","local":"10.1.0.9","prefixlen":24,"scope":"global","secondary":true,"label":"a"}]},
      {"ifindex":3,"ifname":"b","addr_info":[{"family":"inet","local":"10.2.0.1","prefixlen":24,"scope":"global","label":"b"}]},
      {"ifindex":4,"ifname":"c","addr_info":[{"family":"inet","local":"10.3.0.1","prefixlen":24,"scope":"global","label":"c"}]}]'''
    static final String CONNECTED = '''
      {"type":"unicast","dst":"10.1.0.0/24","dev":"a","table":"main","protocol":"kernel","scope":"link","prefsrc":"10.1.0.1","flags":[]},
      {"type":"unicast","dst":"10.2.0.0/24","dev":"b","table":"main","protocol":"kernel","scope":"link","prefsrc":"10.2.0.1","flags":[]},
      {"type":"unicast","dst":"10.3.0.0/24","dev":"c","table":"main","protocol":"kernel","scope":"link","prefsrc":"10.3.0.1","flags":["linkdown"]},
      {"type":"local","dst":"10.1.0.1","dev":"a","table":"local","protocol":"kernel","scope":"host","prefsrc":"10.1.0.1","flags":[]},
      {"type":"local","dst":"10.2.0.1","dev":"b","table":"local","protocol":"kernel","scope":"host","prefsrc":"10.2.0.1","flags":[]},
      {"type":"local","dst":"127.0.0.0/8","dev":"lo","table":"local","protocol":"kernel","scope":"host","prefsrc":"127.0.0.1","flags":[]}'''
    static final String DEFAULT_RULES = '[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"},{"priority":32767,"src":"all","table":"default"}]'

    static Router router(String routes, String rules = DEFAULT_RULES, Map<String, String> sysctl = [:]) {
        new Router(InterfaceParser.parse('link.json', LINKS, 'addr.json', ADDRS),
                RouteParser.parse('route.json', "[$CONNECTED${routes ? ',' + routes : ''}]", 0),
                RuleParser.parse('rule.json', rules), [], sysctl)
    }

    static RouteResult get(Router r, String q) {
        r.lookup(RouteQuery.parse(q.split(/\s+/) as List))
    }

    def "longest prefix wins, then the lower metric among routes of the same prefix"() {
        given:
        def r = router('''
          {"dst":"10.20.0.0/16","gateway":"10.1.0.2","dev":"a","metric":20,"flags":[]},
          {"dst":"10.20.0.0/16","gateway":"10.2.0.2","dev":"b","metric":10,"flags":[]},
          {"dst":"10.20.1.0/24","gateway":"10.1.0.3","dev":"a","flags":[]}''')

        expect:
        get(r, '10.20.1.1').gateway().toString() == '10.1.0.3'
        get(r, '10.20.2.1').gateway().toString() == '10.2.0.2'
    }

    def "throw stops the table lookup without backtracking to shorter prefixes"() {
        given:
        def r = router('''
          {"type":"throw","dst":"10.20.1.0/24","table":"100","flags":[]},
          {"dst":"10.20.0.0/16","gateway":"10.1.0.2","dev":"a","table":"100","flags":[]},
          {"dst":"10.20.0.0/16","gateway":"10.2.0.2","dev":"b","flags":[]}''',
                '[{"priority":0,"src":"all","table":"local"},{"priority":10,"src":"all","table":"100"},{"priority":32766,"src":"all","table":"main"}]')

        expect:
        get(r, '10.20.1.1').gateway().toString() == '10.2.0.2'
        get(r, '10.20.2.1').gateway().toString() == '10.1.0.2'
    }

    def "nothing matches at all: ENETUNREACH"() {
        expect:
        get(router(''), '192.0.2.1').errno() == Errno.ENETUNREACH
    }

    def "linkdown nexthops are used unless ignore_routes_with_linkdown is set; dead ones never"() {
        given:
        String routes = '''{"dst":"10.30.0.0/16","gateway":"10.3.0.2","dev":"c","metric":1,"flags":["linkdown"]},
                           {"dst":"10.30.0.0/16","gateway":"10.2.0.2","dev":"b","metric":2,"flags":[]},
                           {"dst":"10.31.0.0/16","table":"main","flags":[],"nexthops":[{"gateway":"10.3.0.2","dev":"c","weight":1,"flags":["dead","linkdown"]},
                                                                                   {"gateway":"10.1.0.2","dev":"a","weight":1,"flags":[]}]}'''

        expect:
        get(router(routes), '10.30.0.1').dev() == 'c'
        get(router(routes, DEFAULT_RULES, ['net.ipv4.conf.c.ignore_routes_with_linkdown': '1']), '10.30.0.1').dev() == 'b'
        with(get(router(routes), '10.31.0.1')) {
            dev() == 'a'
            !hashDependent()
        }
    }

    def "'not' inverts the selectors, detached iif never matches, unresolved goto acts as nop"() {
        given:
        def rules = '''[{"priority":0,"src":"all","table":"local"},
          {"priority":5,"src":"all","goto":999,"unresolved":null},
          {"priority":6,"src":"all","iif":"gone","iif_detached":null,"action":"prohibit"},
          {"priority":7,"not":null,"src":"all","fwmark":"0x1","action":"unreachable"},
          {"priority":32766,"src":"all","table":"main"}]'''
        def r = router('{"dst":"default","gateway":"10.1.0.254","dev":"a","flags":[]}', rules)

        expect:
        get(r, '192.0.2.1').errno() == Errno.ENETUNREACH
        get(r, '192.0.2.1 mark 1').gateway().toString() == '10.1.0.254'
        get(r, '192.0.2.1 mark 1').steps().find { it instanceof Step.Goto }.target == null
        get(r, '192.0.2.1 mark 1').steps().find { it instanceof Step.RuleSkipped && it.rule.priority == 6 }.reason == 'iif gone is detached'
    }

    def "suppress_ifgroup suppresses results whose device is in the group"() {
        given:
        def rules = '''[{"priority":0,"src":"all","table":"local"},
          {"priority":10,"src":"all","table":"main","suppress_ifgroup":"7"},
          {"priority":20,"src":"all","action":"prohibit"}]'''
        def r = router('{"dst":"10.40.0.0/16","gateway":"10.2.0.2","dev":"b","flags":[]}', rules)

        expect:
        get(r, '10.40.0.1').errno() == Errno.EACCES
        get(r, '10.1.0.7').dev() == 'a'
    }

    def "prefsrc: route prefsrc, else the first primary address of the device (never a secondary)"() {
        given:
        def r = router('''{"dst":"10.50.0.0/16","gateway":"10.1.0.2","dev":"a","prefsrc":"10.1.0.9","flags":[]},
                          {"dst":"10.51.0.0/16","gateway":"10.1.0.2","dev":"a","flags":[]}''')

        expect:
        get(r, '10.50.0.1').prefsrc().toString() == '10.1.0.9'
        get(r, '10.51.0.1').prefsrc().toString() == '10.1.0.1'
    }

    def "a gateway that is an address of the namespace itself has scope host: the packet goes on-link (no gateway), output and input alike"() {
        given:
        def r = router('{"dst":"10.70.0.0/16","gateway":"10.1.0.1","dev":"a","flags":[]}', DEFAULT_RULES, ['net.ipv4.ip_forward': '1'])

        when:
        RouteResult out = get(r, '10.70.0.5')
        RouteResult fwd = get(r, '10.70.0.5 from 10.2.0.7 iif b')

        then:
        out.ok() && out.dev() == 'a' && out.gateway() == null
        fwd.ok() && fwd.dev() == 'a' && fwd.gateway() == null
        out.steps().any { it.describe().contains('gateway 10.1.0.1 is an address of this namespace') }
    }

    def "strict rp_filter names the sysctl that decided it"() {
        given:
        def r = router('{"dst":"10.60.0.0/16","gateway":"10.1.0.2","dev":"a","flags":[]}', DEFAULT_RULES,
                ['net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.b.rp_filter': '0'])

        expect:
        get(r, '10.2.0.5 from 10.60.0.1 iif b').failure().contains('(reverse-path filter: net.ipv4.conf.b.rp_filter, effective 1 = strict,'
                + ' the larger of net.ipv4.conf.all.rp_filter and net.ipv4.conf.b.rp_filter)')
    }

    def "input: loose rp_filter accepts a source routed back via another device, strict does not"() {
        given:
        def routes = '{"dst":"10.60.0.0/16","gateway":"10.1.0.2","dev":"a","flags":[]}'

        expect:
        get(router(routes, DEFAULT_RULES, fwd + ['net.ipv4.conf.b.rp_filter': rpf]), '10.2.0.5 from 10.60.0.1 iif b').errno() == errno

        where:
        rpf | errno
        '0' | null
        '2' | null
        '1' | Errno.EINVAL
        fwd = ['net.ipv4.ip_forward': '1']
    }

    def "input: local source is a martian unless accept_local"() {
        expect:
        get(router('', DEFAULT_RULES, sysctl), '10.2.0.1 from 10.1.0.1 iif b').errno() == errno

        where:
        sysctl                                     | errno
        [:]                                        | Errno.EINVAL
        ['net.ipv4.conf.b.accept_local': '1']      | null
    }

    def "src_valid_mark: the reverse-path lookup uses the mark only when enabled"() {
        given:
        def rules = '''[{"priority":0,"src":"all","table":"local"},{"priority":10,"src":"all","fwmark":"0x5","table":"100"},
                        {"priority":32766,"src":"all","table":"main"}]'''
        def routes = '''{"dst":"10.70.0.0/16","gateway":"10.2.0.2","dev":"b","table":"100","flags":[]},
                        {"dst":"10.70.0.0/16","gateway":"10.1.0.2","dev":"a","flags":[]},
                        {"dst":"10.80.0.0/16","gateway":"10.1.0.2","dev":"a","flags":[]}'''
        def base = ['net.ipv4.ip_forward': '1', 'net.ipv4.conf.b.rp_filter': '1']

        expect:
        get(router(routes, rules, base), '10.80.0.1 from 10.70.0.1 iif b mark 5').errno() == Errno.EINVAL
        get(router(routes, rules, base + ['net.ipv4.conf.b.src_valid_mark': '1']), '10.80.0.1 from 10.70.0.1 iif b mark 5').ok()
    }

    def "with only the default rules the local table is merged into main: local answers report table main"() {
        given:
        def custom = '''[{"priority":0,"src":"all","table":"local"},{"priority":100,"src":"all","fwmark":"0x9","table":"100"},
                         {"priority":32766,"src":"all","table":"main"},{"priority":32767,"src":"all","table":"default"}]'''

        expect:
        get(router(''), '10.1.0.1').table() == Tables.MAIN
        get(router(''), '10.1.0.1').type() == RouteType.LOCAL
        get(router('', custom), '10.1.0.1').table() == Tables.LOCAL
    }

    def "IPv6: a source whose label matches the destination's beats a longer matching prefix (RFC 6724 rule 6); a link-local or loopback destination on input is looked up on the input device only"() {
        given: 'device a with a ULA and a global address, a default route via a link-local router, lo with ::1'
        def links = '''[
          {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"operstate":"UNKNOWN","group":"default","link_type":"loopback"},
          {"ifindex":2,"ifname":"a","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","group":"default","link_type":"ether","linkinfo":{"info_kind":"veth"}}]'''
        def addrs = '''[
          {"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet6","local":"::1","prefixlen":128,"scope":"host"}]},
          {"ifindex":2,"ifname":"a","addr_info":[{"family":"inet6","local":"fd00::1","prefixlen":64,"scope":"global"},
                                                 {"family":"inet6","local":"2001:db8:1::1","prefixlen":64,"scope":"global"}]}]'''
        def routes = '''[
          {"dst":"fe80::/64","dev":"a","table":"main","protocol":"kernel","metric":256,"flags":[]},
          {"dst":"default","gateway":"fe80::1","dev":"a","table":"main","protocol":"static","metric":1024,"flags":[]},
          {"type":"local","dst":"::1","dev":"lo","table":"local","protocol":"kernel","metric":0,"flags":[]},
          {"type":"local","dst":"fd00::1","dev":"a","table":"local","protocol":"kernel","metric":0,"flags":[]},
          {"type":"local","dst":"2001:db8:1::1","dev":"a","table":"local","protocol":"kernel","metric":0,"flags":[]}]'''
        def r = new Router(InterfaceParser.parse('link.json', links, 'addr.json', addrs), RouteParser.parse('route6.json', routes, 6), [],
                RuleParser.parse('rule6.json', '[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"}]'), [:])

        expect: 'fe80::/10 and fd00::/8 share 6 bits, but fe80::9 has label 1 (::/0), as 2001:db8:1::1 has; the ULA has label 5'
        Router.addrLabel(io.skoop.model.Ip.parse('fd00::1')) == 5
        Router.addrLabel(io.skoop.model.Ip.parse('2001:db8:1::1')) == 1
        Router.addrLabel(io.skoop.model.Ip.parse('2001::1')) == 6
        Router.addrLabel(io.skoop.model.Ip.parse('::1')) == 0
        get(r, 'fe80::9 oif a').prefsrc().toString() == '2001:db8:1::1'
        get(r, 'fd00::9').prefsrc().toString() == 'fd00::1'

        and: '::1 arriving on a is not local: the local route of ::1 is on lo, another device (ip6_route_input_lookup, rt6_need_strict)'
        get(r, '::1 from 2001:db8:5::7 iif a').type() == RouteType.UNICAST
        get(r, '::1 from 2001:db8:5::7 iif a').gateway().toString() == 'fe80::1'
        get(r, '::1').type() == RouteType.LOCAL
    }
}
