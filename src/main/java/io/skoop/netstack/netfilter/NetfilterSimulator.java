package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Traces a packet through a namespace's iptables rules hook by hook, as the kernel does
 * (net/ipv4/ip_input.c, ip_forward.c, ip_output.c with the hooks of {@link Hook}; ip_tables.c
 * {@code ipt_do_table} for chain traversal), applying NAT, MARK and CONNMARK and simulating
 * conntrack:
 * <ul>
 * <li>raw runs before conntrack: there the state is INVALID (no entry yet) and NOTRACK / CT
 *     --notrack makes the packet UNTRACKED;</li>
 * <li>the nat table is consulted only for a NEW connection, once per direction of manip
 *     (DNAT at PREROUTING/OUTPUT, SNAT at INPUT/POSTROUTING); when no nat rule matches a
 *     "null binding" is made; a packet of an existing connection ({@link TraceRequest#conntrack()})
 *     gets the remembered translation instead (reverse NAT for replies);</li>
 * <li>locally generated packets are rerouted after mangle OUTPUT when the source,
 *     destination or mark changed and after nat OUTPUT when the destination changed
 *     ({@code ip_route_me_harder});</li>
 * <li>chains: a jump pushes a return point, a goto replaces the current chain (a later
 *     RETURN goes back to the caller of the chain that did the goto), falling off a user
 *     chain returns, falling off (or RETURN from) a built-in chain applies its policy.</li>
 * </ul>
 * Branching: a {@code statistic} match forks the trace (matched with probability P, not
 * matched with 1-P); a match answering UNKNOWN forks into an "assumed matched" and an
 * "assumed not matched" branch, both with verdict UNKNOWN and the assumption named; a NAT
 * range of several addresses forks into one branch per address (the kernel picks by hash).
 * A target we do not model ends the branch with UNKNOWN naming the rule.
 *
 * <p>Immutable and thread-safe: one simulator per namespace can trace many packets.
 */
public final class NetfilterSimulator {
    /** Cap on the number of branches of one trace; beyond it new forks end as UNKNOWN. */
    public static final int MAX_BRANCHES = 4096;
    private static final int MAX_DEPTH = 256;
    private static final int MAX_RANGE_FANOUT = 64;

    private final Ruleset v4;
    private final Ruleset v6;
    private final NftRuleset nft;
    private final RoutingOracle routing;
    private final SetMembership sets;
    private final boolean conntrackV4;
    private final boolean conntrackV6;
    /** per family (0: IPv4, 1: IPv6) and hook: what runs there, in priority order */
    private final Station[][][] stations = new Station[2][][];
    /** per family and hook: the nat lookups of the nat station (iptables' nat table, nft nat chains) in priority order */
    private final Station[][][] natLookups = new Station[2][][];
    /** IPVS's request hooks ({@link Hook#IPVS}), or null in a namespace without virtual services */
    private final IpvsHook ipvs;

    /**
     * A simulator where conntrack is active in the namespace exactly when the ruleset of the
     * family needs it ({@link #needsConntrack}).
     *
     * @param ipv4    the iptables ruleset (may be {@link Ruleset#empty})
     * @param ipv6    the ip6tables ruleset (may be {@link Ruleset#empty})
     * @param routing the namespace's routing and address facts
     * @param sets    ipset membership ({@link SetMembership#NONE} when unknown)
     */
    public NetfilterSimulator(Ruleset ipv4, Ruleset ipv6, RoutingOracle routing, SetMembership sets) {
        this(ipv4, ipv6, NftRuleset.EMPTY, routing, sets);
    }

    /**
     * A simulator of iptables and nftables together: at every hook the iptables tables (at their fixed priorities:
     * raw -300, mangle -150, nat -100/100, filter 0, security 50) and the nftables base chains of the packet's family
     * (ip/ip6/inet) run interleaved by priority, as their hook entries do in the kernel (nf_hook_entries_grow keeps
     * them sorted by priority). Conntrack is active when either needs it.
     *
     * @param ipv4    the iptables ruleset (may be {@link Ruleset#empty})
     * @param ipv6    the ip6tables ruleset (may be {@link Ruleset#empty})
     * @param nft     the nftables ruleset without iptables-nft's own tables (may be {@link NftRuleset#EMPTY})
     * @param routing the namespace's routing and address facts
     * @param sets    ipset membership ({@link SetMembership#NONE} when unknown)
     */
    public NetfilterSimulator(Ruleset ipv4, Ruleset ipv6, NftRuleset nft, RoutingOracle routing, SetMembership sets) {
        this(ipv4, ipv6, nft, routing, sets, needsConntrack(ipv4) || nft.needsConntrack(false), needsConntrack(ipv6) || nft.needsConntrack(true),
                null);
    }

    private NetfilterSimulator(Ruleset ipv4, Ruleset ipv6, NftRuleset nft, RoutingOracle routing, SetMembership sets, boolean ctV4,
                               boolean ctV6, IpvsHook ipvs) {
        this.v4 = Objects.requireNonNull(ipv4, "ipv4");
        this.v6 = Objects.requireNonNull(ipv6, "ipv6");
        this.nft = Objects.requireNonNull(nft, "nft");
        this.routing = Objects.requireNonNull(routing, "routing");
        this.sets = Objects.requireNonNull(sets, "sets");
        this.conntrackV4 = ctV4;
        this.conntrackV6 = ctV6;
        this.ipvs = ipvs;
        for (int f = 0; f < 2; f++) {
            stations[f] = new Station[Hook.values().length][];
            natLookups[f] = new Station[Hook.values().length][];
            for (Hook h : Hook.values()) {
                stations[f][h.ordinal()] = stationsOf(h, f == 1);
                natLookups[f][h.ordinal()] = natLookupsOf(h, f == 1);
            }
        }
    }

    /**
     * One entry of a hook: an iptables table ({@code kind} = its name), a pseudo-station ({@link Hook#CONNTRACK},
     * {@link Hook#CONFIRM}), the nat station ({@code "nat"}: iptables' nat table and nft's nat chains, consulted
     * together) or an nftables base chain ({@code kind} = "nft").
     */
    private record Station(int priority, String kind, NftChain chain) {
    }

    private static int priority(String station, Hook hook) {
        return switch (station) {
            case "raw" -> -300;
            case Hook.CONNTRACK -> -200;
            case "mangle" -> -150;
            case "nat" -> hook.destinationNat() ? -100 : 100;
            case "filter" -> 0;
            case "security" -> 50;
            // ip_vs_core.c: ip_vs_remote_request4 at LOCAL_IN NF_IP_PRI_NAT_SRC - 1, ip_vs_local_request4 at LOCAL_OUT
            // NF_IP_PRI_NAT_DST + 2
            case Hook.IPVS -> hook == Hook.INPUT ? 99 : -98;
            default -> Integer.MAX_VALUE; // confirm
        };
    }

    /**
     * The hook's entries in the order the kernel runs them: by priority; on a tie the entry registered later runs
     * first (nf_hook_entries_grow inserts a new entry before the first one of equal or higher priority). A dump does
     * not say what was registered when: skoop takes nftables' base chains as registered after iptables' tables and
     * conntrack (nft tables are loaded by a service after boot, iptables-nft's are created on first use, and a
     * restarted kube-proxy in nftables mode recreates its table), and among nft chains the later-listed as the later
     * (nft lists tables and chains in creation order).
     */
    private Station[] stationsOf(Hook hook, boolean ipv6) {
        List<Station> out = new ArrayList<>();
        boolean natStation = hook.stations().contains("nat");
        List<NftChain> chains = new ArrayList<>(nft.baseChains(hook, ipv6));
        java.util.Collections.reverse(chains);
        for (NftChain c : chains) {
            if ("nat".equals(c.type())) {
                natStation = true;
            } else {
                out.add(new Station(c.priority(), "nft", c));
            }
        }
        for (String st : hook.stations()) {
            out.add(new Station(priority(st, hook), st, null));
        }
        if (natStation && !hook.stations().contains("nat")) {
            out.add(new Station(priority("nat", hook), "nat", null));
        }
        out.sort(java.util.Comparator.comparingInt(Station::priority)); // stable: ties keep the order above
        return out.toArray(new Station[0]);
    }

    /**
     * The nat lookups of a hook in priority order (ties as in {@link #stationsOf}): nf_nat_inet_fn runs every nat chain
     * registered for the hook (iptables' nat table is one of them) until one sets up the binding for this direction of
     * manip; none does: a null binding (nf_nat_core.c). The nat station itself runs at the hook's NAT priority (-100
     * for destination, 100 for source NAT) whatever the chains' own priorities.
     */
    private Station[] natLookupsOf(Hook hook, boolean ipv6) {
        List<Station> out = new ArrayList<>();
        List<NftChain> chains = new ArrayList<>(nft.baseChains(hook, ipv6));
        java.util.Collections.reverse(chains);
        for (NftChain c : chains) {
            if ("nat".equals(c.type())) {
                out.add(new Station(c.priority(), "nft", c));
            }
        }
        if (hook.stations().contains("nat")) {
            out.add(new Station(priority("nat", hook), "nat", null));
        }
        out.sort(java.util.Comparator.comparingInt(Station::priority)); // ties: as in stationsOf
        return out.toArray(new Station[0]);
    }

    /**
     * The same simulator with conntrack forced active (true) for both families — for
     * namespaces where something other than these iptables rules needs it: nftables {@code ct}
     * expressions or nat chains (nft.json), IPVS (ipvs.txt), Open vSwitch. With false, the
     * rules' own need still applies.
     */
    public NetfilterSimulator withConntrackActive(boolean active) {
        return new NetfilterSimulator(v4, v6, nft, routing, sets, active || needsConntrack(v4) || nft.needsConntrack(false),
                active || needsConntrack(v6) || nft.needsConntrack(true), ipvs);
    }

    /** The same simulator with IPVS's request hooks at {@link Hook#IPVS} (null: none, as without virtual services). */
    public NetfilterSimulator withIpvs(IpvsHook hook) {
        return new NetfilterSimulator(v4, v6, nft, routing, sets, conntrackV4, conntrackV6, hook);
    }

    /**
     * True when a rule of the ruleset makes the kernel track connections in the namespace.
     * Since Linux 4.10 conntrack's hooks are registered per network namespace on demand
     * ({@code nf_ct_netns_get()}), by the checkentry of the matches and targets that use it:
     * conntrack, state, connmark, connbytes, connlimit, connlabel, helper, cluster;
     * CONNMARK, CONNSECMARK, CT, NOTRACK, DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP. Without
     * any of them the nat table is never traversed (nf_nat hooks need a conntrack entry) —
     * checked against this kernel: a nat table holding only counting rules sees no packet.
     */
    public static boolean needsConntrack(Ruleset rules) {
        for (Table t : rules.tables().values()) {
            for (Chain c : t.chains().values()) {
                for (Rule r : c.rules()) {
                    if (needsConntrack(r)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static final java.util.Set<String> CT_MODULES = java.util.Set.of("conntrack", "state", "connmark", "connbytes",
            "connlimit", "connlabel", "helper", "cluster");
    private static final java.util.Set<String> CT_TARGETS = java.util.Set.of("CONNMARK", "CONNSECMARK", "CT", "NOTRACK", "DNAT",
            "SNAT", "MASQUERADE", "REDIRECT", "NETMAP");

    private static boolean needsConntrack(Rule r) {
        Target t = r.target();
        if (t instanceof Target.Connmark || t instanceof Target.Notrack || t instanceof Target.Dnat || t instanceof Target.Snat
                || t instanceof Target.Masquerade || t instanceof Target.Redirect
                || t instanceof Target.Unknown u && CT_TARGETS.contains(u.name())) {
            return true;
        }
        for (Match m : r.matches()) {
            if (m instanceof Match.Conntrack || m instanceof Match.State || m instanceof Match.Connmark
                    || m instanceof Match.Unknown u && CT_MODULES.contains(u.module())) {
                return true;
            }
        }
        return false;
    }

    /** Traces the request's packet; never throws for a packet the rules cannot handle (that is a verdict). */
    public TraceResult trace(TraceRequest req) {
        boolean v6p = req.packet().src().isV6();
        Run run = new Run(req, v6p ? v6 : v4, v6p ? conntrackV6 : conntrackV4, v6p);
        Walk w = new Walk(run);
        w.packet = req.packet();
        w.physIn = req.physIn();
        w.physOut = req.physOut();
        switch (req.path()) {
            case LOCAL_OUT -> localOut(w);
            case FORWARD, LOCAL_IN -> {
                w.iif = req.iif();
                incoming(w);
            }
            case BRIDGE -> {
                w.iif = req.iif();
                w.oif = req.oif() != null ? req.oif() : req.iif();
                w.bridged = true;
                bridged(w);
            }
        }
        run.branches.sort(null);
        List<TraceBranch> out = new ArrayList<>();
        for (Ended e : run.branches) {
            out.add(e.branch);
        }
        return new TraceResult(req, out);
    }

    /**
     * Traces the reply to one branch of an earlier trace: the packet the peer sends back
     * (the branch's conntrack reply tuple), entering where the branch's packet left, with the
     * branch's conntrack entry (so: ESTABLISHED, NAT reversed). SENT → the reply is received
     * on the output device (LOCAL_IN, routing decides); FORWARDED → received on the output
     * device (FORWARD), or bridged back between the same ports; DELIVERED → the local socket
     * answers (LOCAL_OUT).
     *
     * @throws IllegalArgumentException when the branch did not pass or has no conntrack entry
     */
    public TraceResult traceReply(TraceRequest original, TraceBranch branch) {
        if (!branch.verdict().passes() || branch.conntrack() == null) {
            throw new IllegalArgumentException("no reply to trace: the branch ended " + branch.verdict()
                    + (branch.verdict().passes() ? " without a conntrack entry (conntrack not active or untracked)" : ""));
        }
        Tuple t = branch.conntrack().reply();
        Packet reply = Packet.of(t.src(), t.sport(), t.dst(), t.dport(), t.protocol());
        TraceRequest q;
        if (branch.verdict() == FinalVerdict.DELIVERED) {
            q = TraceRequest.of(reply, Path.LOCAL_OUT);
        } else if (original.path() == Path.BRIDGE) {
            q = TraceRequest.of(reply, Path.BRIDGE).withIif(original.iif()).withOif(original.oif())
                    .withPhysdev(original.physOut(), original.physIn());
        } else {
            q = TraceRequest.of(reply, branch.verdict() == FinalVerdict.SENT ? Path.LOCAL_IN : Path.FORWARD).withIif(branch.device());
        }
        return trace(q.withConntrack(branch.conntrack()).withRecordNoMatch(original.recordNoMatch()));
    }

    // ---- oracle calls: an oracle that cannot answer (UnsupportedOperationException) ends the branch as UNKNOWN ----

    private RouteDecision route(Walk w, String iif, String oif, String what) {
        try {
            return routing.route(w.packet, iif, oif);
        } catch (UnsupportedOperationException e) {
            w.finish(FinalVerdict.UNKNOWN, what + " cannot be decided: " + e.getMessage(), null);
            return null;
        }
    }

    private static String routeError(RouteDecision r) {
        return r.error() + (r.explanation() == null || r.explanation().isEmpty() ? "" : " (" + r.explanation() + ")");
    }

    private Ip address(Walk w, java.util.function.Supplier<Ip> q, String what) {
        try {
            return q.get();
        } catch (UnsupportedOperationException e) {
            w.finish(FinalVerdict.UNKNOWN, what + " cannot be decided: " + e.getMessage(), null);
            return null;
        }
    }

    // ---- paths ------------------------------------------------------------------------

    private void localOut(Walk w) {
        w.local = true;
        RouteDecision r = route(w, null, w.run.req.oif(), "output route");
        if (r == null) {
            return;
        }
        w.add(new TraceStep.RoutingDecision(null, "output route: " + r));
        if (r.kind() == RouteDecision.Kind.ERROR) {
            w.finish(FinalVerdict.ROUTE_ERROR, routeError(r), null);
            return;
        }
        w.route = r;
        w.oif = r.kind() == RouteDecision.Kind.LOCAL ? "lo" : r.device();
        for (Walk a : hook(w, Hook.OUTPUT)) {
            for (Walk b : hook(a, Hook.POSTROUTING)) {
                if (b.route.kind() == RouteDecision.Kind.LOCAL) {
                    // looped back over lo: same skb, its conntrack entry stays attached
                    b.iif = "lo";
                    b.oif = null;
                    b.looped = true;
                    incoming(b);
                } else {
                    b.finish(FinalVerdict.SENT, "via " + b.oif, b.oif);
                }
            }
        }
    }

    /**
     * Ends walk {@code w} when an IPv6 check of the routing oracle stops its packet (a ROUTE_ERROR {@code prefix + reason},
     * which the diagnosis shows as the kernel's drop) or cannot say (UNKNOWN); true when it ended the walk.
     */
    private static boolean stoppedBy(Walk w, java.util.function.Supplier<String> check, String prefix) {
        String reason;
        try {
            reason = check.get();
        } catch (UnsupportedOperationException e) {
            w.finish(FinalVerdict.UNKNOWN, e.getMessage(), null);
            return true;
        }
        if (reason == null) {
            return false;
        }
        w.finish(FinalVerdict.ROUTE_ERROR, prefix + reason, null);
        return true;
    }

    private void incoming(Walk w) {
        // ip6_rcv_core: a device with IPv6 disabled drops what it receives before PREROUTING
        if (w.packet.dst().isV6() && w.iif != null && stoppedBy(w, () -> routing.ipv6Disabled(w.iif), "ip6_rcv: ")) {
            return;
        }
        Ip dstBefore = w.packet.dst();
        for (Walk a : hook(w, Hook.PREROUTING)) {
            boolean daddrChanged = !a.packet.dst().equals(dstBefore);
            RouteDecision r;
            if (a.looped && !daddrChanged) {
                // loopback_xmit keeps the output route on the skb (skb_dst_force) and ip_rcv_finish_core looks up an
                // input route only for an skb without one: no input lookup, no source validation, no rp_filter.
                // nf_nat_ipv4_in drops the route only when PREROUTING changed the destination.
                r = a.route;
                a.add(new TraceStep.RoutingDecision(null,
                        "input route: none, looped back over lo with the output route still attached: " + r));
            } else {
                r = route(a, a.iif, null, "input route");
                if (r == null) {
                    continue;
                }
                a.add(new TraceStep.RoutingDecision(null, "input route: " + r));
            }
            a.route = r;
            switch (r.kind()) {
                case ERROR -> a.finish(FinalVerdict.ROUTE_ERROR, routeError(r), null);
                case LOCAL -> {
                    for (Walk b : hook(a, Hook.INPUT)) {
                        b.finish(FinalVerdict.DELIVERED, "local delivery on " + (r.device() != null ? r.device() : a.iif), a.iif);
                    }
                }
                case UNICAST -> {
                    a.oif = r.device();
                    if (a.physIn != null && daddrChanged && r.device() != null && r.device().equals(a.iif)) {
                        // br_nf_pre_routing_finish (bridged_dnat): a frame that came in on a bridge port, whose
                        // destination PREROUTING changed and whose new route leads out of the same bridge, is bridged
                        // to the new destination's port, not routed: ip_forward() never runs, so no TTL decrement (the
                        // input lookup still does, and still needs forwarding on the bridge); the bridge's FORWARD hook
                        // runs iptables FORWARD (br_nf_forward_ip), then POSTROUTING
                        a.add(new TraceStep.RoutingDecision(null, "br_netfilter: the destination"
                                + " changed in PREROUTING and the route leads back out of " + r.device() + ": the frame is bridged, not routed"
                                + " (bridged DNAT; the TTL is kept)"));
                        a.bridgedFrom = a.physIn;
                        for (Walk b : hook(a, Hook.FORWARD)) {
                            for (Walk c : hook(b, Hook.POSTROUTING)) {
                                c.finish(FinalVerdict.FORWARDED, "bridged (DNAT) via " + c.oif, c.oif);
                            }
                        }
                        continue;
                    }
                    // ip6_forward: IPv6 forwarding is a namespace switch (the input lookup above does not check it)
                    if (a.packet.dst().isV6() && stoppedBy(a, () -> routing.ipv6NotForwarded(a.iif), "ip6_forward: ")) {
                        continue;
                    }
                    // ip_forward / ip6_forward: a TTL (hop limit) of 1 or less is not forwarded (ICMP time exceeded goes
                    // back to the sender); otherwise it is decremented before the FORWARD hook
                    int ttl = a.packet.ttl();
                    if (ttl >= 0 && ttl <= 1) {
                        a.finish(FinalVerdict.ROUTE_ERROR, "ip_forward: the " + (a.packet.src().isV6() ? "hop limit" : "TTL") + " is "
                                + ttl + ", it expires here: not forwarded, ICMP time exceeded is sent back", null);
                        continue;
                    }
                    if (ttl > 1) {
                        a.packet = a.packet.withTtl(ttl - 1);
                    }
                    for (Walk b : hook(a, Hook.FORWARD)) {
                        for (Walk c : hook(b, Hook.POSTROUTING)) {
                            c.finish(FinalVerdict.FORWARDED, "via " + c.oif, c.oif);
                        }
                    }
                }
            }
        }
    }

    private void bridged(Walk w) {
        for (Walk a : hook(w, Hook.PREROUTING)) {
            for (Walk b : hook(a, Hook.FORWARD)) {
                for (Walk c : hook(b, Hook.POSTROUTING)) {
                    c.finish(FinalVerdict.FORWARDED, "bridged via " + (c.physOut != null ? c.physOut : c.oif), c.physOut != null ? c.physOut : c.oif);
                }
            }
        }
    }

    // ---- hooks ------------------------------------------------------------------------

    /** Runs every station of the hook; returns the walks that passed it. */
    private List<Walk> hook(Walk w, Hook hook) {
        List<Walk> cur = new ArrayList<>(List.of(w));
        for (Station st : stations[w.run.v6 ? 1 : 0][hook.ordinal()]) {
            String station = st.kind();
            List<Walk> next = new ArrayList<>();
            for (Walk x : cur) {
                x.hook = hook;
                switch (station) {
                    case Hook.CONNTRACK -> {
                        conntrackIn(x);
                        next.add(x);
                    }
                    case Hook.CONFIRM -> {
                        confirm(x);
                        next.add(x);
                    }
                    case Hook.IPVS -> next.addAll(ipvs(x, hook));
                    case "nat" -> next.addAll(nat(x, hook));
                    default -> {
                        Packet before = x.packet;
                        List<Walk> passed = st.chain() != null ? nftChain(x, hook, st.chain()) : table(x, hook, station);
                        if (hook == Hook.OUTPUT && (station.equals("mangle") || st.chain() != null && "route".equals(st.chain().type()))) {
                            for (Walk p : passed) {
                                if (!p.packet.src().equals(before.src()) || !p.packet.dst().equals(before.dst()) || p.packet.mark() != before.mark()) {
                                    reroute(p, (st.chain() != null ? st.chain().tableRef() + " " + st.chain().name() : "mangle OUTPUT")
                                            + " changed the packet");
                                }
                            }
                        }
                        next.addAll(passed);
                    }
                }
            }
            next.removeIf(x -> x.ended); // a reroute may have ended a walk between stations
            cur = next;
        }
        return cur;
    }

    private void reroute(Walk w, String why) {
        RouteDecision r = route(w, null, w.run.req.oif(), "reroute");
        if (r == null) {
            return;
        }
        w.add(new TraceStep.RoutingDecision(w.hook, "reroute (" + why + "): " + r));
        if (r.kind() == RouteDecision.Kind.ERROR) {
            w.finish(FinalVerdict.ROUTE_ERROR, routeError(r), null);
            return;
        }
        w.route = r;
        w.oif = r.kind() == RouteDecision.Kind.LOCAL ? "lo" : r.device();
    }

    private void conntrackIn(Walk w) {
        if (w.ctAttached) {
            w.add(new TraceStep.ConntrackLookup(w.hook,
                    "conntrack already attached (" + (w.ipvsProperty ? "sent on by IPVS" : "looped back") + "): state " + w.ctState));
            return;
        }
        w.ctAttached = true;
        if (!w.run.conntrackActive) {
            w.ct = null;
            w.add(new TraceStep.ConntrackLookup(w.hook,
                    "conntrack is not active in this network namespace (no rule needs it): no entry, the nat table is not traversed"));
            return;
        }
        if (w.untracked) {
            w.ctState = CtState.UNTRACKED;
            w.ct = null;
            w.add(new TraceStep.ConntrackLookup(w.hook, "untracked (NOTRACK in raw)"));
            return;
        }
        ConntrackEntry existing = w.run.req.conntrack();
        TraceRequest.IcmpError error = w.run.req.icmpError();
        if (error != null && existing != null) {
            // nf_conntrack_icmp_error / icmpv6_error: an error about a tracked packet belongs to its connection as RELATED;
            // the nat table sees only NEW packets, so neither nat hook is consulted for it
            w.ct = existing;
            w.ctState = CtState.RELATED;
            w.dstManipDone = true;
            w.srcManipDone = true;
            w.add(new TraceStep.ConntrackLookup(w.hook, (w.run.v6 ? "ICMPv6" : "ICMP") + " error type " + error.type() + " code " + error.code()
                    + " about a packet of " + existing + ": RELATED"));
            return;
        }
        if (existing != null && (existing.original().matches(w.packet) || existing.reply().matches(w.packet))) {
            w.ct = existing;
            w.reply = !existing.original().matches(w.packet);
            w.ctState = CtState.ESTABLISHED;
            w.existing = true;
            w.add(new TraceStep.ConntrackLookup(w.hook,
                    "existing connection, " + (w.reply ? "reply" : "original") + " direction: ESTABLISHED; " + existing));
            return;
        }
        Tuple t = Tuple.of(w.packet);
        w.ct = new ConntrackEntry(t, t.inverse(), 0, false);
        w.ctState = CtState.NEW;
        w.add(new TraceStep.ConntrackLookup(w.hook,
                "new connection: state NEW" + (existing != null ? " (packet matches neither tuple of the given entry)" : "")));
    }

    private void confirm(Walk w) {
        if (w.ct != null && !w.ct.confirmed()) {
            w.ct = new ConntrackEntry(w.ct.original(), w.ct.reply(), w.ct.mark(), true);
            w.add(new TraceStep.ConntrackConfirmed(w.hook, "conntrack entry confirmed: " + w.ct));
        }
    }

    private List<Walk> nat(Walk w, Hook hook) {
        boolean dstManip = hook.destinationNat();
        if (w.ct == null) {
            w.add(new TraceStep.NatBinding(hook, null, null,
                    "nat table not consulted: " + (w.run.conntrackActive ? "packet is " + w.ctState : "no conntrack in this namespace")));
            return List.of(w);
        }
        if (w.existing) {
            // the remembered binding: make the packet look like the inverse of the other direction's tuple
            Tuple other = w.reply ? w.ct.original() : w.ct.reply();
            Packet before = w.packet;
            Packet after = dstManip ? before.withDst(other.src(), other.sport()) : before.withSrc(other.dst(), other.dport());
            if (!after.equals(before)) {
                w.packet = after;
                w.add(new TraceStep.NatBinding(hook, before, after,
                        (dstManip ? "destination" : "source") + " translated by the conntrack entry (" + (w.reply ? "reply" : "original")
                        + " direction)"));
                if (hook == Hook.OUTPUT) {
                    reroute(w, "nat changed the destination");
                }
            }
            return w.ended ? List.of() : List.of(w);
        }
        if (dstManip ? w.dstManipDone : w.srcManipDone) {
            w.add(new TraceStep.NatBinding(hook, null, null,
                    (dstManip ? "destination" : "source") + " NAT already set up for this connection: nat table not consulted"));
            return List.of(w);
        }
        Packet before = w.packet;
        List<Walk> pending = new ArrayList<>(List.of(w));
        List<Walk> passed = new ArrayList<>();
        for (Station lookup : natLookups[w.run.v6 ? 1 : 0][hook.ordinal()]) {
            List<Walk> next = new ArrayList<>();
            for (Walk x : pending) {
                for (Walk p : lookup.chain() != null ? nftChain(x, hook, lookup.chain()) : table(x, hook, "nat")) {
                    (p.natBound ? passed : next).add(p);
                }
            }
            pending = next;
        }
        passed.addAll(pending); // no nat chain set up a binding: the null binding
        for (Walk p : passed) {
            p.natBound = false;
            if (dstManip) {
                p.dstManipDone = true;
            } else {
                p.srcManipDone = true;
            }
            if (hook == Hook.OUTPUT && !p.packet.dst().equals(before.dst())) {
                reroute(p, "nat OUTPUT changed the destination");
            }
        }
        return passed;
    }

    /**
     * The {@link Hook#IPVS} station (ip_vs_core.c {@code ip_vs_in}, ip_vs_xmit.c {@code ip_vs_nat_xmit}): the first
     * packet of a new connection to a virtual service forks into one branch per choice of {@link #ipvs}; a real server
     * gets the packet NATed, rerouted by {@code __ip_vs_get_out_rt} (an output lookup of the real server's address
     * alone), the conntrack reply tuple updated ({@code ip_vs_update_conntrack}); a local one goes on in this hook
     * (NF_ACCEPT), another has its TTL decremented ({@code decrement_ttl}) and is sent through LOCAL_OUT and
     * POSTROUTING ({@code ip_vs_nat_send_or_cont}, NF_STOLEN). Returns the walks that go on in this hook.
     */
    private List<Walk> ipvs(Walk w, Hook hook) {
        List<IpvsHook.Choice> choices = ipvs == null || w.ipvsProperty || w.existing ? List.of() : ipvs.schedule(w.packet, hook);
        if (choices.isEmpty()) {
            return List.of(w);
        }
        List<Walk> goOn = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            Walk x = i == choices.size() - 1 ? w : w.copy();
            if (i < choices.size() - 1 && !w.run.canFork()) {
                continue;
            }
            IpvsHook.Choice c = choices.get(i);
            TraceStep.IpvsScheduled s = c.step();
            x.probability *= c.share();
            x.add(s);
            if (c.end() != null) {
                x.finish(c.end(), s.detail(), null);
                continue;
            }
            x.ipvsProperty = true;
            x.packet = c.after();
            if (x.ct != null) {
                Tuple r = x.ct.reply();
                x.ct = new ConntrackEntry(x.ct.original(), new Tuple(c.after().dst(), c.after().dport(), r.dst(), r.dport(), r.protocol()),
                        x.ct.mark(), x.ct.confirmed());
            }
            Packet q = x.packet.withSrc(x.packet.dst().isV6() ? Ip.V6_ANY : Ip.V4_ANY, x.packet.sport()).withMark(0);
            RouteDecision r;
            try {
                r = routing.route(q, null, null);
            } catch (UnsupportedOperationException e) {
                x.finish(FinalVerdict.UNKNOWN, "IPVS's route to the real server cannot be decided: " + e.getMessage(), null);
                continue;
            }
            x.add(new TraceStep.RoutingDecision(hook, "IPVS route to the real server: " + r));
            if (r.kind() == RouteDecision.Kind.ERROR) {
                x.finish(FinalVerdict.ROUTE_ERROR, "IPVS: no route to the real server " + x.packet.dst() + ": " + routeError(r), null);
                continue;
            }
            if (r.kind() == RouteDecision.Kind.LOCAL) {
                goOn.add(x);
                continue;
            }
            int ttl = x.packet.ttl();
            if (ttl >= 0 && ttl <= 1) {
                x.finish(FinalVerdict.ROUTE_ERROR, "IPVS (decrement_ttl): the TTL is " + ttl + ", it expires here: ICMP time exceeded", null);
                continue;
            }
            if (ttl > 1) {
                x.packet = x.packet.withTtl(ttl - 1);
            }
            x.route = r;
            x.oif = r.device();
            for (Walk a : hook(x, Hook.OUTPUT)) {
                for (Walk b : hook(a, Hook.POSTROUTING)) {
                    b.finish(b.local ? FinalVerdict.SENT : FinalVerdict.FORWARDED, "via " + b.oif + " (IPVS)", b.oif);
                }
            }
        }
        return goOn;
    }

    // ---- tables and chains ---------------------------------------------------------------

    /**
     * A position in a chain and the return stack below it (ipt_do_table's jumpstack);
     * {@code base} is the hook's built-in chain whose policy applies when the stack underflows.
     */
    private record Frame(Chain chain, int next, Frame parent, int depth, Chain base) {
        Frame advance() {
            return new Frame(chain, next + 1, parent, depth, base);
        }
    }

    /**
     * A pending evaluation: continue {@code walk} at {@code frame}, first applying the target
     * of {@code matchedRule} if set (the "assumed to match" branch of an UNKNOWN rule).
     */
    private record Item(Walk walk, Frame frame, Rule matchedRule) {
    }

    /** Runs the table's chain for the hook; returns the walks that the table accepted. */
    private List<Walk> table(Walk w, Hook hook, String tableName) {
        Table table = w.run.rules.table(tableName);
        Chain start = table == null ? null : table.chain(hook.name());
        if (start == null) {
            return List.of(w);
        }
        List<Walk> accepted = new ArrayList<>(1);
        Deque<Item> work = new ArrayDeque<>();
        work.push(new Item(w, new Frame(start, 0, null, 0, start), null));
        while (!work.isEmpty()) {
            Item it = work.pop();
            Walk x = it.walk;
            Frame f = it.frame;
            if (it.matchedRule != null) {
                x.assumedRule = it.matchedRule;
                f = target(x, f, it.matchedRule, hook, table, accepted, work);
                x.assumedRule = null;
            }
            while (f != null) {
                f = nextRule(x, f, hook, table, accepted, work);
            }
        }
        return accepted;
    }

    /** Evaluates the next rule of the frame; returns the frame to continue with, or null when this walk stopped or forked. */
    private Frame nextRule(Walk w, Frame f, Hook hook, Table table, List<Walk> accepted, Deque<Item> work) {
        if (f.next >= f.chain.rules().size()) {
            if (f.parent == null) {
                return policy(w, f.base, hook, table, accepted);
            }
            return f.parent;
        }
        Rule rule = f.chain.rules().get(f.next);
        Frame after = f.advance();
        w.enterHookDevices(hook);
        // evaluate the matches left to right; statistic forks, UNKNOWN is carried along
        double matchP = 1.0;
        Tri result = Tri.MATCH;
        for (Match m : rule.matches()) {
            if (m instanceof Match.Statistic s) {
                matchP *= s.matchProbability();
                if (matchP == 0.0) {
                    result = Tri.NO_MATCH;
                    break;
                }
                continue;
            }
            Tri t = m.evaluate(w);
            result = result.and(t);
            if (result == Tri.NO_MATCH) {
                break;
            }
        }
        if (result == Tri.NO_MATCH) {
            if (w.run.req.recordNoMatch()) {
                w.ruleStep(hook, rule, Tri.NO_MATCH, null, null, null, null);
            }
            return after;
        }
        if (matchP < 1.0) {
            if (!w.run.canFork()) {
                w.ruleStep(hook, rule, Tri.UNKNOWN, null, null, null, "branch limit reached");
                w.finish(FinalVerdict.UNKNOWN, "too many branches at " + rule.ref(), null);
                return null;
            }
            Walk miss = w.copy();
            miss.probability *= 1.0 - matchP;
            miss.add(new TraceStep.BranchTaken(hook, rule.origin(), rule.text(), Tri.NO_MATCH, null,
                    String.format("statistic did not match (p=%.6f)", 1.0 - matchP)));
            work.push(new Item(miss, after, null));
            w.probability *= matchP;
            w.add(new TraceStep.BranchTaken(hook, rule.origin(), rule.text(), Tri.MATCH, null,
                    String.format("statistic matched (p=%.6f)", matchP)));
        }
        if (result == Tri.UNKNOWN) {
            if (!w.run.canFork()) {
                w.ruleStep(hook, rule, Tri.UNKNOWN, null, null, null, "branch limit reached");
                w.finish(FinalVerdict.UNKNOWN, "too many branches at " + rule.ref(), null);
                return null;
            }
            Walk miss = w.copy();
            miss.assume(rule.ref() + " assumed not to match");
            miss.ruleStep(hook, rule, Tri.UNKNOWN, null, null, null, "cannot decide this match: assumed NOT to match on this branch");
            work.push(new Item(miss, after, null));
            w.assume(rule.ref() + " assumed to match");
            work.push(new Item(w, after, rule)); // its target's step is recorded as UNKNOWN (assumedRule)
            return null;
        }
        return target(w, after, rule, hook, table, accepted, work);
    }

    private Frame policy(Walk w, Chain chain, Hook hook, Table table, List<Walk> accepted) {
        w.add(new TraceStep.PolicyApplied(hook, new TraceStep.Origin.Iptables(table.name(), chain.name(), 0), chain.policy().name()));
        if (chain.policy() == Target.Verdict.ACCEPT) {
            accepted.add(w);
        } else {
            w.finish(FinalVerdict.DROP, "policy DROP of " + table.name() + " " + chain.name(), null);
        }
        return null;
    }

    /**
     * Applies the target of a rule that matched; {@code f} is the frame after the rule.
     * Returns the frame to continue with, or null when the walk left the table (accepted,
     * ended) or forked.
     */
    private Frame target(Walk w, Frame f, Rule rule, Hook hook, Table table, List<Walk> accepted, Deque<Item> work) {
        Target t = rule.target();
        // targets that change the packet record their own step (with before/after)
        if (!(t instanceof Target.Mark || t instanceof Target.Connmark || t instanceof Target.Dnat || t instanceof Target.Snat
                || t instanceof Target.Masquerade || t instanceof Target.Redirect)) {
            w.ruleStep(hook, rule, Tri.MATCH, t.name(), null, null, null);
        }
        if (t instanceof Target.None || t instanceof Target.Continue) {
            return f;
        }
        if (t instanceof Target.Standard s) {
            switch (s.verdict()) {
                case ACCEPT -> {
                    accepted.add(w);
                    return null;
                }
                case DROP -> {
                    w.finish(FinalVerdict.DROP, "dropped by " + rule.ref(), null);
                    return null;
                }
                case RETURN -> {
                    // f.parent is the caller; a RETURN from a built-in chain applies its policy
                    Frame cur = f;
                    if (cur.parent == null) {
                        return policy(w, cur.base, hook, table, accepted);
                    }
                    return cur.parent;
                }
            }
        }
        if (t instanceof Target.Jump j) {
            Chain target = table.chain(j.chain());
            if (target == null) {
                w.finish(FinalVerdict.UNKNOWN, rule.ref() + " jumps to chain " + j.chain() + " which the table does not have", null);
                return null;
            }
            if (f.depth >= MAX_DEPTH) {
                w.finish(FinalVerdict.UNKNOWN, "chain nesting deeper than " + MAX_DEPTH + " at " + rule.ref(), null);
                return null;
            }
            return j.isGoto() ? new Frame(target, 0, f.parent, f.depth + 1, f.base) : new Frame(target, 0, f, f.depth + 1, f.base);
        }
        if (t instanceof Target.Reject r) {
            w.finish(FinalVerdict.REJECT, "rejected by " + rule.ref() + (r.with() != null ? " with " + r.with() : ""), null);
            return null;
        }
        if (t instanceof Target.Mark m) {
            Packet before = w.packet;
            w.packet = before.withMark(m.apply(before.mark()));
            w.ruleStep(hook, rule, Tri.MATCH, t.name(), before, w.packet, null);
            return f;
        }
        if (t instanceof Target.Connmark c) {
            connmark(w, c, hook, rule);
            return f;
        }
        if (t instanceof Target.Notrack) {
            if (w.ctAttached) {
                w.ruleStep(hook, rule, Tri.MATCH, t.name(), null, null, "no effect: conntrack already ran");
            } else {
                // the untracked template is attached at once (xt_CT.c): later rules see the state UNTRACKED
                w.untracked = true;
                w.ctState = CtState.UNTRACKED;
            }
            return f;
        }
        if (t instanceof Target.Dnat || t instanceof Target.Snat || t instanceof Target.Masquerade || t instanceof Target.Redirect) {
            if (!table.name().equals("nat") || w.ct == null) {
                w.ruleStep(hook, rule, Tri.MATCH, t.name(), null, null, null);
                w.finish(FinalVerdict.UNKNOWN, t.name() + " outside a nat table walk at " + rule.ref(), null);
                return null;
            }
            natTarget(w, t, rule, hook, accepted);
            return null;
        }
        if (t instanceof Target.Unknown u) {
            w.finish(FinalVerdict.UNKNOWN, "target " + u.name() + " of " + rule.ref() + " is not modelled: " + u.reason(), null);
            return null;
        }
        throw new IllegalStateException("unhandled target " + t);
    }

    private void connmark(Walk w, Target.Connmark c, Hook hook, Rule rule) {
        if (w.ct == null) {
            w.ruleStep(hook, rule, Tri.MATCH, c.name(), null, null, "no conntrack entry: no effect");
            return;
        }
        long ctmark = w.ct.mark();
        Packet before = w.packet;
        switch (c.mode()) {
            case SET -> ctmark = ((ctmark & ~c.ctmask()) ^ c.value()) & 0xffffffffL;
            case SAVE -> ctmark = ((ctmark & ~c.ctmask()) ^ (w.packet.mark() & c.nfmask())) & 0xffffffffL;
            case RESTORE -> w.packet = w.packet.withMark((w.packet.mark() & ~c.nfmask()) ^ (ctmark & c.ctmask()));
        }
        w.ct = new ConntrackEntry(w.ct.original(), w.ct.reply(), ctmark, w.ct.confirmed());
        w.ruleStep(hook, rule, Tri.MATCH, c.name(), before, w.packet, "ctmark 0x" + Long.toHexString(ctmark));
    }

    /** Applies a NAT target (the table verdict is then ACCEPT); may fan out over a range of addresses. */
    private void natTarget(Walk w, Target t, Rule rule, Hook hook, List<Walk> accepted) {
        Packet p = w.packet;
        boolean src = t instanceof Target.Snat || t instanceof Target.Masquerade;
        List<NatRange> ranges;
        String note = null;
        if (t instanceof Target.Dnat d) {
            ranges = d.ranges();
        } else if (t instanceof Target.Snat s) {
            ranges = s.ranges();
        } else if (t instanceof Target.Masquerade m) {
            Ip nexthop = w.route != null && w.route.gateway() != null ? w.route.gateway() : p.dst();
            Ip a = w.oif == null ? null : address(w, () -> routing.masqueradeSource(w.oif, nexthop), "MASQUERADE source at " + rule.ref());
            if (w.ended) {
                return;
            }
            if (a == null) {
                w.ruleStep(hook, rule, Tri.MATCH, t.name(), null, null, null);
                w.finish(FinalVerdict.DROP, "MASQUERADE at " + rule.ref() + ": no source address on " + w.oif, null);
                return;
            }
            NatRange pr = m.ports();
            ranges = List.of(new NatRange(a, a, pr == null ? 0 : pr.minPort(), pr == null ? 0 : pr.maxPort()));
            note = "source selected on " + w.oif + " for next hop " + nexthop;
        } else {
            Target.Redirect r = (Target.Redirect) t;
            Ip a = w.local ? (p.dst().isV6() ? Ip.parse("::1") : Ip.parse("127.0.0.1"))
                    : w.iif == null ? null : address(w, () -> routing.primaryAddress(w.iif, p.dst().isV6()), "REDIRECT address at " + rule.ref());
            if (w.ended) {
                return;
            }
            if (a == null) {
                w.ruleStep(hook, rule, Tri.MATCH, t.name(), null, null, null);
                w.finish(FinalVerdict.DROP, "REDIRECT at " + rule.ref() + ": input device " + w.iif + " has no address", null);
                return;
            }
            NatRange pr = r.ports();
            ranges = List.of(new NatRange(a, a, pr == null ? 0 : pr.minPort(), pr == null ? 0 : pr.maxPort()));
        }
        // expand to one candidate address per branch (the kernel hashes the flow onto the range)
        List<Ip> addrs = new ArrayList<>();
        List<NatRange> owner = new ArrayList<>();
        for (NatRange r : ranges) {
            Ip a = r.minIp();
            if (a == null) {
                addrs.add(null);
                owner.add(r);
                continue;
            }
            while (addrs.size() <= MAX_RANGE_FANOUT) {
                addrs.add(a);
                owner.add(r);
                if (a.equals(r.maxIp())) {
                    break;
                }
                a = a.plus(1);
            }
        }
        if (addrs.size() > MAX_RANGE_FANOUT) {
            w.ruleStep(hook, rule, Tri.MATCH, t.name(), null, null, null);
            w.finish(FinalVerdict.UNKNOWN, t.name() + " range of more than " + MAX_RANGE_FANOUT + " addresses at " + rule.ref(), null);
            return;
        }
        int n = addrs.size();
        for (int i = 0; i < n; i++) {
            Walk x = i == n - 1 ? w : w.copy();
            if (i < n - 1 && !w.run.canFork()) {
                continue;
            }
            NatRange r = owner.get(i);
            Ip a = addrs.get(i) != null ? addrs.get(i) : (src ? p.src() : p.dst());
            int oldPort = src ? p.sport() : p.dport();
            int port = oldPort;
            String portNote = null;
            if (r.hasPorts() && p.protocol().hasPorts()) {
                if (r.minPort() == r.maxPort()) {
                    port = r.minPort();
                } else if (oldPort < r.minPort() || oldPort > r.maxPort()) {
                    port = r.minPort();
                    portNote = "kernel picks a free port in " + r.minPort() + "-" + r.maxPort() + "; showing " + port;
                }
            }
            if (src && t instanceof Target.Masquerade m && (m.random() || m.randomFully()) || t instanceof Target.Snat s && (s.random() || s.randomFully())) {
                portNote = "source port randomised by the kernel; showing the original";
            }
            Packet before = x.packet;
            Packet after = src ? before.withSrc(a, port) : before.withDst(a, port);
            x.packet = after;
            Tuple reply = x.ct.reply();
            reply = src ? new Tuple(reply.src(), reply.sport(), a, port, reply.protocol())
                    : new Tuple(a, port, reply.dst(), reply.dport(), reply.protocol());
            x.ct = new ConntrackEntry(x.ct.original(), reply, x.ct.mark(), x.ct.confirmed());
            if (n > 1) {
                x.probability *= 1.0 / n;
                x.add(new TraceStep.BranchTaken(hook, rule.origin(), rule.text(), Tri.MATCH, t.name(),
                        String.format("%s range: address %d of %d (p=%.6f)", t.name(), i + 1, n, 1.0 / n)));
            }
            String detail = note;
            if (portNote != null) {
                detail = detail == null ? portNote : detail + "; " + portNote;
            }
            x.ruleStep(hook, rule, Tri.MATCH, t.name(), before, after, detail);
            x.assumedRule = null;
            x.natBound = true;
            accepted.add(x);
        }
    }

    // ---- nftables chains ------------------------------------------------------------------------

    /** A position in an nft chain (the rule to run next) and the jump stack below it (nft_do_chain's jumpstack). */
    private record NFrame(NftChain chain, int rule, NFrame parent, int depth, NftChain base) {
        NFrame next() {
            return new NFrame(chain, rule + 1, parent, depth, base);
        }
    }

    /**
     * A pending evaluation: continue {@code walk} at statement {@code stmt} of the frame's rule; {@code numgen} is the
     * value a numgen expression of that statement takes on this branch (null: not forked yet); {@code before} is the
     * packet as the rule started.
     */
    private record NItem(Walk walk, NFrame frame, int stmt, Long numgen, Packet before) {
    }

    /** Runs an nftables base chain; returns the walks it accepted (a drop, reject or UNKNOWN ends a walk). */
    private List<Walk> nftChain(Walk w, Hook hook, NftChain base) {
        List<Walk> accepted = new ArrayList<>(1);
        Deque<NItem> work = new ArrayDeque<>();
        work.push(new NItem(w, new NFrame(base, 0, null, 0, base), 0, null, w.packet));
        while (!work.isEmpty()) {
            NItem it = work.pop();
            NFrame f = nftRule(it.walk, it.frame, it.stmt, it.numgen, it.before, hook, accepted, work);
            while (f != null) {
                f = nftRule(it.walk, f, 0, null, it.walk.packet, hook, accepted, work);
            }
        }
        return accepted;
    }

    private static NftExpr.Numgen numgenOf(NftStmt s) {
        List<NftExpr> roots = new ArrayList<>();
        if (s instanceof NftStmt.Match m) {
            roots.add(m.left());
        } else if (s instanceof NftStmt.Vmap v) {
            roots.add(v.key());
        } else if (s instanceof NftStmt.Mangle m) {
            roots.add(m.value());
        } else if (s instanceof NftStmt.Nat n) {
            roots.add(n.addr());
            roots.add(n.port());
        }
        Deque<NftExpr> todo = new ArrayDeque<>();
        roots.stream().filter(Objects::nonNull).forEach(todo::push);
        while (!todo.isEmpty()) {
            NftExpr e = todo.pop();
            if (e instanceof NftExpr.Numgen n) {
                return n;
            } else if (e instanceof NftExpr.Concat c) {
                c.parts().forEach(todo::push);
            } else if (e instanceof NftExpr.Binop b) {
                todo.push(b.left());
            } else if (e instanceof NftExpr.MapLookup m) {
                todo.push(m.key());
            }
        }
        return null;
    }

    /**
     * Evaluates the frame's rule from statement {@code from}; returns the frame to continue with (its first
     * statement), or null when the walk left the chain, ended or forked (the forks are on {@code work}).
     */
    private NFrame nftRule(Walk w, NFrame f, int from, Long numgen, Packet before, Hook hook, List<Walk> accepted, Deque<NItem> work) {
        if (f.rule >= f.chain.rules().size()) {
            if (f.parent == null) {
                return nftPolicy(w, f.base, hook, accepted);
            }
            return f.parent;
        }
        NftRule rule = f.chain.rules().get(f.rule);
        Rule ref = rule.asTraceRule();
        NFrame next = f.next();
        w.enterHookDevices(hook);
        List<NftStmt> stmts = rule.stmts();
        for (int i = from; i < stmts.size(); i++) {
            NftStmt s = stmts.get(i);
            Long bound = i == from ? numgen : null;
            NftExpr.Numgen ng = bound == null ? numgenOf(s) : null;
            if (ng != null) {
                if (ng.mod() <= 0 || ng.mod() > MAX_RANGE_FANOUT || !"random".equals(ng.mode()) && !"inc".equals(ng.mode())) {
                    return nftUnknown(w, ref, hook, "numgen " + ng.mode() + " mod " + ng.mod() + " is not modelled");
                }
                // one branch per value, each with its share (numgen random: prandom_u32 mod N; inc: round robin over
                // connections — the same share of new connections)
                for (int v = ng.mod() - 1; v >= 0; v--) {
                    Walk x = v == 0 ? w : w.copy();
                    if (v > 0 && !w.run.canFork()) {
                        return nftUnknown(w, ref, hook, "branch limit reached");
                    }
                    x.probability *= 1.0 / ng.mod();
                    x.add(new TraceStep.BranchTaken(hook, ref.origin(), ref.text(), Tri.MATCH, null,
                            String.format("numgen %s mod %d = %d (p=%.6f)", ng.mode(), ng.mod(), ng.offset() + v, 1.0 / ng.mod())));
                    work.push(new NItem(x, f, i, (long) (ng.offset() + v), before));
                }
                return null;
            }
            NftEval eval = new NftEval(nft, rule, w, bound);
            if (s instanceof NftStmt.Match || s instanceof NftStmt.Undecidable || s instanceof NftStmt.CtHelper) {
                Tri t = s instanceof NftStmt.Match m ? eval.match(m) : s instanceof NftStmt.CtHelper h ? eval.defined(h.helper()) : Tri.UNKNOWN;
                if (t == Tri.NO_MATCH) {
                    return nftNoMatch(w, ref, hook, next, null);
                }
                if (t == Tri.UNKNOWN) {
                    if (!w.run.canFork()) {
                        return nftUnknown(w, ref, hook, "branch limit reached");
                    }
                    String what = NftText.stmt(s);
                    Walk miss = w.copy();
                    miss.assume(ref.ref() + " assumed not to match (" + what + ")");
                    miss.ruleStep(hook, ref, Tri.UNKNOWN, null, null, null, "cannot decide " + what + ": assumed NOT to match on this branch");
                    work.push(new NItem(miss, next, 0, null, miss.packet));
                    w.assume(ref.ref() + " assumed to match (" + what + ")");
                    w.assumedRule = ref;
                }
                continue;
            }
            if (s instanceof NftStmt.Nop) {
                continue;
            }
            if (s instanceof NftStmt.Verdict v) {
                return nftVerdict(w, f, next, ref, v, before, hook, accepted);
            }
            if (s instanceof NftStmt.Vmap vm) {
                NftEval.Lookup l = eval.lookup(eval.value(vm.key()), eval.types(vm.key()), vm.data());
                if (l.result() == Tri.NO_MATCH) {
                    return nftNoMatch(w, ref, hook, next, "no element of the verdict map matches");
                }
                if (l.result() == Tri.UNKNOWN || !(l.element().data() instanceof NftStmt.Verdict v)) {
                    return nftUnknown(w, ref, hook, "the verdict map lookup " + NftText.expr(vm.key()) + " cannot be decided");
                }
                return nftVerdict(w, f, next, ref, v, before, hook, accepted);
            }
            if (s instanceof NftStmt.Mangle m) {
                Object val = eval.value(m.value());
                if (m.key() instanceof NftExpr.Meta mk && mk.key().equals("mark") && val instanceof Long mark) {
                    w.packet = w.packet.withMark(mark & 0xffffffffL);
                    continue;
                }
                if (m.key() instanceof NftExpr.Ct ck && ck.key().equals("mark") && val instanceof Long mark) {
                    if (w.ct != null) {
                        w.ct = new ConntrackEntry(w.ct.original(), w.ct.reply(), mark & 0xffffffffL, w.ct.confirmed());
                    }
                    continue;
                }
                if (m.key() instanceof NftExpr.Meta mk && mk.key().equals("priority")
                        || m.key() instanceof NftExpr.Payload pk && List.of("dscp", "ecn").contains(pk.field())) {
                    continue; // queueing priority / DSCP: no effect on where the packet goes
                }
                if (val == NftEval.BREAK) {
                    return nftNoMatch(w, ref, hook, next, null);
                }
                return nftUnknown(w, ref, hook, NftText.stmt(s) + " is not modelled");
            }
            if (s instanceof NftStmt.Notrack) {
                if (!w.ctAttached) {
                    // nft_notrack_eval attaches the untracked template at once: later rules of any table see UNTRACKED
                    w.untracked = true;
                    w.ctState = CtState.UNTRACKED;
                }
                continue;
            }
            if (s instanceof NftStmt.Reject r) {
                nftStep(w, hook, ref, "reject", before);
                w.finish(FinalVerdict.REJECT, "rejected by " + ref.ref() + (r.type() != null ? " with " + r.type()
                        + (r.code() != null ? " " + r.code() : "") : ""), null);
                return null;
            }
            if (s instanceof NftStmt.Nat n) {
                Target t = natTarget(w, eval, n, ref, hook);
                if (t == null) { // ended UNKNOWN, or a map without the key: the rule does not match
                    return w.ended ? null : nftNoMatch(w, ref, hook, next, "no element of the map matches");
                }
                if (w.ct == null || !"nat".equals(f.base.type())) {
                    nftStep(w, hook, ref, n.kind(), before);
                    w.finish(FinalVerdict.UNKNOWN, n.kind() + " outside a nat chain walk at " + ref.ref(), null);
                    return null;
                }
                if (!before.equals(w.packet)) {
                    nftStep(w, hook, ref, null, before); // marks set earlier in the rule
                }
                natTarget(w, t, ref, hook, accepted);
                return null;
            }
            return nftUnknown(w, ref, hook, NftText.stmt(s) + " is not modelled");
        }
        nftStep(w, hook, ref, null, before);
        return next;
    }

    /** The rule did not match (a match failed, a lookup found nothing): the next rule runs (statements before the failing one keep their effect, as in nft_do_chain). */
    private static NFrame nftNoMatch(Walk w, Rule ref, Hook hook, NFrame next, String detail) {
        if (w.run.req.recordNoMatch()) {
            w.ruleStep(hook, ref, Tri.NO_MATCH, null, null, null, detail);
        }
        w.assumedRule = null;
        return next;
    }

    /** Records the rule's step (matched, or UNKNOWN on its "assumed to match" branch) with the packet's change. */
    private static void nftStep(Walk w, Hook hook, Rule ref, String verdict, Packet before) {
        boolean changed = !before.equals(w.packet);
        w.ruleStep(hook, ref, Tri.MATCH, verdict, changed ? before : null, changed ? w.packet : null, null);
        w.assumedRule = null;
    }

    private NFrame nftUnknown(Walk w, Rule ref, Hook hook, String why) {
        w.ruleStep(hook, ref, Tri.UNKNOWN, null, null, null, why);
        w.assumedRule = null;
        w.finish(FinalVerdict.UNKNOWN, ref.ref() + " (" + ref.text() + "): " + why, null);
        return null;
    }

    private NFrame nftVerdict(Walk w, NFrame f, NFrame next, Rule ref, NftStmt.Verdict v, Packet before, Hook hook, List<Walk> accepted) {
        nftStep(w, hook, ref, v.target() == null ? v.kind() : v.kind() + " " + v.target(), before);
        switch (v.kind()) {
            case "accept" -> {
                accepted.add(w);
                return null;
            }
            case "drop" -> {
                w.finish(FinalVerdict.DROP, "dropped by " + ref.ref(), null);
                return null;
            }
            case "continue" -> {
                return next;
            }
            case "return" -> {
                return f.parent != null ? f.parent : nftPolicy(w, f.base, hook, accepted);
            }
            case "jump", "goto" -> {
                NftChain target = nft.chain(f.chain.family(), f.chain.table(), v.target());
                if (target == null) {
                    w.finish(FinalVerdict.UNKNOWN, ref.ref() + " jumps to chain " + v.target() + " which the table does not have", null);
                    return null;
                }
                if (f.depth >= MAX_DEPTH) {
                    w.finish(FinalVerdict.UNKNOWN, "chain nesting deeper than " + MAX_DEPTH + " at " + ref.ref(), null);
                    return null;
                }
                return new NFrame(target, 0, v.kind().equals("jump") ? next : f.parent, f.depth + 1, f.base);
            }
            default -> {
                w.finish(FinalVerdict.UNKNOWN, "verdict " + v.kind() + " of " + ref.ref() + " is not modelled", null);
                return null;
            }
        }
    }

    private NFrame nftPolicy(Walk w, NftChain base, Hook hook, List<Walk> accepted) {
        String policy = base.policy() == null ? "accept" : base.policy();
        w.add(new TraceStep.PolicyApplied(hook, new TraceStep.Origin.Nftables(base.family(), base.table(), base.name(), 0),
                policy.toUpperCase(java.util.Locale.ROOT)));
        if (policy.equals("drop")) {
            w.finish(FinalVerdict.DROP, "policy drop of " + base.tableRef() + " " + base.name(), null);
        } else {
            accepted.add(w);
        }
        return null;
    }

    /**
     * The iptables-equivalent target of an nft NAT statement, with its address and port evaluated (constants, ranges,
     * map lookups); null when the branch ended UNKNOWN or a map lookup found no element (NFT_BREAK: the rule does not
     * match).
     */
    private Target natTarget(Walk w, NftEval eval, NftStmt.Nat n, Rule ref, Hook hook) {
        boolean random = n.flags().contains("random");
        boolean fully = n.flags().contains("fully-random");
        boolean persistent = n.flags().contains("persistent");
        NatRange ports = null;
        if (n.port() != null) {
            Object[] r = nftRange(eval, n.port());
            if (r == null) {
                return null;
            }
            if (!(r[0] instanceof Long a) || !(r[1] instanceof Long b)) {
                nftUnknown(w, ref, hook, "the port of " + NftText.stmt(n) + " cannot be decided");
                return null;
            }
            ports = new NatRange(null, null, a.intValue(), b.intValue());
        }
        switch (n.kind()) {
            case "masquerade" -> {
                return new Target.Masquerade(ports, random, fully);
            }
            case "redirect" -> {
                return new Target.Redirect(ports, random);
            }
            default -> {
            }
        }
        if (n.addr() == null || n.flags().contains("concat") || n.flags().contains("prefix")) {
            nftUnknown(w, ref, hook, NftText.stmt(n) + " is not modelled");
            return null;
        }
        Object[] r = nftRange(eval, n.addr());
        if (r == null) {
            return null;
        }
        if (!(r[0] instanceof Ip a) || !(r[1] instanceof Ip b)) {
            nftUnknown(w, ref, hook, "the address of " + NftText.stmt(n) + " cannot be decided");
            return null;
        }
        List<NatRange> ranges = List.of(new NatRange(a, b, ports == null ? 0 : ports.minPort(), ports == null ? 0 : ports.maxPort()));
        return n.kind().equals("dnat") ? new Target.Dnat(ranges, random, persistent) : new Target.Snat(ranges, random, fully, persistent);
    }

    /**
     * The first and last value of a NAT address or port: a range, a prefix (nft prints a range that is a whole prefix,
     * {@code dnat to 10.0.0.2-10.0.0.3}, as that prefix: its first to last address), or one value (a constant, a map
     * lookup); null when a lookup found nothing (NFT_BREAK: the rule does not match).
     */
    private static Object[] nftRange(NftEval eval, NftExpr e) {
        Object lo;
        Object hi;
        if (e instanceof NftExpr.Range r) {
            lo = eval.value(r.lo());
            hi = eval.value(r.hi());
        } else if (e instanceof NftExpr.Prefix p && Ip.tryParse(p.addr()) != null) {
            Ip net = Ip.parse(p.addr()).mask(p.len());
            lo = net;
            hi = net.plus((1L << Math.min(62, net.bitLength() - p.len())) - 1);
        } else {
            lo = eval.value(e);
            hi = lo;
        }
        return lo == NftEval.BREAK || hi == NftEval.BREAK ? null : new Object[] {lo, hi};
    }

    // ---- per-trace state -------------------------------------------------------------------

    /** State shared by all branches of one trace. */
    private static final class Run {
        final TraceRequest req;
        final Ruleset rules;
        final boolean conntrackActive;
        final boolean v6;
        final List<Ended> branches = new ArrayList<>();
        int forks;

        Run(TraceRequest req, Ruleset rules, boolean conntrackActive, boolean v6) {
            this.req = req;
            this.rules = rules;
            this.conntrackActive = conntrackActive;
            this.v6 = v6;
        }

        boolean canFork() {
            return ++forks < MAX_BRANCHES;
        }
    }

    /** A finished branch with its order key (depth-first order of discovery). */
    private record Ended(int seq, TraceBranch branch) implements Comparable<Ended> {
        @Override
        public int compareTo(Ended o) {
            return Integer.compare(seq, o.seq);
        }
    }

    /** An immutable singly linked list: forks share their common prefix. */
    private record Cons<T>(T head, Cons<T> tail, int size) {
        static <T> Cons<T> push(Cons<T> list, T v) {
            return new Cons<>(v, list, list == null ? 1 : list.size + 1);
        }

        static <T> List<T> toList(Cons<T> list) {
            List<T> out = new ArrayList<>(list == null ? 0 : list.size);
            for (Cons<T> c = list; c != null; c = c.tail) {
                out.add(c.head);
            }
            Collections.reverse(out);
            return out;
        }
    }

    /** One branch of the trace: the packet and everything the kernel knows about it. Mutable; {@link #copy()} on forks. */
    private final class Walk implements MatchContext, Cloneable {
        final Run run;
        Packet packet;
        double probability = 1.0;
        Hook hook;
        String iif;
        String oif;
        String physIn;
        String physOut;
        boolean bridged;
        boolean local;
        boolean looped;
        /** the bridge port the frame came in on, when br_netfilter bridges it after DNAT */
        String bridgedFrom;
        RouteDecision route;
        // devices visible to matches at the current hook
        String curIn;
        String curOut;
        // conntrack
        boolean ctAttached;
        boolean untracked;
        boolean existing;
        boolean reply;
        boolean dstManipDone;
        /** IPVS sent it ({@code skb->ipvs_property}): IPVS's hooks let it pass */
        boolean ipvsProperty;
        boolean srcManipDone;
        CtState ctState = CtState.INVALID;
        ConntrackEntry ct;
        Cons<TraceStep> steps;
        Cons<String> assumptions;
        /** the rule whose target is being applied on its "assumed to match" branch */
        Rule assumedRule;
        /** a NAT target or statement set up the binding for this hook's direction of manip (ends the nat lookups) */
        boolean natBound;
        boolean ended;

        Walk(Run run) {
            this.run = run;
        }

        Walk copy() {
            try {
                return (Walk) clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }

        void enterHookDevices(Hook h) {
            switch (h) {
                case PREROUTING, INPUT -> {
                    curIn = iif;
                    curOut = null;
                }
                case FORWARD -> {
                    curIn = iif;
                    curOut = oif;
                }
                case OUTPUT -> {
                    curIn = null;
                    curOut = oif;
                }
                case POSTROUTING -> {
                    curIn = local ? null : iif;
                    curOut = oif;
                }
            }
        }

        void assume(String a) {
            assumptions = Cons.push(assumptions, a);
        }

        void add(TraceStep s) {
            steps = Cons.push(steps, s);
        }

        void ruleStep(Hook h, Rule r, Tri result, String target, Packet before, Packet after, String detail) {
            if (assumedRule != null && r.equals(assumedRule) && result == Tri.MATCH) {
                result = Tri.UNKNOWN;
                detail = "cannot decide this match: assumed to match on this branch" + (detail == null ? "" : "; " + detail);
            }
            add(new TraceStep.RuleEvaluated(h, r.origin(), r.text(), result, target, before, after, detail));
        }

        void finish(FinalVerdict outcome, String detail, String device) {
            ended = true;
            boolean assumed = assumptions != null;
            FinalVerdict verdict = assumed ? FinalVerdict.UNKNOWN : outcome;
            add(new TraceStep.VerdictReached(hook, outcome.name(), detail));
            run.branches.add(new Ended(run.branches.size(), new TraceBranch(probability, verdict, outcome, detail, device, packet,
                    ct, Cons.toList(assumptions), Cons.toList(steps), route, bridgedFrom)));
        }

        // ---- MatchContext ----
        @Override
        public Packet packet() {
            return packet;
        }

        @Override
        public String inInterface() {
            return curIn;
        }

        @Override
        public String outInterface() {
            return curOut;
        }

        @Override
        public String physIn() {
            return physIn;
        }

        @Override
        public String physOut() {
            return hook == Hook.PREROUTING ? null : physOut;
        }

        @Override
        public boolean bridged() {
            return bridged;
        }

        @Override
        public int tcpFlags() {
            if (run.req.tcpFlags() >= 0) {
                return run.req.tcpFlags();
            }
            if (ctState == CtState.ESTABLISHED) {
                return reply ? 0x12 : 0x10; // the reply to a traced SYN is the SYN-ACK
            }
            return 0x02;
        }

        @Override
        public int icmpType() {
            boolean v6 = packet.protocol() == Protocol.ICMPV6;
            if (packet.protocol() != Protocol.ICMP && !v6) {
                return -1;
            }
            if (run.req.icmpError() != null) {
                return run.req.icmpError().type();
            }
            return reply ? (v6 ? 129 : 0) : (v6 ? 128 : 8);
        }

        @Override
        public int icmpCode() {
            return run.req.icmpError() != null ? run.req.icmpError().code() : 0;
        }

        @Override
        public CtState ctState() {
            return ctState;
        }

        @Override
        public ConntrackEntry conntrack() {
            return ct;
        }

        @Override
        public boolean replyDirection() {
            return reply;
        }

        @Override
        public AddrType addressType(Ip address, String device) {
            try {
                return routing.addressType(address, device);
            } catch (UnsupportedOperationException e) {
                return null; // the oracle cannot answer (routing not in the dump): the match is UNKNOWN
            }
        }

        @Override
        public Boolean rpfilter(long mark, boolean loose, boolean acceptLocal) {
            if (iif == null) {
                return null;
            }
            try {
                return routing.rpfilter(packet, iif, mark, loose, acceptLocal);
            } catch (UnsupportedOperationException e) {
                return null;
            }
        }

        @Override
        public Tri inSet(String setName, List<SetDimension> dimensions) {
            return sets.test(setName, dimensions);
        }
    }
}
