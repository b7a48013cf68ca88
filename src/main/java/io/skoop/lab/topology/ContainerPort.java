package io.skoop.lab.topology;

import io.skoop.model.Protocol;

/**
 * A container port of a pod ({@code spec.containers[].ports[]}): a named port a Service's
 * {@code targetPort} can refer to. By default the pod also listens on each of them.
 *
 * @param name     the port name (IANA_SVC_NAME, e.g. {@code http}), or null when unnamed
 * @param port     {@code containerPort}, 1..65535
 * @param protocol TCP or UDP
 */
public record ContainerPort(String name, int port, Protocol protocol) {
    public ContainerPort {
        Ports.check(port, "port");
        Ports.checkProtocol(protocol);
    }

    /** The listener this port opens when the pod declares no explicit listeners. */
    public Listener listener() {
        return new Listener(port, protocol);
    }
}
