package io.skoop.diagnose;

import io.skoop.model.Action;
import io.skoop.model.ActionType;
import io.skoop.model.Hop;
import io.skoop.model.Ip;
import io.skoop.model.Link;
import io.skoop.model.LinkAttribute;
import io.skoop.model.LinkType;
import io.skoop.model.NetNode;
import io.skoop.model.NetNodeType;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import io.skoop.model.Suspicion;
import io.skoop.netstack.NetNS;
import io.skoop.netstack.PartState;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.link.IpipInfo;
import io.skoop.netstack.link.VxlanInfo;
import io.skoop.netstack.neigh.Neighbour;
import io.skoop.netstack.netfilter.ConntrackEntry;
import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.Path;
import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.netfilter.TraceStep;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.netstack.socket.ListeningSocket;
import io.skoop.network.Underlay;
import io.skoop.snapshot.k8s.KPod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Linux network namespace (a pod's, or a node's root namespace) doing Send/Receive on its dump:
 * every decision is the engine's simulation of the real netstack.
 * <ul>
 *   <li>send: source selection by {@code ip route get}, then the LOCAL_OUT path (OUTPUT,
 *       reroute, POSTROUTING) of the namespace's netfilter rules;</li>
 *   <li>receive on a plain device: PREROUTING, the input route (local, forward with
 *       ip_forward/rp_filter, or error), INPUT or FORWARD+POSTROUTING;</li>
 *   <li>receive on a bridge port: a frame for the bridge's own address is routed (iif = the
 *       bridge, physdev-in = the port, as br_netfilter shows it); a frame for another port is
 *       bridged — through iptables (path BRIDGE) only when {@code net.bridge.bridge-nf-call-iptables}
 *       is 1;</li>
 *   <li>local delivery: a VXLAN frame to a VXLAN device's UDP port is decapsulated and the inner
 *       packet received on that device; an IPIP packet (IP protocol 4) is decapsulated by the up ipip
 *       device whose local/remote match (Calico's tunl0, any/any, takes all) and received on it, none:
 *       dropped; anything else must find a listening socket
 *       ({@code ss -lntu}, the kernel's socket lookup rules);</li>
 *   <li>egress by device kind: a veth to its peer in another namespace (pod ⇄ node, by
 *       ifindex), a bridge to the port of the pod that has the next hop, a VXLAN device through
 *       its neighbour table and FDB to the remote VTEP (outer UDP packet sent by this namespace
 *       again), an ipip device to its remote or the route's next hop (outer IPv4 protocol 4 packet
 *       sent likewise), anything else onto the underlay.</li>
 * </ul>
 * Each branch of a netfilter trace ({@code statistic}, NAT ranges) continues with its probability;
 * conntrack entries travel in the {@link Flow} so that replies are reverse-NATed where the kernel
 * does it. What breaks a branch becomes a FATAL suspicion on this node naming the device, route,
 * rule, socket or sysctl.
 */
final class LinuxNetNode implements NetNodeAction {
    /** The first port of Linux's default ephemeral range is 32768; 40000 keeps examples readable and is inside it. */
    static final int CLIENT_PORT = 40000;

    private final Hop hop;
    private final NetNS ns;
    private final NetNodeManager manager;

    LinuxNetNode(Hop hop, NetNS ns, NetNodeManager manager) {
        this.hop = hop;
        this.ns = ns;
        this.manager = manager;
    }

    // ---- Send ------------------------------------------------------------------------------

    @Override
    public List<Outcome> send(Walk walk, Packet packet, Flow flow) {
        NetNode me = walk.node(hop);
        Packet p = packet;
        if (p.src().isAny()) {
            RouteResult r = ns.routeGet(new RouteQuery(p.dst(), null, null, null, p.mark(), p.protocol().number(), 0, p.dport(), 0, 0));
            me.explain("source selection: ip route get " + p.dst() + " -> " + r.summary().strip());
            if (r.uncertain()) {
                return List.of(unknown(me, p, flow, "source selection for " + p.dst() + " is not certain: "
                        + (r.assumptions().isEmpty() ? r.summary().strip() : String.join("; ", r.assumptions()))));
            }
            if (!r.ok()) {
                return List.of(drop(me, p, flow, "connect() fails: no route to " + p.dst() + " (" + r.errno() + ": " + r.errno().message()
                        + (r.failure() == null ? "" : ": " + r.failure()) + ")" + downDevices() + expected(p.dst())));
            }
            if (r.prefsrc() == null) {
                return List.of(drop(me, p, flow, "connect() fails: no source address for " + p.dst() + " via " + r.dev()));
            }
            p = Packet.of(r.prefsrc(), clientPort(), p.dst(), p.dport(), p.protocol());
            walk.connected(p);
        }
        me.addAction(new Action(walk.isReply() ? ActionType.SERVE : ActionType.SEND, null, List.of()));
        me.explain((walk.isReply() ? "reply " : "send ") + p);
        p = p.withTtl(defaultTtl(p.dst().isV6()));
        TraceRequest req = TraceRequest.of(p, Path.LOCAL_OUT).withConntrack(flow.entryFor(hop, p));
        return branches(walk, me, p, req, flow);
    }

    /**
     * The TTL (hop limit) a socket here gives a new packet: {@code net.ipv4.ip_default_ttl}, or for IPv6 {@code
     * net.ipv6.conf.all.hop_limit} (ip4_dst_hoplimit, ip6_dst_hoplimit; a route's own hoplimit metric and per-device
     * IPv6 values are not read); -1 when the dump does not say (then {@code -m ttl}/{@code -m hl} answer UNKNOWN).
     */
    private int defaultTtl(boolean v6) {
        String key = v6 ? "net.ipv6.conf.all.hop_limit" : "net.ipv4.ip_default_ttl";
        java.util.OptionalInt t = ns.sysctls().getInt(key);
        return t.isPresent() && t.getAsInt() >= 1 && t.getAsInt() <= 255 ? t.getAsInt() : -1;
    }

    private int clientPort() {
        return ns.sysctls().ipLocalPortRange().map(r -> CLIENT_PORT >= r.low() && CLIENT_PORT <= r.high() ? CLIENT_PORT : r.low())
                .orElse(CLIENT_PORT);
    }

    // ---- Receive ---------------------------------------------------------------------------

    @Override
    public List<Outcome> receive(Walk walk, Arrival a) {
        NetNode me = walk.node(hop);
        Packet p = a.packet();
        Interface in = ns.interfaces().byName(a.device()).orElse(null);
        if (in == null) {
            return List.of(unknown(me, p, a.flow(), "device " + a.device() + " is not in the dump of " + hop));
        }
        if (!in.isUp()) {
            return List.of(drop(me, p, a.flow(), a.device() + " is down (" + in.operstate() + "): the packet "
                    + (a.link() == null ? "" : "from " + a.link().source() + " ") + "is not received"));
        }
        ConntrackEntry ct = a.flow().entryFor(hop, p);
        if (in.master() != null) {
            Interface br = ns.interfaces().byName(in.master()).orElse(null);
            if (br == null || !"bridge".equals(br.kind())) {
                return List.of(unknown(me, p, a.flow(), a.device() + " is enslaved to " + in.master()
                        + ", which is not a bridge in the dump (bonds, VRFs and OVS are not simulated)"));
            }
            if (!br.isUp()) {
                return List.of(drop(me, p, a.flow(), "bridge " + br.name() + " is down: frames from port " + in.name() + " go nowhere"));
            }
            if (in.bridgePort() != null && !in.bridgePort().forwards()) {
                return List.of(drop(me, p, a.flow(), "bridge port " + in.name() + " of " + br.name() + " is in state "
                        + in.bridgePort().state() + ": the bridge drops the frames it receives (only a forwarding port passes them;"
                        + " bridge link set dev " + in.name() + " state 3)"));
            }
            boolean forBridge = a.nexthop() == null || ns.interfaces().withAddress(a.nexthop()).isPresent();
            if (a.misaddressed() != null && !ns.sysctls().bridgeNfCallIptables().orElse(false)) {
                return List.of(drop(me, p, a.flow(), a.misaddressed() + " (bridge " + br.name() + " floods it; no port takes it)"));
            }
            if (!forBridge) {
                return bridged(walk, me, a, in, br, ct);
            }
            me.explain("bridge " + br.name() + ": frame from port " + in.name() + " is for the bridge itself (next hop "
                    + a.nexthop() + "): routed");
            TraceRequest req = TraceRequest.of(p, Path.FORWARD).withIif(br.name()).withConntrack(ct);
            if (ns.sysctls().bridgeNfCallIptables().orElse(false)) {
                // br_netfilter runs PREROUTING in the bridge (physdev known); without it the IP stack sees cni0 alone
                req = req.withPhysdev(in.name(), null);
            }
            return branches(walk, me, p, req, a.flow(), null, a.misaddressed());
        }
        if (in.isTunnel()) {
            me.explain("received on " + in.name() + " (decapsulated)");
        }
        TraceRequest req = TraceRequest.of(p, Path.FORWARD).withIif(in.name()).withConntrack(ct);
        return branches(walk, me, p, req, a.flow());
    }

    /** A frame for another port of the bridge: L2 forwarding, through iptables only with bridge-nf-call-iptables=1. */
    private List<Outcome> bridged(Walk walk, NetNode me, Arrival a, Interface in, Interface br, ConntrackEntry ct) {
        Packet p = a.packet();
        Optional<Boolean> nf = ns.sysctls().bridgeNfCallIptables();
        if (nf.isEmpty() && ns.sysctls().untrusted().isPresent()) {
            return List.of(unknown(me, p, a.flow(), "whether iptables sees frames bridged on " + br.name()
                    + " (net.bridge.bridge-nf-call-iptables) is not known: " + ns.sysctls().untrusted().get()));
        }
        boolean callIptables = nf.orElse(false);
        me.explain("bridge " + br.name() + ": frame from port " + in.name() + " for " + a.nexthop() + " is bridged"
                + (callIptables ? " (bridge-nf-call-iptables=1: iptables sees it with physdev)"
                : nf.isPresent() ? " (bridge-nf-call-iptables=0: iptables does not see it)" : " (br_netfilter not loaded: iptables does not see it)"));
        if (!callIptables) {
            me.addAction(new Action(ActionType.FORWARD, null, List.of()));
            return egress(walk, me, br.name(), a.nexthop(), false, p, a.flow(), in.name());
        }
        Optional<KPod> pod = manager.podOnNode(hop.id(), a.nexthop());
        String port = pod.flatMap(this::portOf).map(Interface::name).orElse(null);
        TraceRequest req = TraceRequest.of(p, Path.BRIDGE).withIif(br.name()).withOif(br.name()).withPhysdev(in.name(), port)
                .withConntrack(ct);
        return branches(walk, me, p, req, a.flow(), a.nexthop());
    }

    // ---- netfilter branches ----------------------------------------------------------------

    private List<Outcome> branches(Walk walk, NetNode me, Packet before, TraceRequest req, Flow flow) {
        return branches(walk, me, before, req, flow, null, null);
    }

    private List<Outcome> branches(Walk walk, NetNode me, Packet before, TraceRequest req, Flow flow, Ip bridgedTo) {
        return branches(walk, me, before, req, flow, bridgedTo, null);
    }

    /**
     * Follows every branch of the trace of {@code req}: an End for those that do not pass, local delivery, or egress
     * by the branch's device and route — for a bridged trace ({@code bridgedTo} != null) out of the bridge to the port
     * of that next hop.
     */
    private List<Outcome> branches(Walk walk, NetNode me, Packet before, TraceRequest req, Flow flow, Ip bridgedTo, String misaddressed) {
        List<io.skoop.netstack.netfilter.NftTable> nft = ns.nftTablesNotSimulated();
        if (!nft.isEmpty()) {
            return List.of(unknown(me, before, flow, "nftables tables " + nft + " of " + ns.dir() + " have base chains skoop does"
                    + " not simulate (bridge, arp, netdev families; ingress hooks): what they do to " + before + " is not known"));
        }
        if (hop.type() == NetNodeType.NODE && manager.services() != null && ns.state("iptables.txt").kind() == PartState.Kind.EMPTY
                && manager.ipCache().lookup(before.dst()) instanceof io.skoop.k8s.IpEntity.ServiceEntity) {
            // iptables-save prints nothing without tables: true of a node where kube-proxy never ran, or of a dump taken elsewhere
            return List.of(unknown(me, before, flow, ns.state("iptables.txt").file() + " is empty, although kube-proxy ("
                    + manager.services().mode() + " mode) writes KUBE-SERVICES on every node: was the dump taken in the node's network namespace, and does"
                    + " kube-proxy run there?"));
        }
        TraceResult result = ns.trace(req);
        if (!walk.isReply() && hop.type() == NetNodeType.NODE && manager.services() != null) {
            manager.services().process(me, before, result, manager.ipCache());
        }
        List<Outcome> out = new ArrayList<>();
        List<TraceBranch> all = result.branches();
        if (all.isEmpty()) {
            return out;
        }
        String outer = me.currentBranch();
        List<List<String>> lines = all.stream().map(LinuxNetNode::explained).toList();
        int shared = all.size() > 1 ? sharedPrefix(lines) : 0;
        lines.get(0).subList(0, shared).forEach(me::explain);
        for (int i = 0; i < all.size(); i++) {
            TraceBranch b = all.get(i);
            if (all.size() > 1) {
                me.branch((outer == null ? "" : outer + " / ") + branchLabel(i, all.size(), b));
            }
            try {
                if (misaddressed != null && b.packet().dst().equals(before.dst()) && b.verdict().passes()) {
                    // br_nf_pre_routing_finish takes a frame as the bridge's own only when PREROUTING changed its
                    // destination; this one keeps its address and the MAC nobody has: flooded, not taken
                    lines.get(i).subList(shared, lines.get(i).size()).forEach(me::explain);
                    out.add(drop(me, b.packet(), flow.times(b.probability()), misaddressed + " (bridge " + req.iif() + " floods it; no port"
                            + " takes it, and no DNAT in PREROUTING made the bridge take it as its own)"));
                    continue;
                }
                out.addAll(follow(walk, me, b, req, flow, bridgedTo, lines.get(i).subList(shared, lines.get(i).size())));
            } finally {
                me.branch(outer);
            }
        }
        return out;
    }

    /** Explains {@code lines} of branch {@code b} and follows it: its End, local delivery, or egress. */
    private List<Outcome> follow(Walk walk, NetNode me, TraceBranch b, TraceRequest req, Flow flow, Ip bridgedTo,
                                 List<String> lines) {
        Flow f = flow.times(b.probability()).tracked(hop, b.conntrack());
        lines.forEach(me::explain);
        Outcome end = endOf(walk, me, b, f);
        if (end != null) {
            return List.of(end);
        }
        if (b.verdict() == FinalVerdict.DELIVERED) {
            return deliver(walk, me, b.packet(), b.device(), f);
        }
        if (b.verdict() == FinalVerdict.FORWARDED) {
            me.addAction(new Action(ActionType.FORWARD, null, List.of()));
            if (bridgedTo == null && b.bridgedFrom() == null) {
                pathMtu(walk, me, b);
            }
        }
        if (bridgedTo != null) {
            return egress(walk, me, req.oif(), bridgedTo, false, b.packet(), f, req.physIn());
        }
        if (b.bridgedFrom() != null) {
            return egress(walk, me, b.device(), b.nexthop(), false, b.packet(), f, b.bridgedFrom());
        }
        boolean viaGateway = b.route() != null && b.route().gateway() != null;
        return egress(walk, me, b.device(), b.nexthop(), viaGateway, b.packet(), f);
    }

    /**
     * A forwarded TCP segment of the largest size this connection carries ({@link #tcpSegmentBound}: the smaller MTU of
     * its two ends) that is larger than the output device's MTU is not sent: IPv6 routers never fragment (ip6_forward
     * drops it and sends its source ICMPv6 Packet Too Big with that MTU: ip6_pkt_too_big, icmpv6_send; RFC 8201), and
     * an IPv4 router does the same for a packet with Don't Fragment set (ip_forward: ip_exceeds_mtu, ICMP destination
     * unreachable "fragmentation needed", type 3 code 4; RFC 1191) — which Linux TCP sets on every segment while
     * {@code net.ipv4.ip_no_pmtu_disc} is 0, the default. The connection goes on with smaller segments only when that
     * error leaves this node: it is traced through this namespace's OUTPUT and POSTROUTING as RELATED to the
     * connection. Dropped there, the sender never learns the path MTU and its full-size segments are lost (a PMTU black
     * hole: CRITICAL on the reply, WARNING on the request, whose segments are the client's own); passed, an INFO says
     * the flow depends on path MTU discovery. The error's further way (other hops' filters, the sender's INPUT) is not
     * traced.
     */
    private void pathMtu(Walk walk, NetNode me, TraceBranch b) {
        Packet p = b.packet();
        if (p.protocol() != Protocol.TCP || b.device() == null) {
            return;
        }
        Interface out = ns.interfaces().byName(b.device()).orElse(null);
        int size = tcpSegmentBound(manager, walk, p);
        if (out == null || out.mtu() <= 0 || size <= out.mtu()) {
            return;
        }
        boolean v6 = p.dst().isV6();
        String family = v6 ? "IPv6" : "IPv4";
        String what = b.device() + " MTU " + out.mtu() + " < the " + size + "-byte TCP segments " + (walk.isReply() ? "of the answer" : "of the request")
                + " (the smaller MTU of the connection's ends): " + (v6 ? "IPv6 routers do not fragment, so " + hop.id()
                + " answers such a segment with ICMPv6 Packet Too Big (MTU " + out.mtu() + ")"
                : "TCP sets Don't Fragment (net.ipv4.ip_no_pmtu_disc = 0, the default), so " + hop.id()
                + " answers such a segment with ICMP fragmentation needed (MTU " + out.mtu() + ")") + " to " + p.src();
        RouteResult back = ns.routeGet(RouteQuery.to(p.src()));
        String problem = null;
        boolean unknown = false;
        if (!back.ok() || back.prefsrc() == null) {
            problem = "but has no route back to " + p.src() + " for it";
        } else {
            Packet error = Packet.of(back.prefsrc(), 0, p.src(), 0, v6 ? Protocol.ICMPV6 : Protocol.ICMP);
            TraceResult r = ns.trace(TraceRequest.icmpError(error, Path.LOCAL_OUT, b.conntrack(),
                    v6 ? TraceRequest.IcmpError.PACKET_TOO_BIG : TraceRequest.IcmpError.FRAGMENTATION_NEEDED));
            for (TraceBranch x : r.branches()) {
                if (x.verdict() == FinalVerdict.DROP || x.verdict() == FinalVerdict.REJECT) {
                    problem = "but its own netfilter drops that error: " + x.detail() + lastRule(x);
                    break;
                }
                if (x.verdict() == FinalVerdict.UNKNOWN || x.verdict() == FinalVerdict.ROUTE_ERROR) {
                    problem = "but whether that error leaves " + hop.id() + " is not known: " + x.detail();
                    unknown = x.verdict() == FinalVerdict.UNKNOWN;
                }
            }
        }
        if (problem == null) {
            me.explain("path MTU: " + what + "; it leaves " + hop.id() + ", so the sender resends smaller segments");
            me.addSuspicion(Suspicion.info(family + " path MTU discovery: " + what + ", which leaves " + hop.id()
                    + ": the sender resends smaller segments (anything filtering " + (v6 ? "ICMPv6 type 2" : "ICMP type 3 code 4")
                    + " on the way back would black-hole them)"));
            return;
        }
        String msg = family + " path MTU black hole: " + what + ", " + problem + ": the sender never lowers its path MTU and full-size"
                + " segments are lost";
        me.addSuspicion(walk.isReply() && !unknown ? Suspicion.critical(msg) : Suspicion.warning(msg));
    }

    /** {@code branch 2/3 p=0.333: tcp 10.244.0.2:40000 > 10.244.1.2:8080 FORWARDED via flannel.1}. */
    private static String branchLabel(int i, int n, TraceBranch b) {
        return String.format(java.util.Locale.ROOT, "branch %d/%d p=%.3f: %s %s%s", i + 1, n, b.probability(), b.packet(),
                b.verdict(), b.device() == null ? "" : " via " + b.device());
    }

    /** The number of leading lines all of {@code lines} share. */
    private static int sharedPrefix(List<List<String>> lines) {
        int n = 0;
        while (true) {
            for (List<String> l : lines) {
                if (l.size() <= n || !l.get(n).equals(lines.get(0).get(n))) {
                    return n;
                }
            }
            n++;
        }
    }

    /** Route-error details that name a kernel drop outside routing: ip_forward's TTL, ip6_forward's switch, ip6_rcv's disable_ipv6. */
    private static final java.util.regex.Pattern KERNEL_DROPS = java.util.regex.Pattern.compile("ip_forward:|ip6_forward:|ip6_rcv:");

    /** The End of a branch that does not pass (drop, reject, route error, unknown), else null. */
    private Outcome endOf(Walk walk, NetNode me, TraceBranch b, Flow f) {
        return switch (b.verdict()) {
            case DROP, REJECT -> drop(me, b.packet(), f, (decidedByNft(b) ? "nftables: " : "iptables: ") + b.detail() + lastRule(b));
            case ROUTE_ERROR -> KERNEL_DROPS.matcher(b.detail()).lookingAt() ? drop(me, b.packet(), f, b.detail() + lostAddress(b.packet().dst()))
                    : drop(me, b.packet(), f, "routing fails: " + b.detail() + downDevices()
                    + (b.detail().startsWith("ENETUNREACH") ? expected(b.packet().dst()) : "") + lostAddress(b.packet().dst()));
            case UNKNOWN -> unknown(me, b.packet(), f, b.detail() + (b.assumptions().isEmpty() ? ""
                    : "; assumed: " + String.join("; ", b.assumptions())));
            default -> null;
        };
    }

    /** True when the rule or chain policy that ended branch {@code b} is an nftables one (its step names an nft table). */
    private static boolean decidedByNft(TraceBranch b) {
        List<TraceStep> steps = b.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            TraceStep s = steps.get(i);
            if (s instanceof TraceStep.PolicyApplied p) {
                return p.chain() instanceof TraceStep.Origin.Nftables;
            }
            if (s instanceof TraceStep.RuleEvaluated r && r.matched()) {
                return r.origin() instanceof TraceStep.Origin.Nftables;
            }
        }
        return false;
    }

    private static String lastRule(TraceBranch b) {
        List<TraceStep.RuleEvaluated> m = b.matchedRules();
        if (m.isEmpty()) {
            return "";
        }
        TraceStep.RuleEvaluated s = m.get(m.size() - 1);
        return " `" + s.text() + "` (hook " + s.hook() + ")";
    }

    /** The lines {@code --explain} shows of branch {@code b}'s steps: decisions, not the rules that did not match. */
    private static List<String> explained(TraceBranch b) {
        List<String> out = new ArrayList<>();
        for (TraceStep s : b.steps()) {
            boolean keep = s instanceof TraceStep.RuleEvaluated r ? r.result() != io.skoop.netstack.netfilter.Tri.NO_MATCH
                    : s instanceof TraceStep.NatBinding n ? !n.skipped()
                    : s instanceof TraceStep.PolicyApplied p ? "DROP".equals(p.policy())
                    : s instanceof TraceStep.RoutingDecision || s instanceof TraceStep.BranchTaken || s instanceof TraceStep.VerdictReached
                    || s instanceof TraceStep.IpvsScheduled;
            if (keep) {
                out.add(s.toString().strip());
            }
        }
        return out;
    }

    // ---- local delivery --------------------------------------------------------------------

    private List<Outcome> deliver(Walk walk, NetNode me, Packet p, String dev, Flow f) {
        if (p.encap() != null && p.protocol() == Protocol.UDP) {
            Interface vx = vxlanDeviceFor(p.dport(), p.dst().isV6());
            if (vx != null) {
                VxlanInfo vi = vx.vxlan();
                if (!vx.isUp()) {
                    return List.of(drop(me, p, f, "VXLAN frame for UDP port " + p.dport() + " arrives but " + vx.name() + " is down"));
                }
                me.explain("vxlan " + vx.name() + " (VNI " + vi.id() + ", port " + vi.port() + "): decapsulate " + p.encap());
                return receive(walk, new Arrival(hop, vx.name(), null, null, p.encap(), f));
            }
        }
        if (p.encap() != null && p.protocol() == Protocol.IPENCAP) {
            return decapsulateIpip(walk, me, p, f);
        }
        if (walk.isReply()) {
            return List.of(replyArrived(walk, me, p, f));
        }
        if (!ns.state("sockets.txt").trusted()) {
            return List.of(unknown(me, p, f, "cannot tell whether something listens on " + p.dst() + ":" + p.dport() + "/"
                    + p.protocol() + ": " + ns.state("sockets.txt").describe()));
        }
        List<ListeningSocket> socks = ns.sockets().listening(p.dst(), p.dport(), p.protocol(), dev);
        if (socks.isEmpty()) {
            String answer = p.protocol() == Protocol.TCP ? "the kernel answers RST: connection refused"
                    : "the kernel answers ICMP port unreachable";
            String none = ns.state("sockets.txt").kind() == PartState.Kind.EMPTY
                    ? "; its sockets.txt is empty: nothing listens on any port there" : "";
            return List.of(drop(me, p, f, "no socket listens on " + p.dst().withPort(p.dport()) + "/" + p.protocol().ianaName()
                    + " in " + hop + " (" + answer + none + ")"));
        }
        ListeningSocket s = socks.get(0);
        me.addAction(new Action(ActionType.SERVE, null, List.of()));
        String sock = describe(s);
        me.explain("socket: " + sock);
        return List.of(new Outcome.End(Outcome.End.Kind.DELIVERED, hop, p, f, "delivered to " + sock));
    }

    /** A reply delivered here: it is the client's only if it matches the client's connection. */
    static Outcome replyArrived(Walk walk, NetNode me, Packet p, Flow f) {
        Packet want = walk.connected() == null ? null : walk.connected().reversed();
        Hop hop = me.hop();
        if (!hop.equals(walk.client())) {
            return drop(me, p, f, "the reply " + p + " is delivered locally on " + hop + " instead of reaching the client " + walk.client());
        }
        if (want != null && (!want.src().equals(p.src()) || want.sport() != p.sport() || !want.dst().equals(p.dst())
                || want.dport() != p.dport())) {
            String tcp = p.protocol() == Protocol.TCP ? "; the client answers RST" : "; the client's socket ignores it";
            return drop(me, p, f, "the reply arrives as " + p + " but the client's socket is connected to " + want.src() + ":"
                    + want.sport() + ": the destination NAT was not reversed on the way back" + tcp);
        }
        me.explain("reply " + p + " matches the connection");
        return new Outcome.End(Outcome.End.Kind.DELIVERED, hop, p, f, "the reply reaches the client");
    }

    /**
     * An IPIP packet (IP protocol 4) for a local address: ip_tunnel_lookup picks an ipip device that is up and whose
     * local/remote match the outer addresses (the fallback tunl0, {@code any}/{@code any}, takes every one), and the
     * inner packet arrives on it. No ipip device at all (the ipip module is not loaded): no handler for protocol 4, the
     * kernel answers ICMP protocol unreachable (ip_local_deliver_finish); ipip devices but none up and matching:
     * tunnel4_rcv answers ICMP port unreachable.
     */
    private List<Outcome> decapsulateIpip(Walk walk, NetNode me, Packet p, Flow f) {
        List<Interface> devices = ns.interfaces().all().stream().filter(i -> i.ipip() != null).toList();
        Optional<Interface> dev = devices.stream().filter(i -> i.isUp() && i.ipip().accepts(p.src(), p.dst()))
                .min(java.util.Comparator.comparingInt(i -> i.ipip().wildcards()));
        String what = "an IPIP packet (IP protocol 4) from " + p.src() + " for " + p.dst() + " carrying " + p.encap();
        if (dev.isEmpty() && devices.isEmpty()) {
            return List.of(drop(me, p, f, what + " arrives but " + hop + " has no ipip device (no " + IPIP_FALLBACK
                    + ": the ipip module is not loaded), so nothing decapsulates it; the kernel answers ICMP protocol unreachable"));
        }
        if (dev.isEmpty()) {
            String down = devices.stream().filter(i -> !i.isUp() && i.ipip().accepts(p.src(), p.dst())).map(Interface::name)
                    .collect(java.util.stream.Collectors.joining(", "));
            return List.of(drop(me, p, f, what + " arrives but " + (down.isEmpty() ? "no ipip device matches its addresses"
                    : "the ipip device that would take it is down: " + down + " (ip link set " + down.split(", ")[0] + " up)")
                    + "; nothing decapsulates it and the kernel answers ICMP port unreachable"));
        }
        me.explain("ipip " + dev.get().name() + " (local " + any(dev.get().ipip().local()) + ", remote " + any(dev.get().ipip().remote())
                + "): decapsulate " + p.encap());
        return receive(walk, new Arrival(hop, dev.get().name(), null, null, p.encap(), f));
    }

    /** The kernel's fallback ipip device, created with the ipip module. */
    private static final String IPIP_FALLBACK = "tunl0";

    private static String any(Ip ip) {
        return ip == null ? "any" : ip.toString();
    }

    /**
     * The VXLAN device that takes UDP {@code port} in the outer packet's family: vxlan_rcv finds the device through the
     * UDP socket of that port and family (a device with an IPv6 {@code local}, {@code remote} or {@code group} listens
     * on an IPv6 socket, {@link VxlanInfo#isV6()}), so flannel.1 and flannel-v6.1 share VNI and port but not traffic.
     */
    private Interface vxlanDeviceFor(int port, boolean v6) {
        for (Interface i : ns.interfaces().all()) {
            if (i.vxlan() != null && i.vxlan().port() == port && i.vxlan().isV6() == v6) {
                return i;
            }
        }
        return null;
    }

    // ---- egress ----------------------------------------------------------------------------

    private List<Outcome> egress(Walk walk, NetNode me, String dev, Ip nexthop, boolean viaGateway, Packet p, Flow f) {
        return egress(walk, me, dev, nexthop, viaGateway, p, f, null);
    }

    /**
     * Out of {@code dev} towards {@code nexthop}. {@code ingressPort} is the bridge port a bridged frame came in on (L2
     * forwarding, or br_netfilter's bridged DNAT), null for a routed packet (which the bridge device itself sends, so
     * neither hairpin mode nor the ingress port matter).
     */
    private List<Outcome> egress(Walk walk, NetNode me, String dev, Ip nexthop, boolean viaGateway, Packet p, Flow f, String ingressPort) {
        Interface out = ns.interfaces().byName(dev).orElse(null);
        if (out == null) {
            return List.of(unknown(me, p, f, "output device " + dev + " is not in the dump of " + hop));
        }
        if (!out.isUp()) {
            return List.of(drop(me, p, f, "output device " + dev + " is down (" + out.operstate() + ")"));
        }
        if (out.isLoopback()) {
            // loopback_xmit hands the skb back to this namespace with its output route attached; a route that is not
            // local has no input function there (dst_discard)
            return List.of(drop(me, p, f, "the route sends " + p.dst() + " out of " + dev + ": the loopback device hands it straight back"
                    + " to " + hop + ", where " + p.dst() + " is not a local address, and the kernel discards it (a route dev lo is"
                    + " only for local addresses)"));
        }
        if (out.flags().contains("NOARP") && !out.isTunnel() && !"bridge".equals(out.kind()) && nexthop != null
                && ns.neighbours().lookup(nexthop, dev).filter(n -> n.lladdr() != null && !n.lladdr().equalsIgnoreCase(out.mac())).isEmpty()) {
            // arp_constructor: on an IFF_NOARP device every neighbour is NUD_NOARP with the device's own address
            return List.of(drop(me, p, f, dev + " has NOARP (ip link set " + dev + " arp off): the kernel resolves no neighbour on it,"
                    + " so the frame for " + nexthop + " goes to " + dev + "'s own MAC and nobody takes it"));
        }
        if ("bridge".equals(out.kind())) {
            return toBridgePort(walk, me, out, nexthop, p, f, ingressPort);
        }
        if (out.vxlan() != null) {
            return encapsulate(walk, me, out, nexthop, p, f);
        }
        if (out.ipip() != null) {
            return encapsulateIpip(walk, me, out, nexthop, p, f);
        }
        if ("veth".equals(out.kind()) && out.peer() != null && out.peer().inOtherNamespace()) {
            if (hop.type() == NetNodeType.POD) {
                return toNode(walk, me, out, nexthop, p, f);
            }
            Optional<KPod> pod = manager.podOnNode(hop.id(), nexthop);
            Optional<Interface> port = pod.flatMap(this::portOf);
            if (pod.isPresent() && port.isPresent() && port.get().ifindex() == out.ifindex()) {
                return toPod(walk, me, out, pod.get(), nexthop, p, f, out.name());
            }
            if (out.master() != null) {
                return List.of(drop(me, p, f, "no pod on " + hop.id() + " has " + nexthop + " behind port " + out.name()));
            }
        }
        return toUnderlay(walk, me, out, nexthop, viaGateway, p, f);
    }

    /**
     * A permanent neighbour entry for {@code nexthop} on {@code out} whose link-layer address is not {@code actualMac},
     * the address of the device that really holds the next hop: the kernel never resolves a PERMANENT entry again
     * (neigh_update leaves it alone), so every frame goes to that address and nobody takes it. Empty when there is
     * no such entry or the MAC is not known.
     */
    private Optional<String> wrongNeighbour(String out, Ip nexthop, Interface holder, String where) {
        if (nexthop == null || holder == null || holder.mac() == null) {
            return Optional.empty();
        }
        return ns.neighbours().lookup(nexthop, out).filter(n -> n.has(io.skoop.netstack.neigh.NeighState.PERMANENT) && n.lladdr() != null
                        && !n.lladdr().equalsIgnoreCase(holder.mac()))
                .map(n -> "the permanent neighbour entry `" + nexthop + " dev " + out + " lladdr " + n.lladdr() + " PERMANENT` sends the frames"
                        + " to " + n.lladdr() + ", but " + nexthop + " is " + holder.name() + " of " + where + " with MAC " + holder.mac()
                        + ": nobody takes them (a permanent entry is never resolved again; ip neigh del " + nexthop + " dev " + out + ")");
    }

    /**
     * Whether the receiver's {@code arp_ignore} (max of all and the device, as IN_DEV_ARP_IGNORE) keeps it from
     * answering an ARP request for {@code target} on {@code dev} (arp_ignore() in net/ipv4/arp.c): 8 never answers, 1
     * answers only for an address of the receiving device; the other modes (2–7) answer here. Then: a drop when this
     * namespace has no usable neighbour entry for {@code nexthop}, else a WARNING (the entry works until it expires,
     * then resolution fails). Null when the receiver answers.
     */
    private Outcome arpIgnored(NetNode me, Packet p, Flow f, NetNS receiver, Interface dev, Ip target, String where, String outDev, Ip nexthop) {
        int level = receiver.sysctls().effectiveMax("ipv4", dev.name(), "arp_ignore");
        boolean ignores = level == 8 || (level == 1 && dev.addresses(target.isV6()).stream().noneMatch(a -> a.local().equals(target)));
        if (!ignores || target.isV6()) {
            return null;
        }
        String why = where + " answers no ARP request for " + target + " on " + dev.name() + " (net.ipv4.conf." + dev.name()
                + ".arp_ignore, effective " + level + ", the larger of all and " + dev.name() + ")";
        return unresolved(me, p, f, why, nexthop, outDev, "it");
    }

    /**
     * Nobody answers the ARP request for {@code nexthop}: a WARNING while this namespace has a usable neighbour entry for
     * it on {@code outDev} (it works until it expires; null returned), else a drop saying {@code why}.
     */
    private Outcome unresolved(NetNode me, Packet p, Flow f, String why, Ip nexthop, String outDev, String what) {
        Optional<io.skoop.netstack.neigh.Neighbour> entry = ns.neighbours().lookup(nexthop, outDev).filter(io.skoop.netstack.neigh.Neighbour::isUsable);
        if (entry.isPresent()) {
            me.addSuspicion(Suspicion.warning(why + ": " + hop + "'s neighbour entry `" + entry.get() + "` still works; once it expires, "
                    + nexthop + " cannot be resolved and the frames stop"));
            return null;
        }
        return drop(me, p, f, why + ": " + hop + " has no usable neighbour entry for " + nexthop + ", so it cannot resolve " + what);
    }

    /**
     * The neighbour solicitation for an IPv6 next hop the receiving end of a routed veth ({@code dev}, no bridge port)
     * does not hold: ndisc_recv_ns (net/ipv6/ndisc.c) looks the target up on the receiving device only, so another
     * device's address (every Calico veth of a node holds the same link-local gateway) does not count; it answers by
     * proxy when {@code dev} forwards, {@code proxy_ndp} is on ({@code all} or the device's) and a proxy entry matches.
     * Otherwise nobody answers: a drop when the sender has no usable neighbour entry, a WARNING while one is cached.
     * Null when answered by proxy. Throws {@link io.skoop.netstack.UnavailablePartException} when the answer depends on
     * a proxy table the dump does not have (neigh-proxy.json).
     */
    private Outcome ndpOnRoutedVeth(NetNode me, Packet p, Flow f, NetNS receiver, Interface dev, Ip nexthop, String where, String outDev) {
        io.skoop.netstack.sysctl.Sysctls sys = receiver.sysctls();
        boolean proxyNdp = sys.effectiveOr("ipv6", dev.name(), "proxy_ndp");
        if (proxyNdp && sys.ipv6Forwarding(dev.name()).orElse(false) && receiver.proxyNeighbours().proxies(nexthop, dev.name())) {
            me.explain(where + " answers neighbour solicitations for " + nexthop + " on " + dev.name() + " by proxy (proxy_ndp on, `"
                    + nexthop + " dev " + dev.name() + " proxy`)");
            return null;
        }
        Optional<Interface> elsewhere = receiver.interfaces().withAddress(nexthop);
        String why = where + " answers no neighbour solicitation for " + nexthop + " on " + dev.name() + ": " + dev.name()
                + " does not hold it" + elsewhere.map(i -> " (" + i.name() + " does)").orElse("")
                + " and ndisc_recv_ns answers only for the receiving device's own addresses"
                + (proxyNdp ? "; proxy_ndp is on for " + dev.name() + ", but it has no proxy entry for " + nexthop : "");
        return unresolved(me, p, f, why, nexthop, outDev, "it");
    }

    /**
     * The ARP request for a next hop no device of the receiver holds, sent over a routed veth (Calico's
     * {@code 169.254.1.1}): arp_process in net/ipv4/arp.c answers it by proxy only when proxy ARP is on for the
     * receiving device ({@code IN_DEV_PROXY_ARP}: {@code net.ipv4.conf.all.proxy_arp} or the device's) and the
     * receiver's input route for the target, from the sender's address and that device, is a unicast route out of
     * another device (arp_fwd_proxy; an input route needs forwarding on the device). Otherwise nobody answers: a drop
     * when the sender has no usable neighbour entry for the next hop, a WARNING while one is cached. Null when the
     * request is answered, or when the dump cannot tell (the sysctls are not in it: an INFO says so).
     */
    private Outcome proxyArp(NetNode me, Packet p, Flow f, NetNS receiver, Interface dev, Ip nexthop, String where, String outDev) {
        io.skoop.netstack.sysctl.Sysctls sys = receiver.sysctls();
        String allKey = io.skoop.netstack.sysctl.Sysctls.confKey("ipv4", "all", "proxy_arp");
        String devKey = io.skoop.netstack.sysctl.Sysctls.confKey("ipv4", dev.name(), "proxy_arp");
        if (!sys.has(allKey) || !sys.has(devKey)) {
            me.addSuspicion(Suspicion.info(where + "'s dump has no " + (sys.has(allKey) ? devKey : allKey) + ": whether it answers ARP for "
                    + nexthop + " on " + dev.name() + " by proxy is not known (assumed answered)"));
            return null;
        }
        String why;
        if (!sys.effectiveOr("ipv4", dev.name(), "proxy_arp")) {
            why = "no device of " + where + " holds " + nexthop + " and proxy ARP is off on " + dev.name() + " (" + devKey + " = 0, "
                    + allKey + " = 0)";
        } else {
            Ip sender = p.src() == null || p.src().isAny() ? null : p.src();
            RouteResult r = receiver.routeGet(new RouteQuery(nexthop, sender, dev.name(), null, 0, 0, 0, 0, 0, 0));
            if (r.errno() == null && r.type() == io.skoop.netstack.route.RouteType.UNICAST && !dev.name().equals(r.dev())) {
                me.explain(where + " answers ARP for " + nexthop + " on " + dev.name() + " by proxy (proxy_arp on; its route to " + nexthop
                        + " leaves by " + r.dev() + ")");
                return null;
            }
            why = "no device of " + where + " holds " + nexthop + ", and although proxy ARP is on for " + dev.name() + ", its input route"
                    + " to " + nexthop + " from " + dev.name() + " is " + (r.errno() != null ? r.errno().toString().toLowerCase(java.util.Locale.ROOT)
                    + (r.errno() == io.skoop.netstack.route.Errno.EHOSTUNREACH || r.errno() == io.skoop.netstack.route.Errno.ENETUNREACH
                    ? " (no route, or forwarding off on " + dev.name() + ")" : "")
                    : r.type() != io.skoop.netstack.route.RouteType.UNICAST ? "of type " + r.type().name().toLowerCase(java.util.Locale.ROOT)
                    : "back out of " + dev.name()) + ": the kernel answers no proxy ARP then";
        }
        return unresolved(me, p, f, why, nexthop, outDev, "its gateway");
    }

    /** Pod eth0 → its veth peer on the node. */
    private List<Outcome> toNode(Walk walk, NetNode me, Interface out, Ip nexthop, Packet p, Flow f) {
        String node = manager.pod(hop).nodeName();
        Hop nodeHop = NetNodeManager.nodeHop(node);
        if (manager.missing(nodeHop).isPresent()) {
            Link link = new Link(LinkType.VETH, hop, nodeHop, p, attr(out, null), null, f.hops());
            return List.of(new Outcome.Next(link, new Arrival(nodeHop, null, nexthop, link, p, f)));
        }
        NetNS nodeNs = manager.netns(nodeHop);
        Interface peer = nodeNs.interfaces().byIndex(out.peer().ifindex()).orElse(null);
        if (peer == null) {
            return List.of(drop(me, p, f, out.name() + "'s veth peer (ifindex " + out.peer().ifindex() + ") is not on node " + node));
        }
        if (peer.mtu() != out.mtu()) {
            me.addSuspicion(Suspicion.warning(out.name() + " MTU " + out.mtu() + " differs from its veth peer " + peer.name()
                    + " MTU " + peer.mtu() + " on node " + node));
        }
        if (nexthop != null) {
            // NDP over a routed veth (Calico's): only the receiving device's own addresses are answered (ndisc_recv_ns),
            // and all the pods' gateways are the same link-local address on every veth of the node
            boolean routedV6 = nexthop.isV6() && peer.master() == null;
            Interface holder = !routedV6 ? nodeNs.interfaces().withAddress(nexthop).orElse(null)
                    : peer.addresses(true).stream().anyMatch(a -> a.local().equals(nexthop)) ? peer : null;
            Optional<String> wrong = wrongNeighbour(out.name(), nexthop, holder, "node " + node);
            if (wrong.isPresent()) {
                // the node's bridge decides: it drops the frame unless br_netfilter changes its destination
                me.explain(wrong.get());
                Link link = new Link(LinkType.VETH, hop, nodeHop, p, attr(out, null), attr(peer, null), f.hops());
                return List.of(new Outcome.Next(link, new Arrival(nodeHop, peer.name(), nexthop, link, p, f, wrong.get())));
            }
            if (routedV6) {
                Outcome unanswered = holder != null ? null : ndpOnRoutedVeth(me, p, f, nodeNs, peer, nexthop, "node " + node, out.name());
                if (unanswered != null) {
                    return List.of(unanswered);
                }
            } else if (holder != null) {
                Outcome ignored = arpIgnored(me, p, f, nodeNs, holder, nexthop, "node " + node, out.name(), nexthop);
                if (ignored != null) {
                    return List.of(ignored);
                }
            } else if (!nexthop.isV6() && peer.master() == null) {
                // a routed veth (Calico): only the node can answer; behind a bridge port the other ports' holders answer
                Outcome unanswered = proxyArp(me, p, f, nodeNs, peer, nexthop, "node " + node, out.name());
                if (unanswered != null) {
                    return List.of(unanswered);
                }
            }
        }
        me.explain("veth " + out.name() + " -> " + peer.name() + " on node " + node);
        Link link = new Link(LinkType.VETH, hop, nodeHop, p, attr(out, null), attr(peer, null), f.hops());
        return List.of(new Outcome.Next(link, new Arrival(nodeHop, peer.name(), nexthop, link, p, f)));
    }

    /** Out of a bridge: to the port of the pod that has the next hop. */
    private List<Outcome> toBridgePort(Walk walk, NetNode me, Interface br, Ip nexthop, Packet p, Flow f, String ingressPort) {
        Optional<KPod> pod = manager.podOnNode(hop.id(), nexthop);
        if (pod.isEmpty()) {
            Optional<Neighbour> n = ns.neighbours().lookup(nexthop, br.name());
            return List.of(drop(me, p, f, "neighbour resolution of " + nexthop + " on " + br.name() + " fails: no pod on "
                    + hop.id() + " has that address" + n.map(x -> " (neighbour entry: " + x + ")").orElse("")));
        }
        Hop podHop = NetNodeManager.podHop(pod.get());
        if (manager.missing(podHop).isPresent()) {
            Link link = new Link(LinkType.VETH, hop, podHop, p, attr(br, null), null, f.hops());
            return List.of(new Outcome.Next(link, new Arrival(podHop, "eth0", nexthop, link, p, f)));
        }
        Optional<Interface> port = portOf(pod.get());
        if (port.isEmpty()) {
            return List.of(drop(me, p, f, "pod " + pod.get().key() + "'s eth0 has no veth peer on node " + hop.id()));
        }
        if (!br.name().equals(port.get().master())) {
            return List.of(drop(me, p, f, "pod " + pod.get().key() + "'s veth " + port.get().name() + " is not a port of "
                    + br.name() + (port.get().master() == null ? " (no master)" : " (master " + port.get().master() + ")")));
        }
        me.explain("bridge " + br.name() + ": " + nexthop + " (pod " + pod.get().key() + ") is behind port " + port.get().name());
        io.skoop.netstack.link.BridgePort flags = port.get().bridgePort();
        if (flags != null && !flags.forwards()) {
            return List.of(drop(me, p, f, "bridge port " + port.get().name() + " (pod " + pod.get().key() + ") of " + br.name()
                    + " is in state " + flags.state() + ": the bridge sends no frames to it (only a forwarding port gets them;"
                    + " bridge link set dev " + port.get().name() + " state 3)"));
        }
        if (port.get().name().equals(ingressPort)) {
            if (flags == null || flags.hairpin() == null) {
                return List.of(unknown(me, p, f, "the frame goes back out of bridge port " + ingressPort + ", the port it came in on:"
                        + " only hairpin mode lets it, and the dump does not say whether hairpin is on for " + ingressPort
                        + " (link.json has no info_slave_data; dump with ip -d -j link)"));
            }
            if (!flags.hairpin()) {
                return List.of(drop(me, p, f, "hairpin mode is off on bridge port " + ingressPort + " of " + br.name() + ": the frame for "
                        + nexthop + " would go back out of the port it came in on, and the bridge drops it (bridge link set dev "
                        + ingressPort + " hairpin on; the bridge CNI plugin's hairpinMode)"));
            }
            me.explain("bridge " + br.name() + ": hairpin mode on " + ingressPort + ": the frame goes back out of the port it came in on");
        }
        return toPod(walk, me, port.get(), pod.get(), nexthop, p, f, ingressPort == null ? br.name() : null);
    }

    /** The node's veth to the pod (a bridge port, or a routed veth). */
    /** {@code neighDev}: the device whose neighbour entry for {@code nexthop} this namespace used (null: bridged, not resolved here). */
    private List<Outcome> toPod(Walk walk, NetNode me, Interface port, KPod pod, Ip nexthop, Packet p, Flow f, String neighDev) {
        if (!port.isUp()) {
            return List.of(drop(me, p, f, "veth " + port.name() + " to pod " + pod.key() + " is down (" + port.operstate() + ")"));
        }
        Hop podHop = NetNodeManager.podHop(pod);
        NetNS podNs = manager.netns(podHop);
        Interface eth0 = podNs.interfaces().all().stream()
                .filter(i -> i.peer() != null && i.peer().ifindex() == port.ifindex()).findFirst().orElse(null);
        String dev = eth0 == null ? "eth0" : eth0.name();
        if (neighDev != null) {
            Optional<String> wrong = wrongNeighbour(neighDev, nexthop, eth0, "pod " + pod.key());
            if (wrong.isPresent()) {
                return List.of(drop(me, p, f, wrong.get()));
            }
        }
        Link link = new Link(LinkType.VETH, hop, podHop, p, attr(port, null), eth0 == null ? LinkAttribute.of(dev) : attr(eth0, null), f.hops());
        return List.of(new Outcome.Next(link, new Arrival(podHop, dev, nexthop, link, p, f)));
    }

    /** The node's interface that is the peer of the pod's eth0 (by the peer ifindex eth0's link record names). */
    private Optional<Interface> portOf(KPod pod) {
        Hop podHop = NetNodeManager.podHop(pod);
        if (manager.missing(podHop).isPresent()) {
            return Optional.empty();
        }
        NetNS podNs = manager.netns(podHop);
        for (Interface i : podNs.interfaces().all()) {
            if ("veth".equals(i.kind()) && i.peer() != null && i.peer().inOtherNamespace()) {
                Optional<Interface> port = ns.interfaces().byIndex(i.peer().ifindex());
                if (port.isPresent()) {
                    return port;
                }
            }
        }
        return Optional.empty();
    }

    /** Out of a VXLAN device: neighbour → VTEP MAC → FDB → remote; the outer UDP packet is sent by this namespace. */
    private List<Outcome> encapsulate(Walk walk, NetNode me, Interface vx, Ip nexthop, Packet p, Flow f) {
        VxlanInfo vi = vx.vxlan();
        Neighbour n = ns.neighbours().lookup(nexthop, vx.name()).orElse(null);
        if (n == null || n.lladdr() == null || !n.isUsable()) {
            return List.of(drop(me, p, f, "neighbour resolution of " + nexthop + " on " + vx.name() + " fails: "
                    + (n == null ? "no neighbour entry" : "entry " + n + " is not usable")
                    + (vi.learning() ? "" : " (learning off: nothing answers ARP on " + vx.name() + ")") + expected(p.dst())));
        }
        List<Ip> remotes = ns.fdb().vxlanRemotes(vx.name(), n.lladdr());
        if (remotes.isEmpty() && vi.remote() != null) {
            remotes = List.of(vi.remote());
        }
        if (remotes.isEmpty()) {
            return List.of(drop(me, p, f, vx.name() + " FDB has no entry for " + n.lladdr() + " (the VTEP of " + nexthop
                    + "): the frame is dropped"));
        }
        Ip remote = remotes.get(0);
        Optional<String> notFor = vtepMismatch(vx, n.lladdr(), remote);
        if (notFor.isPresent()) {
            return List.of(drop(me, p, f, notFor.get()));
        }
        int sport = 32768 + Math.floorMod((p.src() + ":" + p.sport() + ">" + p.dst() + ":" + p.dport()).hashCode(), 28232);
        Ip local = tunnelSource(vi.local(), remote);
        if (local == null) {
            return List.of(drop(me, p, f, "no route to VTEP " + remote + " for " + vx.name() + "'s outer packet"));
        }
        Packet outer = p.encapsulatedIn(local, sport, remote, vi.port(), Protocol.UDP);
        outer = outer.withTtl(vi.ttl() == VxlanInfo.TTL_INHERIT ? p.ttl() : vi.ttl() > 0 ? vi.ttl() : defaultTtl(remote.isV6()));
        me.explain("vxlan " + vx.name() + ": neighbour " + nexthop + " lladdr " + n.lladdr() + ", FDB " + n.lladdr() + " dst "
                + remote + " -> outer " + outer.protocol().ianaName() + " " + local + ":" + sport + " > " + remote + ":" + vi.port()
                + " VNI " + vi.id() + " (outer source port is a flow hash)");
        return sendOuter(walk, me, outer, f);
    }

    /**
     * Out of an IPIP device (ip_tunnel_xmit): the inner IPv4 packet gets an outer IPv4 header of protocol 4 to the
     * device's {@code remote}, or with {@code remote any} (Calico's tunl0) to the route's next hop (rt_nexthop: the
     * gateway of {@code via <node> dev tunl0 onlink}, else the inner destination); the source is the device's
     * {@code local}, else the address the route to that destination prefers; TTL the device's, 0 inheriting the
     * inner one. The outer packet is then sent by this namespace like any local packet (routed, out the underlay).
     */
    private List<Outcome> encapsulateIpip(Walk walk, NetNode me, Interface tun, Ip nexthop, Packet p, Flow f) {
        IpipInfo ii = tun.ipip();
        if (p.dst().isV6()) {
            return List.of(drop(me, p, f, "the route sends the IPv6 packet " + p + " out of " + tun.name()
                    + ", an ipip device, which carries IPv4 only and drops it"));
        }
        Ip remote = ii.remote() != null ? ii.remote() : nexthop != null ? nexthop : p.dst();
        Ip local = tunnelSource(ii.local(), remote);
        if (local == null) {
            return List.of(drop(me, p, f, "no route to the tunnel endpoint " + remote + " for " + tun.name() + "'s outer packet"));
        }
        Packet outer = p.encapsulatedIn(local, 0, remote, 0, Protocol.IPENCAP).withTtl(ii.ttl() > 0 ? ii.ttl() : p.ttl());
        me.explain("ipip " + tun.name() + ": " + (ii.remote() == null ? "remote any, so the route's next hop " : "remote ") + remote
                + " -> outer " + outer.protocol().ianaName() + " " + local + " > " + remote);
        return sendOuter(walk, me, outer, f);
    }

    /** A tunnel's outer source: its configured local address, else the one the route to {@code remote} prefers (null: no route). */
    private Ip tunnelSource(Ip configured, Ip remote) {
        if (configured != null) {
            return configured;
        }
        RouteResult r = ns.routeGet(RouteQuery.to(remote));
        return r.ok() ? r.prefsrc() : null;
    }

    /** A tunnel's outer packet, sent by this namespace: OUTPUT, routing, POSTROUTING, out the underlay. */
    private List<Outcome> sendOuter(Walk walk, NetNode me, Packet outer, Flow f) {
        TraceRequest req = TraceRequest.of(outer, Path.LOCAL_OUT).withConntrack(f.entryFor(hop, outer));
        return branches(walk, me, outer, req, f);
    }

    /**
     * The node that holds {@code remote} must have a VXLAN device of the same VNI whose MAC is {@code innerMac} (the
     * neighbour's lladdr the inner frame is addressed to): vxlan_rcv hands the inner frame to that device, and a frame
     * for another MAC is PACKET_OTHERHOST there, which ip_rcv drops. Empty when it is, or when that node is not known.
     */
    private Optional<String> vtepMismatch(Interface vx, String innerMac, Ip remote) {
        if (!(manager.ipCache().lookup(remote) instanceof io.skoop.k8s.IpEntity.NodeEntity ne)) {
            return Optional.empty();
        }
        Hop remoteHop = NetNodeManager.nodeHop(ne.node().name());
        if (manager.missing(remoteHop).isPresent()) {
            return Optional.empty();
        }
        Optional<Interface> dev = manager.netns(remoteHop).interfaces().all().stream()
                .filter(i -> i.vxlan() != null && i.vxlan().id() == vx.vxlan().id() && i.vxlan().isV6() == remote.isV6()).findFirst();
        if (dev.isEmpty() || dev.get().mac() == null || dev.get().mac().equalsIgnoreCase(innerMac)) {
            return Optional.empty();
        }
        return Optional.of(vx.name() + " FDB sends frames for " + innerMac + " to " + remote + " (node " + ne.node().name() + "), whose "
                + dev.get().name() + " has MAC " + dev.get().mac() + ": the inner frame is not addressed to it and node " + ne.node().name()
                + " drops it (bridge fdb show dev " + vx.name() + ": the entry for " + innerMac + " points to the wrong node)");
    }

    /**
     * How a node resolves, or not, a next hop on the underlay that is no node's InternalIP.
     *
     * @param delivery   where the frame goes once resolved, null when unanswered
     * @param unanswered the drop when nobody answers, null when answered
     */
    private record Resolution(Underlay.Delivery delivery, Outcome unanswered) {
    }

    /**
     * An on-link next hop (a gateway, or an on-link destination) that is no node's InternalIP may still be an address
     * of a node on another device (a VXLAN device's or cni0's address inside that node's podCIDR); who answers its
     * resolution on the underlay device that holds the node's InternalIP of the same family (the receiving device):
     * <ul>
     * <li>ARP: Linux answers for any local address with {@code arp_ignore} 0 (the weak host model; arp_ignore 1 answers
     *     only for the receiving device's own addresses), so the frame reaches that node;</li>
     * <li>NDP: ndisc_recv_ns looks the target up on the receiving device only ({@code ipv6_get_ifaddr(…, dev, 1)}), so a
     *     neighbour solicitation for another device's address goes unanswered — unless the node answers it by proxy
     *     ({@link #proxyNdp}): a drop, or a WARNING while this namespace still has a usable neighbour entry for it.</li>
     * </ul>
     * An IPv6 next hop that is a pod's address, or lies in a node's podCIDR, is also answered by that node's proxy NDP.
     * Null when no such node holds the address or answers for it, or (ARP) it would not answer: the caller's LOST stands.
     */
    private Resolution resolvedByNode(NetNode me, Packet p, Flow f, Ip nexthop, String outDev) {
        io.skoop.k8s.IpEntity entity = manager.ipCache().lookup(nexthop);
        if (nexthop.isV6()) {
            io.skoop.snapshot.k8s.KNode candidate = entity instanceof io.skoop.k8s.IpEntity.PodEntity pe && pe.pod().nodeName() != null
                    ? manager.ipCache().objects().findNode(pe.pod().nodeName()).orElse(null)
                    : entity instanceof io.skoop.k8s.IpEntity.ExternalEntity ee ? ee.podCIDRNode() : null;
            Resolution proxied = candidate == null ? null : proxyNdp(candidate, nexthop);
            if (proxied != null) {
                return proxied;
            }
        }
        if (!(entity instanceof io.skoop.k8s.IpEntity.ExternalEntity e) || e.podCIDRNode() == null) {
            return null;
        }
        Optional<Ip> address = e.podCIDRNode().internalIPs().stream().filter(a -> a.isV6() == nexthop.isV6()).findFirst();
        Hop owner = NetNodeManager.nodeHop(e.podCIDRNode().name());
        if (address.isEmpty() || manager.missing(owner).isPresent()) {
            return null;
        }
        NetNS ons = manager.netns(owner);
        Optional<Interface> holder = ons.interfaces().withAddress(nexthop);
        Optional<Interface> nic = ons.interfaces().withAddress(address.get());
        if (holder.isEmpty() || nic.isEmpty()) {
            return null;
        }
        String node = "node " + e.podCIDRNode().name();
        String reason;
        if (nexthop.isV6()) {
            if (!holder.get().name().equals(nic.get().name())) {
                String why = node + " holds " + nexthop + " on " + holder.get().name() + ", but answers neighbour solicitations on "
                        + nic.get().name() + " only for " + nic.get().name() + "'s own addresses (ndisc_recv_ns looks the target up on the"
                        + " receiving device: IPv6 has no weak-host answer like ARP's arp_ignore 0)"
                        + (ons.sysctls().effectiveOr("ipv6", nic.get().name(), "proxy_ndp") ? "; proxy_ndp is on for " + nic.get().name()
                        + ", but it has no proxy entry for " + nexthop + " there (ip -6 neigh add proxy " + nexthop + " dev " + nic.get().name() + ")"
                        : "");
                Outcome o = unresolved(me, p, f, why, nexthop, outDev, "it");
                if (o != null) {
                    return new Resolution(null, o);
                }
                reason = node + ", through this namespace's cached neighbour entry for " + nexthop;
            } else {
                reason = node + ", which answers neighbour solicitations for " + nexthop + " on " + nic.get().name();
            }
        } else {
            int ignore = ons.sysctls().effectiveMax("ipv4", nic.get().name(), "arp_ignore");
            if (ignore != 0 && !(ignore == 1 && holder.get().name().equals(nic.get().name()))) {
                return null;
            }
            reason = node + ", which answers ARP for " + nexthop + " (its " + holder.get().name() + "'s address) on "
                    + nic.get().name() + ": arp_ignore " + ignore + " answers for any local address";
        }
        return new Resolution(new Underlay.Delivery(Underlay.Delivery.Kind.NODE, e.podCIDRNode().name(), address.get(), reason), null);
    }

    /**
     * Whether {@code node} answers a neighbour solicitation for {@code target} by proxy on the device that holds its
     * IPv6 InternalIP (the receiving device): ndisc_recv_ns (net/ipv6/ndisc.c) answers for an address no device there
     * holds when the device forwards ({@code net.ipv6.conf.DEV.forwarding}, which {@code all.forwarding} sets),
     * {@code proxy_ndp} is on ({@code net.ipv6.conf.all.proxy_ndp} or the device's) and a proxy entry matches
     * ({@code ip -6 neigh add proxy TARGET dev DEV}; pneigh_lookup also takes an entry without device). Absent sysctls
     * count as the kernel's defaults (0). Null when it does not answer; the frames then go to that node, which routes
     * them on. Throws {@link io.skoop.netstack.UnavailablePartException} when the answer depends on a proxy table the
     * dump does not have (neigh-proxy.json).
     */
    private Resolution proxyNdp(io.skoop.snapshot.k8s.KNode node, Ip target) {
        Hop owner = NetNodeManager.nodeHop(node.name());
        Optional<Ip> address = node.internalIPs().stream().filter(Ip::isV6).findFirst();
        if (address.isEmpty() || manager.missing(owner).isPresent()) {
            return null;
        }
        NetNS ons = manager.netns(owner);
        Interface nic = ons.interfaces().withAddress(address.get()).orElse(null);
        if (nic == null || ons.interfaces().withAddress(target).isPresent()) {
            return null;
        }
        io.skoop.netstack.sysctl.Sysctls sys = ons.sysctls();
        if (!sys.ipv6Forwarding(nic.name()).orElse(false) || !sys.effectiveOr("ipv6", nic.name(), "proxy_ndp") || !ons.proxyNeighbours().proxies(target, nic.name())) {
            return null;
        }
        return new Resolution(new Underlay.Delivery(Underlay.Delivery.Kind.NODE, node.name(), address.get(), "node " + node.name()
                + ", which answers neighbour solicitations for " + target + " on " + nic.name() + " by proxy (proxy_ndp on, `"
                + target + " dev " + nic.name() + " proxy`)"), null);
    }

    /** Onto the network between the nodes. */
    private List<Outcome> toUnderlay(Walk walk, NetNode me, Interface out, Ip nexthop, boolean viaGateway, Packet p, Flow f) {
        if (nexthop == null) {
            return List.of(unknown(me, p, f, "no next hop known for " + p + " leaving by " + out.name()));
        }
        Underlay.Delivery d = manager.underlay().deliver(nexthop, viaGateway, p);
        if (d.kind() == Underlay.Delivery.Kind.LOST) {
            // the next hop (a gateway too: it is resolved on the underlay before anything routes) may be a node's address
            Resolution r = resolvedByNode(me, p, f, nexthop, out.name());
            if (r != null && r.unanswered() != null) {
                return List.of(r.unanswered());
            }
            d = r != null ? r.delivery() : d;
        }
        LinkType type = p.encap() == null ? LinkType.INFRA : p.protocol() == Protocol.IPENCAP ? LinkType.IPIP : LinkType.VXLAN;
        Packet inner = p.encap() != null ? p.encap() : p;
        switch (d.kind()) {
            case LOST -> {
                Outcome dropped = drop(me, p, f, inner.dst() + " left by the route " + (viaGateway ? "via " + nexthop + " " : "") + "dev "
                        + out.name() + " onto the underlay and is lost: " + d.reason() + expected(inner.dst()));
                if (!viaGateway) {
                    return List.of(dropped);
                }
                // the graph shows where the packet really went: to the underlay's router, which drops it
                Hop router = new Hop(NetNodeType.GENERIC, "underlay-router/" + nexthop);
                Link link = new Link(type, hop, router, p, attr(out, p.src()), new LinkAttribute(null, nexthop, null), f.hops());
                walk.path().addLink(link);
                walk.node(router).explain("no route to " + inner.dst() + ": " + d.reason());
                return List.of(new Outcome.End(Outcome.End.Kind.DROPPED, router, p, f, ((Outcome.End) dropped).reason()));
            }
            case EXTERNAL -> {
                Hop ext = new Hop(NetNodeType.EXTERNAL, d.address().toString());
                me.explain("underlay: " + d.reason());
                Link link = new Link(type, hop, ext, p, attr(out, p.src()), null, f.hops());
                return List.of(new Outcome.Next(link, new Arrival(ext, null, nexthop, link, p, f)));
            }
            default -> {
            }
        }
        Hop nodeHop = NetNodeManager.nodeHop(d.node());
        me.explain("underlay: " + nexthop + " is " + d.reason());
        if (manager.missing(nodeHop).isPresent()) {
            Link link = new Link(type, hop, nodeHop, p, attr(out, p.src()), null, f.hops());
            return List.of(new Outcome.Next(link, new Arrival(nodeHop, null, nexthop, link, p, f)));
        }
        NetNS remote = manager.netns(nodeHop);
        Interface in = remote.interfaces().withAddress(d.address()).orElse(null);
        if (in == null) {
            String gone = d.address().isV6() ? NetNodeManager.downTookIpv6(remote).map(w -> " (on that node, " + w + ")").orElse("") : "";
            return List.of(drop(me, p, f, "no device of node " + d.node() + " holds " + d.address() + gone));
        }
        if (in.flags().contains("NOARP") && ns.neighbours().lookup(d.address(), out.name())
                .filter(n -> n.has(io.skoop.netstack.neigh.NeighState.PERMANENT)).isEmpty()) {
            // arp_rcv drops ARP on an IFF_NOARP device: nobody answers for its addresses; ndisc resolves nothing on
            // one (ndisc_constructor makes its entries NOARP) and does not join its solicited-node groups
            return List.of(drop(me, p, f, "node " + d.node() + "'s " + in.name() + " has NOARP (ip link set " + in.name() + " arp off): it"
                    + (d.address().isV6() ? " takes no part in neighbour discovery" : " answers no ARP request") + ", so " + hop
                    + " cannot resolve " + d.address()));
        }
        Optional<String> wrong = wrongNeighbour(out.name(), viaGateway ? nexthop : d.address(), in, "node " + d.node());
        if (wrong.isPresent()) {
            return List.of(drop(me, p, f, wrong.get()));
        }
        // this namespace resolves the node itself only when it is the next hop (not behind the underlay's router)
        Outcome ignored = viaGateway && !nexthop.equals(d.address()) ? null
                : arpIgnored(me, p, f, remote, in, d.address(), "node " + d.node(), out.name(), d.address());
        if (ignored != null) {
            return List.of(ignored);
        }
        checkUnderlayMtu(walk, me, out, nodeHop, in, p);
        List<Suspicion> infra = manager.infra().check(hop, nodeHop, p);
        Link link = new Link(type, hop, nodeHop, p, attr(out, p.src()), attr(in, d.address()), f.hops());
        for (Suspicion s : infra) {
            walk.node(nodeHop).addSuspicion(s);
            if (s.level() == io.skoop.model.Level.FATAL) {
                return List.of(new Outcome.Next(link, new Arrival(nodeHop, in.name(), nexthop, link, p, f)),
                        drop(me, p, f, "the infrastructure drops it: " + s.message()));
            }
        }
        return List.of(new Outcome.Next(link, new Arrival(nodeHop, in.name(), nexthop, link, p, f)));
    }

    /**
     * MTUs on an underlay crossing, in the direction this walk carries. A veth or NIC drops a received frame larger
     * than its MTU (it neither fragments nor signals on receive), while a sender or router fits what it sends to its
     * own egress device (fragmenting, or for DF packets ICMP "fragmentation needed" and path MTU discovery). So what
     * matters is the largest frame this direction really puts on the wire: for TCP a segment is at most
     * min(the sender's MTU, the MSS the receiver advertised = its MTU − 40) + 40 ({@link #endpointMtu} of both ends),
     * further bounded by the egress device (a VXLAN device's MTU for the inner packet, plus
     * {@value io.skoop.netstack.link.VxlanInfo#OVERHEAD_V4} bytes; an outer packet larger than the underlay
     * device is fragmented, as the CNIs' VXLAN devices do not set DF). Larger than the receiving device's MTU: a black
     * hole for full-size packets — CRITICAL on a reply (a server's answer carries full-size segments), WARNING on a
     * request (only large requests break) and for UDP (datagram sizes are the application's).
     */
    private void checkUnderlayMtu(Walk walk, NetNode me, Interface out, Hop remoteHop, Interface in, Packet p) {
        Interface vx = sendingTunnel(p);
        int overhead = vx == null ? VxlanInfo.OVERHEAD_V4 : vx.vxlan() != null ? vx.vxlan().overhead() : IpipInfo.OVERHEAD;
        String frames = vx != null && vx.ipip() != null ? "-byte IPIP packets (" : "-byte VXLAN frames (";
        Packet inner = p.encap() != null ? p.encap() : p;
        int endpoints = tcpSegmentBound(manager, walk, inner);
        int frame;
        String how;
        if (vx != null) {
            int innerSize = Math.min(vx.mtu(), endpoints);
            frame = Math.min(innerSize + overhead, out.mtu());
            how = (innerSize + overhead) + frames + vx.name() + " MTU " + vx.mtu()
                    + (endpoints < vx.mtu() ? ", TCP segments of " + endpoints + " bytes" : "") + " + " + overhead + ")"
                    + (innerSize + overhead > out.mtu() ? ", fragmented to " + out.mtu() + " by " + out.name() : "");
        } else {
            frame = Math.min(out.mtu(), endpoints);
            how = frame + "-byte frames (" + out.name() + " MTU " + out.mtu() + (endpoints < out.mtu() ? ", TCP segments of "
                    + endpoints + " bytes" : "") + ")";
        }
        if (frame <= in.mtu()) {
            return;
        }
        boolean critical = walk.isReply() && inner.protocol() == Protocol.TCP;
        String msg = "MTU: " + in.name() + " MTU " + in.mtu() + " on " + remoteHop.id() + " < the " + how + " that " + hop.id() + " sends "
                + (walk.isReply() ? "back to the client" : "towards the server") + ": a receiver drops frames over its MTU";
        walk.node(remoteHop).addSuspicion(critical ? Suspicion.critical(msg + " (full-size segments of the answer never arrive)")
                : Suspicion.warning(msg + (inner.protocol() == Protocol.TCP ? " (requests larger than " + in.mtu() + " bytes are lost)"
                : " (datagrams larger than " + in.mtu() + " bytes are lost)")));
    }

    /** The device of this namespace that made the outer packet {@code p}: a VXLAN device of its UDP port, an ipip device; else null. */
    private Interface sendingTunnel(Packet p) {
        if (p.encap() == null) {
            return null;
        }
        if (p.protocol() == Protocol.UDP) {
            return vxlanDeviceFor(p.dport(), p.dst().isV6());
        }
        if (p.protocol() != Protocol.IPENCAP) {
            return null;
        }
        // the sender's view: its local is the outer source, its remote the outer destination
        return ns.interfaces().all().stream().filter(i -> i.ipip() != null && i.isUp() && i.ipip().accepts(p.dst(), p.src()))
                .min(java.util.Comparator.comparingInt(i -> i.ipip().wildcards())).orElse(null);
    }

    /**
     * The largest TCP segment (IP packet, bytes) either end sends: the smaller MTU ({@link #endpointMtu}) of the client
     * (its connection's source, before any SNAT) and of the server (the request's destination after DNAT, the reply's
     * source): each end advertises an MSS of its MTU − 40, and neither sends more than it can put on its own device.
     * A NAT address in between (a masquerading node) clamps nothing. MAX_VALUE for other protocols.
     */
    static int tcpSegmentBound(NetNodeManager manager, Walk walk, Packet inner) {
        if (inner.protocol() != Protocol.TCP) {
            return Integer.MAX_VALUE;
        }
        Ip server = walk.isReply() ? inner.src() : inner.dst();
        Ip client = walk.connected() != null ? walk.connected().src() : walk.isReply() ? inner.dst() : inner.src();
        return Math.min(endpointMtu(manager, client), endpointMtu(manager, server));
    }

    /**
     * The MTU of the device that holds {@code ip} in its pod's or node's namespace (what TCP there derives its MSS
     * from); 1500, Ethernet's, for an address outside the snapshot (an external host) or a namespace not dumped.
     */
    static int endpointMtu(NetNodeManager manager, Ip ip) {
        io.skoop.k8s.IpEntity e = manager.ipCache().lookup(ip);
        Hop h = e instanceof io.skoop.k8s.IpEntity.PodEntity pe ? NetNodeManager.podHop(pe.pod())
                : e instanceof io.skoop.k8s.IpEntity.NodeEntity ne ? NetNodeManager.nodeHop(ne.node().name()) : null;
        if (h == null || manager.missing(h).isPresent()) {
            return 1500;
        }
        try {
            return manager.netns(h).interfaces().withAddress(ip).map(Interface::mtu).orElse(1500);
        } catch (io.skoop.netstack.UnavailablePartException ex) {
            return 1500;
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** {@code tcp LISTEN 0.0.0.0:8080 (socat pid 1741)}. */
    static String describe(ListeningSocket s) {
        String addr = s.address() == null ? "*" : s.address().isV6() ? "[" + s.address() + "]" : s.address().toString();
        String procs = String.join(", ", s.processes().stream().map(p -> p.name() + " pid " + p.pid()).toList());
        return s.protocol().ianaName() + " " + s.state() + " " + addr + ":" + s.port() + (s.device() == null ? "" : "%" + s.device())
                + (procs.isEmpty() ? "" : " (" + procs + ")");
    }

    private static LinkAttribute attr(Interface dev, Ip address) {
        return new LinkAttribute(dev.name(), address, Map.of("mtu", String.valueOf(dev.mtu()), "kind", String.valueOf(dev.kind())));
    }

    /** When {@code dst} is an address the objects give this pod or node but no device here holds any address of its family. */
    private String lostAddress(Ip dst) {
        if (hop.type() != NetNodeType.POD && hop.type() != NetNodeType.NODE) {
            return "";
        }
        return manager.lostAddresses(hop).contains(dst.toString()) ? "; " + dst + " is this " + (hop.type() == NetNodeType.POD ? "pod" : "node")
                + "'s address in the objects, but no device here has any " + (dst.isV6() ? "IPv6" : "IPv4") + " address: it is not local, so"
                + " the packet is routed instead of delivered (removed by ip addr flush/del?)" : "";
    }

    private String downDevices() {
        List<String> down = ns.interfaces().all().stream().filter(i -> !i.isUp())
                .map(Interface::name).toList();
        return down.isEmpty() ? "" : "; down in " + hop + ": " + String.join(", ", down) + " (the kernel removes a device's routes when it goes down)";
    }

    private String expected(Ip dst) {
        return manager.expectedRoute(hop, dst).map(r -> "; expected: " + r).orElse("");
    }

    static Outcome drop(NetNode me, Packet p, Flow f, String why) {
        me.addSuspicion(Suspicion.fatal(why));
        return new Outcome.End(Outcome.End.Kind.DROPPED, me.hop(), p, f, why);
    }

    static Outcome unknown(NetNode me, Packet p, Flow f, String why) {
        me.addSuspicion(Suspicion.warning("UNKNOWN: " + why));
        return new Outcome.End(Outcome.End.Kind.UNKNOWN, me.hop(), p, f, why);
    }
}
