package io.skoop.cli

import groovy.json.JsonSlurper
import spock.lang.Specification

class TraceCommandSpec extends Specification {
    static final String DUMP = 'src/test/resources/netstack/netfilter/dump-node'

    static List run(String... args) {
        def cl = SkoopCommand.commandLine()
        def out = new StringWriter(), err = new StringWriter()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int code = cl.execute((['netstack', 'trace'] + (args as List)) as String[])
        [code, out.toString(), err.toString()]
    }

    def "a forwarded packet to a pod: text trace with table/chain/rule lines and the verdict"() {
        when:
        def (code, out, err) = run(DUMP, '--packet', 'tcp 192.168.1.20:40000 > 10.244.1.5:8080', '--path', 'forward', '--iif', 'eth0')

        then:
        code == 0
        out.readLines()[0] == 'trace tcp 192.168.1.20:40000 > 10.244.1.5:8080 (forward iif eth0)'
        out.contains('MATCH       FORWARD filter FORWARD#4  -A FORWARD -s 10.244.0.0/16 -j ACCEPT') == false
        out.contains('MATCH       FORWARD filter FORWARD#5  -A FORWARD -d 10.244.0.0/16 -j ACCEPT')
        out.contains('input route: dev cni0 src 10.244.1.1 (connected subnet 10.244.1.0/24 (addr.json))')
        out.readLines().last() == 'verdict: FORWARDED  FORWARDED 1.000000'
        err.isEmpty()
    }

    def "a packet the FORWARD policy drops exits 1"() {
        when:
        def (code, out, err) = run(DUMP, '--packet', 'tcp 192.168.1.20:5000 > 192.168.1.30:53', '--path', 'forward', '--iif', 'eth0')

        then:
        code == 1
        out.contains('POLICY      FORWARD filter FORWARD -> DROP')
        // a routed packet has no bridge info: "! --physdev-out" matches (xt_physdev), the RETURN comes back to FORWARD
        out.contains('MATCH       FORWARD filter FORWARD#3  -A FORWARD -m physdev ! --physdev-out veth2 -j GOTO-TARGET')
        out.contains('MATCH       FORWARD filter GOTO-TARGET#3  -A GOTO-TARGET -j RETURN')
        out.readLines().last() == 'verdict: DROP  DROP 1.000000'
    }

    def "--reply also traces the reply of the forwarded packet"() {
        when:
        def (code, out, err) = run(DUMP, '--packet', 'tcp 192.168.1.20:40000 > 10.244.1.5:8080', '--path', 'forward', '--iif', 'eth0', '--reply')

        then:
        code == 0
        out.contains('reply: trace tcp 10.244.1.5:8080 > 192.168.1.20:40000 (forward iif cni0)')
        out.contains('existing connection, reply direction: ESTABLISHED')
        out.readLines().last() == 'verdict: FORWARDED  FORWARDED 1.000000'
    }

    def "--json prints the typed steps"() {
        when:
        def (code, out, err) = run(DUMP, '--packet', 'tcp 192.168.1.20:40000 > 10.244.1.5:8080', '--path', 'forward', '--iif', 'eth0', '--json')
        def json = new JsonSlurper().parseText(out)

        then:
        code == 0
        json.request.packet == 'tcp 192.168.1.20:40000 > 10.244.1.5:8080'
        json.branches.size() == 1
        json.branches[0].verdict == 'FORWARDED'
        json.branches[0].conntrack.original.src == '192.168.1.20'
        json.branches[0].steps.find { it.kind == 'RULE' && it.table == 'filter' && it.chain == 'FORWARD' && it.rule == 5 }.result == 'MATCH'
        json.branches[0].steps*.kind.containsAll(['ROUTING', 'CONNTRACK', 'RULE', 'POLICY', 'CONFIRM', 'VERDICT'])
    }

    def "bad input: #why"() {
        when:
        def (code, out, err) = run(args as String[])

        then:
        code == 2
        err.trim() == message

        where:
        why              | args                                                                     || message
        'bad path'       | [DUMP, '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'sideways']    || "skoop: error: unknown path 'sideways' (expected local-out, forward, local-in or bridge)"
        'bad packet'     | [DUMP, '--packet', 'tcp 1.1.1.1 > 2.2.2.2', '--path', 'forward']        || "skoop: error: missing port in '1.1.1.1' of 'tcp 1.1.1.1 > 2.2.2.2' (tcp needs ports)"
        'no dump'        | ['/nonexistent', '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'forward'] || 'skoop: error: not a dump folder: /nonexistent'
        'no ip6tables'   | [DUMP, '--packet', 'tcp [fd00::1]:1 > [fd00::2]:2', '--path', 'forward'] || "skoop: error: no ip6tables.txt in $DUMP"
        'bad mark'       | [DUMP, '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'forward', '--mark', 'x'] || "skoop: error: --mark expects an unsigned 32-bit value (decimal or 0x hex), got 'x'"
    }
}
