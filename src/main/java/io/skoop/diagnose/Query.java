package io.skoop.diagnose;

import io.skoop.model.IpFamily;
import io.skoop.model.Protocol;
import java.util.Objects;

/**
 * What to diagnose: does a new connection from {@code source} to {@code destination} on
 * {@code port}/{@code protocol} succeed? Endpoints are written the kubectl way:
 * {@code NAMESPACE/POD} (or {@code pod/NAMESPACE/POD}), {@code node/NAME}, {@code svc/NAMESPACE/NAME}
 * (or {@code service/…}), or an IP address.
 *
 * @param source      the client
 * @param destination the server
 * @param port        the destination port (a Service port number or name for {@code svc/}), or null for a Service
 *                    with a single port
 * @param protocol    TCP or UDP; SCTP too for policy intent ({@link Diagnostor#policyIntent}), which a diagnosis refuses
 * @param namespace   the namespace of bare names ({@code client}, {@code svc/web}), "default" when null
 * @param family      the family a named destination (a pod, a node, a Service of a dual-stack cluster) is reached in:
 *                    its address of that family ({@code status.podIPs}, the node's InternalIPs, {@code spec.clusterIPs});
 *                    null for its primary address. An address literal is always taken as written.
 */
public record Query(String source, String destination, String port, io.skoop.model.Protocol protocol, String namespace,
                    IpFamily family) {
    public Query {
        namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(protocol, "protocol");
        if (protocol != Protocol.TCP && protocol != Protocol.UDP && protocol != Protocol.SCTP) {
            throw new IllegalArgumentException("protocol must be tcp, udp or sctp, got " + protocol.ianaName());
        }
    }

    /** A query for the destination's primary address. */
    public Query(String source, String destination, String port, io.skoop.model.Protocol protocol, String namespace) {
        this(source, destination, port, protocol, namespace, null);
    }

    /** A query with bare names in the namespace "default". */
    public Query(String source, String destination, String port, io.skoop.model.Protocol protocol) {
        this(source, destination, port, protocol, null);
    }

    /** A TCP query. */
    public static Query tcp(String source, String destination, int port) {
        return new Query(source, destination, String.valueOf(port), Protocol.TCP);
    }

    /** A UDP query. */
    public static Query udp(String source, String destination, int port) {
        return new Query(source, destination, String.valueOf(port), Protocol.UDP);
    }

    @Override
    public String toString() {
        return source + " -> " + destination + (port == null ? "" : ":" + port) + "/" + protocol.ianaName() + (family == null ? "" : " (" + family + ")");
    }
}
