package io.skoop.netstack.route

import io.skoop.testsupport.KernelLab
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * The kernel judges the Router's IPv6 side on random IPv6 namespaces (issue 17): devices with several addresses each
 * (global, a second global, ULA, deprecated, /128, the kernel's own link-local ones, a device with IPv6 disabled),
 * routes via link-local and global gateways, with {@code src}, multipath, every route type, in main and custom tables,
 * policy rules; then random {@code route-get --batch} answers (in-process CLI) are compared with
 * {@code ip -6 -j route get} in the namespace — type, gateway, dev, prefsrc (RFC 6724 source selection:
 * {@code ipv6_dev_get_saddr}), table and errno. Queries without a source dominate, so the source the kernel picks is
 * judged. DAD is off in the namespaces (accept_dad=0) so that no address is tentative while the kernel answers.
 * Needs root: runs in CI; fails (does not skip) under CI without root.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class RouteGet6KernelSpec extends Specification {
    static final int QUERIES = Integer.getInteger('skoop.route6.queries', 800)

    @Shared
    KernelLab lab = new KernelLab()

    def cleanupSpec() {
        lab.close()
    }

    def "IPv6 route-get agrees with ip -6 route get (seed #seed)"() {
        given:
        def sc = new Scenario6(lab, seed)
        sc.build()
        Path dir = NetnsDumper.dump(lab, sc.ns, Files.createTempDirectory("skoop-route6-$seed-"))
        List<String> queries = sc.queries(QUERIES)
        Path qfile = dir.resolve('queries.txt')
        Files.writeString(qfile, queries.join('\n') + '\n')

        when:
        List<Map> ours = RouteGetKernelSpec.runBatch(dir, qfile)
        List<String> theirs = RouteGetKernelSpec.kernel(sc.ns, qfile)
        List<String> bad = RouteGetKernelSpec.judge("route-get vs ip -6 route get, seed $seed", "seed6-${seed}", dir, queries, ours, theirs,
                "${queries.indices.count { !queries[it].contains(' from ') && ours[it].prefsrc && !ours[it].error }} sources selected by the" +
                        " kernel's rules, ${ours.count { it.iif }} input lookups, ${ours.count { it.error }} errors")

        then:
        ours.size() == queries.size()
        theirs.size() == queries.size()
        bad.isEmpty()

        cleanup: 'keep the dump of a failing seed for inspection'
        RouteGetKernelSpec.keepIfFailed(dir, bad)

        where: 'seeds 1..8 by default; -Dskoop.route6.seeds=9-60 explores more'
        seed << seeds()
    }

    static List<Long> seeds() {
        def (from, to) = System.getProperty('skoop.route6.seeds', '1-8').split('-').collect { it as long }
        (from..to).collect { it as long }
    }

    /** A random IPv6 namespace: e1, e2 (veths, peers up), e3 (peer down: no carrier), br0 (with e4 as a port), lo. */
    static class Scenario6 {
        final KernelLab lab
        final long seed
        final Random rnd
        String ns
        String peer
        final List<String> devices = ['e1', 'e2', 'e3', 'br0']
        final Map<String, Integer> net = [e1: 1, e2: 2, e3: 3, br0: 4]
        final List<String> locals6 = []
        final Map<String, String> linkLocal = [:]
        final RandomIpv6 v6
        String disabled

        Scenario6(KernelLab lab, long seed) {
            this.lab = lab
            this.seed = seed
            this.rnd = new Random(seed * 7919L)
            this.v6 = new RandomIpv6(rnd, net, [0x1L, 0x2L, 0x10L])
        }

        def <T> T pick(List<T> l) {
            l[rnd.nextInt(l.size())]
        }

        boolean chance(double p) {
            rnd.nextDouble() < p
        }

        void batch(List<String> cmds, boolean lenient) {
            def p = new ProcessBuilder('ip', 'netns', 'exec', ns, 'ip', '-6', '-batch', '-', '-force').redirectErrorStream(true).start()
            p.outputStream.withWriter { it << cmds.join('\n') + '\n' }
            String out = p.inputStream.text
            assert p.waitFor() == 0 || lenient: out
        }

        void build() {
            ns = lab.netns("s$seed")
            peer = lab.netns("q$seed")
            // no DAD: an address is usable at once, as a node's would be once DAD has passed
            lab.exec(ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0',
                    "net.ipv6.conf.all.forwarding=${seed % 2}".toString())
            lab.exec(peer, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0')
            ['e1', 'e2', 'e3'].each { d ->
                KernelLab.sh('ip', '-n', ns, 'link', 'add', d, 'type', 'veth', 'peer', 'name', 'x' + d.substring(1), 'netns', peer)
            }
            ['x1', 'x2'].each { KernelLab.sh('ip', '-n', peer, 'link', 'set', it, 'up') }
            KernelLab.sh('ip', '-n', ns, 'link', 'add', 'br0', 'type', 'bridge')
            KernelLab.sh('ip', '-n', ns, 'link', 'add', 'e4', 'type', 'veth', 'peer', 'name', 'e4p')
            KernelLab.sh('ip', '-n', ns, 'link', 'set', 'e4p', 'master', 'br0')
            if (chance(0.4)) {
                disabled = pick(['e2', 'e3'])
                lab.exec(ns, 'sysctl', '-q', '-w', "net.ipv6.conf.${disabled}.disable_ipv6=1".toString())
            }
            ['e1', 'e2', 'e3', 'br0', 'e4', 'e4p'].each { KernelLab.sh('ip', '-n', ns, 'link', 'set', it, 'up') }
            List<String> setup = []
            devices.each { d ->
                int n = net[d]
                addr(setup, "2001:db8:$n::1/64", d, '')
                if (chance(0.5)) {
                    addr(setup, "2001:db8:$n:1::a/${pick([56, 64, 64])}", d, '')
                }
                if (chance(0.5)) {
                    addr(setup, "fd0$n::1/64", d, '')
                }
                if (chance(0.4)) {
                    addr(setup, "2001:db8:$n:2::d/64", d, ' preferred_lft 0') // deprecated
                }
                if (chance(0.3)) {
                    addr(setup, "2001:db8:99::$n/128", d, '')
                }
            }
            if (chance(0.5)) {
                addr(setup, '2001:db8:ff::1/128', 'lo', '')
            }
            batch(setup, true)
            // the kernel's own link-local addresses (addr_gen_mode eui64): read back
            def j = new groovy.json.JsonSlurper().parseText(KernelLab.sh('ip', '-n', ns, '-j', '-6', 'addr', 'show'))
            j.each { l ->
                l.addr_info.findAll { it.scope == 'link' }.each { a ->
                    linkLocal[l.ifname as String] = a.local as String
                    locals6 << (a.local as String)
                }
            }
            batch(routes(), true)
            batch(rules(), true)
        }

        void addr(List<String> setup, String cidr, String dev, String opts) {
            if (dev == disabled) {
                return
            }
            setup << "addr add $cidr dev $dev$opts".toString()
            locals6 << cidr.substring(0, cidr.indexOf('/'))
            v6.prefixes << io.skoop.model.Ip.parse(cidr.substring(0, cidr.indexOf('/'))).mask(cidr.substring(cidr.indexOf('/') + 1) as int).toString() +
                    cidr.substring(cidr.indexOf('/'))
        }

        List<String> routes() {
            List<String> out = []
            if (chance(0.7)) {
                out << "route add default via fe80::1 dev ${pick(['e1', 'e2'])}${chance(0.3) ? ' metric 200' : ''}".toString()
            }
            return out + v6.routes(25 + rnd.nextInt(20), ['main', 'main', 'main', '100', '101'], 0.4, locals6.findAll { !it.startsWith('fe80') })
        }

        List<String> rules() {
            v6.rules(4, ['100', '101', 'main'], ['unreachable', 'prohibit'])
        }

        List<String> queries(int n) {
            List<String> out = []
            n.times {
                StringBuilder q
                int k = rnd.nextInt(100)
                if (k < 10) { // link-local destination: the output device must be given
                    String dev = pick(devices.findAll { it != disabled })
                    q = new StringBuilder("fe80::${Integer.toHexString(1 + rnd.nextInt(65535))} oif $dev")
                } else if (k < 70) { // output, the kernel selects the source
                    q = new StringBuilder(v6.destination(locals6))
                    if (chance(0.15)) {
                        q << ' oif ' << pick(devices.findAll { it != disabled })
                    }
                } else if (k < 82) { // output from a local address
                    q = new StringBuilder(v6.destination(locals6)) << ' from ' << pick(locals6.findAll { !it.startsWith('fe80') })
                } else { // input
                    String dev = pick(['e1', 'e2', 'e3', 'br0'].findAll { it != disabled })
                    q = new StringBuilder(v6.destination(locals6)) << ' from ' << (chance(0.8) ? "2001:db8:${net[dev]}::${Integer.toHexString(2 + rnd.nextInt(200))}"
                            : v6.destination(locals6)) << ' iif ' << dev
                }
                if (chance(0.2)) {
                    q << ' mark ' << pick(v6.marks)
                }
                out << q.toString()
            }
            return out
        }
    }
}
