package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.List;

/**
 * An EndpointSlice ({@code discovery.k8s.io/v1}), the parts a diagnosis reads: which addresses back a Service's
 * ports and in what condition.
 *
 * <p>API semantics kept:
 * <ul>
 *   <li>the Service is named by the label {@code kubernetes.io/service-name}, in the slice's namespace;</li>
 *   <li>{@code addressType} is IPv4, IPv6 or FQDN; FQDN slices are deprecated and ignored by kube-proxy — they are
 *       read with their endpoints' addresses left empty;</li>
 *   <li>an endpoint's {@code addresses} "are all assumed to be fungible and clients may choose to only use the first
 *       element" (kube-proxy uses the first);</li>
 *   <li>{@code ports} empty or null "indicates that there are no defined ports" (kube-proxy ignores such a slice);
 *       a port with a null {@code port} "indicates all ports"; {@code name} is {@code ""} for a Service's unnamed
 *       port; {@code protocol} defaults to TCP;</li>
 *   <li>the conditions are tri-state, see {@link Conditions}.</li>
 * </ul>
 *
 * @param namespace   {@code metadata.namespace}
 * @param name        {@code metadata.name}
 * @param serviceName the label {@code kubernetes.io/service-name}, or null
 * @param addressType IPv4, IPv6 or FQDN
 * @param endpoints   {@code endpoints}; empty when null (a Service whose selector matches no pod)
 * @param ports       {@code ports}; empty when null
 */
public record KEndpointSlice(String namespace, String name, String serviceName, String addressType, List<Endpoint> endpoints,
                             List<Port> ports) {
    /** The label naming a slice's Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    public KEndpointSlice {
        endpoints = List.copyOf(endpoints);
        ports = List.copyOf(ports);
    }

    /**
     * One endpoint.
     *
     * @param addresses  its addresses (empty in an FQDN slice)
     * @param conditions ready / serving / terminating
     * @param nodeName   the node hosting it, or null
     * @param targetRef  the object it stands for (a Pod for selector-managed Services), or null
     */
    public record Endpoint(List<Ip> addresses, Conditions conditions, String nodeName, TargetRef targetRef) {
        public Endpoint {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * {@code endpoints[].conditions}, each null when unknown. The API reference (discovery/v1 EndpointConditions):
     * <ul>
     *   <li>{@code ready}: "A nil value indicates an unknown state. In most cases consumers should interpret this
     *       unknown state as ready. For compatibility reasons, ready should never be "true" for terminating
     *       endpoints, except when the normal readiness behavior is being explicitly overridden, for example when
     *       the associated Service has set the publishNotReadyAddresses flag." — {@link #isReady()};</li>
     *   <li>{@code serving}: "identical to ready except that it is set regardless of the terminating state of
     *       endpoints. [...] If nil, consumers should defer to the ready condition." — {@link #isServing()};</li>
     *   <li>{@code terminating}: "A nil value indicates an unknown state. Consumers should interpret this unknown
     *       state to mean that the endpoint is not terminating." — {@link #isTerminating()}.</li>
     * </ul>
     *
     * @param ready       as written, null when absent
     * @param serving     as written, null when absent
     * @param terminating as written, null when absent
     */
    public record Conditions(Boolean ready, Boolean serving, Boolean terminating) {
        /** No condition written: every one unknown. */
        public static final Conditions UNKNOWN = new Conditions(null, null, null);

        /** {@code ready}, null read as true. */
        public boolean isReady() {
            return ready == null || ready;
        }

        /** {@code serving}, null deferring to {@link #isReady()}. */
        public boolean isServing() {
            return serving == null ? isReady() : serving;
        }

        /** {@code terminating}, null read as false. */
        public boolean isTerminating() {
            return terminating != null && terminating;
        }
    }

    /**
     * {@code endpoints[].targetRef}.
     *
     * @param kind      e.g. {@code Pod}
     * @param namespace the object's namespace
     * @param name      the object's name
     * @param uid       the object's uid, or null
     */
    public record TargetRef(String kind, String namespace, String name, String uid) {
    }

    /**
     * {@code ports[]}: the port every endpoint of the slice serves for the Service port of the same name.
     *
     * @param name     the Service port's name, {@code ""} for an unnamed one
     * @param port     the endpoints' port, or null meaning "all ports"
     * @param protocol TCP, UDP or SCTP (default TCP)
     */
    public record Port(String name, Integer port, Protocol protocol) {
    }

    /** True for IPv4 and IPv6 slices (what kube-proxy programs). */
    public boolean isIp() {
        return "IPv4".equals(addressType) || "IPv6".equals(addressType);
    }

    @Override
    public String toString() {
        return "endpointslice " + namespace + "/" + name;
    }

    @JsonCreator
    static KEndpointSlice of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("addressType") String addressType,
                             @JsonProperty("endpoints") List<WireEndpoint> endpoints, @JsonProperty("ports") List<WirePort> ports) {
        Wire.Meta m = Wire.meta(metadata);
        boolean ip = "IPv4".equals(addressType) || "IPv6".equals(addressType);
        List<Endpoint> eps = Wire.orEmpty(endpoints).stream().map(e -> new Endpoint(
                ip ? Wire.orEmpty(e.addresses()).stream().map(Ip::parse).toList() : List.of(),
                e.conditions() == null ? Conditions.UNKNOWN : e.conditions(), e.nodeName(), e.targetRef())).toList();
        List<Port> ps = Wire.orEmpty(ports).stream().map(p -> new Port(p.name() == null ? "" : p.name(), p.port(),
                p.protocol() == null ? Protocol.TCP : p.protocol())).toList();
        return new KEndpointSlice(m.namespace(), m.name(), m.labels().get(SERVICE_NAME_LABEL), addressType, eps, ps);
    }

    record WireEndpoint(List<String> addresses, Conditions conditions, String nodeName, TargetRef targetRef) {
    }

    record WirePort(String name, Integer port, Protocol protocol) {
    }
}
