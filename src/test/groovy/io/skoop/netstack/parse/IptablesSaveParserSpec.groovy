package io.skoop.netstack.parse

import io.skoop.model.Ip
import io.skoop.netstack.netfilter.AddrType
import io.skoop.netstack.netfilter.Counters
import io.skoop.netstack.netfilter.CtState
import io.skoop.netstack.netfilter.Match
import io.skoop.netstack.netfilter.PortRange
import io.skoop.netstack.netfilter.Rule
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.netfilter.Target
import io.skoop.netstack.netfilter.kernel.KubeProxyRuleset
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

class IptablesSaveParserSpec extends Specification {

    static final Path FIXTURES = Path.of('src/test/resources/netstack/netfilter')

    @Shared Ruleset nft = IptablesSaveParser.parse(FIXTURES.resolve('kube-proxy.nft.txt'))
    @Shared Ruleset legacy = IptablesSaveParser.parse(FIXTURES.resolve('kube-proxy.legacy.txt'))
    @Shared Ruleset plain = IptablesSaveParser.parse(FIXTURES.resolve('kube-proxy.nocounters.txt'))
    @Shared Ruleset v6 = IptablesSaveParser.parse(FIXTURES.resolve('ip6.txt'))

    static Ruleset parse(String text, boolean ipv6 = false) {
        IptablesSaveParser.parse('iptables.txt', text, ipv6)
    }

    static String filter(String... rules) {
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:USER - [0:0]\n" + rules.join('\n') + "\nCOMMIT\n"
    }

    static Rule one(String rule) {
        parse(filter(rule)).rule('filter', rule.split(' ')[1], 1)
    }

    def "both backends print the same grammar: the same tables, chains and rules"() {
        expect:
        nft.tables.keySet() == ['mangle', 'raw', 'filter', 'nat'] as Set
        legacy.tables.keySet() == nft.tables.keySet()
        ['raw', 'mangle', 'nat', 'filter'].every { t ->
            nft.table(t).chains.keySet() == legacy.table(t).chains.keySet() &&
                nft.table(t).chains.values().every { c -> c.rules()*.text() == legacy.table(t).chain(c.name()).rules()*.text() }
        }
        nft.ruleCount() == 72
        plain.ruleCount() == nft.ruleCount()
    }

    def "chains keep policy and counters; rules keep counters, number, line and text"() {
        when:
        def input = nft.table('filter').chain('INPUT')
        def r = input.rule(3)

        then:
        input.builtin()
        input.policy() == Target.Verdict.ACCEPT
        nft.table('filter').chain('FORWARD').policy() == Target.Verdict.DROP
        !nft.table('filter').chain('ODD').builtin()
        input.rules().size() == 9
        r.number() == 3
        r.counters() == new Counters(1, 58)
        r.text() == '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
        r.table() == 'filter'
        r.ref() == 'filter/INPUT#3'
        nft.rule('filter', 'INPUT', 2).counters() == Counters.NONE || nft.rule('filter', 'INPUT', 2).counters() == new Counters(0, 0)
        plain.rule('filter', 'INPUT', 3).counters() == Counters.NONE
        r.line() > 1
    }

    def "rule #n of #chain in #table parses into #kinds"() {
        expect:
        Rule r = nft.rule(table, chain, n)
        (r.matches().collect { it.getClass().simpleName } + [r.target().getClass().simpleName]) == kinds

        where:
        table    | chain              | n || kinds
        'raw'    | 'PREROUTING'       | 1 || ['Proto', 'Udp', 'Notrack']
        'raw'    | 'PREROUTING'       | 2 || ['Address', 'Notrack']
        'mangle' | 'OUTPUT'           | 2 || ['Unknown', 'Mark']
        'mangle' | 'MARKS'            | 2 || ['Mark', 'Connmark']
        'mangle' | 'FORWARD'          | 1 || ['Proto', 'Tcp', 'Continue']
        'nat'    | 'KUBE-SERVICES'    | 3 || ['Comment', 'AddressType', 'Jump']
        'nat'    | 'KUBE-SVC-WEB'     | 1 || ['Address', 'Address', 'Proto', 'Comment', 'Tcp', 'Jump']
        'nat'    | 'KUBE-SVC-WEB'     | 2 || ['Comment', 'Statistic', 'Jump']
        'nat'    | 'KUBE-SEP-A1'      | 2 || ['Proto', 'Comment', 'Tcp', 'Dnat']
        'nat'    | 'KUBE-POSTROUTING' | 3 || ['Comment', 'Masquerade']
        'nat'    | 'PREROUTING'       | 2 || ['Proto', 'Tcp', 'Redirect']
        'nat'    | 'POSTROUTING'      | 2 || ['Address', 'Iface', 'Proto', 'Snat']
        'filter' | 'INPUT'            | 2 || ['Proto', 'Icmp', 'Limit', 'Standard']
        'filter' | 'INPUT'            | 4 || ['State', 'Standard']
        'filter' | 'INPUT'            | 5 || ['Proto', 'Multiport', 'Standard']
        'filter' | 'INPUT'            | 7 || ['IpSet', 'Jump']
        'filter' | 'INPUT'            | 9 || ['Proto', 'Tcp', 'Reject']
        'filter' | 'FORWARD'          | 2 || ['Physdev', 'Standard']
        'filter' | 'OUTPUT'           | 2 || ['IpRange', 'Continue']
        'filter' | 'ODD'              | 2 || ['Fragment', 'Standard']
        'filter' | 'ODD'              | 3 || ['Proto', 'Continue']
        'filter' | 'ODD'              | 5 || ['Recent', 'None']
        'filter' | 'ODD'              | 8 || ['Conntrack', 'Standard']
        'filter' | 'ODD'              | 11 || ['Jump']
    }

    def "typed values: #what"() {
        expect:
        check.call(nft)

        where:
        what                                  | check
        'cluster IP /32'                      | { Ruleset r -> r.rule('nat', 'KUBE-SERVICES', 2).matches()[0] == new Match.Address(false, addr('10.96.0.20/32'), false) }
        '! -s before the option'              | { Ruleset r -> r.rule('nat', 'KUBE-SVC-WEB', 1).matches()[0] == new Match.Address(true, addr('10.244.0.0/16'), true) }
        'non-contiguous mask'                 | { Ruleset r -> (r.rule('filter', 'ODD', 1).matches()[0] as Match.Address).address().toString() == '192.168.0.0/255.255.0.255' }
        'negated interface wildcard'          | { Ruleset r -> r.rule('filter', 'ODD', 1).matches()[1] == new Match.Iface(true, 'eth+', true) }
        'quoted comment'                      | { Ruleset r -> r.rule('nat', 'KUBE-SERVICES', 2).matches()[2] == new Match.Comment('default/web:http cluster IP') }
        'escaped quotes in LOG prefix'        | { Ruleset r -> (r.rule('filter', 'OUTPUT', 2).target() as Target.Continue).options() == '--log-prefix "odd range: \\"x\\" "' }
        'mark ! after -m'                     | { Ruleset r -> r.rule('nat', 'KUBE-POSTROUTING', 1).matches()[0] == new Match.Mark(0x4000, 0x4000, true) }
        'connmark negated'                    | { Ruleset r -> r.rule('mangle', 'MARKS', 3).matches()[0] == new Match.Connmark(0, 0xffffffffL, true) }
        'set-xmark'                           | { Ruleset r -> r.rule('nat', 'KUBE-MARK-MASQ', 1).target() == new Target.Mark(0x4000, 0x4000) }
        'or-mark printed as set-xmark'        | { Ruleset r -> r.rule('mangle', 'OUTPUT', 1).target() == new Target.Mark(0x8, 0x8) }
        'CONNMARK save with masks'            | { Ruleset r -> r.rule('mangle', 'MARKS', 2).target() == new Target.Connmark(Target.ConnmarkMode.SAVE, 0, 0xff00, 0xff00) }
        'CONNMARK restore'                    | { Ruleset r -> r.rule('mangle', 'MARKS', 3).target() == new Target.Connmark(Target.ConnmarkMode.RESTORE, 0, 0xffffffffL, 0xffffffffL) }
        'statistic probability'               | { Ruleset r -> r.rule('nat', 'KUBE-SVC-WEB', 2).matches()[1] == new Match.Statistic(true, 0.33333333349d, 0, 0, false) }
        'statistic nth'                       | { Ruleset r -> r.rule('filter', 'ODD', 9).matches()[0] == new Match.Statistic(false, 0, 3, 0, false) }
        'DNAT to ip:port'                     | { Ruleset r -> (r.rule('nat', 'KUBE-SEP-A1', 2).target() as Target.Dnat).ranges()*.toString() == ['10.244.1.5:8080'] }
        'DNAT to an address range'            | { Ruleset r -> (r.rule('nat', 'OUTPUT', 2).target() as Target.Dnat).ranges()*.toString() == ['10.244.9.1-10.244.9.3:8443'] }
        'SNAT port range, --random'           | { Ruleset r -> r.rule('nat', 'POSTROUTING', 2).target().with { it.ranges()*.toString() == ['192.0.2.1:1024-65535'] && it.random() } }
        'MASQUERADE --random-fully'           | { Ruleset r -> r.rule('nat', 'KUBE-POSTROUTING', 3).target() == new Target.Masquerade(null, false, true) }
        'REDIRECT --to-ports'                 | { Ruleset r -> (r.rule('nat', 'PREROUTING', 2).target() as Target.Redirect).ports().toString() == '15006' }
        'REJECT --reject-with'                | { Ruleset r -> r.rule('filter', 'INPUT', 9).target() == new Target.Reject('tcp-reset') }
        'conntrack ! --ctstate with DNAT'     | { Ruleset r -> (r.rule('filter', 'KUBE-FIREWALL', 1).matches()[3] as Match.Conntrack).conditions()[0].with { it.negated() && it.value() == [CtState.RELATED, CtState.ESTABLISHED, CtState.DNAT] as Set } }
        'conntrack --ctorigdst/port/dir'      | { Ruleset r -> (r.rule('filter', 'ODD', 8).matches()[0] as Match.Conntrack).conditions()*.option() == ['ctorigdst', 'ctorigdstport', 'ctdir'] }
        'addrtype --limit-iface-in'           | { Ruleset r -> r.rule('filter', 'ODD', 7).matches()[0] == new Match.AddressType([AddrType.LOCAL] as Set, false, [] as Set, false, true, false) }
        'addrtype --dst-type LOCAL'           | { Ruleset r -> (r.rule('nat', 'KUBE-SERVICES', 3).matches()[1] as Match.AddressType).dstTypes() == [AddrType.LOCAL] as Set }
        'set ! --match-set src,dst'           | { Ruleset r -> r.rule('filter', 'INPUT', 7).matches()[0] == new Match.IpSet('blocked', [true, false], true) }
        'multiport list with a range'         | { Ruleset r -> (r.rule('filter', 'INPUT', 5).matches()[1] as Match.Multiport).ports() == [new PortRange(22, 22), new PortRange(80, 80), new PortRange(443, 443), new PortRange(30000, 32767)] }
        'physdev ! --physdev-out'             | { Ruleset r -> r.rule('filter', 'FORWARD', 3).matches()[0] == new Match.Physdev(null, false, 'veth2', true, null, null, null) }
        'physdev in + is-bridged'             | { Ruleset r -> r.rule('filter', 'FORWARD', 2).matches()[0] == new Match.Physdev('veth1', false, null, false, null, null, true) }
        'udp ! --sport range'                 | { Ruleset r -> r.rule('filter', 'ODD', 4).matches()[1] == new Match.Udp(io.skoop.model.Protocol.UDP, new PortRange(1024, 65535), true, null, false) }
        '--syn printed as --tcp-flags'        | { Ruleset r -> r.rule('filter', 'ODD', 10).matches()[1] == new Match.Tcp(null, false, null, false, 0x17, 0x02, false) }
        '! --tcp-flags'                       | { Ruleset r -> r.rule('filter', 'GOTO-TARGET', 1).matches()[1] == new Match.Tcp(null, false, null, false, 0x17, 0x02, true) }
        'icmp type'                           | { Ruleset r -> r.rule('filter', 'INPUT', 2).matches()[1] == new Match.Icmp(false, 8, 0, 255, false) }
        'iprange'                             | { Ruleset r -> r.rule('filter', 'OUTPUT', 2).matches()[0] == new Match.IpRange(ip('10.0.0.1'), ip('10.0.0.9'), false, ip('10.1.0.1'), ip('10.1.0.9'), false) }
        'recent --set only'                   | { Ruleset r -> (r.rule('filter', 'ODD', 5).matches()[0] as Match.Recent).setOnly() }
        'recent --rcheck'                     | { Ruleset r -> !(r.rule('filter', 'ODD', 6).matches()[0] as Match.Recent).setOnly() }
        'goto'                                | { Ruleset r -> r.rule('filter', 'ODD', 11).target() == new Target.Jump('GOTO-TARGET', true) }
        'jump'                                | { Ruleset r -> r.rule('filter', 'INPUT', 1).target() == new Target.Jump('KUBE-FIREWALL', false) }
        'owner kept as Unknown with its text' | { Ruleset r -> r.rule('mangle', 'OUTPUT', 2).matches()[0] == new Match.Unknown('owner', '-m owner --uid-owner 0', "match module 'owner' is not modelled") }
        'CT --notrack'                        | { Ruleset r -> r.rule('raw', 'PREROUTING', 2).target() == new Target.Notrack('CT') }
    }

    def "ip6tables: addresses, masks, bracketed DNAT, icmp6"() {
        expect:
        v6.ipv6()
        v6.rule('nat', 'KUBE-SERVICES', 1).matches()[0] == new Match.Address(false, addr('fd00:96::10/128'), false)
        (v6.rule('nat', 'KUBE-SEP-V6', 1).target() as Target.Dnat).ranges()[0].with { it.minIp() == ip('fd00:244:1::5') && it.minPort() == 8080 }
        (v6.rule('filter', 'INPUT', 2).matches()[0] as Match.Address).address().mask() == ip('ffff:ffff:0:ffff::')
        v6.rule('filter', 'INPUT', 1).matches()[1] == new Match.Icmp(true, 128, 0, 255, false)
        v6.rule('filter', 'FORWARD', 1).target() == new Target.Reject('icmp6-adm-prohibited')
    }

    def "hand-written syntax iptables-restore also reads: #rule"() {
        expect:
        one(rule).matches().collect { it.toString() } == expected

        where:
        rule                                                      || expected
        '-A INPUT -p tcp --dport 80 -j ACCEPT'                    || [new Match.Proto(6, 'tcp', false), new Match.Tcp(null, false, new PortRange(80, 80), false, 0, 0, false)]*.toString()
        '-A INPUT -p tcp ! --dport 80 -j ACCEPT'                  || [new Match.Proto(6, 'tcp', false), new Match.Tcp(null, false, new PortRange(80, 80), true, 0, 0, false)]*.toString()
        '-A INPUT --source 10.0.0.0/255.0.0.0 -j ACCEPT'          || [new Match.Address(true, addr('10.0.0.0/8'), false)]*.toString()
        '-A INPUT -s 10.1.2.3 -j ACCEPT'                          || [new Match.Address(true, addr('10.1.2.3/32'), false)]*.toString()
        '-A INPUT ! -f -j ACCEPT'                                 || [new Match.Fragment(true)]*.toString()
        '-A INPUT -p 50 -j ACCEPT'                                || [new Match.Proto(50, '50', false)]*.toString()
        '-A INPUT -p tcp --sport 1: -j ACCEPT'                    || [new Match.Proto(6, 'tcp', false), new Match.Tcp(new PortRange(1, 65535), false, null, false, 0, 0, false)]*.toString()
        '-A INPUT -p udp --dport :1023 -j ACCEPT'                 || [new Match.Proto(17, 'udp', false), new Match.Udp(io.skoop.model.Protocol.UDP, null, false, new PortRange(0, 1023), false)]*.toString()
        '-A INPUT -m comment --comment "a \\"b\\" c" -j ACCEPT'   || [new Match.Comment('a "b" c')]*.toString()
        '-A INPUT -m comment --comment "" -j ACCEPT'              || [new Match.Comment('')]*.toString()
        '-A INPUT -m comment --comment "-j DROP" -j ACCEPT'       || [new Match.Comment('-j DROP')]*.toString()
        '-A INPUT -m comment --comment "-j" -j ACCEPT'            || [new Match.Comment('-j')]*.toString()
        '-A INPUT -m comment --comment "--x" -j ACCEPT'           || [new Match.Comment('--x')]*.toString()
        '-A INPUT -m comment --comment "!" -j ACCEPT'             || [new Match.Comment('!')]*.toString()
        '-A INPUT -m comment --comment "Grüße, 日本" -j ACCEPT'    || [new Match.Comment('Grüße, 日本')]*.toString()
    }

    def "a quoted argument that looks like an option stays an argument and the target is still read"() {
        expect:
        one('-A INPUT -m comment --comment "-j DROP" -j ACCEPT').target() == new Target.Standard(Target.Verdict.ACCEPT)
        one('-A INPUT -j LOG --log-prefix "-s x "').target() == new Target.Continue('LOG', '--log-prefix "-s x "')
    }

    def "unknown module, option or target is kept with its text and the rest of the rule survives: #rule"() {
        when:
        Rule r = one(rule)

        then:
        r.hasUnknown()
        r.matches().collect { it.getClass().simpleName } == matches
        r.target().getClass().simpleName == target
        reason == null || (r.matches().find { it instanceof Match.Unknown }?.reason() ?: r.target().reason()) == reason

        where:
        rule                                                            || matches                          | target     | reason
        '-A INPUT -m owner --uid-owner 0 -j DROP'                       || ['Unknown']                      | 'Standard' | "match module 'owner' is not modelled"
        '-A INPUT -p tcp -m tcp --tcp-option 2 -s 1.2.3.4 -j DROP'      || ['Proto', 'Unknown', 'Address']  | 'Standard' | 'option --tcp-option of -m tcp is not modelled'
        '-A INPUT -m set --match-set s src --return-nomatch -j DROP'    || ['Unknown']                      | 'Standard' | 'option --return-nomatch of -m set is not modelled'
        '-A INPUT -s 1.2.3.4 -j CT --mystery 1'                         || ['Address']                      | 'Unknown'  | 'option --mystery of -j CT is not modelled'
        '-A INPUT -j FOO --bar 1'                                       || []                               | 'Unknown'  | "'FOO' is neither a declared chain nor a modelled target"
        '-A INPUT -j MARK --set-xmark 0x1 --set-mark 0x2'               || []                               | 'Unknown'  | 'MARK expects exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark'
        '-A INPUT -p tcp --weird -j DROP'                               || ['Proto', 'Unknown']             | 'Standard' | 'option --weird of -m tcp is not modelled'
        '-A INPUT --weird x -j DROP'                                    || ['Unknown']                      | 'Standard' | "unknown option '--weird'"
    }

    static Rule natRule(String rule) {
        parse("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n" +
                ":KUBE-SERVICES - [0:0]\n$rule\nCOMMIT\n").rule('nat', rule.split(' ')[1], 1)
    }

    def "what real nodes write is decided: #rule"() {
        expect:
        Rule r = natRule(rule)
        !r.hasUnknown()
        r.matches().collect { it.getClass().simpleName } == matches
        r.target().toString() == target

        where:
        rule                                                                   || matches          | target
        '-A POSTROUTING -j SNAT --to 10.0.0.1'                                 || []               | 'Snat[ranges=[10.0.0.1], random=false, randomFully=false, persistent=false]'
        '-A PREROUTING -p tcp -j DNAT --to 10.0.0.2:80'                        || ['Proto']        | 'Dnat[ranges=[10.0.0.2:80], random=false, persistent=false]'
        '-A POSTROUTING -j MASQUERADE --to 1000-2000 --random-f'               || []               | 'Masquerade[ports=1000-2000, random=false, randomFully=true]'
        '-A KUBE-SERVICES -m nfacct --nfacct-name localhost_nps_accepted_pkts' || ['Nfacct']       | 'None[]'
        '-A PREROUTING -m rpfilter --invert -j DROP'                           || ['Rpfilter']     | 'Standard[verdict=DROP]'
        '-A PREROUTING -p udp -j CT --zone 1'                                  || ['Proto']        | 'Continue[name=CT, options=--zone 1]'
        '-A PREROUTING -p tcp -m tcp --dport 21 -j CT --helper ftp'            || ['Proto', 'Tcp'] | 'Continue[name=CT, options=--helper ftp]'
        '-A PREROUTING -d 0.0.0.0/4 -m ttl ! --ttl-eq 255 -j DROP'             || ['Address', 'Ttl'] | 'Standard[verdict=DROP]'
    }

    def "-m ttl and -m hl as iptables reads them: #opts"() {
        expect:
        one("-A INPUT $opts -j DROP").matches() == [match]

        where:
        opts                   || match
        '-m ttl --ttl-eq 1'    || new Match.Ttl(false, Match.TtlOp.EQ, 1)
        '-m ttl ! --ttl-eq 64' || new Match.Ttl(false, Match.TtlOp.NE, 64)
        '-m ttl --ttl-lt 254'  || new Match.Ttl(false, Match.TtlOp.LT, 254)
        '-m ttl --ttl-gt 2'    || new Match.Ttl(false, Match.TtlOp.GT, 2)
        '-m ttl --ttl 7'       || new Match.Ttl(false, Match.TtlOp.EQ, 7)
        '-m ttl --ttl-e 7'     || new Match.Ttl(false, Match.TtlOp.EQ, 7)
        '-m hl ! --hl-eq 5'    || new Match.Ttl(true, Match.TtlOp.NE, 5)
        '-m hl --hl-lt 3'      || new Match.Ttl(true, Match.TtlOp.LT, 3)
    }

    def "an abbreviation that is ambiguous or also one of iptables' own options is not resolved: #rule"() {
        expect:
        natRule(rule).hasUnknown()

        where:
        rule << ['-A POSTROUTING -j SNAT --to-source 10.0.0.1 --rand', '-A POSTROUTING -j MARK --set 0x1']
    }

    def "MARK forms normalise to value/mask as libxt_MARK does: #opt"() {
        expect:
        one("-A INPUT -j MARK $opt").target() == new Target.Mark(value, mask)

        where:
        opt                          || value      | mask
        '--set-xmark 0x4000/0x4000'  || 0x4000     | 0x4000
        '--set-xmark 0x10'           || 0x10       | 0xffffffffL
        '--set-mark 0x10/0xf0'       || 0x10       | 0xf0
        '--or-mark 0x8'              || 0x8        | 0x8
        '--and-mark 0xfffffffe'      || 0          | 0x1
        '--xor-mark 0x1'             || 0x1        | 0
    }

    def "malformed input fails with file, line, token and what was expected: #why"() {
        when:
        parse(text)

        then:
        ParseException e = thrown()
        e.message == message

        where:
        why                     | text                                                                                   || message
        'rule before a table'   | '-A INPUT -j ACCEPT\n'                                                                 || "iptables.txt:1: rule outside a table (expected '*table' first) (at '-A')"
        'undeclared chain'      | '*filter\n:INPUT ACCEPT [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\n'                           || "iptables.txt:3: chain 'NOPE' is not declared in table 'filter' (expected ':NOPE - [0:0]' before its rules) (at 'NOPE')"
        'missing COMMIT'        | '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n'                                  || "iptables.txt:3: table 'filter' opened at line 1 has no COMMIT (truncated dump?) (at '*filter')"
        'unbalanced quote'      | '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "abc -j ACCEPT\nCOMMIT\n' || "iptables.txt:3: unbalanced quote: a '\"' is not closed before the end of the line (at '\"abc -j ACCEPT')"
        'next table, no COMMIT' | '*filter\n:INPUT ACCEPT [0:0]\n*nat\nCOMMIT\n'                                         || "iptables.txt:3: table 'filter' (line 1) is not closed by COMMIT before the next table (at '*nat')"
        'bad policy'            | '*filter\n:INPUT REJECT [0:0]\nCOMMIT\n'                                               || "iptables.txt:2: expected the policy ACCEPT or DROP, or '-' for a user chain (at 'REJECT')"
        'bad counters'          | '*filter\n:INPUT ACCEPT [0:0]\n[1:x] -A INPUT -j ACCEPT\nCOMMIT\n'                     || "iptables.txt:3: expected counters '[packets:bytes]' with decimal numbers (at '[1:x]')"
        'bad address'           | filter('-A INPUT -s 10.0.0.300 -j ACCEPT')                                             || "iptables.txt:6: expected an IPv4 address (at '10.0.0.300')"
        'v6 address in v4 dump' | filter('-A INPUT -s fd00::1 -j ACCEPT')                                                || "iptables.txt:6: expected an IPv4 address in iptables output (at 'fd00::1')"
        'bad port'              | filter('-A INPUT -p tcp -m tcp --dport 8o -j ACCEPT')                                  || "iptables.txt:6: expected a port number 0..65535 (iptables-save prints ports numerically) (at '8o')"
        'bad mark'              | filter('-A INPUT -m mark --mark 0xZZ -j ACCEPT')                                       || "iptables.txt:6: expected an unsigned 32-bit value (decimal or 0x hex) (at '0xZZ')"
        'bad state'             | filter('-A INPUT -m conntrack --ctstate NEW,OLD -j ACCEPT')                            || "iptables.txt:6: unknown conntrack state 'OLD' (expected NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT or DNAT) (at 'OLD')"
        'goto undeclared'       | filter('-A INPUT -g NOPE')                                                             || "iptables.txt:6: goto to chain 'NOPE' which is not declared in table 'filter' (at 'NOPE')"
        'bare word'             | filter('-A INPUT foo -j ACCEPT')                                                       || "iptables.txt:6: expected an option ('-s', '-m MODULE', '-j TARGET', ...), got a bare word (at 'foo')"
        'missing argument'      | filter('-A INPUT -s')                                                                  || "iptables.txt:6: expected an address after -s (at '-s')"
        'garbage line'          | 'hello\n'                                                                              || "iptables.txt:1: expected '*table', ':CHAIN POLICY [pkts:bytes]', a rule '-A CHAIN ...', 'COMMIT' or a '#' comment (at 'hello')"
        'probability > 1'       | filter('-A INPUT -m statistic --mode random --probability 1.5 -j ACCEPT')              || "iptables.txt:6: expected a probability between 0 and 1 (at '1.5')"
        'dangling !'            | filter('-A INPUT -j ACCEPT !')                                                         || "iptables.txt:6: '!' at the end of the options of -j ACCEPT negates nothing (at '!')"
        'dangling ! in core'    | filter('-A INPUT -s 1.2.3.4 !')                                                        || "iptables.txt:6: '!' at the end of the rule negates nothing (at '!')"
        'ttl out of range'      | filter('-A INPUT -m ttl --ttl-eq 256 -j DROP')                                         || "iptables.txt:6: expected a TTL 0..255 after --ttl-eq (at '256')"
        'ttl-lt negated'        | filter('-A INPUT -m ttl ! --ttl-lt 5 -j DROP')                                         || "iptables.txt:6: only --ttl-eq can be negated (as iptables says: cannot be inverted) (at '--ttl-lt')"
        'two ttl options'       | filter('-A INPUT -m ttl --ttl-gt 7 --ttl-lt 9 -j DROP')                                || "iptables.txt:6: -m ttl takes exactly one of --ttl-eq, --ttl-lt, --ttl-gt (at '--ttl-lt')"
    }

    def "a large dump is parsed in parallel chunks with the same result as rule-by-rule"() {
        given: '3000 kube-proxy service ports x 3 endpoints = ~30k rules, above the parallel threshold'
        String dump = KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(3000, 3, 1)).text()
        List<String> ruleLines = dump.readLines().findAll { it.startsWith('-A ') }
        String table = null
        List<String> natServices = dump.readLines().findAll { l ->
            if (l.startsWith('*')) { table = l.substring(1) }
            table == 'nat' && l.startsWith('-A KUBE-SERVICES ')
        }

        when:
        Ruleset r = parse(dump)
        List<Rule> all = r.tables().values().collectMany { t -> t.chains().values().collectMany { it.rules() } }

        then:
        ruleLines.size() > 20000
        r.ruleCount() == ruleLines.size()
        all.sort { it.line() }*.text() == ruleLines
        r.tables().values().every { t -> t.chains().values().every { c -> c.rules()*.number() == (0..<c.rules().size()).collect { it + 1 } } }
        r.table('nat').chain('KUBE-SERVICES').rules()*.text() == natServices
        r.rule('nat', 'KUBE-SERVICES', 2500).text() == natServices[2499]
    }

    def "in a large dump the first malformed line is reported, whichever chunk finds errors"() {
        given:
        List<String> lines = KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(3000, 3, 1)).text().readLines()
        int early = lines.findIndexValues { it.startsWith('-A KUBE-SERVICES') && it.contains('--dport ') }[20] as int
        int late = lines.findLastIndexOf { it.startsWith('-A ') }
        lines[late] = lines[late].replace('-j ', '-m mark --mark 0xZZ -j ')
        lines[early] = lines[early].replaceFirst(/--dport \d+/, '--dport 8o')
        assert lines[early].contains('8o') && lines[late].contains('0xZZ') && late - early > 20000

        when:
        parse(lines.join('\n') + '\n')

        then:
        ParseException e = thrown()
        e.line() == early + 1
        e.token() == '8o'
    }

    static Ip ip(String s) {
        Ip.parse(s)
    }

    static io.skoop.netstack.netfilter.AddressMask addr(String s) {
        def p = io.skoop.model.Prefix.parse(s)
        new io.skoop.netstack.netfilter.AddressMask(p.address(), io.skoop.netstack.netfilter.AddressMask.maskOf(p.length(), p.isV6()))
    }
}
