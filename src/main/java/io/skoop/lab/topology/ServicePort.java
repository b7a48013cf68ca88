package io.skoop.lab.topology;

import io.skoop.model.Protocol;

/**
 * One entry of a Service's {@code spec.ports}.
 *
 * @param name       port name (required by Kubernetes when a Service has several ports), or null
 * @param port       the Service port, 1..65535
 * @param targetPort the pods' port (defaults to {@code port})
 * @param protocol   TCP or UDP (default TCP, as in Kubernetes)
 * @param nodePort   30000..32767 for a NodePort Service (0 as declared means "allocate"),
 *                   0 for a ClusterIP Service
 * @param origin     where the port was written
 */
public record ServicePort(String name, int port, TargetPort targetPort, Protocol protocol, int nodePort, Origin origin) {
    public ServicePort {
        Ports.check(port, "port");
        Ports.checkProtocol(protocol);
    }

    /** The same port with its node port set. */
    public ServicePort withNodePort(int nodePort) {
        return new ServicePort(name, port, targetPort, protocol, nodePort, origin);
    }

    /** {@code name} or, when unnamed, {@code port/protocol}: how messages name the port. */
    public String label() {
        return name != null ? name : port + "/" + protocol.ianaName();
    }
}
