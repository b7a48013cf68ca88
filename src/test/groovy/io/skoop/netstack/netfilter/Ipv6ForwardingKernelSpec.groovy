package io.skoop.netstack.netfilter

import io.skoop.model.Packet
import io.skoop.netstack.NetNS
import io.skoop.netstack.route.NetnsDumper
import io.skoop.testsupport.KernelLab
import java.nio.file.Files
import java.nio.file.Path as FilePath
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * The kernel judges IPv6 forwarding (issue 17): {@code client ── c0 [router] s0 ── server} over IPv6 only (fd00:1::/64,
 * fd00:2::/64, no DAD), the router's IPv6 forwarding sysctls set per row, a real TCP connection or a UDP datagram from
 * the client to a socat listener on the server; the router's dump ({@code scripts/collect-netns.sh}) traced on the
 * forward path — the request from c0 and, for TCP, the reply from s0 — must pass exactly when the kernel delivered.
 * ip6_forward checks {@code net.ipv6.conf.all.forwarding} or the input device's {@code force_forwarding}; a device's
 * own {@code forwarding} does not decide. Needs root: runs in CI; fails (does not skip) under CI without root.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root, iproute2 and socat')
class Ipv6ForwardingKernelSpec extends Specification {
    static final String SERVER = 'fd00:2::2'

    @Shared KernelLab lab = new KernelLab()
    @Shared List<String> ns

    def setupSpec() {
        ns = [lab.netns('c6'), lab.netns('r6'), lab.netns('s6')]
        ns.each { lab.exec(it, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0') }
        KernelLab.sh('ip', '-n', ns[1], 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[0])
        KernelLab.sh('ip', '-n', ns[1], 'link', 'add', 's0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[2])
        [[ns[0], 'eth0', 'fd00:1::2/64'], [ns[1], 'c0', 'fd00:1::1/64'], [ns[1], 's0', 'fd00:2::1/64'], [ns[2], 'eth0', "$SERVER/64"]].each { n, dev, a ->
            lab.exec(n, 'ip', 'addr', 'add', a as String, 'dev', dev)
            lab.exec(n, 'ip', 'link', 'set', dev, 'up')
        }
        lab.exec(ns[0], 'ip', '-6', 'route', 'add', 'default', 'via', 'fd00:1::1')
        lab.exec(ns[2], 'ip', '-6', 'route', 'add', 'default', 'via', 'fd00:2::1')
        lab.exec(ns[2], 'sh', '-c', 'socat TCP6-LISTEN:8080,reuseaddr,fork SYSTEM:"echo hi" >/dev/null 2>&1 & echo $!')
    }

    def cleanupSpec() {
        // the listeners: every process of the lab's namespaces (ip netns pids), before the namespaces go
        ns?.each { n -> KernelLab.runCmd('ip', 'netns', 'pids', n)[1].toString().readLines()*.trim().findAll { it }.each { KernelLab.runCmd('kill', it) } }
        lab.close()
    }

    /** The router's IPv6 forwarding sysctls: all, and per device forwarding / force_forwarding (absent: 0). */
    void router(Map<String, Integer> sysctls) {
        List<String> kv = ['all.forwarding', 'c0.forwarding', 's0.forwarding', 'c0.force_forwarding', 's0.force_forwarding'].collect {
            "net.ipv6.conf.$it=${sysctls[it] ?: 0}".toString()
        }
        lab.exec(ns[1], (['sysctl', '-qw'] + kv) as String[])
    }

    /** Whether the server got the client's TCP connection (answered) or UDP datagram. */
    boolean kernelDelivers(String proto, int port) {
        if (proto == 'tcp') {
            def r = lab.run(ns[0], 'timeout', '4', 'socat', '-T1', '-', "TCP6:[$SERVER]:8080,connect-timeout=1".toString())
            return r[1].toString().contains('hi')
        }
        FilePath got = Files.createTempFile('udp6', '.txt')
        lab.exec(ns[2], 'sh', '-c', "timeout 3 socat -u UDP6-RECV:$port - > $got 2>/dev/null & sleep 0.3".toString())
        lab.execInput(ns[0], 'x\n', 'socat', '-u', '-', "UDP6:[$SERVER]:$port".toString())
        sleep(600)
        return Files.readString(got).contains('x')
    }

    @Unroll
    def "#proto with #sysctls on the router: the kernel #outcome, the router's trace #traced"() {
        given:
        router(sysctls)
        NetNS r = NetNS.load(NetnsDumper.dump(lab, ns[1], Files.createTempDirectory('skoop-ipv6fwd')))
        Packet request = Packet.parse("$proto [fd00:1::2]:40000 > [$SERVER]:${proto == 'tcp' ? 8080 : port}")
        TraceBranch there = r.netfilter().trace(TraceRequest.of(request, Path.FORWARD).withIif('c0')).branches()[0]
        TraceBranch back = r.netfilter().trace(TraceRequest.of(Packet.parse("$proto [$SERVER]:8080 > [fd00:1::2]:40000"), Path.FORWARD)
                .withIif('s0')).branches()[0]

        expect:
        kernelDelivers(proto, port) == delivered
        // a TCP connection needs the reply forwarded too; a datagram only the request
        (there.verdict() == FinalVerdict.FORWARDED && (proto == 'udp' || back.verdict() == FinalVerdict.FORWARDED)) == delivered
        (there.verdict() == FinalVerdict.FORWARDED ? null : there.detail()) == requestDrop

        where:
        proto | port | sysctls                                                   || delivered | requestDrop
        'tcp' | 0    | ['all.forwarding': 1, 'c0.forwarding': 1, 's0.forwarding': 1] || true      | null
        'tcp' | 0    | ['all.forwarding': 1, 'c0.forwarding': 0, 's0.forwarding': 1] || true      | null
        'tcp' | 0    | [:]                                                       || false     | 'ip6_forward: net.ipv6.conf.all.forwarding = 0 and c0 has no force_forwarding: IPv6 packets are not forwarded'
        'tcp' | 0    | ['c0.forwarding': 1, 's0.forwarding': 1]                  || false     | 'ip6_forward: net.ipv6.conf.all.forwarding = 0 and c0 has no force_forwarding: IPv6 packets are not forwarded'
        'tcp' | 0    | ['c0.force_forwarding': 1, 's0.force_forwarding': 1]      || true      | null
        'tcp' | 0    | ['c0.force_forwarding': 1]                                || false     | null
        'udp' | 9301 | ['c0.force_forwarding': 1]                                || true      | null
        'udp' | 9302 | ['s0.force_forwarding': 1]                                || false     | 'ip6_forward: net.ipv6.conf.all.forwarding = 0 and c0 has no force_forwarding: IPv6 packets are not forwarded'

        outcome = delivered ? 'delivers' : 'does not deliver'
        traced = delivered ? 'passes' : 'stops'
    }

    /** One counter of the router's /proc/net/snmp6 ({@code Ip6InDiscards}, {@code Ip6InNoRoutes}). */
    long snmp6(String counter) {
        lab.exec(ns[1], 'cat', '/proc/net/snmp6').readLines().find { it.startsWith(counter + ' ') }.split(/\s+/)[1] as long
    }

    @Unroll
    def "disable_ipv6 on the router's #dev: the kernel counts #counter for the client's datagram, the trace #says"() {
        given: 'forwarding on; IPv6 off on one device (which flushes its addresses and routes)'
        router(['all.forwarding': 1])
        lab.exec(ns[1], 'sysctl', '-qw', "net.ipv6.conf.${dev}.disable_ipv6=1".toString())
        if (dev == 'c0') { // c0 has no address left: the client reaches it by a permanent neighbour entry
            String mac = new groovy.json.JsonSlurper().parseText(lab.exec(ns[1], 'ip', '-j', 'link', 'show', 'c0'))[0].address
            lab.exec(ns[0], 'ip', '-6', 'neigh', 'replace', 'fd00:1::1', 'lladdr', mac, 'dev', 'eth0', 'nud', 'permanent')
        }
        NetNS r = NetNS.load(NetnsDumper.dump(lab, ns[1], Files.createTempDirectory('skoop-ipv6off')))
        TraceBranch b = r.netfilter().trace(TraceRequest.of(Packet.parse("udp [fd00:1::2]:40000 > [$SERVER]:$port"), Path.FORWARD)
                .withIif('c0')).branches()[0]
        long before = snmp6(counter)

        expect:
        !kernelDelivers('udp', port)
        snmp6(counter) > before
        b.verdict() == FinalVerdict.ROUTE_ERROR
        b.detail().startsWith('ip6_rcv: ') == dropsOnInput
        !dropsOnInput || b.detail() == 'ip6_rcv: IPv6 is disabled on c0 (net.ipv6.conf.c0.disable_ipv6 = 1): the kernel drops the IPv6 packets it receives'

        where: 'in this order: s0 first (c0 keeps its address for the client), then c0'
        dev  | port | counter         || dropsOnInput
        's0' | 9303 | 'Ip6InNoRoutes' || false
        'c0' | 9304 | 'Ip6InDiscards' || true

        says = dropsOnInput ? 'names ip6_rcv' : 'finds no route'
    }
}
