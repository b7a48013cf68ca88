package io.skoop.netstack.route;

import io.skoop.netstack.sysctl.Sysctls;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.netstack.link.Address;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.link.Interfaces;
import io.skoop.netstack.link.Scope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The routing decision of one network namespace, as the kernel makes it for {@code ip route get}:
 * policy rules in priority order (net/core/fib_rules.c {@code fib_rules_lookup}, with
 * {@code fib4_rule_match}/{@code fib4_rule_action}/{@code fib4_rule_suppress}), per-table
 * longest-prefix match (net/ipv4/fib_trie.c {@code fib_table_lookup}), then the output path
 * ({@code ip_route_output_key_hash_rcu}, {@code __mkroute_output}, source selection by route
 * prefsrc or {@code inet_select_addr}) or the input path ({@code ip_route_input_slow}: martians,
 * local delivery, forwarding sysctl, {@code fib_validate_source} with rp_filter / accept_local /
 * src_valid_mark) of net/ipv4/route.c. IPv6 follows net/ipv6/fib6_rules.c and route.c in a
 * simplified form (lowest metric alive route of the longest prefix; RFC 6724 source selection
 * subset; no neighbour-reachability scoring).
 *
 * <p>Immutable and thread-safe after construction; a lookup allocates only its result and steps.
 */
public final class Router {
    private static final Ip LOOPBACK4 = Ip.parse("127.0.0.1");
    private static final Ip ALL_HOSTS = Ip.parse("224.0.0.1");

    private final Interfaces interfaces;
    private final Sysctls sysctls;
    private final List<PolicyRule> rules4;
    private final List<PolicyRule> rules6;
    private final Map<Integer, FibTable> tables4 = new HashMap<>();
    private final Map<Integer, FibTable> tables6 = new HashMap<>();
    private final boolean customRules4;
    private final boolean customLocalRoutes4;
    private final boolean hasVrf;

    /**
     * @param interfaces the namespace's interfaces (link.json + addr.json)
     * @param routes     the routes of all tables, both families (route.json + route6.json)
     * @param rules4     the IPv4 policy rules (rule.json)
     * @param rules6     the IPv6 policy rules (rule6.json)
     * @param sysctls    {@code sysctl -a} as key → value (may be empty: kernel defaults)
     */
    public Router(Interfaces interfaces, List<Route> routes, List<PolicyRule> rules4, List<PolicyRule> rules6,
                  Map<String, String> sysctls) {
        this(interfaces, routes, rules4, rules6, new Sysctls(sysctls));
    }

    /**
     * @param interfaces the namespace's interfaces (link.json + addr.json)
     * @param routes     the routes of all tables, both families (route.json + route6.json)
     * @param rules4     the IPv4 policy rules (rule.json)
     * @param rules6     the IPv6 policy rules (rule6.json)
     * @param sysctls    the namespace's sysctls (sysctl.txt); absent keys take the kernel defaults
     */
    public Router(Interfaces interfaces, List<Route> routes, List<PolicyRule> rules4, List<PolicyRule> rules6,
                  Sysctls sysctls) {
        this.interfaces = Objects.requireNonNull(interfaces);
        this.sysctls = Objects.requireNonNull(sysctls);
        Comparator<PolicyRule> byPriority = Comparator.comparingLong(PolicyRule::priority);
        this.rules4 = rules4.stream().sorted(byPriority).toList();
        this.rules6 = rules6.stream().sorted(byPriority).toList();
        boolean customLocal = false;
        for (Route r : routes) {
            (r.isV6() ? tables6 : tables4).computeIfAbsent(r.table(), id -> new FibTable(id, r.isV6())).add(r);
            if (!r.isV6() && r.type() == RouteType.LOCAL && !"kernel".equals(r.protocol())) {
                customLocal = true;
            }
        }
        this.customLocalRoutes4 = customLocal;
        this.customRules4 = !(this.rules4.size() == 3 && isDefault(this.rules4.get(0), 0, Tables.LOCAL)
                && isDefault(this.rules4.get(1), 32766, Tables.MAIN) && isDefault(this.rules4.get(2), 32767, Tables.DEFAULT));
        this.hasVrf = interfaces.all().stream().anyMatch(i -> "vrf".equals(i.kind()));
        // fib_trie.c: until the first custom rule (fib_unmerge), the local table is merged into main and
        // fib_lookup searches that merged trie, then "default"; results report table main
        FibTable merged = new FibTable(Tables.MAIN, false);
        for (int id : new int[] {Tables.LOCAL, Tables.MAIN}) {
            FibTable t = tables4.get(id);
            if (t != null) {
                t.all().forEach(merged::add);
            }
        }
        this.mergedMain4 = merged;
    }

    private final FibTable mergedMain4;

    private static boolean isDefault(PolicyRule r, long prio, int table) {
        return r.priority() == prio && r.action() == RuleAction.LOOKUP && r.table() == table && !r.not() && r.src() == null
                && r.dst() == null && r.iif() == null && r.oif() == null && r.fwmask() == 0;
    }

    /** The namespace's interfaces. */
    public Interfaces interfaces() {
        return interfaces;
    }

    /** The sysctls the lookups consult. */
    public Sysctls sysctls() {
        return sysctls;
    }

    /** The policy rules of a family in priority order. */
    public List<PolicyRule> rules(boolean v6) {
        return v6 ? rules6 : rules4;
    }

    /** The table with this id of a family, or null when it has no routes. */
    public FibTable table(boolean v6, int id) {
        return (v6 ? tables6 : tables4).get(id);
    }

    /**
     * Looks the query up like {@code ip route get}.
     *
     * @throws IllegalArgumentException when the query names a device this namespace does not have
     *                                  (ip route get fails with "Cannot find device" before asking the kernel)
     */
    public RouteResult lookup(RouteQuery q) {
        for (String d : new String[] {q.iif(), q.oif()}) {
            if (d != null && interfaces.byName(d).isEmpty()) {
                throw new IllegalArgumentException("Cannot find device \"" + d + "\"");
            }
        }
        Ctx c = new Ctx(q);
        return q.dst().isV6() ? (q.isInput() ? input6(c) : output6(c)) : (q.isInput() ? input4(c) : output4(c));
    }

    // ------------------------------------------------------------------ lookup state

    /**
     * The flow key of one FIB lookup ({@code struct flowi4}/{@code flowi6}); {@code dev} is the device every route's
     * nexthop must use, or null: IPv4's oif ({@code fib_lookup_good_nhc}), IPv6's oif or iif for a strict lookup
     * ({@code RT6_LOOKUP_F_IFACE}: {@code ip6_pol_route} scores routes against it, {@code rt6_check_dev}).
     */
    private record Flow(Ip dst, Ip src, String iif, String oif, long mark, int proto, int sport, int dport, int tos, long uid,
                        String dev) {
        /** A flow whose nexthops must use its oif (when it has one). */
        Flow(Ip dst, Ip src, String iif, String oif, long mark, int proto, int sport, int dport, int tos, long uid) {
            this(dst, src, iif, oif, mark, proto, sport, dport, tos, uid, oif);
        }
    }

    /** What {@code fib_lookup} returned. */
    private record Fib(Errno err, Route route, int nh, int table, PolicyRule rule) {
        boolean ok() {
            return err == null;
        }
    }

    /** Per-lookup mutable state: steps and flags. */
    private static final class Ctx {
        final RouteQuery q;
        final List<Step> steps = new ArrayList<>();
        boolean uncertain;

        Ctx(RouteQuery q) {
            this.q = q;
        }

        RouteResult fail(Errno e, String why) {
            steps.add(new Step.Failed(e, why));
            return new RouteResult(q, e, null, 0, null, null, null, null, List.of(), false, uncertain, steps);
        }

        RouteResult ok(RouteType type, int table, Route route, List<RouteResult.Path> paths, boolean hash) {
            RouteResult.Path p = paths.get(0);
            return new RouteResult(q, null, type, table, route, p.dev(), p.gateway(), p.prefsrc(), paths, hash, uncertain, steps);
        }
    }

    private String loName() {
        Interface lo = interfaces.loopback();
        return lo == null ? "lo" : lo.name();
    }

    // ------------------------------------------------------------------ rules

    /**
     * {@code fib_rules_lookup}: rules in order, goto, nop, terminal actions, table lookups
     * (throw and no-match continue), suppression; ESRCH (no rule decided) becomes ENETUNREACH.
     *
     * @param steps where to record decisions, or null (reverse-path lookups record a summary only)
     */
    private Fib fibLookup(Flow f, boolean v6, boolean ignoreLinkstate, List<Step> steps, Ctx c) {
        if (!v6 && !customRules4) {
            return fibLookupNoRules4(f, ignoreLinkstate, steps, c);
        }
        List<PolicyRule> rules = v6 ? rules6 : rules4;
        for (int i = 0; i < rules.size(); i++) {
            PolicyRule r = rules.get(i);
            String why = mismatch(r, f, v6, c);
            boolean matched = why == null;
            if (r.not()) {
                matched = !matched;
                why = matched ? null : "not: all selectors matched";
            }
            if (!matched) {
                if (steps != null) {
                    steps.add(new Step.RuleSkipped(r, why));
                }
                continue;
            }
            if (steps != null) {
                steps.add(new Step.RuleMatched(r));
            }
            switch (r.action()) {
                case GOTO -> {
                    int target = -1;
                    if (!r.gotoUnresolved()) {
                        for (int j = 0; j < rules.size(); j++) {
                            if (rules.get(j).priority() == r.gotoTarget()) {
                                target = j;
                                break;
                            }
                        }
                    }
                    if (steps != null) {
                        steps.add(new Step.Goto(r, target < 0 ? null : r.gotoTarget()));
                    }
                    if (target >= 0) {
                        i = target - 1; // the target is matched next ("jumped:" in fib_rules_lookup)
                    }
                    continue;
                }
                case NOP -> {
                    continue;
                }
                case LOOKUP -> {
                    int tableId = r.table();
                    if (r.l3mdev()) {
                        c.uncertain |= hasVrf;
                        if (steps != null) {
                            steps.add(new Step.Decision("rule " + r.priority() + ": l3mdev table not modelled (no VRF support), continuing"));
                        }
                        continue;
                    }
                    FibTable t = (v6 ? tables6 : tables4).get(tableId);
                    Fib res = t == null ? null : tableLookup(t, f, ignoreLinkstate, steps, c);
                    if (t == null && steps != null) {
                        steps.add(new Step.TableLookup(tableId, null, "table does not exist, continuing"));
                    }
                    if (res == null) {
                        continue; // EAGAIN: nothing found or throw
                    }
                    if (res.ok()) {
                        String sup = suppressed(r, res);
                        if (sup != null) {
                            if (steps != null) {
                                steps.add(new Step.Suppressed(r, res.route(), sup));
                            }
                            continue;
                        }
                    }
                    return new Fib(res.err(), res.route(), res.nh(), res.table(), r);
                }
                default -> {
                    if (r.action() == RuleAction.UNKNOWN) {
                        c.uncertain = true;
                    }
                    return new Fib(r.action().error(), null, -1, 0, r);
                }
            }
        }
        return new Fib(Errno.ENETUNREACH, null, -1, 0, null);
    }

    /**
     * {@code fib_lookup} without custom rules (include/net/ip_fib.h): the merged local+main trie, then the
     * default table; no rule is consulted (rule.json shows only the three default rules).
     */
    private Fib fibLookupNoRules4(Flow f, boolean ignoreLinkstate, List<Step> steps, Ctx c) {
        if (steps != null) {
            steps.add(new Step.Decision("only the default rules: local and main are one merged table (no fib_unmerge yet), then default"));
        }
        for (FibTable t : new FibTable[] {mergedMain4, tables4.get(Tables.DEFAULT)}) {
            if (t == null) {
                continue;
            }
            Fib res = tableLookup(t, f, ignoreLinkstate, steps, c);
            if (res != null) {
                return res;
            }
        }
        return new Fib(Errno.ENETUNREACH, null, -1, 0, null);
    }

    /** The first selector of {@code r} that does not match {@code f} (fib_rule_match + fib4/6_rule_match), or null. */
    private String mismatch(PolicyRule r, Flow f, boolean v6, Ctx c) {
        if (r.iif() != null && (r.iifDetached() || !r.iif().equals(f.iif()))) {
            return "iif " + r.iif() + (r.iifDetached() ? " is detached" : " != " + f.iif());
        }
        if (r.oif() != null && (r.oifDetached() || !r.oif().equals(f.oif()))) {
            return "oif " + r.oif() + (r.oifDetached() ? " is detached" : " != " + (f.oif() == null ? "none" : f.oif()));
        }
        if (((r.fwmark() ^ f.mark()) & r.fwmask()) != 0) {
            return "fwmark 0x" + Long.toHexString(r.fwmark()) + "/0x" + Long.toHexString(r.fwmask()) + " != mark 0x" + Long.toHexString(f.mark());
        }
        if (r.l3mdev()) {
            return "l3mdev: the flow has no VRF";
        }
        if (r.uidrange() != null && !r.uidrange().contains(f.uid())) {
            return "uid " + f.uid() + " not in " + r.uidrange();
        }
        if (r.src() != null) {
            if (f.src() == null) {
                if (v6 || !r.src().contains(Ip.V4_ANY)) {
                    return "from " + r.src() + ": the flow has no source yet";
                }
            } else if (!r.src().contains(f.src())) {
                return "from " + r.src() + " does not contain " + f.src();
            }
        }
        if (r.dst() != null && !r.dst().contains(f.dst())) {
            return "to " + r.dst() + " does not contain " + f.dst();
        }
        if (r.tos() != 0 && r.tos() != f.tos()) {
            return "tos 0x" + Integer.toHexString(r.tos()) + " != 0x" + Integer.toHexString(f.tos());
        }
        if (r.ipproto() > 0 && r.ipproto() != f.proto()) {
            return "ipproto " + r.ipproto() + " != " + f.proto();
        }
        if (r.sport() != null && !r.sport().contains(f.sport())) {
            return "sport " + f.sport() + " not in " + r.sport();
        }
        if (r.dport() != null && !r.dport().contains(f.dport())) {
            return "dport " + f.dport() + " not in " + r.dport();
        }
        if (!r.unknown().isEmpty()) {
            c.uncertain = true;
            return "UNKNOWN selector " + r.unknown() + " cannot be evaluated (treated as not matching)";
        }
        return null;
    }

    /** {@code fib4_rule_suppress}: the reason the result is suppressed, or null. */
    private String suppressed(PolicyRule r, Fib res) {
        if (res.route() == null) {
            return null;
        }
        if (r.suppressPrefixlen() >= 0 && res.route().dst().length() <= r.suppressPrefixlen()) {
            return "prefix length " + res.route().dst().length() + " <= suppress_prefixlength " + r.suppressPrefixlen();
        }
        if (r.suppressIfgroup() >= 0 && !res.route().nexthops().isEmpty()) {
            String dev = res.route().nexthops().get(0).dev();
            Interface i = dev == null ? null : interfaces.byName(dev).orElse(null);
            if (i != null && i.group() == r.suppressIfgroup()) {
                return "device " + dev + " is in group " + r.suppressIfgroup();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ tables

    /** {@code fib_table_lookup} (IPv4) or the simplified fib6 lookup; null means EAGAIN (continue with the next rule). */
    private Fib tableLookup(FibTable t, Flow f, boolean ignoreLinkstate, List<Step> steps, Ctx c) {
        Fib res = t.isV6() ? table6(t, f, ignoreLinkstate) : table4(t, f, ignoreLinkstate);
        if (steps != null) {
            String outcome;
            if (res == null) {
                outcome = "no usable route, continuing";
            } else if (res.route() != null && res.route().type() == RouteType.THROW) {
                outcome = "throw, continuing with the next rule";
            } else if (res.err() != null) {
                outcome = res.route().type().ipName() + " route: " + res.err();
            } else {
                outcome = res.route().isMultipath() ? "found (multipath)" : "found";
            }
            steps.add(new Step.TableLookup(t.id(), res == null ? null : res.route(), outcome));
        }
        if (res != null && res.route() != null && res.route().type() == RouteType.UNKNOWN) {
            c.uncertain = true;
        }
        if (res != null && res.route() != null && res.route().type() == RouteType.THROW) {
            return null;
        }
        return res;
    }

    private Fib table4(FibTable t, Flow f, boolean ignoreLinkstate) {
        return t.walk(f.dst(), routes -> {
            for (Route r : routes) {
                if (r.tos() != 0 && r.tos() != f.tos()) {
                    continue;
                }
                if (r.type() == RouteType.THROW) {
                    return new Fib(null, r, -1, t.id(), null); // EAGAIN without backtracking
                }
                Errno e = r.type() == RouteType.UNKNOWN ? Errno.EINVAL : r.type().error();
                if (e != null) {
                    return new Fib(e, r, -1, t.id(), null);
                }
                if (!r.nexthops().isEmpty() && r.nexthops().stream().allMatch(Nexthop::isDead)) {
                    continue; // fi->fib_flags & RTNH_F_DEAD
                }
                for (int i = 0; i < r.nexthops().size(); i++) {
                    if (goodNexthop(r.nexthops().get(i), f, ignoreLinkstate, false)) {
                        return new Fib(null, r, i, t.id(), null);
                    }
                }
            }
            return null;
        });
    }

    /** {@code fib_lookup_good_nhc}: not dead, not linkdown when ignored, on the flow's oif if any. */
    private boolean goodNexthop(Nexthop nh, Flow f, boolean ignoreLinkstate, boolean v6) {
        if (nh.isDead()) {
            return false;
        }
        if (!ignoreLinkstate && nh.isLinkDown() && nh.dev() != null && sysctls.effectiveOr(v6 ? "ipv6" : "ipv4", nh.dev(), "ignore_routes_with_linkdown")) {
            return false;
        }
        return f.dev() == null || f.dev().equals(nh.dev());
    }

    /** Simplified fib6 lookup: longest prefix, then the lowest-metric route with a usable nexthop (router pref breaks ties). */
    private Fib table6(FibTable t, Flow f, boolean ignoreLinkstate) {
        return t.walk(f.dst(), routes -> {
            Route best = null;
            int bestNh = -1;
            for (Route r : routes) {
                if (r.type() == RouteType.THROW || r.type().error() != null || r.type() == RouteType.UNKNOWN) {
                    // IPv6 reject routes hang off the loopback device: a strict oif (rt6_check_dev) skips them
                    if (f.dev() != null && !r.nexthops().isEmpty() && !f.dev().equals(r.nexthops().get(0).dev())) {
                        continue;
                    }
                    if (best == null) {
                        return new Fib(r.type() == RouteType.THROW ? null : r.type() == RouteType.UNKNOWN ? Errno.EINVAL : r.type().error(),
                                r, -1, t.id(), null);
                    }
                    continue;
                }
                for (int i = 0; i < r.nexthops().size(); i++) {
                    if (goodNexthop(r.nexthops().get(i), f, ignoreLinkstate, true)) {
                        if (best == null || r.metric() < best.metric()
                                || (r.metric() == best.metric() && prefRank(r) > prefRank(best))) {
                            best = r;
                            bestNh = i;
                        }
                        break;
                    }
                }
            }
            return best == null ? null : new Fib(null, best, bestNh, t.id(), null);
        });
    }

    private static int prefRank(Route r) {
        return r.pref() == null ? 1 : switch (r.pref()) {
            case "high" -> 2;
            case "low" -> 0;
            default -> 1;
        };
    }

    // ------------------------------------------------------------------ source selection

    /**
     * {@code inet_select_addr(dev, dst, scope)} (net/ipv4/devinet.c): the first primary address of
     * the device within the scope, preferring one whose subnet contains {@code dst}; else the first
     * primary, non-link-scope address within the scope of any device in device order. IPv4 only;
     * MASQUERADE picks its source this way ({@code inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE)}).
     *
     * @param devName the device (null: any device)
     * @param dst     the address the source should be in the subnet of (a gateway), or null
     * @return the address, or null when no device has a suitable one
     */
    public Ip inetSelectAddr(String devName, Ip dst, Scope scope) {
        Interface dev = devName == null ? null : interfaces.byName(devName).orElse(null);
        Ip addr = null;
        if (dev != null) {
            int localnet = sysctls.effectiveOr("ipv4", dev.name(), "route_localnet") ? Scope.LINK.value() : Scope.HOST.value();
            for (Address a : dev.addresses(false)) {
                if (a.isSecondary() || Math.min(a.scope().value(), localnet) > scope.value()) {
                    continue;
                }
                if (dst == null || a.prefix().contains(dst)) {
                    return a.local();
                }
                if (addr == null) {
                    addr = a.local();
                }
            }
        }
        if (addr != null) {
            return addr;
        }
        for (Interface d : interfaces.all()) {
            for (Address a : d.addresses(false)) {
                if (!a.isSecondary() && !a.scope().equals(Scope.LINK) && a.scope().value() <= scope.value()) {
                    return a.local();
                }
            }
        }
        return null;
    }

    /** {@code fib_result_prefsrc}: the route's prefsrc, else inet_select_addr(nexthop dev, gateway, route scope). */
    private Ip resultPrefsrc4(Route r, Nexthop nh) {
        if (r.prefsrc() != null) {
            return r.prefsrc();
        }
        return inetSelectAddr(nh.dev(), nh.gateway() != null && nh.gateway().isV4() ? nh.gateway() : null, r.scope());
    }

    /**
     * {@code __ip_dev_find(net, ip, false)}: the device that has {@code ip} configured, else the device of a
     * local-table route of type local covering it (e.g. {@code local 10.50.0.0/16 dev lo}) when the longest match
     * of the local table (merged with main while there are no custom rules) is that route; null when not local.
     */
    private String localAddressDevice4(Ip ip) {
        for (Interface i : interfaces.all()) {
            for (Address a : i.addresses(false)) {
                if (a.local().equals(ip)) {
                    return i.name();
                }
            }
        }
        // the local table; while it is merged into main (no custom rules) the lookup sees main's routes too
        FibTable local = customRules4 ? tables4.get(Tables.LOCAL) : mergedMain4;
        if (local != null) {
            Fib r = table4(local, new Flow(ip, null, null, null, 0, 0, 0, 0, 0, 0), true);
            if (r != null && r.ok() && r.route().type() == RouteType.LOCAL) {
                return r.route().nexthops().get(r.nh()).dev();
            }
        }
        return null;
    }

    /**
     * The route type of an address as {@code inet_dev_addr_type()} answers it
     * (net/ipv4/fib_frontend.c, used by the {@code addrtype} match): 0.0.0.0 and 255.255.255.255
     * are BROADCAST, 224.0.0.0/4 MULTICAST, else the type of the longest match in the local table
     * (merged with main while there are no custom rules) — LOCAL, BROADCAST, … — provided its
     * nexthop device is {@code dev} when a device is given; UNICAST otherwise. IPv6 (xt_addrtype's
     * {@code match_type6}): MULTICAST for ff00::/8, LOCAL when configured on a device (on {@code dev}
     * when given) or covered by a local route, else UNICAST.
     *
     * @param dev the device the answer is limited to ({@code --limit-iface-in/out}), or null
     */
    public RouteType addressType(Ip ip, String dev) {
        if (ip.isV6()) {
            if (ip.isMulticast()) {
                return RouteType.MULTICAST;
            }
            for (Interface i : interfaces.all()) {
                if ((dev == null || dev.equals(i.name())) && i.addresses(true).stream().anyMatch(a -> a.local().equals(ip))) {
                    return RouteType.LOCAL;
                }
            }
            FibTable local6 = tables6.get(Tables.LOCAL);
            if (local6 != null && dev == null && local6.all().stream()
                    .anyMatch(r -> r.type() == RouteType.LOCAL && r.dst().contains(ip))) {
                return RouteType.LOCAL;
            }
            return RouteType.UNICAST;
        }
        if (zeronet(ip) || ip.isLimitedBroadcast()) {
            return RouteType.BROADCAST;
        }
        if (ip.isMulticast()) {
            return RouteType.MULTICAST;
        }
        FibTable local = customRules4 ? tables4.get(Tables.LOCAL) : mergedMain4;
        if (local != null) {
            Fib r = table4(local, new Flow(ip, null, null, null, 0, 0, 0, 0, 0, 0), true);
            if (r != null && r.ok() && (dev == null || dev.equals(r.route().nexthops().get(r.nh()).dev()))) {
                return r.route().type();
            }
        }
        return RouteType.UNICAST;
    }

    private boolean isLocalAddress4(Ip ip) {
        return localAddressDevice4(ip) != null;
    }

    // ------------------------------------------------------------------ IPv4 output

    /** {@code ipv4_is_zeronet}: since Linux 5.3 ("Allow 0.0.0.0/8 as a valid address range") only 0.0.0.0 itself. */
    private static boolean zeronet(Ip ip) {
        return ip.isAny();
    }

    private static boolean localMulticast(Ip ip) {
        return (ip.lo() & 0xffffff00L) == 0xe0000000L;
    }

    private RouteResult output4(Ctx c) {
        RouteQuery q = c.q;
        Ip dst = q.dst();
        Ip src = q.src() != null && q.src().isAny() ? null : q.src(); // from 0.0.0.0 = no source
        c.steps.add(new Step.Decision("output lookup (locally generated packet): ip_route_output_key_hash_rcu"));
        if (src != null) {
            if (src.isMulticast() || src.isLimitedBroadcast() || zeronet(src)) {
                return c.fail(Errno.EINVAL, "source " + src + " is multicast, broadcast or zeronet");
            }
            if (q.oif() == null && (dst.isMulticast() || dst.isLimitedBroadcast())) {
                String d = localAddressDevice4(src);
                if (d == null) {
                    return c.fail(Errno.ENETUNREACH, "source " + src + " is not a local address");
                }
                c.steps.add(new Step.Decision("multicast/broadcast destination: output via " + d + ", the device of " + src));
                return makeOutput4(c, dst.isMulticast() ? RouteType.MULTICAST : RouteType.BROADCAST, 0, null, null, d, src);
            }
            if (!isLocalAddress4(src)) {
                return c.fail(Errno.ENETUNREACH, "source " + src + " is not a local address (__ip_dev_find)");
            }
        }
        if (q.oif() != null) {
            Interface o = interfaces.byName(q.oif()).orElseThrow();
            if (!o.isUp()) {
                return c.fail(Errno.ENETUNREACH, "oif " + o.name() + " is down");
            }
            if (localMulticast(dst) || dst.isLimitedBroadcast() || q.ipproto() == 2) {
                Ip s = src != null ? src : inetSelectAddr(o.name(), null, Scope.LINK);
                c.steps.add(new Step.SourceSelected(s, src != null ? "given" : "inet_select_addr(" + o.name() + ", link scope)"));
                return makeOutput4(c, dst.isLimitedBroadcast() ? RouteType.BROADCAST : RouteType.MULTICAST, 0, null, null, o.name(), s);
            }
            if (src == null && (dst.isMulticast() || dst.isAny())) {
                // the source is chosen on the oif before the fib lookup (and takes part in rule matching)
                src = inetSelectAddr(o.name(), null, dst.isMulticast() ? Scope.GLOBAL : Scope.HOST);
                c.steps.add(new Step.SourceSelected(src, "inet_select_addr(" + o.name() + ") before the lookup, as for any oif-bound "
                        + (dst.isMulticast() ? "multicast" : "0.0.0.0") + " destination"));
            }
        }
        if (dst.isAny()) {
            Ip d = src != null ? src : LOOPBACK4;
            c.steps.add(new Step.Decision("destination 0.0.0.0: delivered locally to " + d + " via loopback"));
            return makeOutput4(c, RouteType.LOCAL, 0, null, null, loName(), src != null ? src : LOOPBACK4);
        }
        Flow f = new Flow(dst, src, loName(), q.oif(), q.mark(), q.ipproto(), q.sport(), q.dport(), q.tos(), q.uid());
        Fib res = fibLookup(f, false, false, c.steps, c);
        if (!res.ok()) {
            if (q.oif() != null) {
                Ip s = src != null ? src : inetSelectAddr(q.oif(), null, Scope.LINK);
                c.steps.add(new Step.Decision("fib lookup failed (" + res.err() + ") but oif " + q.oif()
                        + " is given: the kernel assumes the destination is on-link there"));
                c.steps.add(new Step.SourceSelected(s, src != null ? "given" : "inet_select_addr(" + q.oif() + ", link scope)"));
                return makeOutput4(c, RouteType.UNICAST, 0, null, null, q.oif(), s);
            }
            return c.fail(res.err(), res.route() != null ? "route " + res.route() : res.rule() != null
                    ? "rule " + res.rule().priority() + " action " + res.rule().action().ipName() : "no rule and no route matched");
        }
        Route r = res.route();
        if (r.type() == RouteType.LOCAL) {
            Ip s = src != null ? src : r.prefsrc() != null ? r.prefsrc() : dst;
            c.steps.add(new Step.Decision("local route: delivered via the loopback device"));
            c.steps.add(new Step.SourceSelected(s, src != null ? "given" : r.prefsrc() != null ? "route prefsrc" : "the destination itself"));
            return makeOutput4(c, RouteType.LOCAL, res.table(), r, null, loName(), s);
        }
        List<RouteResult.Path> paths = new ArrayList<>();
        boolean hash = false;
        if (r.isMultipath() && q.oif() == null) {
            for (Nexthop nh : r.nexthops()) {
                if (goodNexthop(nh, f, false, false)) {
                    paths.add(new RouteResult.Path(gateway4(c, nh), nh.dev(), nh.weight(), src != null ? src : resultPrefsrc4(r, nh)));
                }
            }
            hash = paths.size() > 1;
        } else {
            Nexthop nh = r.nexthops().get(res.nh());
            paths.add(new RouteResult.Path(gateway4(c, nh), nh.dev(), nh.weight(), src != null ? src : resultPrefsrc4(r, nh)));
        }
        Nexthop chosen = r.nexthops().stream().filter(n -> Objects.equals(n.dev(), paths.get(0).dev())
                && (Objects.equals(n.gateway(), paths.get(0).gateway()) || paths.get(0).gateway() == null)).findFirst().orElseThrow();
        c.steps.add(new Step.NexthopChosen(chosen, r.nexthops(), hash));
        c.steps.add(new Step.SourceSelected(paths.get(0).prefsrc(), src != null ? "given" : r.prefsrc() != null ? "route prefsrc"
                : "inet_select_addr on the nexthop device within the route scope"));
        return makeOutput4(c, r.type(), res.table(), r, paths, chosen.dev(), paths.get(0).prefsrc());
    }

    /**
     * The gateway a packet really goes to by nexthop {@code nh}: its gateway, except when that is an address of this
     * namespace. fib_check_nh_v4_gw accepts a local gateway with the scope of its local route (host), and
     * rt_set_nexthop uses a gateway only when the nexthop's scope is link: the kernel sends the packet on-link and
     * resolves the destination itself (null here).
     */
    private Ip gateway4(Ctx c, Nexthop nh) {
        if (nh.gateway() != null && nh.gateway().isV4() && interfaces.withAddress(nh.gateway()).isPresent()) {
            c.steps.add(new Step.Decision("gateway " + nh.gateway() + " is an address of this namespace: the nexthop has scope host,"
                    + " and the kernel uses a gateway only with scope link, so the packet goes on-link to its destination via " + nh.dev()));
            return null;
        }
        return nh.gateway();
    }

    /** {@code __mkroute_output}: loopback-source and broadcast/multicast/zeronet destination checks. */
    private RouteResult makeOutput4(Ctx c, RouteType type, int table, Route r, List<RouteResult.Path> paths, String dev, Ip saddr) {
        Interface out = interfaces.byName(dev).orElse(null);
        if (saddr != null && saddr.isLoopback() && (out == null || !out.isLoopback())) {
            return c.fail(Errno.EINVAL, "loopback source " + saddr + " leaving via non-loopback " + dev);
        }
        Ip dst = c.q.dst();
        if (dst.isLimitedBroadcast()) {
            type = RouteType.BROADCAST;
        } else if (dst.isMulticast()) {
            type = RouteType.MULTICAST;
        }
        if (paths == null) {
            paths = List.of(new RouteResult.Path(null, dev, 1, saddr));
        } else if (type == RouteType.BROADCAST || (type == RouteType.MULTICAST && r != null && r.dst().length() < 4)) {
            // __mkroute_output drops the fib_info (fi = NULL): no gateway for broadcast, nor for multicast via a route shorter than /4
            paths = paths.stream().map(p -> new RouteResult.Path(null, p.dev(), p.weight(), p.prefsrc())).toList();
        }
        return c.ok(type, table, r, paths, paths.size() > 1);
    }

    // ------------------------------------------------------------------ IPv4 input

    private RouteResult input4(Ctx c) {
        RouteQuery q = c.q;
        Ip dst = q.dst();
        Ip src = q.src() != null ? q.src() : Ip.V4_ANY;
        String iif = q.iif();
        Interface in = interfaces.byName(iif).orElseThrow();
        c.steps.add(new Step.Decision("input lookup (packet received on " + iif + "): ip_route_input_slow"));
        if (dst.isMulticast()) {
            // ip_route_input_rcu: multicast is accepted only for groups the device joined (ip_check_mc_rcu) or with
            // multicast forwarding; group memberships are not in the dump, every device joins 224.0.0.1
            c.uncertain |= dst.equals(ALL_HOSTS);
            return c.fail(Errno.EINVAL, "multicast destination " + dst + " on input: not a joined group (memberships are not in the dump)"
                    + " and no multicast forwarding");
        }
        if (src.isMulticast() || src.isLimitedBroadcast()) {
            return c.fail(Errno.EINVAL, "martian source " + src + " (multicast or broadcast)");
        }
        if (dst.isLimitedBroadcast() || (src.isAny() && dst.isAny())) {
            return broadcastInput4(c, in, src, 0, null);
        }
        if (zeronet(src)) {
            return c.fail(Errno.EINVAL, "martian source " + src);
        }
        if (zeronet(dst)) {
            return c.fail(Errno.EINVAL, "martian destination " + dst);
        }
        if (dst.isLoopback()) {
            if (!sysctls.effectiveOr("ipv4", iif, "route_localnet")) {
                return c.fail(Errno.EINVAL, "martian destination " + dst + " (loopback, route_localnet off)");
            }
        } else if (src.isLoopback() && !sysctls.effectiveOr("ipv4", iif, "route_localnet")) {
            return c.fail(Errno.EINVAL, "martian source " + src + " (loopback, route_localnet off)");
        }
        Flow f = new Flow(dst, src, iif, null, q.mark(), q.ipproto(), q.sport(), q.dport(), q.tos(), 0);
        Fib res = fibLookup(f, false, false, c.steps, c);
        boolean fwd = forwarding4(c, iif);
        if (!res.ok()) {
            if (!fwd) {
                return c.fail(Errno.EHOSTUNREACH, "no route (" + res.err() + ") and forwarding is off on " + iif);
            }
            return c.fail(res.err(), res.route() != null ? "route " + res.route() : res.rule() != null
                    ? "rule " + res.rule().priority() + " action " + res.rule().action().ipName() : "no rule and no route matched");
        }
        Route r = res.route();
        if (r.type() == RouteType.BROADCAST) {
            return broadcastInput4(c, in, src, res.table(), r);
        }
        if (r.type() == RouteType.LOCAL) {
            Errno e = validateSource4(c, src, dst, null, in);
            if (e != null) {
                return c.fail(e, "source validation failed for local delivery" + validationFailure(c));
            }
            c.steps.add(new Step.Decision("local route: delivered locally"));
            return c.ok(RouteType.LOCAL, res.table(), r, List.of(new RouteResult.Path(null, loName(), 1, null)), false);
        }
        if (!fwd) {
            return c.fail(Errno.EHOSTUNREACH, "forwarding is off on " + iif + " (net.ipv4.conf." + iif + ".forwarding)");
        }
        if (r.type() != RouteType.UNICAST) {
            return c.fail(Errno.EINVAL, "martian destination: route type " + r.typeText() + " cannot be forwarded");
        }
        List<RouteResult.Path> paths = new ArrayList<>();
        if (r.isMultipath()) {
            for (Nexthop nh : r.nexthops()) {
                if (goodNexthop(nh, f, false, false)) {
                    paths.add(new RouteResult.Path(gateway4(c, nh), nh.dev(), nh.weight(), null));
                }
            }
        } else {
            Nexthop nh = r.nexthops().get(res.nh());
            paths.add(new RouteResult.Path(gateway4(c, nh), nh.dev(), nh.weight(), null));
        }
        boolean hash = paths.size() > 1;
        RouteResult.Path p = paths.get(0);
        c.steps.add(new Step.NexthopChosen(r.nexthops().get(res.nh()), r.nexthops(), hash));
        Errno e = validateSource4(c, src, dst, p.dev(), in);
        if (e != null) {
            return c.fail(e, "source validation failed for forwarding" + validationFailure(c));
        }
        return c.ok(RouteType.UNICAST, res.table(), r, paths, hash);
    }

    /**
     * The reverse-path check of {@code -m rpfilter} (net/ipv4/netfilter/ipt_rpfilter.c, {@code rpfilter_lookup_reverse}):
     * a FIB lookup of the packet's source, from its destination, with iif = loopback, the mark only with
     * {@code --validmark}, ignoring link state. True when it finds a unicast route (or a local one with
     * {@code --accept-local}) whose nexthops use {@code dev}, or, with {@code --loose}, any such route. Packets on a
     * loopback device, and from 0.0.0.0 to broadcast or local multicast, pass (as in {@code rpfilter_mt}).
     *
     * @param src  the packet's source (IPv4)
     * @param dst  the packet's destination
     * @param dev  the input device
     * @param mark the mark the lookup uses (the packet's with --validmark, else 0)
     */
    public boolean rpfilter(Ip src, Ip dst, String dev, long mark, int tos, boolean loose, boolean acceptLocal) {
        Interface in = interfaces.byName(dev).orElse(null);
        if (in != null && in.isLoopback()) {
            return true;
        }
        if (zeronet(src) && (dst.isLimitedBroadcast() || dst.isMulticast())) {
            return true;
        }
        Ip saddr = dst.isMulticast() || dst.isLimitedBroadcast() || zeronet(dst) ? null : dst;
        Ctx c = new Ctx(new RouteQuery(src, saddr, loName(), null, mark, 0, 0, 0, tos, 0));
        Fib res = fibLookup(new Flow(src, saddr, loName(), null, mark, 0, 0, 0, tos, 0), false, true, null, c);
        if (!res.ok()) {
            return false;
        }
        Route r = res.route();
        if (r.type() != RouteType.UNICAST && !(r.type() == RouteType.LOCAL && acceptLocal)) {
            return false;
        }
        return loose || r.nexthops().stream().anyMatch(n -> dev.equals(n.dev()));
    }

    /**
     * IN_DEV_FORWARD of the ingress device: {@code net.ipv4.conf.<iif>.forwarding}, else {@code net.ipv4.ip_forward}
     * (which sets every device's), else — when the sysctls cannot be trusted — 0 assumed and the answer uncertain.
     */
    private boolean forwarding4(Ctx c, String iif) {
        String key = Sysctls.confKey("ipv4", iif, "forwarding");
        var v = sysctls.getInt(key);
        if (v.isEmpty()) {
            v = sysctls.getInt("net.ipv4.ip_forward");
        }
        if (v.isEmpty()) {
            assume(c, key, "0, the kernel default");
            return false;
        }
        return v.getAsInt() != 0;
    }

    /**
     * Why IPv6 packets received on {@code iif} are not forwarded, or null when they are. ip6_forward (net/ipv6/ip6_output.c)
     * drops them unless {@code net.ipv6.conf.all.forwarding} is on or the input device's {@code force_forwarding}
     * (Linux 6.17+) is; the per-device {@code forwarding} values do not decide (they switch host/router behaviour:
     * router advertisements, the NDP router flag). Checked on this kernel: all=1 with c0's forwarding=0 forwards; all=0
     * forwards only what arrives on a device with force_forwarding=1.
     *
     * @param iif the device the packet came in on
     * @throws UnsupportedOperationException when the sysctls cannot be trusted and lack the value
     */
    public String ipv6NotForwarded(String iif) {
        var all = sysctls.getInt("net.ipv6.conf.all.forwarding");
        if (all.isEmpty() && sysctls.untrusted().isPresent()) {
            throw new UnsupportedOperationException("whether IPv6 packets are forwarded is not known (net.ipv6.conf.all.forwarding): "
                    + sysctls.untrusted().get());
        }
        if (all.orElse(0) != 0 || iif != null && sysctls.getInt(Sysctls.confKey("ipv6", iif, "force_forwarding")).orElse(0) != 0) {
            return null;
        }
        return "net.ipv6.conf.all.forwarding = 0" + (all.isEmpty() ? " (not in the dump: the kernel default)" : "")
                + (iif == null ? "" : " and " + iif + " has no force_forwarding") + ": IPv6 packets are not forwarded";
    }

    /**
     * Why the IPv6 packets {@code dev} receives are dropped before routing, or null when they are not: ip6_rcv_core
     * (net/ipv6/ip6_input.c) drops them when {@code net.ipv6.conf.<dev>.disable_ipv6} is on (IPSTATS_MIB_INDISCARDS,
     * drop reason IPV6DISABLED). Setting {@code all.disable_ipv6} sets every device's, so the device's value decides.
     *
     * @param dev the receiving device
     * @throws UnsupportedOperationException when the sysctls cannot be trusted and lack the value
     */
    public String ipv6Disabled(String dev) {
        String key = Sysctls.confKey("ipv6", dev, "disable_ipv6");
        var v = sysctls.getInt(key);
        if (v.isEmpty() && sysctls.untrusted().isPresent()) {
            throw new UnsupportedOperationException("whether IPv6 is enabled on " + dev + " is not known (" + key + "): "
                    + sysctls.untrusted().get());
        }
        return v.orElse(0) == 0 ? null : "IPv6 is disabled on " + dev + " (" + key + " = 1): the kernel drops the IPv6 packets it receives";
    }

    /** Records that the lookup used {@code assumed} for {@code key}, which untrusted sysctls lack; no-op for collected sysctls. */
    private void assume(Ctx c, String key, String assumed) {
        sysctls.untrusted().ifPresent(why -> {
            c.uncertain = true;
            c.steps.add(new Step.Assumed(key, assumed, why));
        });
    }

    private RouteResult broadcastInput4(Ctx c, Interface in, Ip src, int table, Route r) {
        if (!zeronet(src)) {
            Errno e = validateSource4(c, src, Ip.V4_ANY, null, in);
            if (e != null) {
                return c.fail(e, "source validation failed for broadcast" + validationFailure(c));
            }
        }
        c.steps.add(new Step.Decision("broadcast: delivered locally"));
        return c.ok(RouteType.BROADCAST, table, r, List.of(new RouteResult.Path(null, loName(), 1, null)), false);
    }

    /**
     * {@code fib_validate_source} / {@code __fib_validate_source} (net/ipv4/fib_frontend.c): the
     * reverse lookup of the source with iif = the output device (or loopback for local delivery),
     * strict (1) or loose (2) rp_filter, accept_local, src_valid_mark. Returns the errno or null.
     */
    private Errno validateSource4(Ctx c, Ip src, Ip dst, String oif, Interface in) {
        String dev = in.name();
        boolean known = sysctls.untrusted().isEmpty() || sysctls.has(Sysctls.confKey("ipv4", "all", "rp_filter"))
                && sysctls.has(Sysctls.confKey("ipv4", dev, "rp_filter"));
        if (known) {
            return validateSource4(c, src, dst, oif, in, sysctls.effectiveMax("ipv4", dev, "rp_filter"));
        }
        // rp_filter unknown: the answer is certain only when off (the kernel default) and strict agree
        Errno strict = validateSource4(new Ctx(c.q), src, dst, oif, in, 1);
        Errno off = validateSource4(c, src, dst, oif, in, 0);
        if (strict != off) {
            assume(c, Sysctls.confKey("ipv4", dev, "rp_filter"), "0, the kernel default (strict rp_filter would "
                    + (off == null ? "drop" : "accept") + " this packet)");
        }
        return off;
    }

    private Errno validateSource4(Ctx c, Ip src, Ip dst, String oif, Interface in, int rpf) {
        String dev = in.name();
        boolean acceptLocal = sysctls.effectiveOr("ipv4", dev, "accept_local");
        boolean txRedirects = sysctls.confOr("ipv4", "all", "send_redirects", 1) != 0 || sysctls.confOr("ipv4", dev, "send_redirects", 1) != 0;
        if (rpf == 0 && (!dev.equals(oif) || !txRedirects)) {
            if (acceptLocal) {
                return pass(c, src, dev, rpf, "accept_local is on and rp_filter off");
            }
            if (!customLocalRoutes4 && !customRules4) {
                if (interfaces.withAddress(src).isPresent()) { // inet_lookup_ifaddr_rcu
                    return failV(c, src, dev, rpf, Errno.EINVAL, "source " + src + " is a local address (martian)");
                }
                return pass(c, src, dev, rpf, "rp_filter off");
            }
        }
        Flow rf = new Flow(src, dst.isAny() ? null : dst, oif != null ? oif : loName(), null,
                sysctls.effectiveOr("ipv4", dev, "src_valid_mark") ? c.q.mark() : 0, c.q.ipproto(), c.q.dport(), c.q.sport(), c.q.tos(), 0);
        Fib res = fibLookup(rf, false, false, null, c);
        boolean noAddr = in.addresses(false).isEmpty();
        if (!res.ok()) {
            return rpf != 0 ? failV(c, src, dev, rpf, Errno.EINVAL, "no route back to " + src)
                    : pass(c, src, dev, rpf, "no route back, rp_filter off");
        }
        Route r = res.route();
        if (r.type() != RouteType.UNICAST) {
            if (r.type() != RouteType.LOCAL) {
                return failV(c, src, dev, rpf, Errno.EINVAL, "route back to " + src + " is " + r.typeText());
            } else if (!acceptLocal) {
                return failV(c, src, dev, rpf, Errno.EINVAL, "source " + src + " is local and accept_local is off");
            }
        }
        boolean devMatch = r.nexthops().stream().anyMatch(n -> dev.equals(n.dev())) || (r.type() == RouteType.LOCAL && in.isLoopback());
        if (devMatch) {
            return pass(c, src, dev, rpf, "route back " + r + " uses " + dev);
        }
        if (noAddr) {
            return rpf != 0 ? failV(c, src, dev, rpf, Errno.EINVAL, dev + " has no IPv4 address")
                    : pass(c, src, dev, rpf, dev + " has no address, rp_filter off");
        }
        if (rpf == 1) {
            return failV(c, src, dev, rpf, Errno.EINVAL, "strict rp_filter: route back " + r + " does not use " + dev);
        }
        return pass(c, src, dev, rpf, rpf == 2 ? "loose rp_filter: a route back exists" : "rp_filter off");
    }

    /**
     * What the failed source validation says, naming the sysctl that decided it: {@code : reverse-path filter
     * (net.ipv4.conf.eth0.rp_filter, effective 1 = strict: the larger of all and eth0): strict rp_filter: route back …}.
     */
    private static String validationFailure(Ctx c) {
        for (int i = c.steps.size() - 1; i >= 0; i--) {
            if (c.steps.get(i) instanceof Step.SourceValidation v && !v.passed()) {
                if (v.rpFilter() == 0) {
                    return ": " + v.detail();
                }
                return ": " + v.detail() + " (reverse-path filter: net.ipv4.conf." + v.device() + ".rp_filter, effective "
                        + (v.rpFilter() == 1 ? "1 = strict" : "2 = loose") + ", the larger of net.ipv4.conf.all.rp_filter and net.ipv4.conf."
                        + v.device() + ".rp_filter)";
            }
        }
        return "";
    }

    private static Errno pass(Ctx c, Ip src, String dev, int rpf, String detail) {
        c.steps.add(new Step.SourceValidation(src, dev, rpf, true, detail));
        return null;
    }

    private static Errno failV(Ctx c, Ip src, String dev, int rpf, Errno e, String detail) {
        c.steps.add(new Step.SourceValidation(src, dev, rpf, false, detail));
        return e;
    }

    // ------------------------------------------------------------------ IPv6

    private RouteResult output6(Ctx c) {
        RouteQuery q = c.q;
        c.steps.add(new Step.Decision("IPv6 output lookup: ip6_route_output (simplified: no neighbour scoring)"));
        // ip6_route_output_flags: the oif is strict (RT6_LOOKUP_F_IFACE) only without a source (or for link-local/multicast
        // destinations); with a source it is only a preference (rt6_score_route)
        boolean strict = q.oif() != null && (q.src() == null || v6Scope(q.dst()) <= 2 || q.dst().isMulticast());
        Flow f = new Flow(q.dst(), q.src(), loName(), strict ? q.oif() : null, q.mark(), q.ipproto(), q.sport(), q.dport(), q.tos(), q.uid());
        if (q.oif() != null && !strict) {
            c.steps.add(new Step.Decision("oif " + q.oif() + " with a source: a preference, not a requirement (no RT6_LOOKUP_F_IFACE)"));
        }
        Fib res = fibLookup(f, true, false, c.steps, c);
        if (!res.ok()) {
            return c.fail(res.err(), res.route() != null ? "route " + res.route() : res.rule() != null
                    ? "rule " + res.rule().priority() + " action " + res.rule().action().ipName() : "no rule and no route matched");
        }
        Route r = res.route();
        if (r.type() == RouteType.LOCAL) {
            Nexthop nh = r.nexthops().get(0);
            Ip s = r.prefsrc() != null ? r.prefsrc() : ipv6SelectSource(q.dst(), nh.dev());
            return c.ok(RouteType.LOCAL, res.table(), r, List.of(new RouteResult.Path(null, loName(), 1, s)), false);
        }
        // rt6_multipath_select hashes among the siblings even with a (non-strict) oif; a strict oif is in f and filters them
        List<RouteResult.Path> paths = paths6(r, res.nh(), f, true, true);
        boolean hash = paths.size() > 1;
        c.steps.add(new Step.NexthopChosen(r.nexthops().get(res.nh()), r.nexthops(), hash));
        c.steps.add(new Step.SourceSelected(paths.get(0).prefsrc(), r.prefsrc() != null ? "route prefsrc"
                : "ipv6_dev_get_saddr (RFC 6724 subset)"));
        return c.ok(r.type(), res.table(), r, paths, hash);
    }

    private RouteResult input6(Ctx c) {
        RouteQuery q = c.q;
        c.steps.add(new Step.Decision("IPv6 input lookup: ip6_route_input (simplified)"));
        if (q.dst().isMulticast()) {
            // ip6_route_input: multicast routing and group membership are not in the dump
            c.uncertain = true;
            c.steps.add(new Step.Decision("multicast destination on input: group membership and multicast routing are not modelled (uncertain)"));
        }
        // ip6_route_input_lookup: a link-local, loopback or multicast destination is looked up strictly on the input
        // device (rt6_need_strict → RT6_LOOKUP_F_IFACE with the iif as ip6_pol_route's oif): another device's local
        // route does not make it local
        boolean strict = v6Scope(q.dst()) <= 2 || q.dst().isMulticast();
        Flow f = new Flow(q.dst(), q.src(), q.iif(), null, q.mark(), q.ipproto(), q.sport(), q.dport(), q.tos(), 0, strict ? q.iif() : null);
        if (strict) {
            c.steps.add(new Step.Decision("link-local/loopback/multicast destination: only routes through the input device " + q.iif()
                    + " (RT6_LOOKUP_F_IFACE)"));
        }
        Fib res = fibLookup(f, true, false, c.steps, c);
        if (!res.ok()) {
            return c.fail(res.err(), res.route() != null ? "route " + res.route() : "no rule and no route matched");
        }
        Route r = res.route();
        if (r.type() == RouteType.LOCAL) {
            return c.ok(RouteType.LOCAL, res.table(), r, List.of(new RouteResult.Path(null, loName(), 1, null)), false);
        }
        List<RouteResult.Path> paths = paths6(r, res.nh(), f, true, false);
        c.steps.add(new Step.NexthopChosen(r.nexthops().get(res.nh()), r.nexthops(), paths.size() > 1));
        return c.ok(r.type(), res.table(), r, paths, paths.size() > 1);
    }

    /**
     * The usable paths of an IPv6 route: the found nexthop first, then (when {@code all}, i.e. the
     * kernel hashes among siblings: rt6_multipath_select) the other usable ones; each carries the route's
     * prefsrc, and with {@code source} (output) the source ip6_route_get_saddr gives without one
     * (ipv6_dev_get_saddr), which rt6_fill_node prints whatever "from" says.
     */
    private List<RouteResult.Path> paths6(Route r, int found, Flow f, boolean all, boolean source) {
        List<RouteResult.Path> paths = new ArrayList<>();
        for (int i = 0; i < r.nexthops().size(); i++) {
            Nexthop nh = r.nexthops().get(i);
            if ((i == found || (r.isMultipath() && all)) && goodNexthop(nh, f, false, true)) {
                Ip s = r.prefsrc() != null ? r.prefsrc() : !source ? null : ipv6SelectSource(f.dst(), nh.dev());
                RouteResult.Path p = new RouteResult.Path(nh.gateway(), nh.dev(), nh.weight(), s);
                if (i == found) {
                    paths.add(0, p);
                } else {
                    paths.add(p);
                }
            }
        }
        return paths;
    }

    /**
     * A subset of {@code ipv6_dev_get_saddr} (net/ipv6/addrconf.c, RFC 6724 section 5): candidates are
     * the non-tentative addresses of the output device when the destination is link-local or multicast,
     * else of all devices; preferred: the destination itself, appropriate scope, not deprecated, on the
     * output device, matching label (the default {@code ip addrlabel} table), longest matching prefix; the first
     * candidate (the device's address list order: newest first within a scope, as {@code ip addr} lists them) wins ties.
     */
    Ip ipv6SelectSource(Ip dst, String outDev) {
        int dstScope = v6Scope(dst);
        boolean oifOnly = dstScope <= 2 || dst.isMulticast();
        Address best = null;
        String bestDev = null;
        for (Interface i : interfaces.all()) {
            if (oifOnly && !i.name().equals(outDev)) {
                continue;
            }
            for (Address a : i.addresses(true)) {
                if (a.isTentative()) {
                    continue;
                }
                if (best == null || better6(a, i.name(), best, bestDev, dst, dstScope, outDev)) {
                    best = a;
                    bestDev = i.name();
                }
            }
        }
        return best == null ? null : best.local();
    }

    private static boolean better6(Address a, String aDev, Address b, String bDev, Ip dst, int dstScope, String outDev) {
        int c = Boolean.compare(a.local().equals(dst), b.local().equals(dst));
        if (c != 0) {
            return c > 0;
        }
        int sa = v6Scope(a.local()), sb = v6Scope(b.local());
        if (sa != sb) {
            return sb < sa ? sb < dstScope : sa >= dstScope;
        }
        c = Boolean.compare(!a.flags().contains("deprecated"), !b.flags().contains("deprecated"));
        if (c != 0) {
            return c > 0;
        }
        c = Boolean.compare(aDev.equals(outDev), bDev.equals(outDev));
        if (c != 0) {
            return c > 0;
        }
        int dl = addrLabel(dst);
        c = Boolean.compare(addrLabel(a.local()) == dl, addrLabel(b.local()) == dl);
        if (c != 0) {
            return c > 0;
        }
        int pa = Math.min(commonPrefix(a.local(), dst), a.prefixlen()), pb = Math.min(commonPrefix(b.local(), dst), b.prefixlen());
        return pa > pb;
    }

    /**
     * The label of an address in Linux's default address label table ({@code ip addrlabel}, net/ipv6/addrlabel.c
     * {@code ip6addrlbl_init_table}, RFC 6724 section 2.1): the longest matching prefix's label. A namespace's own
     * {@code ip addrlabel} changes are not in the dump: the default table is assumed.
     */
    static int addrLabel(Ip ip) {
        int best = -1;
        int label = 1;
        for (long[] e : ADDR_LABELS) {
            int len = (int) e[2];
            if (len > best && commonPrefix(ip, Ip.v6(e[0], e[1])) >= len) {
                best = len;
                label = (int) e[3];
            }
        }
        return label;
    }

    /** {@code ip6addrlbl_init_table}: {hi, lo, prefix length, label}. */
    private static final long[][] ADDR_LABELS = {
            {0L, 0L, 0, 1},                                // ::/0
            {0xfc00L << 48, 0L, 7, 5},                     // fc00::/7 (ULA)
            {0xfec0L << 48, 0L, 10, 11},                   // fec0::/10 (site-local)
            {0x2002L << 48, 0L, 16, 2},                    // 2002::/16 (6to4)
            {0x3ffeL << 48, 0L, 16, 12},                   // 3ffe::/16 (6bone)
            {0x2001L << 48, 0L, 32, 6},                    // 2001::/32 (Teredo)
            {(0x2001L << 48) | (0x10L << 32), 0L, 28, 7},  // 2001:10::/28 (ORCHID)
            {0L, 0xffffL << 32, 96, 4},                    // ::ffff:0:0/96 (IPv4-mapped)
            {0L, 0L, 96, 3},                               // ::/96 (IPv4-compatible)
            {0L, 1L, 128, 0},                              // ::1/128
    };

    private static int commonPrefix(Ip a, Ip b) {
        long x = a.hi() ^ b.hi();
        if (x != 0) {
            return Long.numberOfLeadingZeros(x);
        }
        return 64 + Long.numberOfLeadingZeros(a.lo() ^ b.lo());
    }

    /** RFC 4291 scope value of an IPv6 unicast/multicast address: 1 interface/loopback, 2 link, 5 site, 14 global. */
    private static int v6Scope(Ip ip) {
        if (ip.isMulticast()) {
            return (int) ((ip.hi() >>> 48) & 0xf);
        }
        if (ip.isLoopback()) {
            return 1;
        }
        if ((ip.hi() >>> 54) == (0xfe80L >>> 6)) {
            return 2;
        }
        if ((ip.hi() >>> 54) == (0xfec0L >>> 6)) {
            return 5;
        }
        return 14;
    }

    /** Convenience for tests and the DSL: the prefix of the route a lookup used, or null. */
    public static Prefix prefixOf(RouteResult r) {
        return r.route() == null ? null : r.route().dst();
    }
}
