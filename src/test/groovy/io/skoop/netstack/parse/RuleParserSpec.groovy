package io.skoop.netstack.parse

import io.skoop.netstack.route.PolicyRule
import io.skoop.netstack.route.RuleAction
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * rule.json / rule6.json as captured from this kernel: every selector was added with
 * {@code ip rule add} (capture.sh) and the JSON this iproute2 printed is the input here.
 */
class RuleParserSpec extends Specification {
    static final Path DIR = Path.of('src/test/resources/netstack/route/basic')

    @Shared
    List<PolicyRule> rules = RuleParser.parse('rule.json', Files.readString(DIR.resolve('rule.json')))

    def "rule #priority reads as '#text'"() {
        expect:
        rules.find { it.priority() == priority }.toString() == text

        where:
        priority | text
        0        | '0: from all lookup local'
        100      | '100: from 10.2.0.0/24 to 10.40.0.0/16 lookup 100'
        101      | '101: not from 10.1.0.0/24 iif va lookup 100'
        102      | '102: from all fwmark 0x10/0xff oif br0 goto 300'
        103      | '103: from all ipproto 6 dport 80 lookup 200'
        104      | '104: from all ipproto 17 sport 1000-2000 dport 53 blackhole'
        105      | '105: from all tos 0x10 unreachable'
        106      | '106: from all fwmark 0x20 prohibit'
        107      | '107: from all uidrange 100-200 nop'
        108      | '108: from all lookup main suppress_prefixlength 0'
        109      | '109: from all lookup main suppress_ifgroup 5'
        110      | '110: from all fwmark 0x7 lookup 200'
        111      | '111: from all to 10.42.0.0/16 iif lo lookup 100'
        112      | '112: from all iif nosuch [detached] lookup 100'
        113      | '113: from all goto 999 [unresolved]'
        114      | '114: from all to 10.0.0.1 lookup 100'
        115      | '115: from all nop'
        32766    | '32766: from all lookup main'
    }

    def "selectors as values"() {
        when:
        PolicyRule r = rules.find { it.priority() == 104 }

        then:
        r.ipproto() == 17
        r.sport().start() == 1000 && r.sport().end() == 2000
        r.dport().start() == 53 && r.dport().end() == 53
        r.action() == RuleAction.BLACKHOLE
        rules.find { it.priority() == 102 }.fwmask() == 0xff
        rules.find { it.priority() == 110 }.fwmask() == 0xffffffffL
        rules.find { it.priority() == 114 }.dst().isHost()
        rules.every { it.unknown().isEmpty() }
    }

    def "IPv6 rules"() {
        when:
        def r6 = RuleParser.parse('rule6.json', Files.readString(DIR.resolve('rule6.json')))

        then:
        r6*.toString().containsAll(['50: from 2001:db8:2::/64 lookup 100', '51: from all fwmark 0x20 unreachable'])
    }

    def "keys we do not model are kept as UNKNOWN selectors, informational ones ignored"() {
        when:
        PolicyRule r = RuleParser.parse('r', '[{"priority":5,"src":"all","tun_id":9,"flow_to":"3","protocol":"static","table":"100"}]')[0]

        then:
        r.unknown() == ['tun_id=9']
        r.toString() == '5: from all lookup 100 UNKNOWN(tun_id=9)'
    }

    def "l3mdev rules have no table"() {
        expect:
        RuleParser.parse('r', '[{"priority":1000,"src":"all","l3mdev":null}]')[0].l3mdev()
    }

    def "malformed rules name file, entry and key: #why"() {
        when:
        RuleParser.parse('ns1/rule.json', json)

        then:
        def e = thrown(ParseException)
        e.file() == 'ns1/rule.json'
        e.message.contains(message)

        where:
        why            | json                                                          | message
        'bad JSON'     | '[{"priority":1'                                              | 'malformed JSON'
        'no action'    | '[{"priority":1,"src":"all"}]'                                | 'a table, goto, nop, l3mdev or an action'
        'bad src'      | '[{"priority":1,"src":"10.0.0.0","srclen":40,"table":"1"}]'   | "key 'src'"
        'bad ipproto'  | '[{"priority":1,"ipproto":"xyz?","table":"1"}]'               | "key 'ipproto'"
        'bad fwmark'   | '[{"priority":1,"fwmark":"0xzz","table":"1"}]'                | "key 'fwmark'"
        'bad range'    | '[{"priority":1,"dport_start":9,"dport_end":3,"table":"1"}]' | "key 'dport'"
        'bad table'    | '[{"priority":1,"table":"a b"}]'                              | "key 'table'"
    }
}
