package io.skoop.lab.kubeproxy;

import io.skoop.model.Ip;
import java.util.Comparator;
import java.util.Objects;

/**
 * One endpoint of a service port, as kube-proxy sees it after reading EndpointSlices
 * (kubernetes {@code pkg/proxy/endpoint.go}, {@code BaseEndpointInfo}).
 *
 * @param ip       the endpoint (pod or host-network) address
 * @param port     the target port, 1–65535
 * @param ready    the EndpointSlice {@code conditions.ready}; kube-proxy programs only ready endpoints
 *                 (its fallback to serving-terminating endpoints when none is ready is not modelled)
 * @param nodeName the node the endpoint runs on ({@code nodeName}), may be empty
 * @param local    whether that node is the node being programmed ({@code IsLocal}); only used by
 *                 Local traffic policies, which this generator does not model yet, so kept as data
 */
public record ServiceEndpoint(Ip ip, int port, boolean ready, String nodeName, boolean local) {

    /**
     * The order kube-proxy lists endpoints in: by {@link #hostPort()} as a string
     * ({@code byEndpoint} in {@code pkg/proxy/endpointslicecache.go}), so 10.0.0.10 sorts before 10.0.0.9.
     */
    public static final Comparator<ServiceEndpoint> KUBE_PROXY_ORDER = Comparator.comparing(ServiceEndpoint::hostPort);

    public ServiceEndpoint {
        Objects.requireNonNull(ip, "ip");
        nodeName = nodeName == null ? "" : nodeName;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint port must be 1-65535, got " + port);
        }
    }

    /** A ready endpoint on another node (or where the node does not matter). */
    public static ServiceEndpoint ready(Ip ip, int port) {
        return new ServiceEndpoint(ip, port, true, "", false);
    }

    /** {@code ip:port} as kube-proxy prints it ({@code net.JoinHostPort}: IPv6 in brackets). */
    public String hostPort() {
        return ip.withPort(port);
    }
}
