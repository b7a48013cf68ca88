package io.skoop.diagnose;

import io.skoop.model.Action;
import io.skoop.model.ActionType;
import io.skoop.model.Hop;
import io.skoop.model.Link;
import io.skoop.model.LinkAttribute;
import io.skoop.model.LinkType;
import io.skoop.model.NetNode;
import io.skoop.model.NetNodeType;
import io.skoop.model.Packet;
import io.skoop.model.Suspicion;
import io.skoop.network.Underlay;
import java.util.List;

/**
 * A host outside the cluster. The snapshot has no namespace of it: as a server it is assumed to
 * accept (an INFO says so); as a client it sends into the underlay through its router, which
 * routes by destination (node addresses only: pod and Service addresses are not routable from
 * outside). A reply it receives must match its connection.
 */
final class ExternalNetNode implements NetNodeAction {
    /** The MTU assumed for a host outside the cluster: Ethernet's. */
    static final int ETHERNET_MTU = 1500;

    private final Hop hop;

    ExternalNetNode(Hop hop) {
        this.hop = hop;
    }

    @Override
    public List<Outcome> send(Walk walk, Packet packet, Flow flow) {
        NetNode me = walk.node(hop);
        Packet p = packet;
        if (p.src().isAny()) {
            p = Packet.of(io.skoop.model.Ip.parse(hop.id()), LinuxNetNode.CLIENT_PORT, p.dst(), p.dport(), p.protocol());
            walk.connected(p);
        }
        me.addAction(new Action(walk.isReply() ? ActionType.SERVE : ActionType.SEND, null, List.of()));
        me.explain((walk.isReply() ? "reply " : "send ") + p + " (host outside the cluster: not simulated, its router routes by destination)");
        Underlay.Delivery d = walk.manager().underlay().deliver(p.dst(), true, p);
        if (d.kind() == Underlay.Delivery.Kind.LOST) {
            String owner = walk.manager().ipCache().lookup(p.dst()).describe();
            return List.of(LinuxNetNode.drop(me, p, flow, "the router of " + hop.id() + " (outside the cluster) has no route to " + owner
                    + ": pod and Service addresses exist only inside the nodes" + (walk.isReply() ? "; the request reached " + hop.id()
                    + " with that address as its source: no MASQUERADE or SNAT rule in nat POSTROUTING translated it when it left the"
                    + " cluster" : "")));
        }
        if (d.kind() != Underlay.Delivery.Kind.NODE) {
            return List.of(LinuxNetNode.drop(me, p, flow, p.dst() + " is outside the cluster too: nothing of the cluster is on this path"));
        }
        Hop node = NetNodeManager.nodeHop(d.node());
        String dev = null;
        if (walk.manager().missing(node).isEmpty()) {
            dev = walk.manager().netns(node).interfaces().withAddress(d.address()).map(i -> i.name()).orElse(null);
        }
        Link link = new Link(LinkType.EXTERNAL, hop, node, p, null, dev == null ? null : new LinkAttribute(dev, d.address(), null), flow.hops());
        walk.manager().infra().check(hop, node, p).forEach(s -> walk.node(node).addSuspicion(s));
        if (dev == null && walk.manager().missing(node).isEmpty()) {
            return List.of(LinuxNetNode.drop(me, p, flow, "no device of node " + d.node() + " holds " + d.address()));
        }
        if (dev != null) {
            // the outside sends Ethernet-sized frames (1500 bytes, TCP segments bounded by both ends' MSS): a smaller
            // receiving device drops them, with no ICMP back (see LinuxNetNode#checkUnderlayMtu)
            int frame = Math.min(ETHERNET_MTU, LinuxNetNode.tcpSegmentBound(walk.manager(), walk, p));
            io.skoop.netstack.link.Interface in = walk.manager().netns(node).interfaces().byName(dev).orElseThrow();
            if (frame > in.mtu()) {
                String msg = "MTU: " + dev + " MTU " + in.mtu() + " on " + d.node() + " < the " + frame + "-byte frames " + hop.id()
                        + " (outside the cluster, assumed Ethernet MTU " + ETHERNET_MTU + ") sends: a receiver drops frames over its MTU";
                walk.node(node).addSuspicion(walk.isReply() && p.protocol() == io.skoop.model.Protocol.TCP
                        ? Suspicion.critical(msg + " (full-size segments of the answer never arrive)")
                        : Suspicion.warning(msg + " (larger requests or datagrams are lost)"));
            }
        }
        return List.of(new Outcome.Next(link, new Arrival(node, dev, p.dst(), link, p, flow)));
    }

    @Override
    public List<Outcome> receive(Walk walk, Arrival arrival) {
        NetNode me = walk.node(hop);
        if (walk.isReply()) {
            return List.of(LinuxNetNode.replyArrived(walk, me, arrival.packet(), arrival.flow()));
        }
        me.addSuspicion(Suspicion.info(hop.id() + " is outside the cluster and not in the snapshot: assumed to listen on "
                + arrival.packet().dport() + "/" + arrival.packet().protocol().ianaName()));
        me.addAction(new Action(ActionType.SERVE, null, List.of()));
        return List.of(new Outcome.End(Outcome.End.Kind.DELIVERED, hop, arrival.packet(), arrival.flow(), "delivered to the external host (assumed)"));
    }
}
