package io.skoop.netstack.netfilter.kernel

import static io.skoop.netstack.netfilter.kernel.LabTopology.*

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.model.Protocol
import io.skoop.netstack.NetNS
import io.skoop.netstack.netfilter.kernel.KernelObservation.Verdict
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement
import io.skoop.testsupport.KernelLab

import java.nio.file.Files
import java.nio.file.Path
import java.util.regex.Matcher

/**
 * The kernel as judge for netfilter: four {@link KernelLab} namespaces wired as
 * {@link LabTopology} describes ({@code client — router — server1 / server2}), a ruleset loaded
 * with {@code iptables-restore} (and its ipsets with {@code ipset restore}) into the namespace of
 * a {@link Placement}, and one real probe per {@link #observe(Packet)}: a TCP connect (socat,
 * 0.3 s connect timeout, one SYN) or one UDP datagram from the client.
 *
 * <p>Before each probe the counters of mangle/nat/filter are zeroed ({@code iptables -Z}) and
 * conntrack is flushed in every namespace; after it {@code iptables-save -c} gives the rule and
 * policy counters, {@code conntrack -L} the NAT'd tuple and whether the ruleset's namespace let
 * the packet through (see {@link KernelObservation}). Harness-owned rules live in the raw table
 * only (the rulesets never touch it; its PREROUTING rule hits and all policies are reported like
 * the ruleset's, since the simulator sees the raw table too): a rule that makes every namespace track connections
 * ({@code -m conntrack} registers conntrack with the netns), counters for ICMP errors and TCP
 * resets arriving at the client, and on the router and servers when they do not hold the ruleset
 * an OUTPUT DROP (their forwarding is untouched), so
 * that no reply (RST, ICMP port unreachable) crosses the ruleset's namespace and adds counts that
 * do not belong to the probe.
 *
 * <p>Safety (DESIGN.md §7): namespaces carry the KernelLab prefix, nothing connects to the root
 * namespace, probes are single packets with sub-second timeouts, {@link #close()} deletes
 * everything this lab made. Needs root.
 */
class NetfilterLab implements AutoCloseable {

    final KernelLab lab = new KernelLab()
    final String client, router, server1, server2
    private Placement placement
    /** true after {@link #loadNft}: the placement's namespace holds the nft table {@code sknft}, whose counters are read too */
    private boolean nft

    NetfilterLab() {
        try {
            client = lab.netns('client')
            router = lab.netns('router')
            server1 = lab.netns('server1')
            server2 = lab.netns('server2')
            veth(client, CLIENT_DEV, router, ROUTER_CLIENT_DEV)
            veth(router, ROUTER_S1_DEV, server1, SERVER1_DEV)
            veth(router, ROUTER_S2_DEV, server2, SERVER2_DEV)
            ip(client, 'addr', 'add', '10.11.0.2/24', 'dev', CLIENT_DEV)
            ip(client, 'addr', 'add', '10.244.0.2/24', 'dev', CLIENT_DEV)
            ip(client, 'route', 'add', 'default', 'via', ROUTER_C.toString())
            ip(router, 'addr', 'add', '10.11.0.1/24', 'dev', ROUTER_CLIENT_DEV)
            ip(router, 'addr', 'add', '10.244.0.1/24', 'dev', ROUTER_CLIENT_DEV)
            ip(router, 'addr', 'add', '10.12.0.1/24', 'dev', ROUTER_S1_DEV)
            ip(router, 'addr', 'add', '10.13.0.1/24', 'dev', ROUTER_S2_DEV)
            SERVER1_LOCAL.each { ip(router, 'route', 'add', it.toString(), 'via', SERVER1.toString()) }
            (SERVER2_LOCAL + [SERVICE_CIDR]).each { ip(router, 'route', 'add', it.toString(), 'via', SERVER2.toString()) }
            ip(server1, 'addr', 'add', '10.12.0.2/24', 'dev', SERVER1_DEV)
            ip(server2, 'addr', 'add', '10.13.0.2/24', 'dev', SERVER2_DEV)
            SERVER1_LOCAL.each { ip(server1, 'route', 'add', 'local', it.toString(), 'dev', 'lo') }
            SERVER2_LOCAL.each { ip(server2, 'route', 'add', 'local', it.toString(), 'dev', 'lo') }
            ip(server1, 'route', 'add', 'default', 'via', ROUTER_S1.toString())
            ip(server2, 'route', 'add', 'default', 'via', ROUTER_S2.toString())
            for (String ns : [client, router, server1, server2]) {
                exec(ns, null, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0')
            }
            exec(router, null, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
        } catch (Throwable t) {
            lab.close()
            throw t
        }
    }

    private void veth(String ns1, String dev1, String ns2, String dev2) {
        exec(null, null, 'ip', 'link', 'add', dev1, 'netns', ns1, 'type', 'veth', 'peer', 'name', dev2, 'netns', ns2)
        ip(ns1, 'link', 'set', dev1, 'up')
        ip(ns2, 'link', 'set', dev2, 'up')
    }

    /**
     * Runs {@code cmd} (in namespace {@code ns} unless null) with {@code stdin} (may be null) and
     * returns [exit code, stdout, stderr]. Reads both streams to their end itself:
     * {@code KernelLab.runCmd} calls {@code consumeProcessOutput} and then
     * {@code waitForProcessOutput}, two readers racing on the same streams ("Stream closed"),
     * which can lose output.
     */
    static List run(String ns, String stdin, String... cmd) {
        List<String> full = ns == null ? (cmd as List) : ['ip', 'netns', 'exec', ns] + (cmd as List)
        def p = new ProcessBuilder(full as String[]).start()
        String err = ''
        def errReader = Thread.start { err = p.errorStream.getText('UTF-8') }
        def writer = Thread.start {
            p.outputStream.withWriter('UTF-8') { if (stdin != null) { it << stdin } }
        }
        String out = p.inputStream.getText('UTF-8')
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new IllegalStateException("timeout: ${full.join(' ')}")
        }
        writer.join()
        errReader.join()
        return [p.exitValue(), out, err]
    }

    /** Like {@link #run} but fails with stderr on a non-zero exit; returns stdout. */
    static String exec(String ns, String stdin, String... cmd) {
        def r = run(ns, stdin, cmd)
        if (r[0] != 0) {
            throw new IllegalStateException("${cmd.join(' ')}${ns ? ' in ' + ns : ''} failed (${r[0]}): ${r[2]}")
        }
        return r[1]
    }

    private static void ip(String ns, String... args) {
        exec(null, null, (['ip', '-n', ns] + (args as List)) as String[])
    }

    /** The namespace that holds rulesets of this placement. */
    String host(Placement p) {
        switch (p) {
            case Placement.FORWARD: return router
            case Placement.LOCAL_OUT: return client
            default: return server1
        }
    }

    /**
     * Loads {@code ruleset} (iptables-restore input for any of mangle, nat, filter) and
     * {@code ipsets} (ipset restore input, may be empty) into the placement's namespace, after
     * emptying mangle, nat, filter and the ipsets of every namespace.
     *
     * @return the ruleset as the kernel now holds it ({@code iptables-save}, no counters)
     * @throws IllegalStateException when iptables-restore or ipset refuses the input
     */
    String load(String ruleset, String ipsets, Placement p) {
        placement = p
        nft = false
        for (String ns : [client, router, server1, server2]) {
            for (String family : ['ip', 'inet']) {
                run(ns, null, 'nft', 'delete', 'table', family, 'sknft')
            }
        }
        String empty = '*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n' +
                '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n' +
                '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n'
        for (String ns : [client, router, server1, server2]) {
            exec(ns, empty, 'iptables-restore')
            exec(ns, null, 'ipset', 'destroy')
            boolean server = ns == server1 || ns == server2
            exec(ns, raw(ns == client, server || ns == router, ns == host(p)), 'iptables-restore')
        }
        String h = host(p)
        if (ipsets) {
            exec(h, ipsets, 'ipset', 'restore')
        }
        exec(h, ruleset, 'iptables-restore')
        return exec(h, null, 'iptables-save').readLines().findAll { !it.startsWith('#') }.join('\n') + '\n'
    }

    /**
     * Loads the nftables ruleset {@code nftText} ({@code nft -f} input defining the table {@code sknft} of family ip or
     * inet) into the placement's namespace, after loading {@code iptables} (iptables-restore input, may be empty) as
     * {@link #load} does
     * and deleting any earlier {@code sknft} table. From now on {@link #observe(Packet)} also reports the packet
     * counter deltas of the table's rules ({@code counter} statements), keyed {@code family sknft/chain#handle}.
     *
     * @return the table as the kernel now holds it ({@code nft -a list ruleset}, iptables-nft's tables left out)
     * @throws IllegalStateException when nft refuses the input
     */
    String loadNft(String nftText, Placement p, String iptables = '') {
        load(iptables, '', p)
        exec(host(p), nftText, 'nft', '-f', '-')
        nft = true
        String family = nftText.contains('table inet sknft') ? 'inet' : 'ip'
        return exec(host(p), null, 'nft', '-a', 'list', 'table', family, 'sknft')
    }

    /**
     * Packet counters of the rules of every table iptables-nft does not own ({@code nft -j list ruleset}), keyed
     * {@code family table/chain#handle}: the key the simulator's trace gives an nft rule.
     */
    static Map<String, Long> nftCounters(String ns) {
        def json = new groovy.json.JsonSlurper().parseText(exec(ns, null, 'nft', '-j', 'list', 'ruleset'))
        Map<String, Long> out = [:]
        json.nftables.each { item ->
            def r = item.rule
            if (r == null || (r.family in ['ip', 'ip6'] && r.table in ['raw', 'mangle', 'nat', 'filter', 'security'])) {
                return
            }
            def c = r.expr.find { it.counter != null }?.counter
            if (c instanceof Map) {
                out["${r.family} ${r.table}/${r.chain}#${r.handle}".toString()] = c.packets as long
            }
        }
        out
    }

    /**
     * Dumps the namespace that holds the loaded ruleset with {@code scripts/collect-netns.sh}
     * (run inside it, from the project root, the cwd of Maven tests) into {@code dir}, emptied
     * first, and opens the dump: links, addresses, routes, rules, sysctls, iptables (with the
     * harness's raw table, which the kernel runs too) and ipsets exactly as the kernel holds them.
     * The script's output goes to a file by the OS (no stream readers); it prints nothing on success.
     */
    NetNS collect(Path dir) {
        if (placement == null) {
            throw new IllegalStateException('load a ruleset first')
        }
        if (Files.exists(dir)) {
            dir.toFile().deleteDir()
        }
        Files.createDirectories(dir.parent)
        File log = dir.resolveSibling(dir.fileName.toString() + '.log').toFile()
        def p = new ProcessBuilder('ip', 'netns', 'exec', host(placement), 'bash', 'scripts/collect-netns.sh', dir.toString())
                .redirectErrorStream(true).redirectOutput(log).redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null'))).start()
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new IllegalStateException("timeout: collect-netns.sh in ${host(placement)}")
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("collect-netns.sh in ${host(placement)} failed (${p.exitValue()}): ${log.text}")
        }
        return NetNS.load(dir)
    }

    /**
     * The harness's raw table. A server or the router, when it does not hold the ruleset, sends
     * nothing of its own (it only forwards); the one that holds it only withholds the TCP resets
     * of its own stack (no listener):
     * they would end the connection's conntrack entry, which is the proof of delivery. Resets of
     * a REJECT target still leave: they carry the rejected packet's conntrack entry
     * ({@code nf_ct_attach} in {@code nf_send_reset}), so they are not INVALID in raw OUTPUT.
     */
    private static String raw(boolean client, boolean responder, boolean host) {
        StringBuilder sb = new StringBuilder('*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n')
        if (client) {
            sb << '-A PREROUTING -p icmp -m icmp --icmp-type 3\n'
            sb << '-A PREROUTING -p tcp -m tcp --tcp-flags RST RST\n'
        }
        sb << '-A PREROUTING -m conntrack --ctstate INVALID -m comment --comment "skoop lab: track connections in this netns"\n'
        if (responder && !host) {
            sb << '-A OUTPUT -j DROP\n'
        } else if (host && responder) {
            sb << '-A OUTPUT -p tcp -m tcp --tcp-flags RST RST -m conntrack --ctstate INVALID -j DROP\n'
        }
        sb << 'COMMIT\n'
        return sb.toString()
    }

    /**
     * Loads {@code ruleset} (no ipsets) for {@code placement} and observes one probe: the one-shot
     * form of {@link #load} + {@link #observe(Packet)}. Loading costs ~100 ms; to send several
     * packets through one ruleset, load once and observe each.
     */
    KernelObservation observe(String ruleset, Packet packet, Placement placement) {
        load(ruleset, '', placement)
        return observe(packet)
    }

    /** Sends {@code packet} from the client and reports what the ruleset's namespace did with it. */
    KernelObservation observe(Packet packet) {
        if (placement == null) {
            throw new IllegalStateException('load a ruleset first')
        }
        String h = host(placement)
        exec(h, null, 'sh', '-c', 'iptables -t mangle -Z && iptables -t nat -Z && iptables -t filter -Z')
        for (String ns : [client, router, server1, server2]) {
            exec(ns, null, 'sh', '-c', 'conntrack -F 2>/dev/null; iptables -t raw -Z')
        }
        Map<String, Long> nftBefore = nft ? nftCounters(h) : [:]
        String probeErr = probe(packet)
        List<String> save = exec(h, null, 'iptables-save', '-c').readLines()
        Map<String, Long> hits = [:], policies = [:]
        counters(save, hits, policies)
        if (nft) {
            nftCounters(h).each { k, v -> if (v - (nftBefore[k] ?: 0L) > 0) { hits[k] = v - (nftBefore[k] ?: 0L) } }
        }
        // the harness's raw OUTPUT rules see the servers' own replies, not the probe
        hits.keySet().removeIf { it.startsWith('raw/') && !it.startsWith('raw/PREROUTING#') }
        Map<String, Long> rawHits = [:], rawPol = [:]
        counters(exec(client, null, 'iptables-save', '-c', '-t', 'raw').readLines(), rawHits, rawPol)
        boolean rejected = (rawHits['raw/PREROUTING#1'] ?: 0) + (rawHits['raw/PREROUTING#2'] ?: 0) > 0
        String ct = conntrack(h).find { it.contains("src=${packet.src()} dst=${packet.dst()} sport=${packet.sport()} dport=${packet.dport()} ") }
        Verdict verdict = ct ? Verdict.ACCEPTED : rejected ? Verdict.REJECTED : Verdict.DROPPED
        Packet translated = null
        if (ct) {
            List<List<String>> t = []
            Matcher m = ct =~ /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/
            while (m.find()) {
                t << [m.group(1), m.group(2), m.group(3), m.group(4)]
            }
            def reply = t[1]
            translated = Packet.of(Ip.parse(reply[1]), reply[3] as int, Ip.parse(reply[0]), reply[2] as int, packet.protocol())
        }
        String delivered = conntrack(server1) ? 'server1' : conntrack(server2) ? 'server2' : null
        return new KernelObservation(packet, hits, policies, verdict, translated, delivered, ct ?: probeErr)
    }

    private List<String> conntrack(String ns) {
        def r = run(ns, null, 'conntrack', '-L')
        return (r[1] as String).readLines().findAll { it.trim() }
    }

    /** One TCP SYN (connect with 0.3 s timeout) or one UDP datagram from the client; returns the probe's stderr. */
    private String probe(Packet p) {
        String bind = "bind=${p.src()}:${p.sport()}"
        List r
        if (p.protocol() == Protocol.TCP) {
            r = run(client, null, 'timeout', '3', 'socat', '-T1', '/dev/null',
                    "TCP4:${p.dst()}:${p.dport()},${bind},connect-timeout=0.3,reuseaddr".toString())
        } else if (p.protocol() == Protocol.UDP) {
            r = run(client, null, 'sh', '-c', "echo skoop-probe | timeout 3 socat -u - UDP4-SENDTO:${p.dst()}:${p.dport()},${bind},reuseaddr; sleep 0.1".toString())
        } else {
            throw new IllegalArgumentException("probes are TCP or UDP, not ${p.protocol()}")
        }
        return (r[2] as String).trim()
    }

    /**
     * Reads {@code iptables-save -c} lines into rule hits ({@code table/CHAIN#n}) and base-chain
     * policy hits ({@code table/CHAIN}), keeping counts greater than 0.
     */
    static void counters(List<String> save, Map<String, Long> hits, Map<String, Long> policies) {
        String table = null
        Map<String, Integer> numbers = [:]
        for (String line : save) {
            if (line.startsWith('*')) {
                table = line.substring(1).trim()
                numbers.clear()
            } else if (line.startsWith(':')) {
                def m = line =~ /^:(\S+) (\S+) \[(\d+):(\d+)\]/
                if (m.find() && m.group(2) != '-' && (m.group(3) as long) > 0) {
                    policies["$table/${m.group(1)}".toString()] = m.group(3) as long
                }
            } else if (line.startsWith('[')) {
                def m = line =~ /^\[(\d+):(\d+)\] -A (\S+)/
                if (!m.find()) {
                    throw new IllegalStateException("unexpected iptables-save -c line: $line")
                }
                String chain = m.group(3)
                int n = numbers.merge(chain, 1, Integer::sum)
                long pk = m.group(1) as long
                if (pk > 0) {
                    hits["$table/$chain#$n".toString()] = pk
                }
            }
        }
    }

    @Override
    void close() {
        lab.close()
    }
}
