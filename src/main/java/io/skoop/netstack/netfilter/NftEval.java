package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates nftables expressions and matches for one packet at one hook, as the kernel's
 * expression VM does (net/netfilter/nft_payload.c, nft_meta.c, nft_ct.c, nft_fib.c,
 * nft_numgen.c, nft_lookup.c, nft_bitwise.c, nft_cmp.c, nft_range.c). Values are {@link Ip},
 * {@link Long}, {@link String} (interface names, address types), {@link Boolean} (fib oif
 * present) or a {@code List} for a concatenation; constants of the JSON listing are converted to
 * the type of what they are compared with (nft's data types: ipv4_addr, inet_proto,
 * inet_service, ct_state, …).
 *
 * <p>Two values stand for the kernel's other outcomes: {@link #BREAK} — the expression cannot be
 * loaded for this packet (a {@code tcp dport} on a UDP packet: nft's implicit protocol
 * dependency fails, a {@code ct} key without a conntrack entry), the rule does not match;
 * {@link #UNKNOWN} — the dump does not say (a header field skoop's packet does not carry, a
 * socket owner, a hash): the match is UNKNOWN, never silently true or false.
 */
final class NftEval {
    /** The expression "breaks" (NFT_BREAK): the rule does not match. */
    static final Object BREAK = new Object() {
        @Override
        public String toString() {
            return "(break)";
        }
    };
    /** The value cannot be known from the snapshot. */
    static final Object UNKNOWN = new Object() {
        @Override
        public String toString() {
            return "(unknown)";
        }
    };

    private static final Map<String, Long> CT_STATE = Map.of("invalid", 1L, "established", 2L, "related", 4L, "new", 8L, "untracked", 64L);
    private static final Map<String, Long> CT_STATUS = Map.of("expected", 1L, "seen-reply", 2L, "assured", 4L, "confirmed", 8L,
            "snat", 16L, "dnat", 32L, "dying", 512L);
    private static final Map<String, Long> TCP_FLAG = Map.of("fin", 1L, "syn", 2L, "rst", 4L, "psh", 8L, "ack", 16L, "urg", 32L,
            "ecn", 64L, "cwr", 128L);
    private static final Map<String, Long> ICMP_TYPE = Map.of("echo-reply", 0L, "destination-unreachable", 3L, "redirect", 5L,
            "echo-request", 8L, "time-exceeded", 11L, "parameter-problem", 12L);
    private static final Map<String, Long> ICMPV6_TYPE = Map.of("destination-unreachable", 1L, "packet-too-big", 2L, "time-exceeded", 3L,
            "echo-request", 128L, "echo-reply", 129L, "nd-router-solicit", 133L, "nd-router-advert", 134L, "nd-neighbor-solicit", 135L,
            "nd-neighbor-advert", 136L);
    private static final Map<String, Long> PROTO = Map.ofEntries(Map.entry("icmp", 1L), Map.entry("igmp", 2L), Map.entry("ipencap", 4L),
            Map.entry("tcp", 6L), Map.entry("udp", 17L), Map.entry("gre", 47L), Map.entry("esp", 50L), Map.entry("ah", 51L),
            Map.entry("icmpv6", 58L), Map.entry("ipv6-icmp", 58L), Map.entry("sctp", 132L), Map.entry("udplite", 136L));
    private static final Map<String, Long> SERVICES = Map.ofEntries(Map.entry("ssh", 22L), Map.entry("domain", 53L), Map.entry("http", 80L),
            Map.entry("https", 443L), Map.entry("bootps", 67L), Map.entry("bootpc", 68L), Map.entry("ntp", 123L), Map.entry("bgp", 179L),
            Map.entry("kerberos", 88L), Map.entry("smtp", 25L), Map.entry("telnet", 23L), Map.entry("ftp", 21L));

    private final NftRuleset rules;
    private final String family;
    private final String table;
    private final MatchContext ctx;
    private final Long numgen;

    /**
     * @param rules  the ruleset (named sets and maps)
     * @param rule   the rule being evaluated (its table's sets are the ones {@code @name} refers to)
     * @param ctx    the packet, devices and conntrack state at the hook
     * @param numgen the value a {@code numgen} expression of this statement takes on this branch, or null
     */
    NftEval(NftRuleset rules, NftRule rule, MatchContext ctx, Long numgen) {
        this.rules = rules;
        this.family = rule.family();
        this.table = rule.table();
        this.ctx = ctx;
        this.numgen = numgen;
    }

    // ---- matches ---------------------------------------------------------------------------------

    /**
     * Whether a statement's operand has a value for the packet: NO_MATCH when evaluating it breaks the rule (a map
     * without the key, a payload of another protocol: NFT_BREAK), UNKNOWN when it cannot be decided, else MATCH.
     */
    Tri defined(NftExpr operand) {
        Object v = value(operand);
        return v == BREAK ? Tri.NO_MATCH : v == UNKNOWN ? Tri.UNKNOWN : Tri.MATCH;
    }

    /** The result of a match statement. */
    Tri match(NftStmt.Match m) {
        Object left = value(m.left());
        if (left == BREAK) {
            return Tri.NO_MATCH;
        }
        if (left == UNKNOWN) {
            return Tri.UNKNOWN;
        }
        List<String> types = types(m.left());
        NftExpr right = m.right();
        String op = m.op();
        if (right instanceof NftExpr.SetRef || right instanceof NftExpr.SetLiteral) {
            Lookup l = lookup(left, types, right);
            Tri member = l.result;
            return "!=".equals(op) ? member.not() : member;
        }
        if (right instanceof NftExpr.Prefix || right instanceof NftExpr.Range) {
            Tri t = element(right, left, types.get(0));
            return "!=".equals(op) ? t.not() : t;
        }
        Object r = right instanceof NftExpr.Const c ? coerce(c.value(), types.get(0)) : value(right);
        if (r == UNKNOWN || r == BREAK) {
            return Tri.UNKNOWN;
        }
        return switch (op) {
            case "==" -> equal(left, r);
            case "!=" -> equal(left, r).not();
            case "in" -> left instanceof Long a && r instanceof Long b ? Tri.of((a & b) != 0) : equal(left, r);
            case "<", ">", "<=", ">=" -> compare(op, left, r);
            default -> Tri.UNKNOWN;
        };
    }

    private static Tri equal(Object a, Object b) {
        if (a instanceof String s && b instanceof String w) {
            if (w.endsWith("*") && !w.endsWith("\\*")) {
                return Tri.of(s.startsWith(w.substring(0, w.length() - 1)));
            }
            return Tri.of(s.equals(w.replace("\\*", "*")));
        }
        if (a instanceof Long x && b instanceof Long y) {
            return Tri.of(x.longValue() == y.longValue());
        }
        if (a instanceof Ip x && b instanceof Ip y) {
            return Tri.of(x.equals(y));
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Tri.of(x.equals(y));
        }
        return Tri.UNKNOWN;
    }

    private static Tri compare(String op, Object a, Object b) {
        int c;
        if (a instanceof Long x && b instanceof Long y) {
            c = Long.compare(x, y);
        } else if (a instanceof Ip x && b instanceof Ip y && x.isV6() == y.isV6()) {
            c = x.compareTo(y);
        } else {
            return Tri.UNKNOWN;
        }
        return Tri.of(switch (op) {
            case "<" -> c < 0;
            case ">" -> c > 0;
            case "<=" -> c <= 0;
            default -> c >= 0;
        });
    }

    // ---- sets and maps ----------------------------------------------------------------------------

    /**
     * The result of a set or map lookup: MATCH with the element found, NO_MATCH, or UNKNOWN (some element might match:
     * a part of the key is unknown).
     */
    record Lookup(Tri result, NftElement element) {
    }

    /** Looks {@code key} up in a set or map ({@code @name} or an anonymous one). */
    Lookup lookup(Object key, List<String> keyTypes, NftExpr setOrMap) {
        if (key == BREAK) {
            return new Lookup(Tri.NO_MATCH, null);
        }
        List<NftElement> elements;
        List<String> types = keyTypes;
        if (setOrMap instanceof NftExpr.SetRef ref) {
            NftSet s = rules.set(family, table, ref.name());
            if (s == null) {
                return new Lookup(Tri.UNKNOWN, null);
            }
            if (!s.keyType().isEmpty()) {
                types = s.keyType();
            }
            if (key != UNKNOWN && !(key instanceof List<?> l && l.contains(UNKNOWN))) {
                // a hash lookup among the exact elements, then the intervals (nft_set_hash / nft_set_rbtree / pipapo)
                SetIndex index = rules.lookupIndex(s, NftEval::index);
                NftElement hit = index.exact().get(key);
                if (hit != null) {
                    return new Lookup(Tri.MATCH, hit);
                }
                elements = index.others();
            } else {
                elements = s.elements();
            }
        } else if (setOrMap instanceof NftExpr.SetLiteral lit) {
            elements = lit.elements();
        } else {
            return new Lookup(Tri.UNKNOWN, null);
        }
        if (key == UNKNOWN) {
            return new Lookup(elements.isEmpty() ? Tri.NO_MATCH : Tri.UNKNOWN, null);
        }
        boolean unknown = false;
        for (NftElement el : elements) {
            Tri t = key instanceof List<?> parts && el.key() instanceof NftExpr.Concat c ? concat(c, parts, types)
                    : element(el.key(), key, types.get(0));
            if (t == Tri.MATCH) {
                return new Lookup(Tri.MATCH, el);
            }
            unknown |= t == Tri.UNKNOWN;
        }
        return new Lookup(unknown ? Tri.UNKNOWN : Tri.NO_MATCH, null);
    }

    private Tri concat(NftExpr.Concat el, List<?> parts, List<String> types) {
        if (el.parts().size() != parts.size()) {
            return Tri.NO_MATCH;
        }
        Tri r = Tri.MATCH;
        for (int i = 0; i < parts.size(); i++) {
            r = r.and(element(el.parts().get(i), parts.get(i), i < types.size() ? types.get(i) : null));
            if (r == Tri.NO_MATCH) {
                return r;
            }
        }
        return r;
    }

    /** Whether {@code value} is the element {@code el} (a constant, a prefix or a range). */
    private Tri element(NftExpr el, Object value, String type) {
        if (value == UNKNOWN) {
            return Tri.UNKNOWN;
        }
        if (el instanceof NftExpr.Prefix p) {
            Ip net = Ip.tryParse(p.addr());
            if (!(value instanceof Ip ip) || net == null || net.isV6() != ip.isV6()) {
                return net == null ? Tri.UNKNOWN : Tri.NO_MATCH;
            }
            return Tri.of(ip.mask(p.len()).equals(net.mask(p.len())));
        }
        if (el instanceof NftExpr.Range r) {
            Object lo = r.lo() instanceof NftExpr.Const c ? coerce(c.value(), type) : UNKNOWN;
            Object hi = r.hi() instanceof NftExpr.Const c ? coerce(c.value(), type) : UNKNOWN;
            return compare(">=", value, lo).and(compare("<=", value, hi));
        }
        if (el instanceof NftExpr.Const c) {
            Object k = coerce(c.value(), type);
            if (k instanceof Long mask && CT_STATE_TYPES.contains(type) && value instanceof Long v) {
                return Tri.of((v & mask) != 0); // a flag type in a set: any bit
            }
            return k == UNKNOWN ? Tri.UNKNOWN : equal(value, k);
        }
        return Tri.UNKNOWN;
    }

    private static final List<String> CT_STATE_TYPES = List.of("ct_state", "ct_status", "tcp_flag");

    /**
     * A named set's elements for lookups: {@code exact} maps the value of every element that is one constant (or a
     * concatenation of constants) of the set's key types to it; {@code others} keeps the rest (prefixes, ranges,
     * interface wildcards, flag types), tried in order. A lookup costs a hash probe plus the intervals, not a scan
     * of every Service's element.
     */
    record SetIndex(Map<Object, NftElement> exact, List<NftElement> others) {
    }

    static SetIndex index(NftSet set) {
        Map<Object, NftElement> exact = new java.util.HashMap<>();
        List<NftElement> others = new ArrayList<>();
        List<String> types = set.keyType();
        for (NftElement el : set.elements()) {
            Object k = exactKey(el.key(), types);
            if (k == null) {
                others.add(el);
            } else {
                exact.putIfAbsent(k, el);
            }
        }
        return new SetIndex(exact, others);
    }

    /** The value an element matches exactly, or null when it matches more than one (interval, wildcard, flags). */
    private static Object exactKey(NftExpr key, List<String> types) {
        if (key instanceof NftExpr.Concat c) {
            if (c.parts().size() != types.size()) {
                return null;
            }
            List<Object> parts = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                Object p = exactKey(c.parts().get(i), List.of(types.get(i)));
                if (p == null) {
                    return null;
                }
                parts.add(p);
            }
            return parts;
        }
        if (!(key instanceof NftExpr.Const c) || types.size() != 1 || CT_STATE_TYPES.contains(types.get(0))) {
            return null;
        }
        Object v = coerce(c.value(), types.get(0));
        if (v == UNKNOWN || v instanceof String str && str.endsWith("*") || v instanceof Boolean) {
            return null;
        }
        return v instanceof Ip || v instanceof Long || v instanceof String ? v : null;
    }

    /** The data a map element holds, as a value of the map's data type (for NAT addresses and ports). */
    Object data(NftElement el, NftExpr mapExpr) {
        if (!(el.data() instanceof NftExpr d)) {
            return UNKNOWN;
        }
        String type = null;
        if (mapExpr instanceof NftExpr.SetRef ref) {
            NftSet s = rules.set(family, table, ref.name());
            type = s == null ? null : s.dataType();
        }
        if (d instanceof NftExpr.Const c) {
            Object v = c.value();
            return type != null ? coerce(v, type) : v instanceof String s && Ip.tryParse(s) != null ? Ip.parse(s) : v;
        }
        return value(d);
    }

    // ---- values -----------------------------------------------------------------------------------

    /** The value of an expression for the packet. */
    Object value(NftExpr e) {
        Packet p = ctx.packet();
        if (e instanceof NftExpr.Payload pl) {
            return payload(pl, p);
        }
        if (e instanceof NftExpr.Meta m) {
            return switch (m.key()) {
                case "l4proto" -> (long) p.protocol().number();
                case "protocol" -> p.src().isV6() ? 0x86ddL : 0x0800L;
                case "nfproto" -> p.src().isV6() ? 10L : 2L;
                case "mark" -> p.mark();
                case "iif", "iifname" -> ctx.inInterface() == null ? "" : ctx.inInterface();
                case "oif", "oifname" -> ctx.outInterface() == null ? "" : ctx.outInterface();
                case "pkttype" -> pktType(p);
                default -> UNKNOWN;
            };
        }
        if (e instanceof NftExpr.Ct c) {
            return ct(c);
        }
        if (e instanceof NftExpr.Fib f) {
            return fib(f, p);
        }
        if (e instanceof NftExpr.Numgen) {
            return numgen == null ? UNKNOWN : numgen;
        }
        if (e instanceof NftExpr.Concat c) {
            List<Object> parts = new ArrayList<>();
            for (NftExpr x : c.parts()) {
                Object v = value(x);
                if (v == BREAK) {
                    return BREAK;
                }
                parts.add(v);
            }
            return parts;
        }
        if (e instanceof NftExpr.Binop b) {
            Object l = value(b.left());
            if (l == BREAK || l == UNKNOWN) {
                return l;
            }
            Object r = b.right() instanceof NftExpr.Const c ? coerce(c.value(), types(b.left()).get(0)) : value(b.right());
            if (!(l instanceof Long x) || !(r instanceof Long y)) {
                return r == BREAK ? BREAK : UNKNOWN;
            }
            return switch (b.op()) {
                case "&" -> x & y;
                case "|" -> x | y;
                case "^" -> x ^ y;
                case "<<" -> (x << y) & 0xffffffffL;
                default -> x >>> y;
            };
        }
        if (e instanceof NftExpr.MapLookup m) {
            Object key = value(m.key());
            Lookup l = lookup(key, types(m.key()), m.map());
            return l.result == Tri.MATCH ? data(l.element, m.map()) : l.result == Tri.NO_MATCH ? BREAK : UNKNOWN;
        }
        if (e instanceof NftExpr.Const c) {
            return c.value() instanceof String s && Ip.tryParse(s) != null ? Ip.parse(s) : c.value();
        }
        return UNKNOWN;
    }

    private Object payload(NftExpr.Payload pl, Packet p) {
        boolean v6 = p.src().isV6();
        switch (pl.protocol()) {
            case "ip", "ip6" -> {
                if (v6 != pl.protocol().equals("ip6")) {
                    return BREAK;
                }
                return switch (pl.field()) {
                    case "saddr" -> p.src();
                    case "daddr" -> p.dst();
                    case "protocol", "nexthdr" -> (long) p.protocol().number();
                    case "ttl", "hoplimit" -> p.ttl() >= 0 ? (Object) (long) p.ttl() : UNKNOWN;
                    case "version" -> v6 ? 6L : 4L;
                    default -> UNKNOWN;
                };
            }
            case "tcp", "udp", "sctp", "udplite" -> {
                if (!p.protocol().name().equalsIgnoreCase(pl.protocol())) {
                    return BREAK;
                }
                return switch (pl.field()) {
                    case "sport" -> (long) p.sport();
                    case "dport" -> (long) p.dport();
                    case "flags" -> pl.protocol().equals("tcp") ? (Object) (long) ctx.tcpFlags() : UNKNOWN;
                    default -> UNKNOWN;
                };
            }
            case "th" -> {
                if (!p.protocol().hasPorts()) {
                    return UNKNOWN;
                }
                return switch (pl.field()) {
                    case "sport" -> (long) p.sport();
                    case "dport" -> (long) p.dport();
                    default -> UNKNOWN;
                };
            }
            case "icmp", "icmpv6" -> {
                if (p.protocol() != (pl.protocol().equals("icmp") ? Protocol.ICMP : Protocol.ICMPV6)) {
                    return BREAK;
                }
                return switch (pl.field()) {
                    case "type" -> (long) ctx.icmpType();
                    case "code" -> (long) ctx.icmpCode();
                    default -> UNKNOWN;
                };
            }
            default -> {
                return UNKNOWN;
            }
        }
    }

    private Object ct(NftExpr.Ct c) {
        if (c.key().equals("state")) {
            CtState s = ctx.ctState();
            return switch (s == null ? CtState.INVALID : s) {
                case NEW -> 8L;
                case ESTABLISHED -> 2L;
                case RELATED -> 4L;
                case UNTRACKED -> 64L;
                default -> 1L;
            };
        }
        ConntrackEntry ct = ctx.conntrack();
        if (ct == null) {
            return BREAK; // nft_ct_get_eval: no conntrack entry (untracked or none) for any other key
        }
        boolean replyDir = "reply".equals(c.dir());
        Tuple t = replyDir ? ct.reply() : ct.original();
        return switch (c.key()) {
            case "direction" -> ctx.replyDirection() ? 1L : 0L;
            case "mark" -> ct.mark();
            case "status" -> (ct.dnat() ? 32L : 0L) | (ct.snat() ? 16L : 0L) | (ct.confirmed() ? 8L : 0L)
                    | (ctx.replyDirection() || ctx.ctState() == CtState.ESTABLISHED ? 2L : 0L);
            case "saddr", "ip saddr", "ip6 saddr" -> c.dir() == null ? UNKNOWN : t.src();
            case "daddr", "ip daddr", "ip6 daddr" -> c.dir() == null ? UNKNOWN : t.dst();
            case "proto-src" -> (long) t.sport();
            case "proto-dst" -> (long) t.dport();
            case "l3proto" -> t.src().isV6() ? 10L : 2L;
            case "protocol" -> (long) t.protocol().number();
            case "zone" -> 0L;
            default -> UNKNOWN;
        };
    }

    /**
     * {@code meta pkttype}: {@code skb->pkt_type} as nft_meta_get_eval reads it (PACKET_HOST 0, PACKET_BROADCAST 1,
     * PACKET_MULTICAST 2). A received frame's type is its destination MAC's (eth_type_trans): a multicast address is
     * sent to a multicast MAC, the limited broadcast and the input subnet's directed broadcast to ff:ff:ff:ff:ff:ff,
     * anything else routed here to the device's own MAC (host). A locally generated packet is host until it is looped
     * back (PACKET_LOOPBACK: nft reads multicast for a multicast destination, broadcast otherwise, as
     * nft_meta_get_eval_pkttype_lo does). Bridged frames: UNKNOWN (br_netfilter changes the type between hooks).
     */
    private Object pktType(Packet p) {
        if (ctx.bridged()) {
            return UNKNOWN;
        }
        Ip d = p.dst();
        if (ctx.inInterface() == null) {
            return 0L;
        }
        if (d.isMulticast()) {
            return 2L;
        }
        if (d.isLimitedBroadcast()) {
            return 1L;
        }
        AddrType t = ctx.addressType(d, ctx.inInterface());
        return t == null ? UNKNOWN : t == AddrType.BROADCAST ? 1L : 0L;
    }

    private Object fib(NftExpr.Fib f, Packet p) {
        boolean saddr = f.flags().contains("saddr");
        String dev = f.flags().contains("iif") ? ctx.inInterface() : f.flags().contains("oif") ? ctx.outInterface() : null;
        switch (f.result()) {
            case "type" -> {
                AddrType t = ctx.addressType(saddr ? p.src() : p.dst(), dev);
                return t == null ? UNKNOWN : t.name().toLowerCase(Locale.ROOT);
            }
            case "oif", "oifname" -> {
                if (!saddr) {
                    return UNKNOWN;
                }
                // nft_fib4_eval for saddr: the route back to the source, limited to the input device when "iif" is given
                // (strict reverse path), any device otherwise (loose) — the reverse-path check of xt_rpfilter
                Boolean ok = ctx.rpfilter(f.flags().contains("mark") ? p.mark() : 0, !f.flags().contains("iif"), false);
                return ok == null ? UNKNOWN : ok;
            }
            default -> {
                return UNKNOWN;
            }
        }
    }

    // ---- types ------------------------------------------------------------------------------------

    /** nft's data type of each part of the expression (one for a plain expression); null parts when not known. */
    List<String> types(NftExpr e) {
        if (e instanceof NftExpr.Concat c) {
            List<String> out = new ArrayList<>();
            for (NftExpr x : c.parts()) {
                out.add(types(x).get(0));
            }
            return out;
        }
        return java.util.Collections.singletonList(type(e));
    }

    private String type(NftExpr e) {
        if (e instanceof NftExpr.Payload p) {
            return switch (p.field()) {
                case "saddr", "daddr" -> p.protocol().equals("ip6") ? "ipv6_addr" : "ipv4_addr";
                case "protocol", "nexthdr" -> "inet_proto";
                case "sport", "dport" -> "inet_service";
                case "flags" -> "tcp_flag";
                case "type" -> p.protocol().equals("icmpv6") ? "icmpv6_type" : "icmp_type";
                default -> "integer";
            };
        }
        if (e instanceof NftExpr.Meta m) {
            return switch (m.key()) {
                case "l4proto" -> "inet_proto";
                case "protocol" -> "ether_type";
                case "nfproto" -> "nf_proto";
                case "mark" -> "mark";
                case "iif", "oif" -> "iface_index";
                case "iifname", "oifname" -> "ifname";
                case "pkttype" -> "pkt_type";
                default -> "integer";
            };
        }
        if (e instanceof NftExpr.Ct c) {
            return switch (c.key()) {
                case "state" -> "ct_state";
                case "status" -> "ct_status";
                case "direction" -> "ct_dir";
                case "mark" -> "mark";
                case "saddr", "daddr", "ip saddr", "ip daddr", "ip6 saddr", "ip6 daddr" -> "addr";
                case "proto-src", "proto-dst" -> "inet_service";
                case "l3proto" -> "nf_proto";
                case "protocol" -> "inet_proto";
                default -> "integer";
            };
        }
        if (e instanceof NftExpr.Fib f) {
            return f.result().equals("type") ? "fib_addrtype" : "boolean";
        }
        if (e instanceof NftExpr.Binop b) {
            return type(b.left());
        }
        if (e instanceof NftExpr.MapLookup m && m.map() instanceof NftExpr.SetRef ref) {
            NftSet s = rules.set(family, table, ref.name());
            return s == null ? null : s.dataType();
        }
        return "integer";
    }

    /**
     * A constant of the listing as a value of {@code type}: addresses parsed, protocol/service/flag names to numbers
     * ({@code tcp} → 6, {@code established,related} → 0x6), interface names kept; UNKNOWN for a name this table
     * does not know.
     */
    static Object coerce(Object v, String type) {
        if (v instanceof List<?> l) {
            long bits = 0;
            for (Object x : l) {
                Object b = coerce(x, type);
                if (!(b instanceof Long n)) {
                    return UNKNOWN;
                }
                bits |= n;
            }
            return bits;
        }
        if (v instanceof Boolean || v instanceof Long) {
            return v;
        }
        String s = String.valueOf(v);
        if (type == null) {
            type = "";
        }
        switch (type) {
            case "ipv4_addr", "ipv6_addr", "addr" -> {
                Ip ip = Ip.tryParse(s);
                return ip == null ? UNKNOWN : ip;
            }
            case "ifname", "iface_index" -> {
                return s;
            }
            case "fib_addrtype" -> {
                return s.toLowerCase(Locale.ROOT);
            }
            case "boolean" -> {
                return switch (s) {
                    case "exists", "true" -> Boolean.TRUE;
                    case "missing", "false" -> Boolean.FALSE;
                    default -> UNKNOWN;
                };
            }
            default -> {
            }
        }
        Map<String, Long> names = switch (type) {
            case "inet_proto" -> PROTO;
            case "inet_service" -> SERVICES;
            case "ct_state" -> CT_STATE;
            case "ct_status" -> CT_STATUS;
            case "tcp_flag" -> TCP_FLAG;
            case "icmp_type" -> ICMP_TYPE;
            case "icmpv6_type" -> ICMPV6_TYPE;
            case "ct_dir" -> Map.of("original", 0L, "reply", 1L);
            case "nf_proto" -> Map.of("ipv4", 2L, "ipv6", 10L);
            case "pkt_type" -> Map.of("host", 0L, "unicast", 0L, "broadcast", 1L, "multicast", 2L, "other", 3L);
            case "ether_type" -> Map.of("ip", 0x0800L, "ip6", 0x86ddL, "arp", 0x0806L);
            default -> Map.of();
        };
        Long n = names.get(s.toLowerCase(Locale.ROOT));
        if (n != null) {
            return n;
        }
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            Ip ip = Ip.tryParse(s);
            return ip != null ? ip : UNKNOWN;
        }
    }
}
