package io.skoop.netstack.route

import io.skoop.model.Ip

/**
 * Random IPv6 routes, policy rules and destinations for the route-get differential specs ({@link RouteGetKernelSpec},
 * {@link RouteGet6KernelSpec}), as {@code ip -6 -batch} lines. Devices are named with the {@code N} of their subnet
 * {@code 2001:db8:N::/64}; every prefix generated is remembered for rule selectors and destinations.
 */
class RandomIpv6 {
    final Random rnd
    final Map<String, Integer> net
    final List<Long> marks
    /** every prefix generated (or added by the caller) */
    final List<String> prefixes = []

    /**
     * @param rnd   the scenario's random source (shared: the scenario's sequence goes on)
     * @param net   device → N of its subnet 2001:db8:N::/64
     * @param marks fwmarks for rule selectors
     */
    RandomIpv6(Random rnd, Map<String, Integer> net, List<Long> marks) {
        this.rnd = rnd
        this.net = net
        this.marks = marks
    }

    def <T> T pick(List<T> l) {
        l[rnd.nextInt(l.size())]
    }

    boolean chance(double p) {
        rnd.nextDouble() < p
    }

    /** A random prefix of 2001:db8::/32 (one in ten a ULA one), at a random length. */
    String prefix() {
        int len = pick([0, 16, 32, 48, 56, 64, 64, 96, 128])
        def groups = [0x2001, 0xdb8, pick(net.values() as List + [0x50, 0x51, 0x99]), rnd.nextInt(4), rnd.nextInt(65536), 0, 0, rnd.nextInt(65536)]
        if (chance(0.1)) {
            groups[0] = 0xfd00 + rnd.nextInt(5)
        }
        String p = "${Ip.parse(groups.collect { Integer.toHexString(it) }.join(':')).mask(len)}/$len"
        prefixes << p
        return p
    }

    /** A gateway on {@code dev}: with probability {@code linkLocal} a link-local one (as routers announce themselves), else one of its subnet. */
    String gateway(String dev, double linkLocal) {
        chance(linkLocal) ? "fe80::${Integer.toHexString(1 + rnd.nextInt(30))}" : "2001:db8:${net[dev]}::${Integer.toHexString(2 + rnd.nextInt(200))}"
    }

    /**
     * {@code n} routes of every type (blackhole, unreachable, prohibit, throw, multipath, via a gateway or on-link) in
     * {@code tables}; a gateway is link-local with probability {@code linkLocal}; about one route in seven has
     * {@code src} one of {@code sources} (when given).
     */
    List<String> routes(int n, List<String> tables, double linkLocal, List<String> sources) {
        List<String> out = []
        List<String> devs = net.keySet() as List
        n.times {
            String dst = prefix()
            String metric = chance(0.4) ? " metric ${pick([10, 20, 100, 1024])}" : ''
            String src = sources && chance(0.15) ? " src ${pick(sources)}" : ''
            String tail = " table ${pick(tables)}$metric"
            int kind = rnd.nextInt(100)
            if (kind < 8) {
                out << "route add blackhole $dst$tail".toString()
            } else if (kind < 16) {
                out << "route add unreachable $dst$tail".toString()
            } else if (kind < 22) {
                out << "route add prohibit $dst$tail".toString()
            } else if (kind < 30) {
                out << "route add throw $dst$tail".toString()
            } else if (kind < 38) {
                def d = [pick(devs), pick(devs)]
                out << "route add $dst$tail$src nexthop via ${gateway(d[0], linkLocal)} dev ${d[0]} nexthop via ${gateway(d[1], linkLocal)} dev ${d[1]}".toString()
            } else {
                String dev = pick(devs)
                out << "route add $dst${chance(0.7) ? ' via ' + gateway(dev, linkLocal) : ''} dev $dev$tail$src".toString()
            }
        }
        return out
    }

    /**
     * {@code n} policy rules at random priorities with random from/to/fwmark selectors; a reject action (unreachable,
     * prohibit, blackhole) only on a rule with a selector — one without would answer every query with its error.
     */
    List<String> rules(int n, List<String> tables, List<String> rejects) {
        List<String> out = []
        (1..n).collect { 100 + rnd.nextInt(30000) }.unique().sort().each { prio ->
            StringBuilder sb = new StringBuilder("rule add pref $prio")
            if (chance(0.3)) {
                sb << ' from ' << pick(prefixes)
            }
            if (chance(0.4)) {
                sb << ' to ' << pick(prefixes)
            }
            if (chance(0.3)) {
                sb << ' fwmark ' << pick(marks)
            }
            boolean selective = sb.toString() != "rule add pref $prio".toString()
            sb << ' ' << pick(tables.collect { 'lookup ' + it } + (selective ? rejects : []))
            out << sb.toString()
        }
        return out
    }

    /** A host inside a remembered prefix, a local address, one of the subnets, {@code ::1} or outside 2001:db8::/32; never multicast. */
    String destination(List<String> locals) {
        int k = rnd.nextInt(100)
        if (k < 55 && prefixes) {
            def (a, l) = pick(prefixes).split('/')
            Ip ip = Ip.parse(a)
            int len = l as int
            long rl = rnd.nextLong(), rh = rnd.nextLong() & 0x00ffffffffffffffL
            long mh = len >= 64 ? -1L : len == 0 ? 0 : -1L << (64 - len)
            long ml = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len)
            Ip d = Ip.v6(ip.hi() | (rh & ~mh), ip.lo() | (rl & ~ml))
            return d.isMulticast() ? "2001:db8:50::${Integer.toHexString(rnd.nextInt(65536))}" : d.toString()
        } else if (k < 70 && locals) {
            return pick(locals)
        } else if (k < 80) {
            return "2001:db8:${Integer.toHexString(pick(net.values() as List + [5, 0x99]))}::${Integer.toHexString(rnd.nextInt(65536))}"
        } else if (k < 85) {
            return '::1'
        }
        return "2a00:${Integer.toHexString(rnd.nextInt(65536))}::${Integer.toHexString(1 + rnd.nextInt(65535))}"
    }
}
