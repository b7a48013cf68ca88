package io.skoop.diagnose;

import io.skoop.model.Hop;
import io.skoop.model.Ip;
import io.skoop.model.Link;
import io.skoop.model.Packet;

/**
 * A packet arriving at a NetNode.
 *
 * @param hop      where it arrives
 * @param device   the device it arrives on (null for an external host)
 * @param nexthop  the address the sender resolved for it (its route's gateway, else the destination): on a bridge
 *                 this says whether the frame is for the bridge itself (routed) or for another port (bridged)
 * @param link     the link it crossed
 * @param packet   the packet as received (outer header for a tunnel, inner in {@link Packet#encap()})
 * @param flow     the branch's state
 * @param misaddressed why the frame's destination MAC belongs to nobody here (the sender's PERMANENT neighbour entry is
 *                 wrong), or null: a bridge floods such a frame to no taker unless br_netfilter's PREROUTING changes
 *                 its destination address, which makes the bridge take it as its own (br_nf_pre_routing_finish)
 */
public record Arrival(Hop hop, String device, Ip nexthop, Link link, Packet packet, Flow flow, String misaddressed) {
    /** A frame addressed as its next hop expects. */
    public Arrival(Hop hop, String device, Ip nexthop, Link link, Packet packet, Flow flow) {
        this(hop, device, nexthop, link, packet, flow, null);
    }

    /** What makes two arrivals of one branch the same (a forwarding loop): hop, device and packet. */
    public String loopKey() {
        return hop + "|" + device + "|" + packet;
    }

    /**
     * This arrival with the crossing recorded in its flow ({@link Flow#crossed}), its packet without a firewall mark:
     * a mark lives in the sending namespace's skb only — a veth into another namespace scrubs it
     * ({@code __dev_forward_skb} → {@code skb_scrub_packet(skb, xnet=true)} clears {@code skb->mark}) and a wire
     * carries none — so a mark Felix or kube-proxy set on one node never reaches the next.
     */
    public Arrival crossed() {
        return new Arrival(hop, device, nexthop, link, packet.mark() == 0 ? packet : packet.withMark(0), flow.crossed(loopKey()), misaddressed);
    }
}
