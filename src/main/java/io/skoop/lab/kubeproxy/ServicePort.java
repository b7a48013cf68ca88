package io.skoop.lab.kubeproxy;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One port of one Service with its endpoints: the unit kube-proxy programs
 * ({@code proxy.ServicePortName} plus {@code servicePortInfo} in {@code pkg/proxy/iptables/proxier.go}).
 * Only {@code sessionAffinity: None} and {@code externalTrafficPolicy}/{@code internalTrafficPolicy: Cluster}
 * are modelled.
 *
 * @param namespace       the Service's namespace
 * @param name            the Service's name
 * @param portName        the port's name, empty for an unnamed (single) port
 * @param protocol        TCP, UDP or SCTP
 * @param clusterIp       {@code spec.clusterIP}
 * @param port            the service port, 1–65535
 * @param nodePort        the node port, 0 when the Service is not NodePort/LoadBalancer
 * @param externalIps     {@code spec.externalIPs} (may be empty)
 * @param loadBalancerIps {@code status.loadBalancer.ingress[].ip} (may be empty; no source ranges)
 * @param endpoints       the endpoints in any order (the renderer sorts them as kube-proxy does)
 */
public record ServicePort(String namespace, String name, String portName, Protocol protocol, Ip clusterIp, int port,
                          int nodePort, List<Ip> externalIps, List<Ip> loadBalancerIps, List<ServiceEndpoint> endpoints) {

    public ServicePort {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clusterIp, "clusterIp");
        portName = portName == null ? "" : portName;
        if (protocol != Protocol.TCP && protocol != Protocol.UDP && protocol != Protocol.SCTP) {
            throw new IllegalArgumentException("service protocol must be TCP, UDP or SCTP, got " + protocol);
        }
        if (port < 1 || port > 65535 || nodePort < 0 || nodePort > 65535) {
            throw new IllegalArgumentException("port must be 1-65535 and nodePort 0-65535, got " + port + "/" + nodePort);
        }
        externalIps = List.copyOf(externalIps);
        loadBalancerIps = List.copyOf(loadBalancerIps);
        endpoints = List.copyOf(endpoints);
    }

    /** A ClusterIP (nodePort 0) or NodePort service port without external or load-balancer IPs. */
    public static ServicePort of(String namespace, String name, String portName, Protocol protocol, Ip clusterIp,
                                 int port, int nodePort, List<ServiceEndpoint> endpoints) {
        return new ServicePort(namespace, name, portName, protocol, clusterIp, port, nodePort, List.of(), List.of(), endpoints);
    }

    /**
     * kube-proxy's {@code ServicePortName.String()}: {@code ns/name:port}, or {@code ns/name} for an
     * unnamed port; used in comments and hashed into chain names.
     */
    public String servicePortName() {
        return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
    }

    /** The protocol in lower case, as kube-proxy writes it after {@code -m}/{@code -p} and hashes it. */
    public String protocolName() {
        return protocol.ianaName().toLowerCase(Locale.ROOT);
    }

    /** The endpoints kube-proxy programs (ready ones), in kube-proxy's order. */
    public List<ServiceEndpoint> usableEndpoints() {
        return endpoints.stream().filter(ServiceEndpoint::ready).sorted(ServiceEndpoint.KUBE_PROXY_ORDER).toList();
    }

    /** Whether traffic may arrive from outside: a node port, external IPs or load-balancer IPs ({@code ExternallyAccessible}). */
    public boolean externallyAccessible() {
        return nodePort != 0 || !externalIps.isEmpty() || !loadBalancerIps.isEmpty();
    }
}
