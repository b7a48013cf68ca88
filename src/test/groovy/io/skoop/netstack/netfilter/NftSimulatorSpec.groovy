package io.skoop.netstack.netfilter

import io.skoop.model.Packet
import io.skoop.netstack.parse.NftParser
import io.skoop.netstack.parse.ParseException
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * The nftables model and evaluator without the kernel: parsing {@code nft -j list ruleset} into typed statements,
 * rendering rule text, and tracing packets through rules whose outcome the kernel differential spec
 * ({@code NftKernelComparisonSpec}) cannot provoke (UNKNOWN constructs, dynamic values, verdict map misses).
 */
class NftSimulatorSpec extends Specification {
    @Shared NftRuleset constructs = NftParser.ruleset('constructs.json',
            Files.readString(Path.of('src/test/resources/netstack/nft/constructs.json')))

    static NftRuleset rules(String json) {
        NftParser.ruleset('nft.json', '{"nftables": [' + json + ']}')
    }

    static TraceResult trace(NftRuleset nft, TraceRequest req) {
        new NetfilterSimulator(Ruleset.empty(false), Ruleset.empty(true), nft, NetfilterSimulatorSpec.node(), SetMembership.NONE).trace(req)
    }

    static String chain(String family, String table, String name, String hook, int prio, String type = 'filter', String policy = 'accept') {
        """{"chain": {"family": "$family", "table": "$table", "name": "$name", "handle": 1${hook ? ", \"type\": \"$type\", \"hook\": \"$hook\", \"prio\": $prio, \"policy\": \"$policy\"" : ''}}}"""
    }

    static String rule(String family, String table, String chain, int handle, String exprs) {
        """{"rule": {"family": "$family", "table": "$table", "chain": "$chain", "handle": $handle, "expr": [$exprs]}}"""
    }

    def "every construct of the fixture parses into a typed statement, none unknown but the ones skoop leaves UNKNOWN"() {
        expect:
        constructs.chains()*.name() as Set == ['c1', 'c2', 'c3', 'cf', 'n0', 'n1', 'r1'] as Set
        constructs.sets()*.name() == ['s1', 's2', 'm1', 'm2']
        constructs.set('ip', 't', 's2').keyType() == ['ipv4_addr', 'inet_proto', 'inet_service']
        constructs.set('ip', 't', 'm1').dataType() == 'verdict'
        constructs.chain('ip', 't', 'c1').priority() == -110
        constructs.chain('ip', 't', 'n0').type() == 'nat'
        // limit is a match skoop cannot decide (token bucket state): Undecidable, not Unknown
        constructs.chains().collectMany { it.rules() }.collectMany { it.stmts() }.findAll { it instanceof NftStmt.Unknown } == []
        constructs.chains().collectMany { it.rules() }.collectMany { it.stmts() }.count { it instanceof NftStmt.Undecidable } == 1
    }

    def "rule text reads as nft prints it: #handle"() {
        expect:
        constructs.chains().collectMany { it.rules() }.find { it.handle() == handle }.text() == text

        where:
        handle | text
        12     | 'ip daddr . meta l4proto . th dport vmap @m1'
        16     | 'ip saddr != { 10.1.0.0/16, 10.2.0.1 } tcp dport { 80, 8000-8080 } accept'
        17     | 'ct state established,related accept'
        20     | 'meta mark & 0x00004000 == 0x00004000 return'
        26     | 'numgen random mod 3 vmap { 0 : goto cf, 1 : goto cf, 2 : jump cf }'
        27     | 'meta mark set meta mark | 0x00004000'
        34     | 'dnat to ip daddr map @m2'
        42     | 'masquerade random,persistent'
    }

    def "malformed nft.json is a parse error naming the file; a rule of an undeclared chain names the item"() {
        when:
        NftParser.ruleset('node-1/nft.json', text)

        then:
        def e = thrown(ParseException)
        e.message.contains('node-1/nft.json')
        e.message.contains(expected)

        where:
        text                                                                              | expected
        '{"nftables": [ {"table": '                                                        | 'malformed JSON'
        '{"tables": []}'                                                                    | 'nftables'
        '{"nftables": [' + rule('inet', 'x', 'nochain', 3, '{"accept": null}') + ']}'      | 'which the listing does not declare'
    }

    def "one read of the listing gives the tables, the ruleset without iptables-nft's tables, and the compat rule counts"() {
        given:
        def text = '{"nftables": [' + [
                '{"table": {"family": "ip", "name": "nat", "handle": 1}}',
                chain('ip', 'nat', 'PREROUTING', 'prerouting', -100, 'nat'),
                chain('ip', 'nat', 'KUBE-SERVICES', null, 0),
                rule('ip', 'nat', 'PREROUTING', 4, '{"counter": {"packets": 0, "bytes": 0}}, {"jump": {"target": "KUBE-SERVICES"}}'),
                '{"table": {"family": "inet", "name": "fw", "handle": 2}}',
                chain('inet', 'fw', 'in', 'input', 0),
                rule('inet', 'fw', 'in', 5, '{"accept": null}'),
                rule('inet', 'fw', 'in', 6, '{"drop": null}'),
        ].join(',') + ']}'

        when:
        def l = NftParser.listing('nft.json', text)

        then:
        l.ruleset().tables()*.toString() == NftParser.tables('nft.json', text)*.toString()
        l.ruleset().tables().count { it.isIptablesCompat() } == 1
        l.ruleset().chains()*.name() == ['in']
        l.ruleset().ruleCount() == 2
        l.compatRuleCounts() == ['ip nat/PREROUTING': 1, 'ip nat/KUBE-SERVICES': 0]
        NftParser.compatRuleCounts('nft.json', text) == l.compatRuleCounts()
        NftParser.listing('nft.json', '  ').is(NftParser.Listing.EMPTY)
    }

    def "meta pkttype is the received frame's type: #packet on #path is #type"() {
        given: 'accept what the rule names, drop the rest: the verdict says which type the simulator saw'
        def nft = rules([
                '{"table": {"family": "inet", "name": "t", "handle": 1}}',
                chain('inet', 't', 'in', 'input', 0),
                chain('inet', 't', 'fwd', 'forward', 0),
                chain('inet', 't', 'out', 'output', 0),
                *['in', 'fwd', 'out'].withIndex().collect { c, i ->
                    rule('inet', 't', c, 10 + i, '{"match": {"op": "==", "left": {"meta": {"key": "pkttype"}}, "right": "' + type + '"}}, {"accept": null}')
                },
                *['in', 'fwd', 'out'].withIndex().collect { c, i -> rule('inet', 't', c, 20 + i, '{"drop": null}') },
        ].join(','))

        expect:
        nft.chains().collectMany { it.rules() }.find { it.handle() == 10 }.text() == "meta pkttype $type accept"
        // the last matched rule is the deciding one (which hook depends on the fake routing: broadcast is forwarded there)
        trace(nft, req).branches()*.matchedRules()*.last()*.target() == [verdict]

        where:
        path        | packet                                  | type        | req                                                                                 || verdict
        'forward'   | 'tcp 10.244.1.5:40000 > 8.8.8.8:80'     | 'host'      | NetfilterSimulatorSpec.inOn('cni0', 'tcp 10.244.1.5:40000 > 8.8.8.8:80')            || 'accept'
        'local-in'  | 'udp 192.168.1.7:68 > 255.255.255.255:67' | 'broadcast' | NetfilterSimulatorSpec.inOn('eth0', 'udp 192.168.1.7:68 > 255.255.255.255:67', io.skoop.netstack.netfilter.Path.LOCAL_IN) || 'accept'
        'local-in'  | 'udp 192.168.1.7:5353 > 224.0.0.251:5353' | 'multicast' | NetfilterSimulatorSpec.inOn('eth0', 'udp 192.168.1.7:5353 > 224.0.0.251:5353', io.skoop.netstack.netfilter.Path.LOCAL_IN) || 'accept'
        'local-in'  | 'udp 192.168.1.7:5353 > 224.0.0.251:5353' | 'host'      | NetfilterSimulatorSpec.inOn('eth0', 'udp 192.168.1.7:5353 > 224.0.0.251:5353', io.skoop.netstack.netfilter.Path.LOCAL_IN) || 'drop'
        'local-out' | 'udp 192.168.1.10:40000 > 8.8.8.8:53'  | 'host'      | NetfilterSimulatorSpec.out('udp 192.168.1.10:40000 > 8.8.8.8:53')                   || 'accept'
    }

    def "ct helper set assigns the connection a helper and does not decide the packet: Debian's ct_helpers example"() {
        given:
        def nft = NftParser.ruleset('ct_helpers.nft.json', Files.readString(Path.of('src/test/resources/netstack/nft/debian/ct_helpers.nft.json')))

        when:
        def r = trace(nft, NetfilterSimulatorSpec.inOn('eth0', 'tcp 192.168.1.7:40000 > 192.168.1.10:21', io.skoop.netstack.netfilter.Path.LOCAL_IN))

        then: 'the helper rule matches, the rule after it does not apply to TCP, the chain policy drops'
        nft.chains().collectMany { it.rules() }*.text().containsAll(['tcp dport 21 ct helper set "ftp-standard"',
                                                                      'ct helper set udp dport map { 69 : tftp-69, 5060 : sip-5060 }'])
        r.branches()*.verdict() == [FinalVerdict.DROP]
        r.branches()[0].matchedRules()*.origin()*.ref() == ['inet filter/input handle 6']
        r.branches()[0].steps().find { it instanceof TraceStep.PolicyApplied }.policy() == 'DROP'
    }

    def "a concatenated verdict map sends the packet to the element's chain; a key it lacks lets the next rule run"() {
        given:
        def nft = rules([
                '{"table": {"family": "inet", "name": "kp", "handle": 1}}',
                '{"map": {"family": "inet", "name": "svc", "table": "kp", "type": ["ipv4_addr", "inet_proto", "inet_service"], "handle": 2, "map": "verdict", "elem": [[{"concat": ["10.96.0.10", "tcp", 80]}, {"jump": {"target": "svc1"}}]]}}',
                chain('inet', 'kp', 'svc1', null, 0),
                chain('inet', 'kp', 'fwd', 'forward', 0),
                rule('inet', 'kp', 'svc1', 5, '{"drop": null}'),
                rule('inet', 'kp', 'fwd', 6, '{"vmap": {"key": {"concat": [{"payload": {"protocol": "ip", "field": "daddr"}}, {"meta": {"key": "l4proto"}}, {"payload": {"protocol": "th", "field": "dport"}}]}, "data": "@svc"}}'),
                rule('inet', 'kp', 'fwd', 7, '{"accept": null}'),
        ].join(','))

        expect:
        trace(nft, NetfilterSimulatorSpec.inOn('eth0', packet)).branches()*.verdict() == [verdict]

        where:
        packet                                  | verdict
        'tcp 192.168.1.20:40000 > 10.96.0.10:80' | FinalVerdict.DROP
        'tcp 192.168.1.20:40000 > 10.96.0.10:81' | FinalVerdict.FORWARDED
        'udp 192.168.1.20:40000 > 10.96.0.10:80' | FinalVerdict.FORWARDED
    }

    def "numgen forks the trace: one branch per value with its share"() {
        given:
        def nft = rules([
                '{"table": {"family": "ip", "name": "kp", "handle": 1}}',
                chain('ip', 'kp', 'e0', null, 0), chain('ip', 'kp', 'e1', null, 0), chain('ip', 'kp', 'e2', null, 0),
                chain('ip', 'kp', 'fwd', 'forward', 0),
                rule('ip', 'kp', 'e0', 3, '{"accept": null}'),
                rule('ip', 'kp', 'e1', 4, '{"drop": null}'),
                rule('ip', 'kp', 'e2', 5, '{"drop": null}'),
                rule('ip', 'kp', 'fwd', 6, '{"vmap": {"key": {"numgen": {"mode": "random", "mod": 3, "offset": 0}}, "data": {"set": [[0, {"goto": {"target": "e0"}}], [1, {"goto": {"target": "e1"}}], [2, {"goto": {"target": "e2"}}]]}}}'),
        ].join(','))

        when:
        def r = trace(nft, NetfilterSimulatorSpec.inOn('eth0', 'tcp 192.168.1.20:40000 > 10.244.1.5:80'))

        then:
        r.branches().size() == 3
        r.branches()*.probability().every { Math.abs(it - 1 / 3d) < 1e-9 }
        r.verdictProbabilities()[FinalVerdict.FORWARDED] == 1 / 3d
        Math.abs(r.verdictProbabilities()[FinalVerdict.DROP] - 2 / 3d) < 1e-9
        r.branches()[0].steps().find { it instanceof TraceStep.BranchTaken }.detail().startsWith('numgen random mod 3 = ')
    }

    def "a construct skoop does not model ends the branch UNKNOWN naming the rule's handle and text, never a silent match"() {
        given:
        def nft = rules([
                '{"table": {"family": "ip", "name": "x", "handle": 1}}',
                chain('ip', 'x', 'fwd', 'forward', 0),
                rule('ip', 'x', 'fwd', 9, expr),
                rule('ip', 'x', 'fwd', 10, '{"drop": null}'),
        ].join(','))

        when:
        def r = trace(nft, NetfilterSimulatorSpec.inOn('eth0', 'tcp 192.168.1.20:40000 > 10.244.1.5:80'))

        then:
        r.verdict() == FinalVerdict.UNKNOWN
        r.branches().every { it.verdict() == FinalVerdict.UNKNOWN }
        r.branches().any { (it.detail() + it.assumptions()).contains('ip x/fwd handle 9') }

        where:
        expr << [
                // a jhash (not modelled): the match cannot be decided — assumed both ways, each branch UNKNOWN
                '{"match": {"op": "==", "left": {"jhash": {"mod": 2, "expr": {"payload": {"protocol": "ip", "field": "saddr"}}}}, "right": 0}}, {"accept": null}',
                // limit: token bucket state not in the dump
                '{"limit": {"rate": 10, "burst": 5, "per": "second"}}, {"accept": null}',
                // queue to user space
                '{"queue": {"num": 1}}',
                // socket owner (meta skuid) is not known for a forwarded packet
                '{"match": {"op": "==", "left": {"meta": {"key": "skuid"}}, "right": 0}}, {"accept": null}',
        ]
    }

    def "a NAT statement outside a nat chain is UNKNOWN, not applied"() {
        given:
        def nft = rules([
                '{"table": {"family": "ip", "name": "x", "handle": 1}}',
                chain('ip', 'x', 'pre', 'prerouting', -150),
                rule('ip', 'x', 'pre', 4, '{"dnat": {"addr": "10.244.1.9"}}'),
        ].join(','))

        expect:
        trace(nft, NetfilterSimulatorSpec.inOn('eth0', 'tcp 192.168.1.20:40000 > 10.244.1.5:80')).verdict() == FinalVerdict.UNKNOWN
    }

    def "conntrack is active when an nft rule needs it: a nat chain or a ct expression"() {
        expect:
        rules('{"table": {"family": "ip", "name": "x", "handle": 1}}, ' + chain('ip', 'x', 'n', 'postrouting', 100, 'nat')).needsConntrack(false)
        rules('{"table": {"family": "ip", "name": "x", "handle": 1}}, ' + chain('ip', 'x', 'f', 'input', 0) + ', '
                + rule('ip', 'x', 'f', 2, '{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "invalid"}}, {"drop": null}')).needsConntrack(false)
        !rules('{"table": {"family": "ip", "name": "x", "handle": 1}}, ' + chain('ip', 'x', 'f', 'input', 0) + ', '
                + rule('ip', 'x', 'f', 2, '{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth0"}}, {"drop": null}')).needsConntrack(false)
        // an ip6 table does not make IPv4 track connections
        !rules('{"table": {"family": "ip6", "name": "x", "handle": 1}}, ' + chain('ip6', 'x', 'n', 'postrouting', 100, 'nat')).needsConntrack(false)
    }

    def "iptables-nft's own tables are left to iptables-save: their chains are not in the nft ruleset"() {
        given:
        def nft = rules([
                '{"table": {"family": "ip", "name": "filter", "handle": 1}}',
                chain('ip', 'filter', 'FORWARD', 'forward', 0),
                rule('ip', 'filter', 'FORWARD', 3, '{"xt": {"type": "match", "name": "conntrack"}}, {"accept": null}'),
        ].join(','))

        expect:
        nft.tables()*.toString() == ['ip filter (hooks forward)']
        nft.chains() == []
    }
}
