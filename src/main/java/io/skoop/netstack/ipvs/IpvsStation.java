package io.skoop.netstack.ipvs;

import io.skoop.model.Packet;
import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.Hook;
import io.skoop.netstack.netfilter.IpvsHook;
import io.skoop.netstack.netfilter.TraceStep;
import io.skoop.netstack.netfilter.Tri;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * IPVS's decision for a new connection, from a namespace's {@code ipvsadm -Sn} (net/netfilter/ipvs/ip_vs_core.c
 * {@code ip_vs_in} → {@code ip_vs_schedule}): the virtual service is looked up as {@code ip_vs_service_find} does
 * ({@link IpvsTable#lookup}); its scheduler picks a real server ({@link IpvsScheduler}: one branch per real server with
 * its share); a masquerading real server gets the packet with its destination NATed ({@code ip_vs_nat_xmit}); a virtual
 * service without a real server that takes new connections ends the branch as the kernel does ({@code ip_vs_leave}:
 * "no destination available", ICMP port unreachable, dropped). Direct routing ({@code -g}) and tunnelling ({@code -i})
 * are not modelled: their branches end UNKNOWN naming the virtual service. What the kernel does with the packet next is
 * the {@link io.skoop.netstack.netfilter.NetfilterSimulator}'s ({@link IpvsHook}).
 */
public final class IpvsStation implements IpvsHook {
    /** The dummy device kube-proxy's IPVS mode puts every Service address on (pkg/proxy/ipvs/proxier.go). */
    public static final String KUBE_IPVS0 = "kube-ipvs0";

    private final IpvsTable table;

    /** The station of a namespace's virtual services. */
    public IpvsStation(IpvsTable table) {
        this.table = table;
    }

    @Override
    public List<Choice> schedule(Packet packet, Hook hook) {
        Optional<VirtualService> found = table.lookup(packet);
        if (found.isEmpty()) {
            return List.of();
        }
        VirtualService vs = found.get();
        String name = "virtual service " + vs.key() + " (scheduler " + vs.scheduler() + ")";
        List<IpvsScheduler.Share> shares = IpvsScheduler.shares(vs);
        if (shares.isEmpty()) {
            String why = vs.realServers().isEmpty() ? "has no real server"
                    : "has no real server that takes new connections (all " + vs.realServers().size() + " have weight 0: quiesced)";
            String detail = "IPVS: " + name + " " + why + ": ip_vs_schedule finds no destination, ip_vs_leave answers ICMP port"
                    + " unreachable and drops the packet";
            return List.of(new Choice(1.0, null, FinalVerdict.DROP,
                    new TraceStep.IpvsScheduled(hook, vs.key(), 0, "-A " + vs.key() + " -s " + vs.scheduler(), Tri.MATCH, "DROP", null,
                            null, detail)));
        }
        List<Choice> out = new ArrayList<>();
        for (IpvsScheduler.Share s : shares) {
            RealServer r = s.server();
            String detail = String.format(Locale.ROOT, "IPVS: %s -> real server %s, %s, share %s (p=%.6f)", name, endpoint(r), method(r),
                    s.why(), s.share());
            if (r.method() != ForwardMethod.MASQUERADING) {
                out.add(new Choice(s.share(), null, FinalVerdict.UNKNOWN, step(hook, vs, s, null, null,
                        detail + "; forwarding method " + method(r) + " is not modelled: what happens to " + vs.key() + "'s packets is not known")));
                continue;
            }
            Packet after = packet.withDst(r.address(), r.port() == 0 ? packet.dport() : r.port());
            out.add(new Choice(s.share(), after, null, step(hook, vs, s, packet, after, detail)));
        }
        return out;
    }

    /**
     * The station of a namespace whose virtual services are not known (ipvs.txt not collected) but which has
     * {@link #KUBE_IPVS0}: a TCP, UDP or SCTP packet to one of {@code addresses} (kube-ipvs0's) ends UNKNOWN, saying
     * why, instead of being delivered locally as if IPVS were not there.
     *
     * @param why why ipvs.txt cannot be trusted
     */
    public static IpvsHook unknown(java.util.Set<io.skoop.model.Ip> addresses, String why) {
        return (packet, hook) -> {
            if (!addresses.contains(packet.dst()) || !IpvsTable.handles(packet)) {
                return List.of();
            }
            String detail = "IPVS: " + packet.dst() + " is an address of " + KUBE_IPVS0 + " (kube-proxy's IPVS mode) but the virtual"
                    + " services are not known (" + why + "): which real server takes " + packet + " cannot be said";
            return List.of(new Choice(1.0, null, FinalVerdict.UNKNOWN, new TraceStep.IpvsScheduled(hook, null, 0, null,
                    Tri.UNKNOWN, null, null, null, detail)));
        };
    }

    private static TraceStep.IpvsScheduled step(Hook hook, VirtualService vs, IpvsScheduler.Share s, Packet before, Packet after, String detail) {
        RealServer r = s.server();
        String text = "-a " + vs.key() + " -r " + endpoint(r) + " " + switch (r.method()) {
            case MASQUERADING -> "-m";
            case GATEWAYING -> "-g";
            case TUNNELING -> "-i";
        } + " -w " + r.weight();
        return new TraceStep.IpvsScheduled(hook, vs.key(), s.index(), text, Tri.MATCH, r.method().name(), before, after, detail);
    }

    private static String endpoint(RealServer r) {
        return r.address().withPort(r.port());
    }

    private static String method(RealServer r) {
        return switch (r.method()) {
            case MASQUERADING -> "masquerading (NAT)";
            case GATEWAYING -> "direct routing (-g)";
            case TUNNELING -> "tunnelling (-i)";
        };
    }
}
