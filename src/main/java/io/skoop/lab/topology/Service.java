package io.skoop.lab.topology;

import io.skoop.model.Ip;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes Service of the lab. As declared, {@code clusterIP} may be null and node ports 0
 * (allocated by {@link Topology#resolve()}).
 *
 * @param namespace Kubernetes namespace ({@code default} when not written)
 * @param name      DNS-1123 label, unique within the namespace
 * @param type      ClusterIP or NodePort
 * @param clusterIP {@code spec.clusterIP} inside the service CIDR, or null to allocate
 * @param ports     at least one port
 * @param selector  equality-based pod selector in the same namespace (empty: no endpoints)
 * @param origin    where the Service was written
 */
public record Service(String namespace, String name, ServiceType type, Ip clusterIP, List<ServicePort> ports,
                      Map<String, String> selector, Origin origin) {
    public Service {
        ports = List.copyOf(ports);
        selector = Map.copyOf(selector);
    }

    /** {@code namespace/name}, the Service's key. */
    public String key() {
        return namespace + "/" + name;
    }
}
