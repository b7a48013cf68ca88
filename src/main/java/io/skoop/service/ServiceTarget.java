package io.skoop.service;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.IpEntity;
import io.skoop.k8s.ServiceEndpoint;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.Suspicion;
import io.skoop.snapshot.k8s.KService;
import java.util.Collection;
import java.util.List;
import io.skoop.model.IpFamily;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The Service port a packet is addressed to on a node, as every kube-proxy mode sees it (pkg/proxy: a Service IP and
 * port — ClusterIP, externalIP, LoadBalancer ingress — or a node port on an address of this node; a node port of
 * another node is plain traffic here), with what the service processors share: the usable endpoints of its
 * EndpointSlices and the cross-check of what the node's rules do against them.
 *
 * @param service      the Service
 * @param port         its port the packet is for
 * @param kind         how the packet addresses it: {@code cluster ip}, {@code external ip}, {@code node port on}, …
 * @param allEndpoints false when a Local traffic policy restricts the node to its own endpoints (then an endpoint the
 *                     node's rules never reach is expected)
 * @param family       the family of the address the packet is sent to: a proxier programs one family and reads only the
 *                     EndpointSlices of that addressType; null for both (a target not made from a packet)
 */
public record ServiceTarget(KService service, KService.Port port, String kind, boolean allEndpoints, IpFamily family) {

    /** A target whose endpoints are read from the slices of both families. */
    public ServiceTarget(KService service, KService.Port port, String kind, boolean allEndpoints) {
        this(service, port, kind, allEndpoints, null);
    }

    /** The Service port {@code p} is addressed to on node {@code nodeName}, or null when it is no Service's. */
    public static ServiceTarget of(Packet p, IPCache ipCache, String nodeName) {
        IpEntity e = ipCache.lookup(p.dst());
        if (e instanceof IpEntity.ServiceEntity s) {
            for (KService.Port port : s.service().ports()) {
                if (port.port() == p.dport() && port.protocol() == p.protocol()) {
                    boolean local = "Local".equals(s.kind() == IpEntity.ServiceIpKind.CLUSTER_IP
                            ? s.service().internalTrafficPolicy() : s.service().externalTrafficPolicy());
                    return new ServiceTarget(s.service(), port, s.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '), !local,
                            IpFamily.of(p.dst()));
                }
            }
            return null;
        }
        if (e instanceof IpEntity.NodeEntity n && n.node().name().equals(nodeName)) {
            for (KService svc : ipCache.objects().services()) {
                for (KService.Port port : svc.ports()) {
                    if (port.nodePort() != null && port.nodePort() == p.dport() && port.protocol() == p.protocol()) {
                        return new ServiceTarget(svc, port, "node port on", !"Local".equals(svc.externalTrafficPolicy()), IpFamily.of(p.dst()));
                    }
                }
            }
        }
        return null;
    }

    /** {@code Service default/web port 80/TCP (cluster ip 10.96.0.2:80)}. */
    public String describe(Packet before) {
        return "Service " + service.key() + " port " + port.port() + "/" + port.protocol() + " (" + kind + " " + before.dst().withPort(before.dport()) + ")";
    }

    /** The endpoints of this Service port in the EndpointSlices of {@link #family} (all families when null). */
    public List<ServiceEndpoint> endpoints(IPCache ipCache) {
        return ipCache.endpoints(service, String.valueOf(port.port()), port.protocol(), family);
    }

    /** The endpoints kube-proxy uses: the ready ones, else the serving-and-terminating ones (its fallback). */
    public static List<ServiceEndpoint> usable(List<ServiceEndpoint> eps) {
        List<ServiceEndpoint> ready = eps.stream().filter(ServiceEndpoint::isReady).toList();
        return ready.isEmpty() ? eps.stream().filter(e -> e.isServing() && e.isTerminating()).toList() : ready;
    }

    /** {@code ip:port} of each endpoint, sorted. */
    public static TreeSet<String> addresses(List<ServiceEndpoint> eps) {
        TreeSet<String> out = new TreeSet<>();
        eps.forEach(e -> out.add(e.ip().withPort(e.port())));
        return out;
    }

    /**
     * WARNINGs where the node's rules and the EndpointSlices disagree: a backend the rules send to that is no usable
     * endpoint (stale rules), and — when the rules reach any backend and no Local policy applies — a usable endpoint
     * they never reach (kube-proxy has not synced).
     *
     * @param backends {@code ip:port} the node's rules send to
     * @param slices   {@code ip:port} of the usable endpoints
     * @param sends    how the mode sends, for the message ({@code rules DNAT to}, {@code IPVS real servers include})
     * @param never    the message's end for an endpoint not reached ({@code rules never DNAT to it})
     */
    public void crossCheck(NetNode node, String what, Collection<String> backends, TreeSet<String> slices, String sends, String never) {
        for (String ep : backends) {
            if (!slices.isEmpty() && !slices.contains(ep)) {
                node.addSuspicion(Suspicion.warning(what + ": node " + node.id() + "'s " + sends + " " + ep
                        + ", which is not a usable endpoint in the EndpointSlices " + slices + " (stale rules)"));
            }
        }
        if (!backends.isEmpty() && allEndpoints) {
            for (String ep : slices) {
                if (!backends.contains(ep)) {
                    node.addSuspicion(Suspicion.warning(what + ": endpoint " + ep + " is usable in the EndpointSlices but node "
                            + node.id() + "'s " + never + " (kube-proxy has not synced)"));
                }
            }
        }
    }
}
