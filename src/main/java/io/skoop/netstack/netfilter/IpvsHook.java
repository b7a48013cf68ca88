package io.skoop.netstack.netfilter;

import io.skoop.model.Packet;
import java.util.List;

/**
 * IPVS as the {@link NetfilterSimulator} meets it: the station {@link Hook#IPVS} where the kernel's IPVS hooks take a
 * new connection to a virtual service (net/netfilter/ipvs/ip_vs_core.c {@code ip_vs_ops4}: {@code ip_vs_remote_request4}
 * at LOCAL_IN priority {@code NF_IP_PRI_NAT_SRC - 1}, after filter INPUT and before nat INPUT;
 * {@code ip_vs_local_request4} at LOCAL_OUT priority {@code NF_IP_PRI_NAT_DST + 2}, after nat OUTPUT and before filter
 * OUTPUT). The decision (which virtual service, which real servers with which share) is the implementation's
 * ({@link io.skoop.netstack.ipvs.IpvsStation}); what happens to the packet afterwards is the simulator's, as
 * ip_vs_xmit.c {@code ip_vs_nat_xmit} does it: destination NATed, rerouted to the real server, the conntrack entry's
 * reply tuple updated ({@code ip_vs_update_conntrack}), and — the real server not local — sent through the LOCAL_OUT
 * and POSTROUTING hooks ({@code ip_vs_nat_send_or_cont}), the packet marked {@code ipvs_property} so that IPVS does not
 * take it again; a local real server: the packet goes on through LOCAL_IN.
 */
public interface IpvsHook {
    /**
     * What IPVS does with the first packet of a new connection at {@code hook} (INPUT or OUTPUT).
     *
     * @return an empty list when no virtual service takes the packet; otherwise one choice per branch, whose shares
     *         add up to 1
     */
    List<Choice> schedule(Packet packet, Hook hook);

    /**
     * One branch of IPVS's decision.
     *
     * @param share  the branch's probability (the scheduler's share of the real server), multiplied into the branch
     * @param after  the packet NATed to the real server (masquerading), or null when the branch ends here
     * @param end    the verdict when the branch ends here (DROP: no real server; UNKNOWN: a forwarding method not
     *               modelled), else null
     * @param step   the {@link TraceStep.IpvsScheduled} step that names the virtual service, scheduler, real server, weight
     *               and share (its hook is set by the simulator)
     */
    record Choice(double share, Packet after, FinalVerdict end, TraceStep.IpvsScheduled step) {
    }
}
