package io.skoop.lab.topology;

import java.util.List;

/**
 * A Service with its allocated cluster IP and node ports and, per port, its endpoints.
 *
 * @param service the Service, {@code clusterIP} and node ports set
 * @param ports   one entry per {@code service.ports()}, same order
 */
public record ResolvedService(Service service, List<Port> ports) {
    public ResolvedService {
        ports = List.copyOf(ports);
    }

    /**
     * A Service port and its endpoints (selected pods in file order; a pod that lacks a named
     * targetPort is left out of that port, as the EndpointSlice controller does).
     *
     * @param port      the Service port, node port set for NodePort Services
     * @param endpoints the backends, possibly empty
     */
    public record Port(ServicePort port, List<ServiceBackend> endpoints) {
        public Port {
            endpoints = List.copyOf(endpoints);
        }
    }

    /** The port named {@code name} (or labelled {@code port/proto} when unnamed). */
    public Port port(String name) {
        return ports.stream().filter(p -> p.port().label().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("service " + service.key() + " has no port '" + name + "'; ports: "
                        + ports.stream().map(p -> p.port().label()).toList()));
    }
}
