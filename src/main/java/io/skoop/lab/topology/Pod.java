package io.skoop.lab.topology;

import io.skoop.model.IpFamily;
import io.skoop.model.Ip;
import java.util.List;
import java.util.Map;

/**
 * A pod of the lab: its own network namespace on a node. As declared, {@code ip} may be null
 * and {@code listeners} null (meaning "the container ports"); in a {@link ResolvedTopology}
 * both are set.
 *
 * @param namespace Kubernetes namespace ({@code default} when not written)
 * @param name      DNS-1123 label, unique within the namespace
 * @param node      the node's name ({@code spec.nodeName})
 * @param labels    {@code metadata.labels}, matched by Service selectors
 * @param ip        {@code status.podIP} inside the node's podCIDR, or null to allocate
 * @param ports     container ports (targets of named Service targetPorts)
 * @param listeners sockets the pod opens, or null for one per container port
 * @param origin    where the pod was written
 * @param ipV6      the pod's IPv6 address ({@code status.podIPs[1]}) inside the node's IPv6 podCIDR on a dual-stack
 *                  cluster, null otherwise and before {@link Topology#resolve()}
 */
public record Pod(String namespace, String name, String node, Map<String, String> labels, Ip ip,
                  List<ContainerPort> ports, List<Listener> listeners, Origin origin, Ip ipV6) {
    public Pod {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
        listeners = listeners == null ? null : List.copyOf(listeners);
    }

    /** A single-stack (IPv4) pod. */
    public Pod(String namespace, String name, String node, Map<String, String> labels, Ip ip, List<ContainerPort> ports,
               List<Listener> listeners, Origin origin) {
        this(namespace, name, node, labels, ip, ports, listeners, origin, null);
    }

    /** {@code status.podIPs}: the IPv4 address, then the IPv6 one on a dual-stack cluster. */
    public List<Ip> ips() {
        return ipV6 == null ? List.of(ip) : List.of(ip, ipV6);
    }

    /** The pod's address in {@code family}, null when it has none. */
    public Ip ip(IpFamily family) {
        return family == IpFamily.IPv4 ? ip : ipV6;
    }

    /** {@code namespace/name}, the pod's key. */
    public String key() {
        return namespace + "/" + name;
    }

    /** True when every selector label is among this pod's labels (an equality-based selector). */
    public boolean matches(Map<String, String> selector) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
