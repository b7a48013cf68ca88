package io.skoop.lab.topology;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.List;

/**
 * A Kubernetes node of the lab: a network namespace with an underlay address and a podCIDR.
 * As declared, {@code podCIDR} and {@code address} may be null (allocated by
 * {@link Topology#resolve()}); in a {@link ResolvedTopology} both are set.
 *
 * @param name      DNS-1123 label
 * @param podCIDR   {@code spec.podCIDR}, inside the cluster CIDR, or null to allocate
 * @param address   the node's InternalIP on the underlay subnet, or null to allocate
 * @param tunnelAddress the address of the node's tunnel device taken from its podCIDR (calico vxlan: the
 *                  {@code vxlan.calico} address, {@code projectcalico.org/IPv4VXLANTunnelAddr}), null when the CNI has
 *                  none or before {@link Topology#resolve()}
 * @param listeners sockets on the node itself (hostNetwork), e.g. the kubelet's 10250/TCP
 * @param origin    where the node was written
 */
public record Node(String name, Prefix podCIDR, Ip address, Ip tunnelAddress, List<Listener> listeners, Origin origin) {
    public Node {
        listeners = List.copyOf(listeners);
    }

    /** A node without a tunnel address (as written in a file, or resolved for a CNI without one). */
    public Node(String name, Prefix podCIDR, Ip address, List<Listener> listeners, Origin origin) {
        this(name, podCIDR, address, null, listeners, origin);
    }
}
