package io.skoop.network;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.IpEntity;
import io.skoop.model.Ip;
import io.skoop.model.Packet;

/**
 * The network between the nodes as a generic provider sees it: an L3 network that knows the
 * node addresses (InternalIP/ExternalIP of every Node) and the world outside the cluster, and
 * nothing of the pod and Service ranges (those exist only inside the nodes). This is where a
 * packet that left a node by a wrong route is lost.
 */
public final class Underlay {
    private final IPCache ipCache;

    /** @param ipCache which addresses are nodes, pods, Services or outside the cluster */
    public Underlay(IPCache ipCache) {
        this.ipCache = ipCache;
    }

    /**
     * Where the underlay delivers a packet a host put on it.
     *
     * @param nexthop    the next hop the sender resolved (its route's gateway, or the destination when on-link)
     * @param viaGateway true when the route had a gateway
     * @param packet     the packet on the wire
     * @return the node or external host that receives it, or LOST with the reason
     */
    public Delivery deliver(Ip nexthop, boolean viaGateway, Packet packet) {
        IpEntity hopOwner = ipCache.lookup(nexthop);
        if (hopOwner instanceof IpEntity.NodeEntity n) {
            return new Delivery(Delivery.Kind.NODE, n.node().name(), nexthop, n.describe());
        }
        Ip dst = packet.dst();
        if (viaGateway) {
            // the gateway is a router of the underlay: it routes by destination
            IpEntity owner = ipCache.lookup(dst);
            if (owner instanceof IpEntity.NodeEntity n) {
                return new Delivery(Delivery.Kind.NODE, n.node().name(), dst, "router " + nexthop + " routes to " + n.describe());
            }
            if (owner instanceof IpEntity.ExternalEntity e && !e.insideCluster()) {
                return new Delivery(Delivery.Kind.EXTERNAL, null, dst, "router " + nexthop + " routes to " + e.describe());
            }
            return new Delivery(Delivery.Kind.LOST, null, dst, "the underlay router " + nexthop
                    + " has no route to " + owner.describe() + ": pod and Service addresses exist only inside the nodes");
        }
        if (hopOwner instanceof IpEntity.ExternalEntity e && !e.insideCluster()) {
            return new Delivery(Delivery.Kind.EXTERNAL, null, nexthop, "on-link " + e.describe());
        }
        return new Delivery(Delivery.Kind.LOST, null, nexthop, "no host on the underlay answers "
                + (nexthop.isV6() ? "neighbour solicitations" : "ARP") + " for "
                + hopOwner.describe() + " (the packet was sent on-link to it)");
    }

    /**
     * Where the underlay delivers a packet.
     *
     * @param kind    NODE, EXTERNAL or LOST
     * @param node    the receiving node's name (NODE), else null
     * @param address the address it is delivered to (the node's address, the external host); for LOST the
     *                address nobody has
     * @param reason  why (the owner of the address, or why it is lost)
     */
    public record Delivery(Kind kind, String node, Ip address, String reason) {
        public enum Kind { NODE, EXTERNAL, LOST }
    }
}
