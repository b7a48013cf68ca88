package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Pod ({@code core/v1}), the parts a diagnosis reads.
 *
 * <p>API semantics kept: {@code status.podIPs} "holds the IP addresses allocated to the pod. If this field is
 * specified, the 0th entry must match the podIP field" — podIPs is read, {@code status.podIP} only when podIPs is
 * absent. With {@code spec.hostNetwork} the pod "uses the host's network namespace": its podIPs are the node's
 * addresses, and it has no network namespace of its own. A container port's {@code protocol} defaults to TCP.
 *
 * @param namespace   {@code metadata.namespace}
 * @param name        {@code metadata.name}
 * @param uid         {@code metadata.uid} (what an EndpointSlice's targetRef names), or null
 * @param labels      {@code metadata.labels}, what Service selectors match
 * @param nodeName    {@code spec.nodeName}, or null while the pod is not scheduled
 * @param hostNetwork {@code spec.hostNetwork}
 * @param phase       {@code status.phase}: Pending, Running, Succeeded, Failed or Unknown; null when absent
 * @param podIPs      {@code status.podIPs}; empty before the pod sandbox has an address
 * @param hostIP      {@code status.hostIP} (the node's address), or null before the pod is bound
 * @param ready       the {@code Ready} condition, or null
 * @param ports       the ports of {@code spec.containers[*].ports}, in container order
 */
public record KPod(String namespace, String name, String uid, Map<String, String> labels, String nodeName,
                   boolean hostNetwork, String phase, List<Ip> podIPs, Ip hostIP, KCondition ready, List<Port> ports) {

    public KPod {
        labels = Map.copyOf(labels);
        podIPs = List.copyOf(podIPs);
        ports = List.copyOf(ports);
    }

    /**
     * A container port ({@code spec.containers[].ports[]}).
     *
     * @param container     the container's name
     * @param name          the port's name (IANA_SVC_NAME, what a Service's named targetPort refers to), or null
     * @param containerPort the port number
     * @param protocol      TCP, UDP or SCTP (default TCP)
     * @param hostPort      {@code hostPort}, or null when not exposed on the node
     */
    public record Port(String container, String name, int containerPort, Protocol protocol, Integer hostPort) {
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    /** True when the phase is Running. */
    public boolean isRunning() {
        return "Running".equals(phase);
    }

    /** True when the Ready condition is {@code True}. */
    public boolean isReady() {
        return ready != null && ready.isTrue();
    }

    /** The first pod IP, or null. */
    public Ip podIP() {
        return podIPs.isEmpty() ? null : podIPs.get(0);
    }

    /** The container port named {@code portName} with {@code protocol}, as a named Service targetPort is resolved. */
    public Optional<Port> namedPort(String portName, Protocol protocol) {
        return ports.stream().filter(p -> portName.equals(p.name()) && p.protocol() == protocol).findFirst();
    }

    @Override
    public String toString() {
        return "pod " + key();
    }

    @JsonCreator
    static KPod of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("spec") Spec spec,
                   @JsonProperty("status") Status status) {
        Wire.Meta m = Wire.meta(metadata);
        List<Port> ports = new ArrayList<>();
        if (spec != null) {
            for (Container c : Wire.orEmpty(spec.containers())) {
                for (ContainerPort p : Wire.orEmpty(c.ports())) {
                    ports.add(new Port(c.name(), p.name(), p.containerPort(), p.protocol() == null ? Protocol.TCP : p.protocol(), p.hostPort()));
                }
            }
        }
        List<Ip> ips = List.of();
        if (status != null) {
            ips = Wire.orEmpty(status.podIPs()).stream().map(Wire.IpEntry::ip).toList();
            if (ips.isEmpty() && status.podIP() != null) {
                ips = List.of(status.podIP());
            }
        }
        return new KPod(m.namespace(), m.name(), m.uid(), m.labels(), spec == null ? null : spec.nodeName(),
                spec != null && Boolean.TRUE.equals(spec.hostNetwork()), status == null ? null : status.phase(), ips,
                status == null ? null : status.hostIP(), status == null ? null : KCondition.find(status.conditions(), "Ready"), ports);
    }

    record Spec(String nodeName, Boolean hostNetwork, List<Container> containers) {
    }

    record Container(String name, List<ContainerPort> ports) {
    }

    record ContainerPort(String name, int containerPort, Protocol protocol, Integer hostPort) {
    }

    record Status(String phase, Ip podIP, List<Wire.IpEntry> podIPs, Ip hostIP, List<KCondition> conditions) {
    }
}
