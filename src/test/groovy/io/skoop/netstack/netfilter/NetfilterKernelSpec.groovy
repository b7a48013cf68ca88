package io.skoop.netstack.netfilter

import io.skoop.model.Packet
import io.skoop.netstack.parse.IptablesSaveParser
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * The kernel judges the simulator: a real UDP datagram is sent through a lab node
 * namespace whose rules count in every built-in chain of every table, plus DNAT,
 * MASQUERADE, MARK and decoy rules; the rules whose packet counters moved
 * ({@code iptables-save -c}) must be exactly the rules the simulator says matched, and the
 * simulated translation (original and reply tuples) must be what conntrack recorded.
 *
 * <pre>
 *   client (10.0.1.2) ── c0 10.0.1.1 [node] s0 10.0.2.1 ── server (10.0.2.2)
 * </pre>
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class NetfilterKernelSpec extends Specification {
    @Shared KernelLab lab = new KernelLab()
    @Shared String client, node, server
    /** bridge namespace: br0 with ports va (to ns ba, 10.0.3.2) and vb (to ns bb, 10.0.3.3) */
    @Shared String bridge, ba, bb

    static final List<String> TABLES = ['raw', 'mangle', 'nat', 'filter', 'security']

    static String rules() {
        Map<String, List<String>> t = [:]
        Rules.BUILTIN.each { table, chains -> t[table] = chains.collect { "-A $it -p udp -m comment --comment \"$table $it\"".toString() } }
        t.nat += ['-A PREROUTING -d 10.96.0.10/32 -p udp -m udp --dport 80 -j DNAT --to-destination 10.0.2.2:8080',
                  '-A PREROUTING -d 10.96.0.11/32 -p udp -j DNAT --to-destination 10.0.2.9',
                  '-A POSTROUTING -o s0 -m mark --mark 0x4000/0x4000 -j MASQUERADE',
                  '-A OUTPUT -d 10.96.0.12/32 -p udp -j DNAT --to-destination 127.0.0.1:7',
                  '-A PREROUTING -p udp -m udp --dport 5555 -j REDIRECT --to-ports 9',
                  '-A POSTROUTING -s 10.0.1.0/24 -o s0 -p udp -m udp --dport 9 -j SNAT --to-source 10.0.2.1:2000']
        t.raw += ['-A PREROUTING -p udp -m udp --dport 7777 -j NOTRACK']
        t.mangle += ['-A PREROUTING -i c0 -p udp -m udp --dport 80 -j MARK --set-xmark 0x4000/0x4000',
                     '-A POSTROUTING -p udp -m physdev ! --physdev-out veth2',
                     '-A INPUT -p udp -m pkttype --pkt-type unicast', '-A OUTPUT -p udp -m pkttype --pkt-type unicast',
                     '-A FORWARD -p udp -m pkttype ! --pkt-type unicast',
                     '-A POSTROUTING -p udp -m physdev --physdev-is-bridged',
                     '-A FORWARD -p udp -m udp --dport 6464 -j TTLFWD',  // before CHECK drops it
                     '-A FORWARD -p udp -m mark ! --mark 0x4000/0x4000 -j CHECK',
                     '-A CHECK -m conntrack --ctstate ESTABLISHED --ctdir REPLY -j RETURN',
                     '-A CHECK -p udp -m udp --dport 9 -j RETURN', '-A CHECK -p udp -j DROP',
                     // the TTL each hook sees: as sent in PREROUTING, decremented before FORWARD (only port 6464 gets here)
                     '-A PREROUTING -p udp -m udp --dport 6464 -j TTLPRE',
                     '-A TTLPRE -m ttl --ttl-eq 64', '-A TTLPRE -m ttl --ttl-lt 3', '-A TTLPRE -m ttl ! --ttl-eq 1',
                     '-A TTLPRE -m ttl --ttl-gt 1', '-A TTLFWD -m ttl --ttl-eq 63', '-A TTLFWD -m ttl --ttl-eq 64',
                     '-A TTLFWD -m ttl --ttl-lt 2', '-A TTLFWD -m ttl --ttl-gt 62']
        t.filter = [':FORWARD DROP'] + t.filter + ['-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT',
                                                   '-A FORWARD -s 10.0.1.0/24 -p udp -m udp --dport 9 -j ACCEPT',
                                                   '-A INPUT -s 10.9.9.9/32 -j DROP',
                                                   '-A INPUT -m state --state UNTRACKED -j ACCEPT',
                                                   '-A INPUT -p udp -j JUMPER',
                                                   '-A JUMPER -p udp -g GOTO1', '-A JUMPER -p udp -j DROP',
                                                   '-A GOTO1 -p udp -m udp --dport 9 -j RETURN', '-A GOTO1 -j ACCEPT',
                                                   '-A INPUT -m addrtype --dst-type LOCAL -p udp -j ACCEPT']
        Rules.dump(t)
    }

    def setupSpec() {
        (client, node, server) = lab.line('cli', 'node', 'srv')
        lab.exec(node, 'ip', 'route', 'add', 'default', 'via', '10.0.2.2')
        lab.execInput(node, rules(), 'iptables-restore')
        // IPv6 on the same links (nodad: usable at once)
        [[client, 'eth0', 'fd00:1::2/64'], [node, 'c0', 'fd00:1::1/64'], [node, 's0', 'fd00:2::1/64'], [server, 'eth0', 'fd00:2::2/64']].each { ns, dev, a ->
            lab.exec(ns, 'ip', '-6', 'addr', 'add', a, 'dev', dev, 'nodad')
        }
        lab.exec(client, 'ip', '-6', 'route', 'add', 'default', 'via', 'fd00:1::1')
        lab.exec(server, 'ip', '-6', 'route', 'add', 'default', 'via', 'fd00:2::1')
        lab.exec(node, 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1')
        lab.execInput(node, rules6(), 'ip6tables-restore')

        bridge = lab.netns('br')
        ba = lab.netns('ba')
        bb = lab.netns('bb')
        lab.exec(bridge, 'ip', 'link', 'add', 'br0', 'type', 'bridge')
        lab.exec(bridge, 'ip', 'link', 'set', 'br0', 'up')
        KernelLab.sh('ip', '-n', bridge, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ba)
        KernelLab.sh('ip', '-n', bridge, 'link', 'add', 'vb', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', bb)
        ['va', 'vb'].each { lab.exec(bridge, 'ip', 'link', 'set', it, 'master', 'br0', 'up') }
        [[ba, '10.0.3.2/24'], [bb, '10.0.3.3/24']].each { ns, a ->
            lab.exec(ns, 'ip', 'addr', 'add', a, 'dev', 'eth0')
            lab.exec(ns, 'ip', 'link', 'set', 'eth0', 'up')
        }
        lab.exec(bridge, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1')
        lab.execInput(bridge, bridgeRules(), 'iptables-restore')
    }

    /** IPv6: counting rules in every chain, a ClusterIP-like DNAT and MASQUERADE. */
    static String rules6() {
        Map<String, List<String>> t = [:]
        Rules.BUILTIN.each { table, chains -> t[table] = chains.collect { "-A $it -p udp -m comment --comment \"$table $it\"".toString() } }
        t.nat += ['-A PREROUTING -d fd00:96::10/128 -p udp -m udp --dport 80 -j DNAT --to-destination [fd00:2::2]:8080',
                  '-A POSTROUTING -s fd00:1::/64 -o s0 -j MASQUERADE']
        t.filter = [':FORWARD DROP'] + t.filter + ['-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT',
                                                   '-A FORWARD -s fd00:1::/ffff:ffff:ffff:ffff:: -p udp -j ACCEPT']
        Rules.dump(t)
    }

    /** Counting rules in every chain plus physdev rules, for bridged traffic. */
    static String bridgeRules() {
        Map<String, List<String>> t = [:]
        Rules.BUILTIN.each { table, chains -> t[table] = chains.collect { "-A $it -p udp -m comment --comment \"$table $it\"".toString() } }
        t.mangle += ['-A PREROUTING -p udp -m physdev --physdev-in va', '-A PREROUTING -p udp -m physdev --physdev-is-bridged',
                     '-A POSTROUTING -p udp -m physdev --physdev-out vb --physdev-is-bridged', '-A POSTROUTING -p udp -m physdev ! --physdev-is-out']
        t.filter = [':FORWARD DROP'] + t.filter + ['-A FORWARD -i br0 -o br0 -p udp -m physdev --physdev-in va --physdev-out vb --physdev-is-bridged -j ACCEPT']
        Rules.dump(t)
    }

    def cleanupSpec() {
        lab.close()
    }

    FakeRouting nodeRouting() {
        new FakeRouting().addr('c0', '10.0.1.1/24').addr('s0', '10.0.2.1/24').addr('lo', '127.0.0.1/8').route('0.0.0.0/0', 's0', '10.0.2.2')
    }

    /**
     * stdout of a command in a namespace, read to EOF before returning (KernelLab.exec may
     * return before its output-consumer threads finished: iptables-save output came back truncated).
     */
    static String capture(String ns, String... cmd) {
        def p = new ProcessBuilder((['ip', 'netns', 'exec', ns] + (cmd as List)) as String[]).redirectErrorStream(false).start()
        def err = new StringBuilder()
        Thread t = Thread.start { err << p.errorStream.text }
        String out = p.inputStream.text
        p.waitFor()
        t.join()
        if (p.exitValue() != 0) {
            throw new IllegalStateException("${cmd.join(' ')} in $ns failed (${p.exitValue()}): $err")
        }
        out
    }

    /** Zero the counters, send one datagram from {@code ns}, return the node's rules whose counters moved. */
    List<String> kernelMatched(String ns, String dst, int sport, boolean flushConntrack = true, String router = node, String socketOptions = '') {
        TABLES.each { lab.exec(router, 'iptables', '-t', it, '-Z') }
        if (flushConntrack) {
            lab.run(router, 'conntrack', '-F')
        }
        lab.execInput(ns, 'x\n', 'timeout', '2', 'socat', '-u', '-', "UDP4-SENDTO:$dst,sourceport=$sport$socketOptions".toString())
        Thread.sleep(200)
        Ruleset after = IptablesSaveParser.parse('iptables.txt', capture(router, 'iptables-save', '-c'), false)
        TABLES.collectMany { t -> after.table(t).chains().values().collectMany { c -> c.rules().findAll { it.counters().packets() > 0 }.collect { it.ref() } } }.sort()
    }

    /** The node's conntrack entry of the datagram as [original, reply] in Tuple's notation. */
    List<String> kernelConntrack(int sport, String router = node) {
        String line = capture(router, 'conntrack', '-L', '-p', 'udp', '--orig-port-src', sport as String).readLines().find { it.startsWith('udp') }
        def v = { String k -> (line =~ /\b$k=(\S+)/).collect { it[1] } }
        def (src, dst, sp, dp) = [v('src'), v('dst'), v('sport'), v('dport')]
        (0..1).collect { i -> "udp ${src[i]}:${sp[i]} > ${dst[i]}:${dp[i]}".toString() }
    }

    TraceResult simulate(TraceRequest req, String router = node) {
        Ruleset rules = IptablesSaveParser.parse('iptables.txt', capture(router, 'iptables-save'), false)
        new NetfilterSimulator(rules, Ruleset.empty(true), router == node ? nodeRouting() : new FakeRouting(), SetMembership.NONE).trace(req)
    }

    def "#scenario: the rules the simulator matches are the rules whose kernel counters moved"() {
        when:
        List<String> kernel = kernelMatched(from, dst, sport)
        TraceResult r = simulate(req)

        then:
        r.branches().size() == 1
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort() == kernel
        r.branches()[0].verdict() == verdict
        r.branches()[0].packet().toString() == after
        kernelConntrack(sport) == [r.branches()[0].conntrack().original().toString(), r.branches()[0].conntrack().reply().toString()]

        where:
        scenario                        | from   | dst               | sport || req                                                                                                      | verdict                  | after
        'forward with DNAT + MASQUERADE' | client | '10.96.0.10:80'   | 40001 || TraceRequest.of(Packet.parse('udp 10.0.1.2:40001 > 10.96.0.10:80'), Path.FORWARD).withIif('c0')          | FinalVerdict.FORWARDED   | 'udp 10.0.2.1:40001 > 10.0.2.2:8080 mark 0x4000'
        'forward with SNAT'             | client | '10.0.2.2:9'      | 40002 || TraceRequest.of(Packet.parse('udp 10.0.1.2:40002 > 10.0.2.2:9'), Path.FORWARD).withIif('c0')             | FinalVerdict.FORWARDED   | 'udp 10.0.2.1:2000 > 10.0.2.2:9'
        'REDIRECT to the input device'  | client | '10.0.2.2:5555'   | 40006 || TraceRequest.of(Packet.parse('udp 10.0.1.2:40006 > 10.0.2.2:5555'), Path.FORWARD).withIif('c0')          | FinalVerdict.DELIVERED   | 'udp 10.0.1.2:40006 > 10.0.1.1:9'
        'local-in, jump + goto + RETURN' | client | '10.0.1.1:9'     | 40003 || TraceRequest.of(Packet.parse('udp 10.0.1.2:40003 > 10.0.1.1:9'), Path.LOCAL_IN).withIif('c0')            | FinalVerdict.DELIVERED   | 'udp 10.0.1.2:40003 > 10.0.1.1:9'
        'local-out'                     | node   | '10.0.2.2:9'      | 40004 || TraceRequest.of(Packet.parse('udp 10.0.2.1:40004 > 10.0.2.2:9'), Path.LOCAL_OUT)                         | FinalVerdict.SENT        | 'udp 10.0.2.1:40004 > 10.0.2.2:9'
        'local-out DNAT to loopback'    | node   | '10.96.0.12:5'    | 40005 || TraceRequest.of(Packet.parse('udp 10.0.2.1:40005 > 10.96.0.12:5'), Path.LOCAL_OUT)                       | FinalVerdict.DELIVERED   | 'udp 10.0.2.1:40005 > 127.0.0.1:7'
    }

    def "-m ttl, TTL #ttl: PREROUTING sees it as sent, FORWARD one less, and at 1 it is not forwarded — as the kernel counts it"() {
        when:
        List<String> kernel = kernelMatched(client, '10.0.2.2:6464', sport, true, node, ",ttl=$ttl")
        TraceResult r = simulate(TraceRequest.of(Packet.parse("udp 10.0.1.2:$sport > 10.0.2.2:6464").withTtl(ttl), Path.FORWARD).withIif('c0'))

        then:
        r.branches().size() == 1
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort() == kernel
        kernel.findAll { it.contains('/TTL') } == ttlRules
        r.branches()[0].verdict() == verdict
        r.branches()[0].packet().ttl() == after

        where:
        ttl | sport || verdict                  | after | ttlRules
        64  | 40060 || FinalVerdict.DROP        | 63    | ['mangle/TTLFWD#1', 'mangle/TTLFWD#4', 'mangle/TTLPRE#1', 'mangle/TTLPRE#3', 'mangle/TTLPRE#4']
        2   | 40061 || FinalVerdict.DROP        | 1     | ['mangle/TTLFWD#3', 'mangle/TTLPRE#2', 'mangle/TTLPRE#3', 'mangle/TTLPRE#4']
        1   | 40062 || FinalVerdict.ROUTE_ERROR | 1     | ['mangle/TTLPRE#2']
    }

    def "the reply of the DNAT+MASQUERADE connection: ESTABLISHED, reverse NAT, the same rules count"() {
        given: 'the first packet went through and its conntrack entry was simulated'
        kernelMatched(client, '10.96.0.10:80', 40011)
        ConntrackEntry ct = simulate(TraceRequest.of(Packet.parse('udp 10.0.1.2:40011 > 10.96.0.10:80'), Path.FORWARD).withIif('c0')).branches()[0].conntrack()

        when: 'the server answers from the endpoint to the masqueraded source'
        List<String> kernel = kernelMatched(server, '10.0.2.1:40011', 8080, false)
        TraceResult r = simulate(TraceRequest.of(Packet.parse('udp 10.0.2.2:8080 > 10.0.2.1:40011'), Path.FORWARD).withIif('s0').withConntrack(ct))

        then:
        r.branches().size() == 1
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort() == kernel
        r.branches()[0].verdict() == FinalVerdict.FORWARDED
        r.branches()[0].device() == 'c0'
        r.branches()[0].packet().toString() == 'udp 10.96.0.10:80 > 10.0.1.2:40011'
    }

    def "NOTRACK in raw: untracked, the nat table is skipped, state UNTRACKED matches — as the kernel counts it"() {
        when:
        List<String> kernel = kernelMatched(client, '10.0.1.1:7777', 40007)
        TraceResult r = simulate(TraceRequest.of(Packet.parse('udp 10.0.1.2:40007 > 10.0.1.1:7777'), Path.LOCAL_IN).withIif('c0'))

        then:
        r.branches().size() == 1
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort() == kernel
        r.branches()[0].conntrack() == null
        r.branches()[0].verdict() == FinalVerdict.DELIVERED
        capture(node, 'conntrack', '-L', '-p', 'udp', '--orig-port-src', '40007').readLines().findAll { it.startsWith('udp') }.isEmpty()
    }

    def "bridged traffic (br_netfilter, bridge-nf-call-iptables=1): -i/-o are the bridge, physdev the ports; no rule needs conntrack, so none and no nat — as the kernel counts it"() {
        when:
        List<String> kernel = kernelMatched(ba, '10.0.3.3:9', 40031, true, bridge)
        TraceResult r = simulate(TraceRequest.of(Packet.parse('udp 10.0.3.2:40031 > 10.0.3.3:9'), Path.BRIDGE).withIif('br0').withPhysdev('va', 'vb'), bridge)

        then:
        r.branches().size() == 1
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort() == kernel
        kernel.contains('filter/FORWARD#2')
        r.branches()[0].verdict() == FinalVerdict.FORWARDED
        r.branches()[0].device() == 'vb'
        !kernel.any { it.startsWith('nat/') }
        r.branches()[0].conntrack() == null
        capture(bridge, 'conntrack', '-L', '-p', 'udp', '--orig-port-src', '40031').readLines().findAll { it.startsWith('udp') }.isEmpty()
    }

    def "bridged traffic once a rule needs conntrack: tracked, the nat table is traversed — as the kernel counts it"() {
        given: 'a conntrack match makes the namespace track connections'
        lab.exec(bridge, 'iptables', '-I', 'FORWARD', '1', '-p', 'udp', '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'new')

        when:
        List<String> kernel = kernelMatched(ba, '10.0.3.3:9', 40032, true, bridge)
        TraceResult r = simulate(TraceRequest.of(Packet.parse('udp 10.0.3.2:40032 > 10.0.3.3:9'), Path.BRIDGE).withIif('br0').withPhysdev('va', 'vb'), bridge)

        then:
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort() == kernel
        kernel.containsAll(['nat/PREROUTING#1', 'nat/POSTROUTING#1', 'filter/FORWARD#1'])
        kernelConntrack(40032, bridge) == [r.branches()[0].conntrack().original().toString(), r.branches()[0].conntrack().reply().toString()]

        cleanup:
        lab.exec(bridge, 'iptables', '-D', 'FORWARD', '1')
    }

    def "statistic nth: over #n new connections the kernel matches exactly n x the simulated branch probability"() {
        given:
        lab.exec(node, 'iptables', '-t', 'mangle', '-I', 'INPUT', '1', '-p', 'udp', '-m', 'udp', '--dport', '7000',
                '-m', 'statistic', '--mode', 'nth', '--every', '3', '--packet', '0', '-m', 'comment', '--comment', 'nth')
        lab.exec(node, 'iptables', '-t', 'mangle', '-Z')

        when:
        (1..n).each { lab.execInput(client, 'x\n', 'timeout', '2', 'socat', '-u', '-', "UDP4-SENDTO:10.0.1.1:7000,sourceport=${41000 + it}".toString()) }
        Thread.sleep(200)
        long counted = IptablesSaveParser.parse('iptables.txt', capture(node, 'iptables-save', '-c'), false).rule('mangle', 'INPUT', 1).counters().packets()
        TraceResult r = simulate(TraceRequest.of(Packet.parse('udp 10.0.1.2:41001 > 10.0.1.1:7000'), Path.LOCAL_IN).withIif('c0'))
        double p = r.branches().findAll { b -> b.matchedRules().any { it.table() == 'mangle' && it.chain() == 'INPUT' && it.origin().position() == 1 } }*.probability().sum() as double

        then:
        r.branches().size() == 2
        Math.abs(p - 1 / 3d) < 1e-12
        counted == Math.round(n * p)

        cleanup:
        lab.exec(node, 'iptables', '-t', 'mangle', '-D', 'INPUT', '1')

        where:
        n << [30]
    }

    def "IPv6 (ip6tables): #scenario — counters and conntrack tuples agree with the kernel"() {
        when:
        TABLES.each { lab.exec(node, 'ip6tables', '-t', it, '-Z') }
        lab.run(node, 'conntrack', '-F', '-f', 'ipv6')
        lab.execInput(client, 'x\n', 'timeout', '2', 'socat', '-u', '-', "UDP6-SENDTO:$dst,sourceport=$sport".toString())
        Thread.sleep(200)
        Ruleset after = IptablesSaveParser.parse('ip6tables.txt', capture(node, 'ip6tables-save', '-c'), true)
        List<String> kernel = TABLES.collectMany { t -> after.table(t).chains().values().collectMany { c -> c.rules().findAll { it.counters().packets() > 0 }.collect { it.ref() } } }.sort()
        def routing = new FakeRouting().addr('c0', 'fd00:1::1/64').addr('s0', 'fd00:2::1/64')
        TraceResult r = new NetfilterSimulator(Ruleset.empty(false), IptablesSaveParser.parse('ip6tables.txt', capture(node, 'ip6tables-save'), true),
                routing, SetMembership.NONE).trace(TraceRequest.of(Packet.parse(packet), Path.FORWARD).withIif('c0'))
        String ct = capture(node, 'conntrack', '-L', '-f', 'ipv6', '-p', 'udp', '--orig-port-src', sport as String).readLines().find { it.startsWith('udp') }
        def v = { String k -> (ct =~ /\b$k=(\S+)/).collect { it[1] } }

        then:
        r.branches().size() == 1
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort() == kernel
        r.branches()[0].verdict() == FinalVerdict.FORWARDED
        r.branches()[0].packet().toString() == after6
        (0..1).collect { i -> "udp [${v('src')[i]}]:${v('sport')[i]} > [${v('dst')[i]}]:${v('dport')[i]}".toString() } ==
                [r.branches()[0].conntrack().original().toString(), r.branches()[0].conntrack().reply().toString()]

        where:
        scenario                   | dst                  | sport || packet                                       | after6
        'DNAT + MASQUERADE'        | '[fd00:96::10]:80'   | 40041 || 'udp [fd00:1::2]:40041 > [fd00:96::10]:80'    | 'udp [fd00:2::1]:40041 > [fd00:2::2]:8080'
        'plain forward'            | '[fd00:2::2]:9'      | 40042 || 'udp [fd00:1::2]:40042 > [fd00:2::2]:9'       | 'udp [fd00:2::1]:40042 > [fd00:2::2]:9'
    }
}
