package io.skoop.netstack.route

import groovy.json.JsonSlurper
import io.skoop.cli.SkoopCommand
import io.skoop.netstack.parse.RoutingDump
import io.skoop.testsupport.KernelLab
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * The kernel judges the Router: random namespaces (veth pairs with peers inside the lab, a
 * bridge, a down veth, random routes in main/custom/local tables of every type incl. multipath
 * and onlink, random policy rules with every selector we model, rp_filter and forwarding
 * sysctls) are dumped with the dump-format commands, then thousands of random
 * {@code route-get --batch} answers (in-process CLI) are compared with {@code ip -j route get}
 * run inside the namespace: type, gateway, dev, prefsrc, table and errno.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class RouteGetKernelSpec extends Specification {
    static final int QUERIES = Integer.getInteger('skoop.route.queries', 1500)

    @Shared
    KernelLab lab = new KernelLab()

    def cleanupSpec() {
        lab.close()
    }

    def "route-get agrees with ip route get (seed #seed, ip_forward #forward, terminal rule actions #terminal)"() {
        given:
        def sc = new Scenario(lab, seed, forward, terminal)
        sc.build()
        Path dir = NetnsDumper.dump(lab, sc.ns, Files.createTempDirectory("skoop-route-$seed-"))
        List<String> queries = sc.queries(QUERIES)
        Path qfile = dir.resolve('queries.txt')
        Files.writeString(qfile, queries.join('\n') + '\n')

        when:
        List<Map> ours = runBatch(dir, qfile)
        List<String> theirs = kernel(sc.ns, qfile)
        List<String> bad = judge("route-get vs ip route get, seed $seed", "seed-${seed}", dir, queries, ours, theirs,
                "${ours.count { it.error }} errors, ${ours.count { it.multipath }} multipath, ${ours.count { it.iif }} input lookups, ${ours.count { it.dst.contains(':') }} IPv6")

        then:
        ours.size() == queries.size()
        theirs.size() == queries.size()
        bad.isEmpty()

        cleanup: 'keep the dump of a failing seed for inspection'
        keepIfFailed(dir, bad)

        where: 'seeds 1..7 by default; -Dskoop.route.seeds=8-40 explores more (odd seeds: forwarding on, seeds divisible by 3: no terminal rule actions)'
        [seed, forward, terminal] << seeds().collect { long s -> [s, s % 2 == 1 || s == 4, s % 3 != 0 || s < 6] }
    }

    static List<Long> seeds() {
        def (from, to) = System.getProperty('skoop.route.seeds', '1-7').split('-').collect { it as long }
        (from..to).collect { it as long }
    }

    // ---------------------------------------------------------------- running both sides

    static List<Map> runBatch(Path dir, Path qfile) {
        def sw = new StringWriter()
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(sw)
        cl.err = new PrintWriter(err)
        int rc = cl.execute('netstack', 'route-get', dir.toString(), '--batch', qfile.toString())
        assert rc == 0: err.toString()
        def slurper = new JsonSlurper()
        return sw.toString().readLines().findAll { it }.collect { slurper.parseText(it) as Map }
    }

    static List<String> kernel(String ns, Path qfile) {
        String script = 'while IFS= read -r q; do echo "@@"; ip -j route get $q 2>&1; done < "$1"; true'
        Path answers = qfile.resolveSibling('kernel-answers.txt')
        int rc = NetnsDumper.toFile(ns, ['sh', '-c', script, 'sh', qfile.toString()], answers)
        assert rc == 0
        String out = Files.readString(answers)
        def parts = out.split('@@\n', -1) as List
        return parts.drop(1).collect { it.trim() }
    }

    /**
     * Compares every answer with the kernel's, prints the report ({@code title: N queries, N agree, …; counts; by outcome})
     * and up to 15 disagreements, saves both in target/route-differential/{@code file}.txt; returns the disagreements.
     */
    static List<String> judge(String title, String file, Path dir, List<String> queries, List<Map> ours, List<String> theirs, String counts) {
        List<String> bad = []
        queries.eachWithIndex { q, i ->
            String why = KernelAnswer.disagreement(ours[i], theirs[i])
            if (why != null) {
                bad << explain(dir, q, ours[i], theirs[i], why)
            }
        }
        int agree = queries.size() - bad.size()
        String report = "$title: ${queries.size()} queries, $agree agree, ${bad.size()} disagree " +
                "(${String.format('%.2f', 100.0 * agree / queries.size())}%); $counts; by outcome: " +
                ours.countBy { (it.iif ? 'in ' : 'out ') + (it.error ?: it.type ?: 'unicast') }.sort()
        println report
        bad.take(15).each { println it }
        Path out = Path.of('target', 'route-differential')
        Files.createDirectories(out)
        Files.writeString(out.resolve("${file}.txt"), report + '\n' + bad.join('\n'))
        return bad
    }

    /** Deletes the dump of a seed that agreed; says where the dump of one that did not is. */
    static void keepIfFailed(Path dir, List<String> bad) {
        if (bad?.isEmpty()) {
            dir?.toFile()?.deleteDir()
        } else {
            println "dump kept in $dir"
        }
    }

    static String explain(Path dir, String q, Map o, String k, String why) {
        def router = RoutingDump.load(dir, sysctls(dir.resolve('sysctl.txt')))
        def r = router.lookup(RouteQuery.parse(q.split(/\s+/) as List))
        return "DISAGREE: ip route get $q\n  $why\n  kernel: $k\n  ours:   $o\n" + r.toString().readLines().collect { '    ' + it }.join('\n')
    }

    /** The few lines of sysctl.txt ({@code key = value}) the router needs. */
    static Map<String, String> sysctls(Path file) {
        Files.readAllLines(file).findAll { it.contains(' = ') }.collectEntries { l ->
            int eq = l.indexOf(' = ')
            [(l.substring(0, eq).trim()): l.substring(eq + 3).trim()]
        }
    }

    // ---------------------------------------------------------------- the random namespace

    static class Scenario {
        final KernelLab lab
        final long seed
        final boolean forward
        final boolean terminal
        final Random rnd
        String ns
        String peer
        /** device -> its /24 subnet's first three octets, e.g. e1 -> 10.1.0 */
        final Map<String, String> subnets = [e1: '10.1.0', e2: '10.2.0', e3: '10.3.0', br0: '10.4.0', e4: '10.5.0', e6: '10.6.0']
        final List<String> locals = []
        final List<String> prefixes = []
        final List<String> locals6 = []
        RandomIpv6 v6
        final List<Long> marks = [0x1L, 0x2L, 0x3L, 0x10L, 0x11L]
        final List<String> devices = ['e1', 'e2', 'e3', 'br0', 'e4', 'e6']

        Scenario(KernelLab lab, long seed, boolean forward, boolean terminal) {
            this.lab = lab
            this.seed = seed
            this.forward = forward
            this.terminal = terminal
            this.rnd = new Random(seed)
        }

        def <T> T pick(List<T> l) {
            l[rnd.nextInt(l.size())]
        }

        boolean chance(double p) {
            rnd.nextDouble() < p
        }

        void batch(List<String> cmds) {
            lab.execInput(ns, cmds.join('\n') + '\n', 'ip', '-batch', '-', '-force')
        }

        void batchLenient(List<String> cmds, String family = '-4') {
            def p = new ProcessBuilder('ip', 'netns', 'exec', ns, 'ip', family, '-batch', '-', '-force').redirectErrorStream(true).start()
            p.outputStream.withWriter { it << cmds.join('\n') + '\n' }
            p.inputStream.text
            p.waitFor()
        }

        void build() {
            ns = lab.netns("r$seed")
            peer = lab.netns("p$seed")
            // no DAD: the kernel's link-local addresses are usable at once (not tentative in the dump, then usable when
            // the kernel answers a moment later)
            lab.exec(ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0')
            // veths whose peers stay in the lab; x3 stays down so e3 has no carrier (linkdown)
            ['e1', 'e2', 'e3', 'e6'].each { d ->
                KernelLab.sh('ip', '-n', ns, 'link', 'add', d, 'type', 'veth', 'peer', 'name', 'x' + d.substring(1), 'netns', peer)
            }
            ['x1', 'x2', 'x6'].each { KernelLab.sh('ip', '-n', peer, 'link', 'set', it, 'up') }
            List<String> setup = [
                    'link add br0 type bridge', 'link add e4 type veth peer name e4p', 'link set e4p master br0',
                    'link set e1 up', 'link set e2 up', 'link set e3 up', 'link set e6 up', 'link set br0 up', 'link set e4 up',
                    'link set e4p up', 'link set e2 group 5',
            ]
            subnets.each { d, s ->
                setup << "addr add ${s}.1/24 dev $d".toString()
                locals << "${s}.1".toString()
            }
            ['e1': 1, 'e2': 2, 'e3': 3, 'br0': 4].each { d, n ->
                setup << "addr add 2001:db8:${n}::1/64 dev $d nodad".toString()
                locals6 << "2001:db8:${n}::1".toString()
            }
            setup << 'addr add 10.1.0.100/24 dev e1' // secondary
            setup << 'addr add 10.9.9.9/32 dev lo'
            setup << 'addr add 10.7.0.1/16 dev e2'
            locals.addAll(['10.1.0.100', '10.9.9.9', '10.7.0.1', '127.0.0.1'])
            batch(setup)
            sysctls()
            batchLenient(routes())
            // e6 goes down after routes were added through it: multipath nexthops become dead
            KernelLab.sh('ip', '-n', ns, 'link', 'set', 'e6', 'down')
            if (seed % 7 != 0) { // every 7th seed keeps the default rules: local and main stay merged (no fib_unmerge)
                batchLenient(rules())
            }
            batchLenient(routes6() + (seed % 7 != 0 ? rules6() : []), '-6')
        }

        /** IPv6 routes, rules and destinations (the v6 subnets of e1, e2, e3, br0). */
        RandomIpv6 v6() {
            if (v6 == null) {
                v6 = new RandomIpv6(rnd, ['e1': 1, 'e2': 2, 'e3': 3, 'br0': 4], marks)
            }
            return v6
        }

        List<String> routes6() {
            v6().routes(30 + rnd.nextInt(20), ['main', 'main', '100', '101'], 0, [])
        }

        List<String> rules6() {
            v6().rules(6, ['100', '101', 'main'], ['unreachable', 'prohibit', 'blackhole'])
        }

        String randomDst6() {
            v6().destination(locals6)
        }

        void sysctls() {
            List<String> kv = ["net.ipv4.ip_forward=${forward ? 1 : 0}".toString(), "net.ipv6.conf.all.forwarding=${forward ? 1 : 0}".toString(),
                               'net.ipv4.conf.all.rp_filter=0',
                               'net.ipv4.conf.default.rp_filter=0']
            devices.each { d -> kv << "net.ipv4.conf.${d}.rp_filter=${pick([0, 0, 1, 2])}".toString() }
            if (chance(0.5)) {
                kv << 'net.ipv4.conf.e4.accept_local=1'
            }
            if (chance(0.5)) {
                kv << 'net.ipv4.conf.e1.src_valid_mark=1'
            }
            if (chance(0.5)) {
                kv << 'net.ipv4.conf.e3.ignore_routes_with_linkdown=1'
            }
            if (!forward && chance(0.7)) {
                kv << 'net.ipv4.conf.e2.forwarding=1'
            }
            lab.exec(ns, (['sysctl', '-q', '-w'] + kv) as String[])
        }

        String randomPrefix() {
            int len = pick([0, 8, 12, 16, 16, 20, 24, 24, 24, 28, 30, 32, 32])
            long a = (10L << 24) | ((50 + rnd.nextInt(8)) << 16) | (rnd.nextInt(256) << 8) | rnd.nextInt(256)
            if (chance(0.1)) {
                a = (192L << 24) | (168L << 16) | (rnd.nextInt(256) << 8) | rnd.nextInt(256)
            }
            long mask = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL
            a &= mask
            String p = "${(a >> 24) & 255}.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}/$len"
            prefixes << p
            return p
        }

        String gw(String dev) {
            "${subnets[dev]}.${2 + rnd.nextInt(200)}"
        }

        List<String> routes() {
            List<String> out = []
            int n = 120 + rnd.nextInt(60)
            n.times {
                String table = pick(['main', 'main', '100', '101', '102'])
                String dst = randomPrefix()
                String metric = chance(0.4) ? " metric ${pick([10, 20, 100, 1024])}" : ''
                int kind = rnd.nextInt(100)
                String tail = " table $table$metric"
                if (kind < 8) {
                    out << "route add blackhole $dst$tail".toString()
                } else if (kind < 16) {
                    out << "route add unreachable $dst$tail".toString()
                } else if (kind < 24) {
                    out << "route add prohibit $dst$tail".toString()
                } else if (kind < 32) {
                    out << "route add throw $dst$tail".toString()
                } else if (kind < 42) {
                    def devs = [pick(devices), pick(devices)]
                    out << "route add $dst$tail nexthop via ${gw(devs[0])} dev ${devs[0]} weight ${1 + rnd.nextInt(3)} nexthop via ${gw(devs[1])} dev ${devs[1]} weight ${1 + rnd.nextInt(3)}".toString()
                } else if (kind < 46) {
                    out << "route add local $dst dev lo table ${pick(['local', '100'])}".toString()
                } else {
                    String dev = pick(devices)
                    String via = chance(0.7) ? " via ${gw(dev)}" : ''
                    String onlink = ''
                    if (via && chance(0.15)) {
                        via = " via 172.31.${rnd.nextInt(256)}.${1 + rnd.nextInt(250)}"
                        onlink = ' onlink'
                    }
                    String src = chance(0.15) ? " src ${pick(locals.findAll { it != '127.0.0.1' })}" : ''
                    out << "route add $dst$via dev $dev$onlink$tail$src".toString()
                }
            }
            if (chance(0.7)) {
                out << "route add default via ${gw('e1')} dev e1".toString()
            }
            return out
        }

        List<String> rules() {
            List<Integer> prios = (1..25).collect { 100 + rnd.nextInt(30000) }.unique().sort()
            List<String> out = []
            prios.eachWithIndex { prio, i ->
                StringBuilder sb = new StringBuilder("rule add pref $prio")
                if (chance(0.1)) {
                    sb << ' not'
                }
                if (chance(0.3)) {
                    sb << ' from ' << (chance(0.5) ? pick(prefixes) : "${subnets[pick(devices)]}.0/${pick([24, 25, 16])}")
                }
                if (chance(0.3)) {
                    sb << ' to ' << pick(prefixes)
                }
                if (chance(0.15)) {
                    sb << ' iif ' << pick(devices + ['lo'])
                }
                if (chance(0.1)) {
                    sb << ' oif ' << pick(devices)
                }
                if (chance(0.2)) {
                    sb << ' fwmark ' << pick(marks) << (chance(0.4) ? "/${pick(['0xff', '0xf0', '0x1'])}" : '')
                }
                if (chance(0.1)) {
                    sb << ' ipproto ' << pick(['tcp', 'udp']) << ' dport ' << pick(['80', '53', '1000-2000'])
                }
                int a = rnd.nextInt(100)
                if (!terminal && a >= 78) {
                    a = rnd.nextInt(78)
                }
                if (a < 65) {
                    sb << ' lookup ' << pick(['100', '101', '102', 'main', '103'])
                    if (chance(0.15)) {
                        sb << ' suppress_prefixlength ' << pick([0, 8, 16])
                    }
                } else if (a < 78) {
                    sb << ' goto ' << (i + 1 < prios.size() && chance(0.8) ? pick(prios.drop(i + 1)) : prio + 1)
                } else if (a < 83) {
                    sb << ' blackhole'
                } else if (a < 88) {
                    sb << ' unreachable'
                } else if (a < 93) {
                    sb << ' prohibit'
                } else {
                    sb << ' nop'
                }
                out << sb.toString()
            }
            return out
        }

        String randomHostIn(String prefix) {
            def (addr, len) = prefix.split('/')
            long a = addr.split('\\.').inject(0L) { acc, o -> (acc << 8) | (o as long) }
            int l = len as int
            long host = l == 32 ? 0 : (rnd.nextLong() & ((1L << (32 - l)) - 1))
            long v = a | host
            "${(v >> 24) & 255}.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}"
        }

        String randomDst() {
            int k = rnd.nextInt(100)
            if (k < 50 && prefixes) {
                return randomHostIn(pick(prefixes))
            } else if (k < 62) {
                return pick(locals + ['10.1.0.255', '10.4.0.255', '255.255.255.255', '127.0.0.5'])
            } else if (k < 80) {
                return "${subnets[pick(devices)]}.${2 + rnd.nextInt(253)}"
            }
            return "10.${rnd.nextInt(256)}.${rnd.nextInt(256)}.${1 + rnd.nextInt(254)}"
        }

        List<String> queries(int n) {
            List<String> out = []
            n.times {
                if (chance(0.2)) {
                    StringBuilder q6 = new StringBuilder(randomDst6())
                    if (chance(0.35)) { // input
                        q6 << ' from ' << (chance(0.7) ? randomDst6() : pick(locals6)) << ' iif ' << pick(['e1', 'e2', 'e3', 'br0'])
                    } else {
                        if (chance(0.3)) {
                            q6 << ' from ' << pick(locals6)
                        }
                        if (chance(0.15)) {
                            q6 << ' oif ' << pick(['e1', 'e2', 'br0'])
                        }
                    }
                    if (chance(0.3)) {
                        q6 << ' mark ' << pick(marks)
                    }
                    out << q6.toString()
                    return
                }
                StringBuilder q = new StringBuilder(randomDst())
                if (chance(0.5)) { // output
                    if (chance(0.3)) {
                        q << ' from ' << (chance(0.85) ? pick(locals.findAll { it != '127.0.0.1' }) : randomDst())
                    }
                    if (chance(0.15)) {
                        q << ' oif ' << pick(devices.findAll { it != 'e6' })
                    }
                } else { // input
                    String src = chance(0.1) ? pick(locals) : chance(0.5) ? randomHostIn(pick(prefixes)) : "${subnets[pick(devices)]}.${2 + rnd.nextInt(253)}"
                    q << ' from ' << src << ' iif ' << pick(devices)
                }
                if (chance(0.3)) {
                    q << ' mark ' << pick(marks)
                }
                if (chance(0.15)) {
                    q << ' ipproto ' << pick(['tcp', 'udp']) << ' dport ' << pick([80, 53, 1500, 22])
                }
                out << q.toString()
            }
            return out
        }
    }
}
