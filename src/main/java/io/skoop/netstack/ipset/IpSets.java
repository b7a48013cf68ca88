package io.skoop.netstack.ipset;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import io.skoop.netstack.ipset.Element.Addr;
import io.skoop.netstack.ipset.Element.Iface;
import io.skoop.netstack.ipset.Element.Mac;
import io.skoop.netstack.ipset.Element.Mark;
import io.skoop.netstack.ipset.Element.Port;
import io.skoop.netstack.ipset.Element.SetName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ipsets of one network namespace (ipset.txt) and membership tests that follow the kernel
 * (net/netfilter/ipset/ip_set_core.c {@code ip_set_test}, ip_set_hash_gen.h
 * {@code mtype_test_cidrs}, ip_set_list_set.c {@code list_set_ktest}):
 * <ul>
 *   <li>a packet of the other family never matches a set with a family;</li>
 *   <li>each dimension reads the packet field its direction flag names (src/dst; flags missing
 *       at the end count as dst, extra flags are ignored), IP dimensions masked by the set's
 *       {@code netmask}, marks by {@code markmask};</li>
 *   <li>for hash:net* types the most specific entry wins (prefix lengths walked from longest to
 *       shortest, the first NET dimension outermost), and a {@code nomatch} entry found that way
 *       means not in set; hash:net,iface stops at the most specific network containing the
 *       address even when its interface differs;</li>
 *   <li>a PORT entry matches only its protocol (a bare port in the file means tcp; bitmap:port
 *       keeps no protocol and matches only TCP and UDP packets by port — an SCTP packet to a
 *       listed port does not match, as the packet-path differential test showed);</li>
 *   <li>list:set answers MATCH for the first member set that matches (a member answering
 *       {@code nomatch} does not stop the walk).</li>
 * </ul>
 * UNKNOWN when a needed field is missing from the {@link SetProbe}, for unknown set types, for
 * entries with unknown options, and for list:set members that do not exist.
 *
 * <p>Not modelled: entry timeouts (every entry in the dump counts as present), counters
 * updates, and the iptables {@code set} match options that change the answer
 * ({@code --return-nomatch}, {@code ! --update-counters}, packet/byte counter tests).
 */
public final class IpSets {
    private final Map<String, IpSet> sets;
    /** per set: entries indexed by the network of their first address component, built on first use */
    private final Map<String, Map<Integer, Map<Ip, List<IpSetEntry>>>> indexes = new ConcurrentHashMap<>();

    /** @param sets the sets in file order (names are unique) */
    public IpSets(Collection<IpSet> sets) {
        Map<String, IpSet> m = new LinkedHashMap<>();
        for (IpSet s : sets) {
            m.put(s.name(), s);
        }
        this.sets = Collections.unmodifiableMap(m);
    }

    /** The set named {@code name}. */
    public Optional<IpSet> get(String name) {
        return Optional.ofNullable(sets.get(name));
    }

    /** Every set, in file order. */
    public Collection<IpSet> all() {
        return sets.values();
    }

    /**
     * Tests the packet described by {@code probe} against the set named {@code set}, as
     * {@code -m set --match-set SET dirs} would.
     *
     * @param dirs the direction flags ({@code src}, {@code dst}) per dimension
     * @return UNKNOWN as well when no set of that name exists
     */
    public Membership test(String set, List<Direction> dirs, SetProbe probe) {
        return test(set, dirs, probe, new HashSet<>());
    }

    private Membership test(String name, List<Direction> dirs, SetProbe probe, Set<String> seen) {
        IpSet s = sets.get(name);
        if (s == null || !seen.add(name)) {
            return Membership.UNKNOWN;
        }
        try {
            return test(s, dirs, probe, seen);
        } finally {
            seen.remove(name);
        }
    }

    /** Tests against a set object (a list:set's members are looked up in this collection). */
    public Membership test(IpSet set, List<Direction> dirs, SetProbe probe) {
        return test(set, dirs, probe, new HashSet<>(Set.of(set.name())));
    }

    private Membership test(IpSet set, List<Direction> dirs, SetProbe probe, Set<String> seen) {
        SetType type = set.type();
        if (type == SetType.UNKNOWN) {
            return Membership.UNKNOWN;
        }
        if (!type.familyFree() && set.isV6() != probe.packet().dst().isV6()) {
            return Membership.NO_MATCH;
        }
        if (type == SetType.LIST_SET) {
            boolean unknown = false;
            for (IpSetEntry e : set.entries()) {
                Membership m = test(((SetName) e.elements().get(0)).name(), dirs, probe, seen);
                if (m == Membership.MATCH) {
                    return e.unknown().isEmpty() ? Membership.MATCH : Membership.UNKNOWN;
                }
                unknown |= m == Membership.UNKNOWN;
            }
            return unknown ? Membership.UNKNOWN : Membership.NO_MATCH;
        }
        List<IpSetEntry> entries = candidates(set, dirs, probe);
        if (!type.hasNets()) {
            Membership best = Membership.NO_MATCH;
            for (IpSetEntry e : entries) {
                Membership m = entry(set, e, dirs, probe);
                if (m == Membership.MATCH) {
                    return Membership.MATCH;
                }
                if (m == Membership.UNKNOWN) {
                    best = Membership.UNKNOWN;
                }
            }
            return best;
        }
        if (type == SetType.HASH_NET_IFACE) {
            return netIface(entries, dirs, probe);
        }
        // hash:net*: the most specific entry holding the probe decides (ignoring nomatch while looking)
        IpSetEntry best = null;
        Membership bestAnswer = Membership.NO_MATCH;
        for (IpSetEntry e : entries) {
            Membership m = entry(set, e, dirs, probe);
            if (m != Membership.NO_MATCH && (best == null || compareDesc(cidrs(e), cidrs(best)) < 0)) {
                best = e;
                bestAnswer = m;
            }
        }
        if (best == null || bestAnswer == Membership.UNKNOWN) {
            return bestAnswer;
        }
        return best.nomatch() ? Membership.NO_MATCH : Membership.MATCH;
    }

    /**
     * hash:net,iface walks prefix lengths like the other net types but stops at the first length
     * where some entry's network (with the probe's physdev flag) contains the address, whatever
     * its interface (IP_SET_HASH_WITH_MULTI in ip_set_hash_netiface.c): only the entries of that
     * network are then compared by interface, so a less specific entry of the right interface is
     * never reached.
     */
    private static Membership netIface(List<IpSetEntry> entries, List<Direction> dirs, SetProbe probe) {
        Direction dn = dirs.isEmpty() ? Direction.DST : dirs.get(0);
        Direction di = dirs.size() < 2 ? Direction.DST : dirs.get(1);
        Ip ip = dn == Direction.SRC ? probe.packet().src() : probe.packet().dst();
        List<IpSetEntry> containing = entries.stream()
                .filter(e -> ((Iface) e.elements().get(1)).physdev() == probe.physdev()
                        && ((Addr) e.elements().get(0)).prefix().contains(ip))
                .toList();
        if (containing.isEmpty()) {
            return Membership.NO_MATCH;
        }
        int longest = containing.stream().mapToInt(e -> ((Addr) e.elements().get(0)).prefix().length()).max().getAsInt();
        String dev = di == Direction.SRC ? probe.inIface() : probe.outIface();
        if (dev == null) {
            return Membership.UNKNOWN;
        }
        for (IpSetEntry e : containing) {
            if (((Addr) e.elements().get(0)).prefix().length() == longest && ((Iface) e.elements().get(1)).name().equals(dev)) {
                return !e.unknown().isEmpty() ? Membership.UNKNOWN : e.nomatch() ? Membership.NO_MATCH : Membership.MATCH;
            }
        }
        return Membership.NO_MATCH;
    }

    /**
     * The entries that can hold the probe: when the first component is an address, only those
     * whose network contains the probe's address in that direction (an index by prefix length
     * and network, so a lookup in a set of 10,000 entries touches a handful); else all.
     */
    private List<IpSetEntry> candidates(IpSet set, List<Direction> dirs, SetProbe probe) {
        List<SetType.Dim> dims = set.type().dims();
        if (dims.isEmpty() || (dims.get(0) != SetType.Dim.IP && dims.get(0) != SetType.Dim.NET)) {
            return set.entries();
        }
        Map<Integer, Map<Ip, List<IpSetEntry>>> index = indexes.computeIfAbsent(set.name(), n -> index(set));
        Direction d = dirs.isEmpty() ? Direction.DST : dirs.get(0);
        Ip ip = d == Direction.SRC ? probe.packet().src() : probe.packet().dst();
        List<IpSetEntry> out = new ArrayList<>();
        index.forEach((len, byNet) -> {
            if (len <= ip.bitLength()) {
                out.addAll(byNet.getOrDefault(ip.mask(len), List.of()));
            }
        });
        return out;
    }

    private static Map<Integer, Map<Ip, List<IpSetEntry>>> index(IpSet set) {
        Map<Integer, Map<Ip, List<IpSetEntry>>> index = new LinkedHashMap<>();
        for (IpSetEntry e : set.entries()) {
            Addr a = (Addr) e.elements().get(0);
            index.computeIfAbsent(a.prefix().length(), l -> new java.util.HashMap<>())
                    .computeIfAbsent(a.prefix().address(), x -> new ArrayList<>()).add(e);
        }
        return index;
    }

    private static int[] cidrs(IpSetEntry e) {
        return e.elements().stream().filter(x -> x instanceof Addr).mapToInt(x -> ((Addr) x).prefix().length()).toArray();
    }

    private static int compareDesc(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return Integer.compare(b[i], a[i]);
            }
        }
        return 0;
    }

    /** Whether one entry holds the probe's fields, ignoring nomatch. */
    private static Membership entry(IpSet set, IpSetEntry e, List<Direction> dirs, SetProbe probe) {
        Membership m = Membership.MATCH;
        List<SetType.Dim> dims = set.type().dims();
        for (int i = 0; i < dims.size() && i < e.elements().size() && m != Membership.NO_MATCH; i++) {
            Direction d = i < dirs.size() ? dirs.get(i) : Direction.DST;
            m = m.and(component(set, e.elements().get(i), d, probe, e, i));
        }
        if (m == Membership.MATCH && !e.unknown().isEmpty()) {
            return Membership.UNKNOWN;
        }
        return m;
    }

    private static Membership component(IpSet set, Element el, Direction d, SetProbe probe, IpSetEntry e, int dim) {
        var p = probe.packet();
        boolean src = d == Direction.SRC;
        if (el instanceof Addr a) {
            Ip ip = src ? p.src() : p.dst();
            return is(a.prefix().contains(ip));
        }
        if (el instanceof Port port) {
            return port(set, port, src ? p.sport() : p.dport(), probe);
        }
        if (el instanceof Mark mark) {
            Long mm = set.options().markmask();
            long mask = mm == null ? 0xffffffffL : mm;
            return is((p.mark() & mask) == mark.value());
        }
        if (el instanceof Iface iface) {
            if (iface.physdev() != probe.physdev()) {
                return Membership.NO_MATCH;
            }
            String dev = src ? probe.inIface() : probe.outIface();
            return dev == null ? Membership.UNKNOWN : is(dev.equals(iface.name()));
        }
        if (el instanceof Mac mac) {
            String m = src ? probe.srcMac() : probe.dstMac();
            return m == null ? Membership.UNKNOWN : is(m.equals(mac.mac()));
        }
        return Membership.UNKNOWN;
    }

    private static Membership port(IpSet set, Port port, int value, SetProbe probe) {
        Protocol pp = probe.packet().protocol();
        if (port.proto() == null) { // bitmap:port: TCP and UDP(-lite) only (ip_set_bitmap_port.c checks the protocol)
            return is((pp == Protocol.TCP || pp == Protocol.UDP) && value >= port.from() && value <= port.to());
        }
        Protocol ep = protocolOf(port.proto());
        if (ep == null || ep != pp) {
            return Membership.NO_MATCH;
        }
        if (port.isIcmp()) {
            String tc = port.icmpTypeCode();
            return probe.icmpType() == null || tc == null ? Membership.UNKNOWN : is(probe.icmpType().equals(tc));
        }
        return is(value >= port.from() && value <= port.to());
    }

    private static Protocol protocolOf(String name) {
        if (name.equals("icmpv6")) {
            return Protocol.ICMPV6;
        }
        try {
            return Protocol.parse(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Membership is(boolean b) {
        return b ? Membership.MATCH : Membership.NO_MATCH;
    }
}
