package io.skoop.k8s;

import io.skoop.k8s.IpEntity.ExternalEntity;
import io.skoop.k8s.IpEntity.NodeEntity;
import io.skoop.k8s.IpEntity.PodEntity;
import io.skoop.k8s.IpEntity.ServiceEntity;
import io.skoop.k8s.IpEntity.ServiceIpKind;
import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import io.skoop.model.Names;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import io.skoop.snapshot.Snapshot;
import io.skoop.snapshot.SnapshotMeta;
import io.skoop.snapshot.k8s.KEndpointSlice;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;
import io.skoop.snapshot.k8s.KubeObjects;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is who in a cluster, from its Kubernetes objects: what an IP address is (a pod, a node, a Service address or
 * none of them), the pods, nodes and Services by name, and the endpoints of a Service port. Built once from a
 * snapshot's objects; immutable.
 *
 * <p>Addresses come from: pods' {@code status.podIPs} (pods with their own network namespace only: a
 * {@code hostNetwork} pod "uses the host's network namespace" and its podIPs are its node's addresses); nodes'
 * {@code status.addresses} of type InternalIP and ExternalIP; Services' {@code spec.clusterIPs},
 * {@code spec.externalIPs} and {@code status.loadBalancer.ingress[].ip}.
 */
public final class IPCache {
    private final KubeObjects objects;
    private final List<Prefix> clusterCIDRs;
    private final List<Prefix> serviceCIDRs;
    private final Map<Ip, List<IpEntity>> byIp = new HashMap<>();

    /**
     * @param objects     the cluster's objects
     * @param clusterCIDR the cluster CIDR (podCIDRs lie inside), or null when unknown
     * @param serviceCIDR the service CIDR, or null when unknown
     */
    public IPCache(KubeObjects objects, Prefix clusterCIDR, Prefix serviceCIDR) {
        this(objects, clusterCIDR == null ? List.of() : List.of(clusterCIDR), serviceCIDR == null ? List.of() : List.of(serviceCIDR));
    }

    /**
     * @param objects      the cluster's objects
     * @param clusterCIDRs the cluster CIDRs, one per family (dual-stack), empty (or null) when unknown
     * @param serviceCIDRs the service CIDRs, one per family, empty (or null) when unknown
     */
    public IPCache(KubeObjects objects, List<Prefix> clusterCIDRs, List<Prefix> serviceCIDRs) {
        this.objects = objects;
        this.clusterCIDRs = clusterCIDRs == null ? List.of() : List.copyOf(clusterCIDRs);
        this.serviceCIDRs = serviceCIDRs == null ? List.of() : List.copyOf(serviceCIDRs);
        Map<Ip, List<KPod>> claims = new HashMap<>();
        for (KPod p : objects.pods()) {
            if (!p.hostNetwork()) {
                p.podIPs().forEach(ip -> claims.computeIfAbsent(ip, k -> new ArrayList<>()).add(p));
            }
        }
        claims.forEach((ip, pods) -> {
            // a Running pod wins over stale ones (Succeeded/Failed pods keep their IP in status; IPAM reuses it)
            KPod holder = pods.stream().filter(KPod::isRunning).findFirst().orElse(pods.get(0));
            add(ip, new PodEntity(ip, holder, pods.stream().filter(p -> p != holder).toList()));
        });
        for (KNode n : objects.nodes()) {
            n.internalIPs().forEach(ip -> add(ip, new NodeEntity(ip, n, "InternalIP")));
            n.externalIPs().forEach(ip -> add(ip, new NodeEntity(ip, n, "ExternalIP")));
        }
        for (KService s : objects.services()) {
            s.clusterIPs().forEach(ip -> add(ip, new ServiceEntity(ip, s, ServiceIpKind.CLUSTER_IP)));
            s.externalIPs().forEach(ip -> add(ip, new ServiceEntity(ip, s, ServiceIpKind.EXTERNAL_IP)));
            s.loadBalancerIngress().forEach(ip -> add(ip, new ServiceEntity(ip, s, ServiceIpKind.LOAD_BALANCER_INGRESS)));
        }
        byIp.replaceAll((ip, entities) -> List.copyOf(entities));
    }

    /** The cache of a snapshot: its objects, and the cluster and service CIDRs (of each family) of its snapshot.json. */
    public static IPCache of(Snapshot snapshot) {
        SnapshotMeta m = snapshot.meta();
        return new IPCache(snapshot.objects(), m.clusterCIDRs(), m.serviceCIDRs());
    }

    /** The objects it was built from. */
    public KubeObjects objects() {
        return objects;
    }

    /**
     * What {@code ip} is: a pod, else a node, else a Service address (see {@link #lookupAll} when an address is two
     * things, e.g. a node address that is also a Service's externalIP), else an {@link ExternalEntity} saying whether
     * it lies in the cluster CIDR, a node's podCIDR or the service CIDR.
     */
    public IpEntity lookup(Ip ip) {
        return lookupAll(ip).get(0);
    }

    /**
     * Everything {@code ip} is, pod first, then nodes, then Service addresses, in object order; a single
     * {@link ExternalEntity} when it is none of them.
     */
    public List<IpEntity> lookupAll(Ip ip) {
        List<IpEntity> known = byIp.get(ip);
        if (known != null) {
            return known;
        }
        KNode podCIDRNode = objects.nodes().stream().filter(n -> n.podCIDRContains(ip)).findFirst().orElse(null);
        return List.of(new ExternalEntity(ip, holding(clusterCIDRs, ip), podCIDRNode, holding(serviceCIDRs, ip)));
    }

    /** The range of {@code ranges} that holds {@code ip}, or null. */
    private static Prefix holding(List<Prefix> ranges, Ip ip) {
        return ranges.stream().filter(r -> r.contains(ip)).findFirst().orElse(null);
    }

    /** @throws IllegalArgumentException naming the pods of the namespace and the closest name when there is none */
    public KPod pod(String namespace, String name) {
        return objects.pod(namespace, name);
    }

    /** @throws IllegalArgumentException naming the nodes and the closest name when there is none */
    public KNode node(String name) {
        return objects.node(name);
    }

    /** @throws IllegalArgumentException naming the Services of the namespace and the closest name when there is none */
    public KService service(String namespace, String name) {
        return objects.service(namespace, name);
    }

    /**
     * The Service port named {@code port}, or numbered {@code port} when it is a number.
     *
     * @param protocol the port's protocol, or null when the name or number alone decides
     * @throws IllegalArgumentException naming the Service's ports when none matches, or when a number matches several
     *                                  protocols (DNS: 53/UDP and 53/TCP) and no protocol was given
     */
    public KService.Port servicePort(KService service, String port, Protocol protocol) {
        boolean numeric = !port.isEmpty() && port.chars().allMatch(Character::isDigit);
        List<KService.Port> matches = service.ports().stream()
                .filter(p -> numeric ? String.valueOf(p.port()).equals(port) : port.equals(p.name()))
                .filter(p -> protocol == null || p.protocol() == protocol).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        String ports = String.join(", ", service.ports().stream().map(KService.Port::toString).toList());
        if (matches.isEmpty()) {
            List<String> names = service.ports().stream().map(KService.Port::name).filter(n -> n != null).toList();
            throw new IllegalArgumentException(service + " has no port " + port + (protocol == null ? "" : "/" + protocol)
                    + " (ports: " + ports + ")" + (numeric ? "" : Names.didYouMean(port, names)));
        }
        throw new IllegalArgumentException(service + " has several ports " + port + " (" + ports + "); say which protocol");
    }

    /**
     * The endpoints of a Service port, from the Service's EndpointSlices the way kube-proxy reads them: slices of
     * address type IPv4/IPv6 labelled {@code kubernetes.io/service-name}; in each, the slice port with the Service
     * port's name ({@code ""} when unnamed) and protocol gives the target port (a slice port with no number, "all
     * ports", is skipped, as kube-proxy does); each endpoint's first address. Ready, serving and terminating
     * endpoints are all kept. An address:port listed twice (two slices during an update) is kept once. Sorted by
     * address, then port.
     *
     * @param port     a Service port name or number (see {@link #servicePort})
     * @param protocol its protocol, or null when the name or number decides
     * @throws IllegalArgumentException when the Service has no such port
     */
    public List<ServiceEndpoint> endpoints(KService service, String port, Protocol protocol) {
        return endpoints(service, port, protocol, null);
    }

    /**
     * {@link #endpoints(KService, String, Protocol)} from the slices of {@code addressType} {@code family} only (null:
     * both), as the proxier of one family reads them (kube-proxy's EndpointSliceCache per IP family).
     *
     * @throws IllegalArgumentException when the Service has no such port
     */
    public List<ServiceEndpoint> endpoints(KService service, String port, Protocol protocol, IpFamily family) {
        KService.Port sp = servicePort(service, port, protocol);
        List<ServiceEndpoint> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (KEndpointSlice slice : objects.endpointSlices(service)) {
            if (!slice.isIp() || family != null && !family.name().equals(slice.addressType())) {
                continue;
            }
            for (KEndpointSlice.Port p : slice.ports()) {
                if (!p.name().equals(sp.sliceName()) || p.protocol() != sp.protocol() || p.port() == null) {
                    continue;
                }
                for (KEndpointSlice.Endpoint e : slice.endpoints()) {
                    if (e.addresses().isEmpty() || !seen.add(e.addresses().get(0) + ":" + p.port())) {
                        continue;
                    }
                    KPod pod = e.targetRef() == null || !"Pod".equals(e.targetRef().kind()) ? null
                            : objects.findPod(e.targetRef().namespace() == null ? service.namespace() : e.targetRef().namespace(),
                                    e.targetRef().name()).orElse(null);
                    String node = e.nodeName() != null ? e.nodeName() : pod == null ? null : pod.nodeName();
                    out.add(new ServiceEndpoint(service, sp, e.addresses().get(0), p.port(), p.protocol(), e.conditions(), node, pod, slice));
                }
            }
        }
        out.sort(Comparator.comparing(ServiceEndpoint::ip).thenComparingInt(ServiceEndpoint::port));
        return out;
    }

    private void add(Ip ip, IpEntity e) {
        byIp.computeIfAbsent(ip, k -> new ArrayList<>()).add(e);
    }
}
