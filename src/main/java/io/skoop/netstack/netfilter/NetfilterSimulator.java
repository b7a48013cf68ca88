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
    private final RoutingOracle routing;
    private final SetMembership sets;
    private final boolean conntrackV4;
    private final boolean conntrackV6;
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
        this(ipv4, ipv6, routing, sets, needsConntrack(ipv4), needsConntrack(ipv6), null);
    }

    private NetfilterSimulator(Ruleset ipv4, Ruleset ipv6, RoutingOracle routing, SetMembership sets, boolean ctV4, boolean ctV6,
                               IpvsHook ipvs) {
        this.v4 = Objects.requireNonNull(ipv4, "ipv4");
        this.v6 = Objects.requireNonNull(ipv6, "ipv6");
        this.routing = Objects.requireNonNull(routing, "routing");
        this.sets = Objects.requireNonNull(sets, "sets");
        this.conntrackV4 = ctV4;
        this.conntrackV6 = ctV6;
        this.ipvs = ipvs;
    }

    /**
     * The same simulator with conntrack forced active (true) for both families — for
     * namespaces where something other than these iptables rules needs it: nftables {@code ct}
     * expressions or nat chains (nft.json), IPVS (ipvs.txt), Open vSwitch. With false, the
     * rules' own need still applies.
     */
    public NetfilterSimulator withConntrackActive(boolean active) {
        return new NetfilterSimulator(v4, v6, routing, sets, active || needsConntrack(v4), active || needsConntrack(v6), ipvs);
    }

    /** The same simulator with IPVS's request hooks at {@link Hook#IPVS} (null: none, as without virtual services). */
    public NetfilterSimulator withIpvs(IpvsHook hook) {
        return new NetfilterSimulator(v4, v6, routing, sets, conntrackV4, conntrackV6, hook);
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
        Run run = new Run(req, v6p ? v6 : v4, v6p ? conntrackV6 : conntrackV4);
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
        w.step(TraceStep.Kind.ROUTING, null, null, null, 0, null, null, null, null, null, "output route: " + r);
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

    private void incoming(Walk w) {
        Ip dstBefore = w.packet.dst();
        for (Walk a : hook(w, Hook.PREROUTING)) {
            boolean daddrChanged = !a.packet.dst().equals(dstBefore);
            RouteDecision r;
            if (a.looped && !daddrChanged) {
                // loopback_xmit keeps the output route on the skb (skb_dst_force) and ip_rcv_finish_core looks up an
                // input route only for an skb without one: no input lookup, no source validation, no rp_filter.
                // nf_nat_ipv4_in drops the route only when PREROUTING changed the destination.
                r = a.route;
                a.step(TraceStep.Kind.ROUTING, null, null, null, 0, null, null, null, null, null,
                        "input route: none, looped back over lo with the output route still attached: " + r);
            } else {
                r = route(a, a.iif, null, "input route");
                if (r == null) {
                    continue;
                }
                a.step(TraceStep.Kind.ROUTING, null, null, null, 0, null, null, null, null, null, "input route: " + r);
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
                        a.step(TraceStep.Kind.ROUTING, null, null, null, 0, null, null, null, null, null, "br_netfilter: the destination"
                                + " changed in PREROUTING and the route leads back out of " + r.device() + ": the frame is bridged, not routed"
                                + " (bridged DNAT; the TTL is kept)");
                        a.bridgedFrom = a.physIn;
                        for (Walk b : hook(a, Hook.FORWARD)) {
                            for (Walk c : hook(b, Hook.POSTROUTING)) {
                                c.finish(FinalVerdict.FORWARDED, "bridged (DNAT) via " + c.oif, c.oif);
                            }
                        }
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
        for (String station : hook.stations()) {
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
                        List<Walk> passed = table(x, hook, station);
                        if (hook == Hook.OUTPUT && station.equals("mangle")) {
                            for (Walk p : passed) {
                                if (!p.packet.src().equals(before.src()) || !p.packet.dst().equals(before.dst()) || p.packet.mark() != before.mark()) {
                                    reroute(p, "mangle OUTPUT changed the packet");
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
        w.step(TraceStep.Kind.ROUTING, w.hook, null, null, 0, null, null, null, null, null, "reroute (" + why + "): " + r);
        if (r.kind() == RouteDecision.Kind.ERROR) {
            w.finish(FinalVerdict.ROUTE_ERROR, routeError(r), null);
            return;
        }
        w.route = r;
        w.oif = r.kind() == RouteDecision.Kind.LOCAL ? "lo" : r.device();
    }

    private void conntrackIn(Walk w) {
        if (w.ctAttached) {
            w.step(TraceStep.Kind.CONNTRACK, w.hook, null, null, 0, null, null, null, null, null,
                    "conntrack already attached (" + (w.ipvsProperty ? "sent on by IPVS" : "looped back") + "): state " + w.ctState);
            return;
        }
        w.ctAttached = true;
        if (!w.run.conntrackActive) {
            w.ct = null;
            w.step(TraceStep.Kind.CONNTRACK, w.hook, null, null, 0, null, null, null, null, null,
                    "conntrack is not active in this network namespace (no rule needs it): no entry, the nat table is not traversed");
            return;
        }
        if (w.untracked) {
            w.ctState = CtState.UNTRACKED;
            w.ct = null;
            w.step(TraceStep.Kind.CONNTRACK, w.hook, null, null, 0, null, null, null, null, null, "untracked (NOTRACK in raw)");
            return;
        }
        ConntrackEntry existing = w.run.req.conntrack();
        if (existing != null && (existing.original().matches(w.packet) || existing.reply().matches(w.packet))) {
            w.ct = existing;
            w.reply = !existing.original().matches(w.packet);
            w.ctState = CtState.ESTABLISHED;
            w.existing = true;
            w.step(TraceStep.Kind.CONNTRACK, w.hook, null, null, 0, null, null, null, null, null,
                    "existing connection, " + (w.reply ? "reply" : "original") + " direction: ESTABLISHED; " + existing);
            return;
        }
        Tuple t = Tuple.of(w.packet);
        w.ct = new ConntrackEntry(t, t.inverse(), 0, false);
        w.ctState = CtState.NEW;
        w.step(TraceStep.Kind.CONNTRACK, w.hook, null, null, 0, null, null, null, null, null,
                "new connection: state NEW" + (existing != null ? " (packet matches neither tuple of the given entry)" : ""));
    }

    private void confirm(Walk w) {
        if (w.ct != null && !w.ct.confirmed()) {
            w.ct = new ConntrackEntry(w.ct.original(), w.ct.reply(), w.ct.mark(), true);
            w.step(TraceStep.Kind.CONFIRM, w.hook, null, null, 0, null, null, null, null, null, "conntrack entry confirmed: " + w.ct);
        }
    }

    private List<Walk> nat(Walk w, Hook hook) {
        boolean dstManip = hook.destinationNat();
        if (w.ct == null) {
            w.step(TraceStep.Kind.NAT, hook, "nat", null, 0, null, null, null, null, null,
                    "nat table not consulted: " + (w.run.conntrackActive ? "packet is " + w.ctState : "no conntrack in this namespace"));
            return List.of(w);
        }
        if (w.existing) {
            // the remembered binding: make the packet look like the inverse of the other direction's tuple
            Tuple other = w.reply ? w.ct.original() : w.ct.reply();
            Packet before = w.packet;
            Packet after = dstManip ? before.withDst(other.src(), other.sport()) : before.withSrc(other.dst(), other.dport());
            if (!after.equals(before)) {
                w.packet = after;
                w.step(TraceStep.Kind.NAT, hook, "nat", null, 0, null, null, null, before, after,
                        (dstManip ? "destination" : "source") + " translated by the conntrack entry (" + (w.reply ? "reply" : "original") + " direction)");
                if (hook == Hook.OUTPUT) {
                    reroute(w, "nat changed the destination");
                }
            }
            return w.ended ? List.of() : List.of(w);
        }
        if (dstManip ? w.dstManipDone : w.srcManipDone) {
            w.step(TraceStep.Kind.NAT, hook, "nat", null, 0, null, null, null, null, null,
                    (dstManip ? "destination" : "source") + " NAT already set up for this connection: nat table not consulted");
            return List.of(w);
        }
        Packet before = w.packet;
        List<Walk> passed = table(w, hook, "nat");
        for (Walk p : passed) {
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
            TraceStep s = c.step();
            x.probability *= c.share();
            x.step(TraceStep.Kind.IPVS, hook, s.table(), s.chain(), s.rule(), s.text(), s.result(), s.target(), s.before(), s.after(), s.detail());
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
            x.step(TraceStep.Kind.ROUTING, hook, null, null, 0, null, null, null, null, null, "IPVS route to the real server: " + r);
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
            miss.step(TraceStep.Kind.BRANCH, hook, table.name(), rule.chain(), rule.number(), rule.text(), Tri.NO_MATCH, null, null, null,
                    String.format("statistic did not match (p=%.6f)", 1.0 - matchP));
            work.push(new Item(miss, after, null));
            w.probability *= matchP;
            w.step(TraceStep.Kind.BRANCH, hook, table.name(), rule.chain(), rule.number(), rule.text(), Tri.MATCH, null, null, null,
                    String.format("statistic matched (p=%.6f)", matchP));
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
        w.step(TraceStep.Kind.POLICY, hook, table.name(), chain.name(), 0, null, null, chain.policy().name(), null, null, null);
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
                w.untracked = true;
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
                x.step(TraceStep.Kind.BRANCH, hook, "nat", rule.chain(), rule.number(), rule.text(), Tri.MATCH, t.name(), null, null,
                        String.format("%s range: address %d of %d (p=%.6f)", t.name(), i + 1, n, 1.0 / n));
            }
            String detail = note;
            if (portNote != null) {
                detail = detail == null ? portNote : detail + "; " + portNote;
            }
            x.ruleStep(hook, rule, Tri.MATCH, t.name(), before, after, detail);
            x.assumedRule = null;
            accepted.add(x);
        }
    }

    // ---- per-trace state -------------------------------------------------------------------

    /** State shared by all branches of one trace. */
    private static final class Run {
        final TraceRequest req;
        final Ruleset rules;
        final boolean conntrackActive;
        final List<Ended> branches = new ArrayList<>();
        int forks;

        Run(TraceRequest req, Ruleset rules, boolean conntrackActive) {
            this.req = req;
            this.rules = rules;
            this.conntrackActive = conntrackActive;
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

        void step(TraceStep.Kind kind, Hook h, String table, String chain, int rule, String text, Tri result, String target,
                  Packet before, Packet after, String detail) {
            steps = Cons.push(steps, new TraceStep(kind, h, table, chain, rule, text, result, target, before, after, detail));
        }

        void ruleStep(Hook h, Rule r, Tri result, String target, Packet before, Packet after, String detail) {
            if (r == assumedRule && result == Tri.MATCH) {
                result = Tri.UNKNOWN;
                detail = "cannot decide this match: assumed to match on this branch" + (detail == null ? "" : "; " + detail);
            }
            step(TraceStep.Kind.RULE, h, r.table(), r.chain(), r.number(), r.text(), result, target, before, after, detail);
        }

        void finish(FinalVerdict outcome, String detail, String device) {
            ended = true;
            boolean assumed = assumptions != null;
            FinalVerdict verdict = assumed ? FinalVerdict.UNKNOWN : outcome;
            step(TraceStep.Kind.VERDICT, hook, null, null, 0, null, null, outcome.name(), null, null, detail);
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
            return reply ? (v6 ? 129 : 0) : (v6 ? 128 : 8);
        }

        @Override
        public int icmpCode() {
            return 0;
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
