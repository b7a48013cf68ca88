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
        out.contains('ROUTING      (input route: dev cni0 (10.244.1.5 from 192.168.1.20 dev cni0 iif eth0))')
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
        json.branches[0].steps.find { it.step == 'rule' && it.origin == [world: 'iptables', table: 'filter', chain: 'FORWARD', rule: 5] }.result == 'MATCH'
        json.branches[0].steps*.step.containsAll(['routing', 'conntrack', 'rule', 'policy', 'confirm', 'verdict'])
        json.branches[0].steps.find { it.step == 'policy' }.chain.world == 'iptables'
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
        'no dump'        | ['/nonexistent', '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'forward'] || 'skoop: error: not a netns dump folder (no such directory): /nonexistent'
        'dir and example'| [DUMP, '--example', 'node1', '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'forward'] || 'skoop: error: give either DUMPDIR or --example, not both'
        'unknown example'| ['--example', 'nodeX', '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'forward'] || 'skoop: error: no embedded example \'nodeX\'; known: node1, default_client; did you mean \'node1\'?'
        'bad mark'       | [DUMP, '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'forward', '--mark', 'x'] || "skoop: error: --mark expects an unsigned 32-bit value (decimal or 0x hex), got 'x'"
        'bad ttl'        | [DUMP, '--packet', 'tcp 1.1.1.1:1 > 2.2.2.2:2', '--path', 'forward', '--ttl', '256'] || 'skoop: error: --ttl expects 0..255, got 256'
    }

    def "a dump that did not collect ip6tables refuses IPv6 traces instead of assuming no rules"() {
        given:
        def dir = java.nio.file.Files.createTempDirectory('dump')
        ['link.json', 'addr.json', 'route.json', 'rule.json', 'iptables.txt'].each {
            java.nio.file.Files.copy(java.nio.file.Path.of(DUMP, it), dir.resolve(it))
        }

        when:
        def (code, out, err) = run(dir.toString(), '--packet', 'tcp [fd00::1]:1 > [fd00::2]:2', '--path', 'forward')

        then:
        code == 2
        err.trim() == "skoop: error: the IPv6 rules cannot be simulated: ${dir.resolve('ip6tables.txt')}: not in the dump (`ip6tables-save -c` was not collected)"

        cleanup:
        dir.toFile().deleteDir()
    }

    def "--ttl: a forwarded packet arriving with TTL 1 is not forwarded (ip_forward), with 2 it is"() {
        when:
        def (code, out, err) = run(DUMP, '--packet', 'tcp 192.168.1.20:40000 > 10.244.1.5:8080', '--path', 'forward', '--iif', 'eth0',
                '--ttl', ttl)

        then:
        code == exit
        out.readLines().last() == last

        where:
        ttl || exit | last
        '1' || 1    | 'verdict: ROUTE_ERROR  ROUTE_ERROR 1.000000'
        '2' || 0    | 'verdict: FORWARDED  FORWARDED 1.000000'
    }

    def "the embedded example needs no dump folder"() {
        when:
        def (code, out, err) = run('--example', 'node1', '--path', 'forward', '--iif', 'cni0', '--packet', 'tcp 10.244.1.5:40000 > 10.96.0.10:80')

        then:
        code == 0
        out.contains('DNAT --to-destination 10.244.1.7:8080')
        out.contains('DNAT --to-destination 10.244.2.7:8080')
        out.contains('via flannel.1')
        out.readLines().last() == 'verdict: FORWARDED  FORWARDED 1.000000'
    }

    def "nftables tables the simulator does not run make the answer UNKNOWN (exit 1), never silently complete"() {
        given:
        def dir = java.nio.file.Files.createTempDirectory('dump')
        ['link.json', 'addr.json', 'route.json', 'rule.json', 'sysctl.txt', 'iptables.txt'].each {
            java.nio.file.Files.copy(java.nio.file.Path.of(DUMP, it), dir.resolve(it))
        }
        java.nio.file.Files.writeString(dir.resolve('nft.json'), '{"nftables": [{"table": {"family": "bridge", "name": "filter", "handle": 1}}, '
                + '{"chain": {"family": "bridge", "table": "filter", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": -200, "policy": "accept"}}]}')

        when:
        def (code, out, err) = run(dir.toString(), '--packet', 'tcp 192.168.1.20:40000 > 10.244.1.5:8080', '--path', 'forward', '--iif', 'eth0')

        then:
        code == 1
        out.readLines().last() == 'UNKNOWN: nftables tables skoop does not simulate (bridge, arp, netdev families; ingress hooks) also see these packets: bridge filter (hooks forward) — the verdict above covers iptables and the ip, ip6 and inet nftables tables only'

        cleanup:
        dir.toFile().deleteDir()
    }

    def "an inet table's forward chain is traced with iptables: its drop rule decides, named by handle"() {
        given:
        def dir = java.nio.file.Files.createTempDirectory('dump')
        ['link.json', 'addr.json', 'route.json', 'rule.json', 'sysctl.txt', 'iptables.txt'].each {
            java.nio.file.Files.copy(java.nio.file.Path.of(DUMP, it), dir.resolve(it))
        }
        // as nft -j prints: table inet kube-proxy { chain filter-forward { type filter hook forward priority -110; tcp dport 8080 drop } }
        java.nio.file.Files.writeString(dir.resolve('nft.json'), '{"nftables": [{"table": {"family": "inet", "name": "kube-proxy", "handle": 1}}, '
                + '{"chain": {"family": "inet", "table": "kube-proxy", "name": "filter-forward", "handle": 1, "type": "filter", "hook": "forward", "prio": -110, "policy": "accept"}}, '
                + '{"rule": {"family": "inet", "table": "kube-proxy", "chain": "filter-forward", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}, {"drop": null}]}}]}')

        when:
        def (code, out, err) = run(dir.toString(), '--packet', 'tcp 192.168.1.20:40000 > 10.244.1.5:8080', '--path', 'forward', '--iif', 'eth0')

        then: 'the packet does not pass: exit 1'
        code == 1
        out.contains('MATCH       FORWARD inet kube-proxy filter-forward handle 2  tcp dport 8080 drop')
        out.readLines().last().startsWith('verdict: DROP')

        cleanup:
        dir.toFile().deleteDir()
    }
}
