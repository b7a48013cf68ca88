package io.skoop.netstack.netfilter

import io.skoop.model.Packet
import io.skoop.netstack.NetNS
import io.skoop.netstack.parse.IptablesSaveParser
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path as FsPath

/**
 * The kernel judges {@code -m rpfilter} (ipt_rpfilter.c), which every Calico node has in raw PREROUTING: datagrams
 * from a valid and from a spoofed source cross a router namespace whose raw and mangle PREROUTING count them with
 * rpfilter in each mode; the rules whose kernel counters moved must be exactly the rules the simulator — on the
 * router's dump written by collect-netns.sh, its Router answering the reverse lookups — says matched.
 *
 * <pre>
 *   cli (eth0 10.0.1.2, alias 10.9.9.9) ── c0 10.0.1.1 [rtr] s0 10.0.2.1 ── srv (10.0.2.2)
 *   rtr: 10.9.0.0/16 via 10.0.2.2 (so 10.9.9.9 is "behind s0"); fwmark 0x1 → table 100: 10.9.0.0/16 via 10.0.1.2 dev c0
 * </pre>
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2 (runs in CI)')
class RpfilterKernelSpec extends Specification {
    @Shared KernelLab lab = new KernelLab()
    @Shared String cli, rtr, srv
    @Shared NetNS dump
    @TempDir @Shared FsPath tmp

    static final String RULES = '''*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp -m rpfilter
-A PREROUTING -p udp -m rpfilter --loose
-A PREROUTING -p udp -m rpfilter --invert
-A PREROUTING -p udp -m rpfilter --loose --invert
-A PREROUTING -p udp -m rpfilter --accept-local
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 7 -j MARK --set-xmark 0x1/0xffffffff
-A PREROUTING -p udp -m rpfilter --validmark
-A PREROUTING -p udp -m rpfilter
COMMIT
'''

    def setupSpec() {
        (cli, rtr, srv) = lab.line('rpc', 'rpr', 'rps')
        lab.exec(cli, 'ip', 'addr', 'add', '10.9.9.9/32', 'dev', 'eth0')
        lab.exec(rtr, 'ip', 'route', 'add', '10.9.0.0/16', 'via', '10.0.2.2')
        lab.exec(rtr, 'ip', 'route', 'add', '10.9.0.0/16', 'via', '10.0.1.2', 'dev', 'c0', 'table', '100')
        lab.exec(rtr, 'ip', 'rule', 'add', 'fwmark', '0x1', 'lookup', '100', 'priority', '100')
        lab.execInput(rtr, RULES, 'iptables-restore')
        FsPath dir = tmp.resolve('rtr')
        def p = new ProcessBuilder('ip', 'netns', 'exec', rtr, 'bash', 'scripts/collect-netns.sh', dir.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve('collect.log').toFile()).start()
        assert p.waitFor() == 0
        dump = NetNS.load(dir)
    }

    def cleanupSpec() {
        lab.close()
    }

    /** Zero the counters, send one datagram from cli bound to {@code src}, return the router's rules whose counters moved. */
    List<String> kernelMatched(String src, String dst, int sport) {
        ['raw', 'mangle'].each { lab.exec(rtr, 'iptables', '-t', it, '-Z') }
        lab.execInput(cli, 'x\n', 'timeout', '2', 'socat', '-u', '-', "UDP4-SENDTO:$dst,bind=$src:$sport".toString())
        Thread.sleep(200)
        Ruleset after = IptablesSaveParser.parse('iptables.txt', NetfilterKernelSpec.capture(rtr, 'iptables-save', '-c'), false)
        ['raw', 'mangle'].collectMany { t -> after.table(t).chains().values().collectMany { c -> c.rules().findAll { it.counters().packets() > 0 }.collect { it.ref() } } }.sort()
    }

    def "#what: the rpfilter rules the simulator matches are those whose kernel counters moved"() {
        when:
        List<String> kernel = kernelMatched(src, dst, sport)
        TraceResult r = dump.trace(TraceRequest.of(Packet.parse("udp $src:$sport > $dst"), Path.FORWARD).withIif('c0'))
        List<String> simulated = r.branches()[0].matchedRules().findAll { it.table() in ['raw', 'mangle'] }
                .collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.sort()

        then:
        r.branches().size() == 1
        !kernel.isEmpty()
        simulated == kernel

        where:
        what                                              | src         | dst           | sport
        'a valid source'                                  | '10.0.1.2'  | '10.0.2.2:9'  | 41001
        'a source routed back by another device'          | '10.9.9.9'  | '10.0.2.2:9'  | 41002
        'the same, marked: --validmark looks up table 100' | '10.9.9.9'  | '10.0.2.2:7'  | 41003
    }
}
