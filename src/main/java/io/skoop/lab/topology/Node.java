package io.skoop.lab.topology;

import io.skoop.model.IpFamily;
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
 * @param podCIDRv6 the node's IPv6 podCIDR ({@code spec.podCIDRs[1]}) on a dual-stack cluster, null otherwise and
 *                  before {@link Topology#resolve()}
 * @param addressV6 the node's IPv6 InternalIP on the IPv6 underlay on a dual-stack cluster, null otherwise and before
 *                  {@link Topology#resolve()}
 */
public record Node(String name, Prefix podCIDR, Ip address, Ip tunnelAddress, List<Listener> listeners, Origin origin,
                   Prefix podCIDRv6, Ip addressV6) {
    public Node {
        listeners = List.copyOf(listeners);
    }

    /** A single-stack (IPv4) node. */
    public Node(String name, Prefix podCIDR, Ip address, Ip tunnelAddress, List<Listener> listeners, Origin origin) {
        this(name, podCIDR, address, tunnelAddress, listeners, origin, null, null);
    }

    /** {@code spec.podCIDRs}: the IPv4 podCIDR, then the IPv6 one on a dual-stack cluster. */
    public List<Prefix> podCIDRs() {
        return podCIDRv6 == null ? List.of(podCIDR) : List.of(podCIDR, podCIDRv6);
    }

    /** The node's InternalIPs: the IPv4 address, then the IPv6 one on a dual-stack cluster. */
    public List<Ip> addresses() {
        return addressV6 == null ? List.of(address) : List.of(address, addressV6);
    }

    /** The InternalIP of {@code family}, null when the node has none. */
    public Ip address(IpFamily family) {
        return family == IpFamily.IPv4 ? address : addressV6;
    }

    /** A node without a tunnel address (as written in a file, or resolved for a CNI without one). */
    public Node(String name, Prefix podCIDR, Ip address, List<Listener> listeners, Origin origin) {
        this(name, podCIDR, address, null, listeners, origin);
    }
}
