package io.skoop.lab.topology;

import io.skoop.model.IpFamily;
import io.skoop.model.Ip;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes Service of the lab. As declared, {@code clusterIPs} may be empty, node ports 0, the family policy null
 * and the families empty (allocated and set by {@link Topology#resolve()} as the API server does).
 *
 * @param namespace      Kubernetes namespace ({@code default} when not written)
 * @param name           DNS-1123 label, unique within the namespace
 * @param type           ClusterIP or NodePort
 * @param clusterIPs     {@code spec.clusterIPs}: at most one address per family, in {@code ipFamilies} order once
 *                       resolved; empty to allocate
 * @param ports          at least one port
 * @param selector       equality-based pod selector in the same namespace (empty: no endpoints)
 * @param origin         where the Service was written
 * @param ipFamilyPolicy {@code spec.ipFamilyPolicy}, null when not written
 * @param ipFamilies     {@code spec.ipFamilies}, the first the primary family; empty when not written
 */
public record Service(String namespace, String name, ServiceType type, List<Ip> clusterIPs, List<ServicePort> ports,
                      Map<String, String> selector, Origin origin, IpFamilyPolicy ipFamilyPolicy, List<IpFamily> ipFamilies) {
    public Service {
        clusterIPs = List.copyOf(clusterIPs);
        ports = List.copyOf(ports);
        selector = Map.copyOf(selector);
        ipFamilies = List.copyOf(ipFamilies);
    }

    /** A single-stack Service with one cluster IP ({@code clusterIP} null: allocate it). */
    public Service(String namespace, String name, ServiceType type, Ip clusterIP, List<ServicePort> ports, Map<String, String> selector,
                   Origin origin) {
        this(namespace, name, type, clusterIP == null ? List.of() : List.of(clusterIP), ports, selector, origin, null, List.of());
    }

    /** {@code namespace/name}, the Service's key. */
    public String key() {
        return namespace + "/" + name;
    }

    /** The cluster IP of {@code family}, null when the Service has none in it. */
    public Ip clusterIP(IpFamily family) {
        return clusterIPs.stream().filter(ip -> IpFamily.of(ip) == family).findFirst().orElse(null);
    }

    /** The IPv4 cluster IP (what single-stack parts of the lab use), null for a Service without IPv4. */
    public Ip clusterIP() {
        return clusterIP(IpFamily.IPv4);
    }

    /** {@code spec.clusterIP}: the cluster IP of the primary family, null before it is allocated. */
    public Ip primaryClusterIP() {
        return clusterIPs.isEmpty() ? null : clusterIPs.get(0);
    }
}
