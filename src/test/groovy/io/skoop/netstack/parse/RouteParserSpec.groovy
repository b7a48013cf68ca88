package io.skoop.netstack.parse

import io.skoop.netstack.route.Route
import io.skoop.netstack.route.RouteType
import io.skoop.netstack.route.Tables
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/** route.json / route6.json as captured from this kernel (src/test/resources/netstack/route/basic, see capture.sh). */
class RouteParserSpec extends Specification {
    static final Path DIR = Path.of('src/test/resources/netstack/route/basic')

    @Shared
    List<Route> v4 = RouteParser.parse('route.json', Files.readString(DIR.resolve('route.json')), 4)
    @Shared
    List<Route> v6 = RouteParser.parse('route6.json', Files.readString(DIR.resolve('route6.json')), 6)

    def "route '#text' parses back to the same text"() {
        expect:
        (v4 + v6)*.toString().contains(text)

        where:
        text << [
                'default via 10.1.0.254 dev va',
                '10.20.0.0/16 via 10.1.0.2 dev va metric 5',
                '10.20.0.0/16 via 10.2.0.2 dev br0 metric 10',
                '10.22.0.0/16 via 10.3.0.2 dev vdown linkdown',
                '10.23.0.0/16 via 172.31.0.1 dev va src 10.1.0.5 onlink',
                '10.24.0.0/16 via inet6 2001:db8:1::2 dev va',
                'blackhole 10.30.0.0/16',
                'unreachable 10.31.0.0/16',
                'prohibit 10.32.0.0/16',
                'throw 10.42.0.0/16 table 100',
                'prohibit default table 200',
                'local 10.50.0.0/16 dev lo table local scope host',
                '10.1.0.0/24 dev va proto kernel scope link src 10.1.0.1',
                'broadcast 10.2.0.255 dev br0 table local proto kernel scope link src 10.2.0.1',
                '2001:db8:5::/48 via 2001:db8:1::2 dev va metric 7',
                'unreachable 2001:db8:6::/48 dev lo metric 1024',
        ]
    }

    def "multipath nexthops keep gateway, dev and weight"() {
        when:
        Route r = v4.find { it.dst().toString() == '10.21.0.0/16' }

        then:
        r.isMultipath()
        r.nexthops().collect { "${it.gateway()} ${it.dev()} ${it.weight()}".toString() } == ['10.1.0.2 va 2', '10.2.0.9 br0 1']
    }

    def "families: route.json also lists IPv6 routes on this iproute2; the family filter keeps the asked one"() {
        expect:
        v4.every { !it.isV6() }
        v6.every { it.isV6() }
        RouteParser.parse('route.json', Files.readString(DIR.resolve('route.json')), 0).any { it.isV6() }
    }

    def "IPv6 routes carry metric and pref"() {
        when:
        Route r = v6.find { it.dst().toString() == '2001:db8:5::/48' }

        then:
        r.metric() == 7
        r.pref() == 'high'
        r.table() == Tables.MAIN
    }

    def "tables: names, numbers and names from rt_tables map consistently"() {
        expect:
        RouteParser.parse('r', '[{"dst":"10.0.0.0/8","dev":"x","table":"' + table + '"}]', 4)[0].table() == id

        where:
        table  | id
        'main' | Tables.MAIN
        'local'| Tables.LOCAL
        '100'  | 100
        'cali' | Tables.parse('cali')
    }

    def "an unknown route type is kept as UNKNOWN with its text"() {
        when:
        Route r = RouteParser.parse('r', '[{"type":"weird","dst":"10.0.0.0/8","flags":[]}]', 4)[0]

        then:
        r.type() == RouteType.UNKNOWN
        r.typeText() == 'weird'
    }

    def "malformed routes name file, entry and key: #why"() {
        when:
        RouteParser.parse('ns1/route.json', json, 0)

        then:
        def e = thrown(ParseException)
        e.file() == 'ns1/route.json'
        e.message.contains(message)

        where:
        why              | json                                                        | message
        'bad JSON'       | '[{"dst": }]'                                               | 'malformed JSON'
        'no dst'         | '[{"dev":"x"}]'                                             | "entry 0 key 'dst'"
        'bad dst'        | '[{"dst":"10.0.0.0/33"}]'                                   | "'default', a prefix or an address"
        'bad gateway'    | '[{"dst":"10.0.0.0/8","gateway":"10.0.0.x"}]'               | "key 'gateway'"
        'bad metric'     | '[{"dst":"10.0.0.0/8","metric":"high"}]'                    | "key 'metric'"
        'bad nexthops'   | '[{"dst":"10.0.0.0/8","nexthops":{}}]'                      | 'an array of nexthops'
        'bad flags'      | '[{"dst":"10.0.0.0/8","flags":"onlink"}]'                   | 'an array of strings'
        'bad prefsrc'    | '[{"dst":"10.0.0.0/8","prefsrc":"2001:db8::1"}]'           | "destination's family"
    }
}
