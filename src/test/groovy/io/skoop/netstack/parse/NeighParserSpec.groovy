package io.skoop.netstack.parse

import io.skoop.model.Ip
import io.skoop.netstack.neigh.NeighState
import io.skoop.netstack.neigh.NeighbourTable
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

class NeighParserSpec extends Specification {
    @Shared NeighbourTable dump = NeighParser.parse('neigh.json', DumpFixtures.text('netstack/dump/node/neigh.json'))
    @Shared NeighbourTable all = NeighParser.parse('neigh.json', DumpFixtures.text('netstack/dump/neigh-nud-all.json'))
    @Shared NeighbourTable proxy = NeighParser.parse('neigh.json', DumpFixtures.text('netstack/dump/neigh-proxy.json'))

    def "ip -j neigh show entry #dst on #dev"() {
        when:
        def n = table.lookup(Ip.parse(dst), dev).orElseThrow()

        then:
        n.lladdr() == lladdr
        n.states() == states
        n.router() == router
        n.usable == usable
        n.unresolved == unresolved

        where:
        table | dst          | dev         | lladdr              | states                                | router | usable | unresolved
        dump  | '10.0.0.9'   | 'eth0'      | '02:00:00:00:00:09' | [NeighState.PERMANENT]                | false  | true   | false
        dump  | 'fd00::9'    | 'eth0'      | '02:00:00:00:00:19' | [NeighState.PERMANENT]                | true   | true   | false
        dump  | '10.0.0.11'  | 'eth0'      | '02:00:00:00:00:11' | [NeighState.STALE]                    | false  | true   | false
        dump  | '10.244.1.0' | 'flannel.1' | '0a:58:0a:f4:01:00' | [NeighState.PERMANENT]                | false  | true   | false
        dump  | '10.0.0.77'  | 'eth0'      | null                | [NeighState.FAILED]                   | false  | false  | true
        dump  | '10.0.0.78'  | 'eth0'      | null                | [NeighState.INCOMPLETE]               | false  | false  | true
        all   | '10.0.0.10'  | 'eth0'      | '02:00:00:00:00:10' | [NeighState.NOARP]                    | false  | true   | false
        all   | '224.0.0.22' | 'cni0'      | '01:00:5e:00:00:16' | [NeighState.NOARP]                    | false  | true   | false
    }

    def "the peer resolved by a datagram is REACHABLE in both families"() {
        expect:
        dump.lookup(Ip.parse('10.0.0.2'), 'eth0').get().has(NeighState.REACHABLE)
        dump.lookup(Ip.parse('fd00::2'), 'eth0').get().has(NeighState.REACHABLE)
        dump.lookup(Ip.parse('10.0.0.2'), 'eth0').get().lladdr() == dump.lookup(Ip.parse('fd00::2'), 'eth0').get().lladdr()
    }

    def "plain ip neigh show hides NOARP entries; nud all lists them"() {
        expect:
        dump.lookup(Ip.parse('10.0.0.10')).isEmpty()
        all.lookup(Ip.parse('10.0.0.10')).size() == 1
        all.entries().size() > dump.entries().size()
    }

    def "proxy entries are read from ip neigh show proxy"() {
        expect:
        proxy.entries()*.proxy() == [true, true]
        proxy.proxies(Ip.parse('10.0.0.20'), 'eth0')
        proxy.proxies(Ip.parse('fd00::20'), 'eth0')
        !proxy.proxies(Ip.parse('10.0.0.20'), 'cni0')
        !dump.proxies(Ip.parse('10.0.0.20'), 'eth0')
    }

    def "unknown states and flags are kept as text"() {
        when:
        def t = NeighParser.parse('neigh.json', '[{"dst":"10.0.0.5","dev":"eth0","lladdr":"02:00:00:00:00:05","state":["REACHABLE","SHINY"],"extern_learn":null}]')
        def n = t.entries()[0]

        then:
        n.states() == [NeighState.REACHABLE, NeighState.UNKNOWN]
        n.rawStates() == ['REACHABLE', 'SHINY']
        n.flags() == ['extern_learn']
    }

    def "an empty table may be printed as nothing"() {
        expect:
        NeighParser.parse('neigh.json', '').entries().isEmpty()
        NeighParser.parse('neigh.json', '[]\n').entries().isEmpty()
    }

    def "malformed neigh.json: #why"() {
        when:
        NeighParser.parse('neigh.json', text)

        then:
        def e = thrown(ParseException)
        e.file() == 'neigh.json'
        e.message.contains(expected)

        where:
        why                 | text                                                  | expected
        'not JSON'          | '[{"dst":'                                            | 'malformed JSON'
        'not an array'      | '{"dst":"10.0.0.1"}'                                  | 'expected a JSON array'
        'no dst'            | '[{"dev":"eth0"}]'                                    | "entry 0 key 'dst': expected to be present"
        'bad address'       | '[{"dst":"10.0.0.300","dev":"eth0"}]'                 | 'expected an IPv4 or IPv6 address'
        'state not a list'  | '[{"dst":"10.0.0.1","dev":"eth0","state":"STALE"}]'   | "entry 0 key 'state': expected an array"
        'element not object'| '[1]'                                                 | 'expected a JSON object'
    }
}
