package io.skoop.netstack.ipset

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.DumpFixtures
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * Differential test: the kernel's {@code ipset test} against {@link IpSets#test} for random
 * probes near and away from the entries of every set type this kernel supports (the sets of
 * ipset-input.txt restored into a throwaway namespace, read back with {@code ipset save}).
 * list:set ({@code ipset test} asks for a member set name there) and bitmap:ip,mac (a packet
 * always has a MAC, {@code ipset test} need not) are covered by IpSetsSpec only.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class IpsetKernelSpec extends Specification {
    static final int PROBES = 60
    @Shared KernelLab lab = new KernelLab()
    @Shared String ns
    @Shared IpSets sets
    @Shared long seed = Long.getLong('skoop.seed', System.nanoTime())

    def setupSpec() {
        ns = lab.netns('ipset')
        lab.execInput(ns, DumpFixtures.text('netstack/dump/ipset-input.txt'), 'ipset', 'restore')
        // a less specific network of another interface (the kernel never reaches it under 10.244.0.0/16)
        lab.exec(ns, 'ipset', 'add', 'netiface', '10.240.0.0/12,eth0')
        lab.exec(ns, 'ipset', 'add', 'netiface', '10.244.9.0/24,eth0', 'nomatch')
        sets = IpsetParser.parse('ipset.txt', DumpFixtures.netnsOut(ns, 'ipset', 'save'))
    }

    def cleanupSpec() {
        lab.close()
    }

    def "kernel and skoop agree on random probes of #name"() {
        given:
        def set = sets.get(name).orElseThrow()
        def rnd = new Random(seed ^ name.hashCode())
        def disagree = []

        when:
        def probes = (1..PROBES).collect { probe(set, rnd) }.unique { it.text }
        probes.each { p ->
            boolean kernel = kernelSays(name, p.text)
            Membership ours = sets.test(name, p.dirs, p.probe)
            if (ours == Membership.UNKNOWN || (ours == Membership.MATCH) != kernel) {
                disagree << "${p.text}: kernel ${kernel ? 'in set' : 'not in set'}, skoop $ours"
            }
        }
        int inSet = probes.count { kernelSays(name, it.text) }
        println "ipset differential $name (${set.typeName()}): ${probes.size() - disagree.size()}/${probes.size()} agree, $inSet in set (seed $seed)"

        then:
        disagree.isEmpty()

        where:
        name << ['kube-ips', 'ips6', 'ip-netmask', 'nets', 'nets6', 'ipport', 'netport', 'netport6', 'ipportip',
                 'ipportnet', 'netiface', 'bmip', 'bmipnet', 'bmport', 'emptyset']
    }

    boolean kernelSays(String set, String text) {
        // own runner: stdout and stderr merged, read to the end before waiting (ipset is quick)
        def p = new ProcessBuilder('ip', 'netns', 'exec', ns, 'ipset', 'test', set, text).redirectErrorStream(true).start()
        String err = p.inputStream.getText('UTF-8')
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new IllegalStateException("timeout: ipset test $set $text")
        }
        if (p.exitValue() == 0) {
            return true
        }
        if (err.contains('is NOT in set') || err.contains('out of the range')) {
            return false
        }
        throw new IllegalStateException("ipset test $set $text: $err")
    }

    /** A probe: the text for ipset test, the direction flags and the packet, built from one random entry. */
    Map probe(IpSet set, Random rnd) {
        boolean v6 = set.isV6()
        def template = set.entries() ? set.entries()[rnd.nextInt(set.entries().size())] : null
        def dims = set.type().dims()
        List<String> parts = []
        List<Direction> dirs = []
        List<Ip> addrs = []
        Protocol proto = Protocol.TCP
        int port = 0
        String icmp = null, iface = null
        // half of the probes copy the entry and change at most one component, the rest vary all
        boolean faithful = rnd.nextBoolean()
        int changed = rnd.nextInt(dims.size() + 1)
        dims.eachWithIndex { dim, i ->
            def el = template?.elements()?.get(i)
            boolean keep = faithful && i != changed
            switch (dim) {
                case SetType.Dim.IP:
                case SetType.Dim.NET:
                    Ip ip = address(el instanceof Element.Addr ? el.prefix() : null, v6, set, rnd, keep)
                    addrs << ip
                    parts << ip.toString()
                    dirs << (addrs.size() == 1 ? Direction.SRC : Direction.DST)
                    break
                case SetType.Dim.PORT:
                    def pe = el as Element.Port
                    if (pe != null && pe.isIcmp() && (keep || rnd.nextInt(4) > 0)) {
                        proto = v6 ? Protocol.ICMPV6 : Protocol.ICMP
                        icmp = [v6 ? '128/0' : '8/0', v6 ? '129/0' : '0/0'][rnd.nextInt(2)]
                        parts << "${v6 ? 'ipv6-icmp' : 'icmp'}:$icmp"
                    } else {
                        int base = pe == null || pe.isIcmp() ? rnd.nextInt(65535) + 1 : pe.from()
                        port = keep ? base : [base, Math.max(1, base - 1), Math.min(65535, base + 1), rnd.nextInt(1024) + 1][rnd.nextInt(4)]
                        if (set.type() == SetType.BITMAP_PORT) {
                            port = !keep && rnd.nextInt(4) == 0 ? rnd.nextInt(1100) + 1 : port
                            parts << "$port"
                        } else {
                            String pn = pe?.proto() ?: 'tcp'
                            if (pn == 'icmp' || pn == 'ipv6-icmp' || (!keep && rnd.nextInt(4) == 0)) {
                                pn = ['tcp', 'udp', 'sctp'][rnd.nextInt(3)]
                            }
                            proto = Protocol.parse(pn)
                            parts << "$pn:$port"
                        }
                    }
                    dirs << Direction.DST
                    break
                case SetType.Dim.IFACE:
                    iface = !keep && rnd.nextInt(3) == 0 ? ['eth0', 'lo', 'cni1'][rnd.nextInt(3)] : ((el as Element.Iface)?.name() ?: 'eth0')
                    parts << iface
                    dirs << Direction.SRC
                    break
                default:
                    throw new IllegalStateException("no kernel probe for $dim")
            }
        }
        Ip src = addrs ? addrs[0] : (v6 ? Ip.parse('fd00::10') : Ip.parse('10.255.0.10'))
        Ip dst = addrs.size() > 1 ? addrs[1] : (src.isV6() ? Ip.parse('fd00::20') : Ip.parse('10.255.0.20'))
        boolean ports = proto.hasPorts()
        def packet = Packet.of(src, ports ? 40000 : 0, dst, ports ? port : 0, proto)
        return [text: parts.join(','), dirs: dirs, probe: new SetProbe(packet, iface, null, false, null, null, icmp)]
    }

    /** An address inside {@code p} (when {@code inside}), or inside, at the edge of, just outside, or far from it. */
    static Ip address(Prefix p, boolean v6, IpSet set, Random rnd, boolean inside) {
        if (p == null) {
            String r = set.options().range()
            p = r ? Prefix.parse(r.split('-')[0] + '/24') : (v6 ? Prefix.parse('fd00::/64') : Prefix.parse('10.0.0.0/8'))
        }
        int hostBits = p.address().bitLength() - p.length()
        long size = hostBits >= 62 ? Long.MAX_VALUE : (1L << hostBits)
        Ip first = p.address()
        switch (inside ? rnd.nextInt(2) : rnd.nextInt(6)) {
            case 0: return first
            case 1: return first.plus(size <= 1 ? 0 : (long) (rnd.nextDouble() * size))
            case 2: return first.plus(-1)
            case 3: return first.plus(size == Long.MAX_VALUE ? 1L << 40 : size)
            case 4: return first.plus(rnd.nextInt(1 << 16) - (1 << 15))
            default:
                return v6 ? Ip.v6(0xfd00_0000_0000_0000L | rnd.nextInt(4), rnd.nextLong()) : Ip.v4(rnd.nextInt())
        }
    }
}
