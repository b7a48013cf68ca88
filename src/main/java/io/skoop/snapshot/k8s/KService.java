package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.List;
import java.util.Map;

/**
 * A Service ({@code core/v1}), the parts a diagnosis reads.
 *
 * <p>API semantics kept: {@code spec.clusterIPs} is read ({@code spec.clusterIP} only when it is absent);
 * {@code "None"} marks a headless Service (no virtual IP) and reads as no cluster IP; {@code type} defaults to
 * {@code ClusterIP}; a port's {@code protocol} defaults to TCP and an absent {@code targetPort} means "the value of
 * the 'port' field is used (an identity map)". An empty or absent {@code selector} means "the service is assumed to
 * have an external process managing its endpoints": no EndpointSlice controller output. Load-balancer ingress
 * entries that give only a {@code hostname} carry no IP and are left out.
 *
 * @param namespace             {@code metadata.namespace}
 * @param name                  {@code metadata.name}
 * @param uid                   {@code metadata.uid}, or null
 * @param type                  ClusterIP, NodePort, LoadBalancer or ExternalName
 * @param clusterIPs            {@code spec.clusterIPs}; empty for a headless or ExternalName Service
 * @param headless              true when {@code clusterIP} is {@code None}
 * @param externalIPs           {@code spec.externalIPs}
 * @param loadBalancerIngress   the IPs of {@code status.loadBalancer.ingress[].ip}
 * @param ports                 {@code spec.ports}
 * @param selector              {@code spec.selector}; empty when absent
 * @param externalTrafficPolicy {@code Cluster} or {@code Local} (NodePort/LoadBalancer), or null
 * @param internalTrafficPolicy {@code Cluster} or {@code Local}, or null
 */
public record KService(String namespace, String name, String uid, String type, List<Ip> clusterIPs, boolean headless,
                       List<Ip> externalIPs, List<Ip> loadBalancerIngress, List<Port> ports, Map<String, String> selector,
                       String externalTrafficPolicy, String internalTrafficPolicy) {

    public KService {
        clusterIPs = List.copyOf(clusterIPs);
        externalIPs = List.copyOf(externalIPs);
        loadBalancerIngress = List.copyOf(loadBalancerIngress);
        ports = List.copyOf(ports);
        selector = Map.copyOf(selector);
    }

    /**
     * A Service port ({@code spec.ports[]}).
     *
     * @param name       the port's name; null when the Service has one unnamed port (EndpointSlices then name their
     *                   port {@code ""})
     * @param port       the Service port
     * @param protocol   TCP, UDP or SCTP (default TCP)
     * @param targetPort the pods' port, a number or a container port name; {@code port} when absent
     * @param nodePort   the node port (NodePort and LoadBalancer Services), or null
     */
    public record Port(String name, int port, Protocol protocol, TargetPort targetPort, Integer nodePort) {

        /** {@code name} as EndpointSlices carry it: {@code ""} for an unnamed port. */
        public String sliceName() {
            return name == null ? "" : name;
        }

        /** {@code name 80/TCP}, or {@code 80/TCP} when unnamed. */
        @Override
        public String toString() {
            return (name == null || name.isEmpty() ? "" : name + " ") + port + "/" + protocol;
        }
    }

    /**
     * {@code targetPort}, an IntOrString: a port number, or the name of a container port looked up in each selected
     * pod (so that pods may serve one Service port on different numbers).
     *
     * @param number the number, or 0 when named
     * @param name   the container port name, or null when numeric
     */
    public record TargetPort(int number, String name) {

        /** True for a container port name. */
        public boolean isNamed() {
            return name != null;
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static TargetPort of(Object value) {
            if (value instanceof Number n) {
                return new TargetPort(n.intValue(), null);
            }
            if (value instanceof String s) {
                return new TargetPort(0, s);
            }
            throw new IllegalArgumentException("targetPort must be a number or a port name, got " + value);
        }

        @Override
        public String toString() {
            return isNamed() ? name : String.valueOf(number);
        }
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    /** True when the Service has a selector (its EndpointSlices come from the EndpointSlice controller). */
    public boolean hasSelector() {
        return !selector.isEmpty();
    }

    @Override
    public String toString() {
        return "service " + key();
    }

    @JsonCreator
    static KService of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("spec") Spec spec,
                       @JsonProperty("status") Status status) {
        Wire.Meta m = Wire.meta(metadata);
        Spec s = spec == null ? new Spec(null, null, null, null, null, null, null, null) : spec;
        List<String> vips = Wire.orEmpty(s.clusterIPs());
        if (vips.isEmpty() && s.clusterIP() != null && !s.clusterIP().isEmpty()) {
            vips = List.of(s.clusterIP());
        }
        boolean headless = vips.contains("None");
        List<Ip> clusterIPs = vips.stream().filter(v -> !v.equals("None") && !v.isEmpty()).map(Ip::parse).toList();
        List<Port> ports = Wire.orEmpty(s.ports()).stream().map(p -> new Port(p.name() == null || p.name().isEmpty() ? null : p.name(),
                p.port(), p.protocol() == null ? Protocol.TCP : p.protocol(),
                p.targetPort() == null ? new TargetPort(p.port(), null) : p.targetPort(), p.nodePort())).toList();
        List<Ip> lb = status == null || status.loadBalancer() == null ? List.of()
                : Wire.orEmpty(status.loadBalancer().ingress()).stream().filter(i -> i.ip() != null).map(Ingress::ip).toList();
        return new KService(m.namespace(), m.name(), m.uid(), s.type() == null ? "ClusterIP" : s.type(), clusterIPs, headless,
                Wire.orEmpty(s.externalIPs()), lb, ports, s.selector() == null ? Map.of() : s.selector(),
                s.externalTrafficPolicy(), s.internalTrafficPolicy());
    }

    record Spec(String type, String clusterIP, List<String> clusterIPs, List<Ip> externalIPs, List<SpecPort> ports,
                Map<String, String> selector, String externalTrafficPolicy, String internalTrafficPolicy) {
    }

    record SpecPort(String name, int port, Protocol protocol, TargetPort targetPort, Integer nodePort) {
    }

    record Status(LoadBalancer loadBalancer) {
    }

    record LoadBalancer(List<Ingress> ingress) {
    }

    record Ingress(Ip ip, String hostname) {
    }
}
