package io.skoop.diagnose;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.IpEntity;
import io.skoop.model.EndpointSpecs;
import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import io.skoop.model.Names;
import io.skoop.model.Protocol;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KubeObjects;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves the endpoints of a {@link Query} against a snapshot's objects, kubectl style:
 * {@code NS/POD}, {@code pod/NS/POD}, {@code node/NAME}, {@code svc/NS/NAME} ({@code service/…}),
 * or an IP (a pod's, a node's, a Service's, or one outside the cluster). A Service's cluster IP with a port number the
 * Service does not have is a Service target without a Service port (what the data path does with it is the answer);
 * {@code svc/NS/NAME} with such a port fails, listing the Service's ports. With a namespace for bare
 * names (kubectl's {@code -n}): {@code NAME} is the pod NAME of that namespace, else the node NAME,
 * else the Service NAME of that namespace; {@code pod/NAME}, {@code svc/NAME} are in that namespace.
 * {@code NS/NAME} that names no pod but a Service is the Service; when it names both, the error asks
 * which. Unknown names fail with the close matches.
 */
public final class Targets {
    private final IPCache ipCache;

    /** @param ipCache the snapshot's objects and addresses */
    public Targets(IPCache ipCache) {
        this.ipCache = ipCache;
    }

    /**
     * The client of a query: a pod, a node, or an external IP.
     *
     * @throws IllegalArgumentException for a Service (it cannot originate a connection), an unknown name (with close
     *                                  matches), an unscheduled pod or a pod without IP, or an IP inside the cluster's
     *                                  ranges that no pod or node has
     */
    public Target source(String spec) {
        return source(spec, "default");
    }

    /** {@link #source(String)} with {@code namespace} for bare names. */
    public Target source(String spec, String namespace) {
        return source(spec, namespace, null);
    }

    /**
     * {@link #source(String, String)} at the source's address of {@code family} (null: its primary address).
     *
     * @throws IllegalArgumentException as {@link #source(String)}, or when a named source has no address of {@code family}
     */
    public Target source(String spec, String namespace, IpFamily family) {
        Target t = resolve(qualified(spec, namespace, true), null, Protocol.TCP, true, family);
        if (t.kind() == Target.Kind.SERVICE) {
            throw new IllegalArgumentException("source " + spec + " is a Service: a connection starts at a pod, a node or an external IP");
        }
        return t;
    }

    /**
     * The address an endpoint has — a pod's, a node's, a Service's cluster IP, an IP itself — resolved as a query's
     * endpoints are, with no port.
     *
     * @throws IllegalArgumentException for an unknown name (with close matches), a pod without IP, a headless Service
     */
    public Ip address(String spec) {
        return address(spec, null);
    }

    /**
     * {@link #address(String)} of {@code family} (null: the primary one): a pod's {@code status.podIPs} entry, a node's
     * InternalIP, a Service's {@code spec.clusterIPs} entry of that family; an IP literal as written.
     *
     * @throws IllegalArgumentException as {@link #address(String)}, or when the endpoint has no address of {@code family}
     */
    public Ip address(String spec, IpFamily family) {
        Target t = resolve(spec, null, Protocol.TCP, true, family);
        if (t.kind() == Target.Kind.SERVICE && (t.service().headless() || t.service().clusterIPs().isEmpty())) {
            throw new IllegalArgumentException("Service " + t.service().key() + " is headless (clusterIP: None): it has no address of its own");
        }
        return t.ip();
    }

    /**
     * The server of a query, with the port packets are sent to.
     *
     * @param port a port number; for a Service also a port name, or null when the Service has one port
     * @throws IllegalArgumentException for an unknown name (with close matches), a missing or invalid port, or a
     *                                  Service without such a port (listing its ports)
     */
    public Target destination(String spec, String port, Protocol protocol) {
        return destination(spec, port, protocol, "default");
    }

    /** {@link #destination(String, String, Protocol)} with {@code namespace} for bare names. */
    public Target destination(String spec, String port, Protocol protocol, String namespace) {
        return destination(spec, port, protocol, namespace, null);
    }

    /**
     * {@link #destination(String, String, Protocol, String)} at the destination's address of {@code family} (null: its
     * primary address): a pod's {@code status.podIPs} entry, a node's InternalIP, a Service's {@code spec.clusterIPs}
     * entry of that family. An address literal is taken as written.
     *
     * @throws IllegalArgumentException as {@link #destination(String, String, Protocol)}, or when a named destination
     *                                  has no address of {@code family} (listing the ones it has)
     */
    public Target destination(String spec, String port, Protocol protocol, String namespace, IpFamily family) {
        return resolve(qualified(spec, namespace, false), port, protocol, false, family);
    }

    /**
     * The endpoint written in full ({@code pod/NS/NAME}, {@code node/NAME}, {@code svc/NS/NAME}) when {@code spec} is a
     * bare name, a kind with a bare name, or an {@code NS/NAME} that is only a Service; else {@code spec} as it is.
     *
     * @throws IllegalArgumentException for a bare name that is nothing (close matches among the namespace's pods and
     *                                  Services and the nodes), or an NS/NAME that is a pod and a Service
     */
    String qualified(String spec, String namespace, boolean source) {
        KubeObjects o = ipCache.objects();
        return EndpointSpecs.qualified(spec, namespace, source, new EndpointSpecs.Catalog() {
            @Override
            public boolean hasPod(String ns, String name) {
                return o.findPod(ns, name).isPresent();
            }

            @Override
            public boolean hasNode(String name) {
                return o.findNode(name).isPresent();
            }

            @Override
            public boolean hasService(String ns, String name) {
                return o.findService(ns, name).isPresent();
            }

            @Override
            public List<String> podNames(String ns) {
                return o.pods().stream().filter(p -> p.namespace().equals(ns)).map(KPod::name).toList();
            }

            @Override
            public List<String> nodeNames() {
                return o.nodes().stream().map(KNode::name).toList();
            }

            @Override
            public List<String> serviceNames(String ns) {
                return o.services().stream().filter(v -> v.namespace().equals(ns)).map(KService::name).toList();
            }
        });
    }

    private Target resolve(String spec, String port, Protocol protocol, boolean source, IpFamily family) {
        String s = spec.trim();
        String role = source ? "source" : "destination";
        Ip ip = Ip.tryParse(s);
        if (ip != null) {
            return byIp(ip, port, protocol, source, role);
        }
        String[] parts = s.split("/", -1);
        String kind = parts.length == 3 || (parts.length == 2 && (parts[0].equals("node") || parts[0].equals("no")
                || parts[0].equals("nodes"))) ? parts[0] : "pod";
        String[] rest = kind.equals("pod") && parts.length == 2 ? parts : java.util.Arrays.copyOfRange(parts, 1, parts.length);
        switch (kind) {
            case "node", "no", "nodes" -> {
                if (rest.length != 1 || rest[0].isEmpty()) {
                    throw usage(spec, role);
                }
                KNode n = ipCache.node(rest[0]);
                return node(n, number(port, source, spec), role, family);
            }
            case "pod", "po", "pods" -> {
                if (rest.length != 2 || rest[0].isEmpty() || rest[1].isEmpty()) {
                    throw usage(spec, role);
                }
                KPod pod = ipCache.pod(rest[0], rest[1]);
                return pod(pod, number(port, source, spec), null, family);
            }
            case "svc", "service", "services" -> {
                if (rest.length != 2 || rest[0].isEmpty() || rest[1].isEmpty()) {
                    throw usage(spec, role);
                }
                KService svc = ipCache.service(rest[0], rest[1]);
                if (source) {
                    Ip clusterIp = svc.clusterIPs().isEmpty() ? Ip.V4_ANY : family == null ? svc.clusterIPs().get(0)
                            : inFamily(svc.clusterIPs(), family, "Service " + svc.key(), "spec.clusterIPs");
                    return new Target(Target.Kind.SERVICE, "svc/" + svc.key(), clusterIp, 0, null, null, svc, null);
                }
                return service(svc, port, protocol, spec, family);
            }
            default -> throw new IllegalArgumentException("unknown kind '" + kind + "' in " + role + " " + spec
                    + ": expected NAMESPACE/POD, pod/NAMESPACE/POD, node/NAME, svc/NAMESPACE/NAME or an IP"
                    + Names.didYouMean(kind, List.of("pod", "node", "svc", "service")));
        }
    }

    private Target byIp(Ip ip, String port, Protocol protocol, boolean source, String role) {
        IpEntity e = ipCache.lookup(ip);
        int p = e instanceof IpEntity.ServiceEntity ? 0 : number(port, source, ip.toString());
        if (e instanceof IpEntity.PodEntity pe) {
            return pod(pe.pod(), p, ip, null);
        }
        if (e instanceof IpEntity.NodeEntity ne) {
            return new Target(Target.Kind.NODE, "node/" + ne.node().name(), ip, p, null, ne.node(), null, null);
        }
        if (e instanceof IpEntity.ServiceEntity se) {
            if (!source && unservedPort(se.service(), port, protocol)) {
                // a real question (a client configured with the wrong port): no Service port, the walk shows what the
                // node does with it (kube-proxy nftables rejects it, iptables mode routes it on)
                return new Target(Target.Kind.SERVICE, ip.toString(), ip, number(port, false, ip.toString()), null, null, se.service(), null);
            }
            Target t = service(se.service(), port, protocol, ip.toString(), null);
            return new Target(Target.Kind.SERVICE, ip.toString(), ip, t.port(), null, null, se.service(), t.servicePort());
        }
        IpEntity.ExternalEntity x = (IpEntity.ExternalEntity) e;
        if (source && x.insideCluster()) {
            throw new IllegalArgumentException("source " + x.describe()
                    + ": a source must be a pod, a node or an address outside the cluster");
        }
        return new Target(Target.Kind.EXTERNAL, ip.toString(), ip, p, null, null, null, null);
    }

    /** Whether {@code port} is a port number the Service has no port of {@code protocol} with. */
    private static boolean unservedPort(KService svc, String port, Protocol protocol) {
        return port != null && !port.isEmpty() && port.chars().allMatch(Character::isDigit)
                && svc.ports().stream().noneMatch(p -> p.protocol() == protocol && String.valueOf(p.port()).equals(port));
    }

    /** The first of {@code ips} of {@code family}. @throws IllegalArgumentException naming {@code what} and its addresses when none is */
    private static Ip inFamily(List<Ip> ips, IpFamily family, String what, String field) {
        return ips.stream().filter(a -> IpFamily.of(a) == family).findFirst().orElseThrow(() -> new IllegalArgumentException(
                what + " has no " + family + " address (" + field + ": " + (ips.isEmpty() ? "none" : ips.stream().map(Ip::toString)
                        .collect(java.util.stream.Collectors.joining(", "))) + ")"));
    }

    /** A pod target at {@code ip} (one of its podIPs), or at its primary IP when {@code ip} is null. */
    /** A pod at {@code ip}, else at its address of {@code family}, else at its primary address; unscheduled and IP-less pods refused first. */
    private Target pod(KPod pod, int port, Ip ip, IpFamily family) {
        if (pod.nodeName() == null) {
            throw new IllegalArgumentException("pod " + pod.key() + " is not scheduled (no spec.nodeName): it has no network");
        }
        if (pod.podIP() == null) {
            throw new IllegalArgumentException("pod " + pod.key() + " has no IP (status.podIP empty; phase " + pod.phase() + ")");
        }
        if (ip == null && family != null) {
            ip = inFamily(pod.podIPs(), family, "pod " + pod.key(), "status.podIPs");
        }
        KNode node = pod.hostNetwork() ? ipCache.node(pod.nodeName()) : null;
        return new Target(Target.Kind.POD, pod.key(), ip != null ? ip : pod.podIP(), port, pod, node, null, null);
    }

    private Target node(KNode n, int port, String role, IpFamily family) {
        if (n.internalIPs().isEmpty() && n.externalIPs().isEmpty()) {
            throw new IllegalArgumentException(role + " node " + n.name() + " has no InternalIP or ExternalIP in status.addresses");
        }
        List<Ip> all = new java.util.ArrayList<>(n.internalIPs());
        all.addAll(n.externalIPs());
        Ip ip = family == null ? all.get(0) : inFamily(all, family, role + " node " + n.name(), "status.addresses");
        return new Target(Target.Kind.NODE, "node/" + n.name(), ip, port, null, n, null, null);
    }

    private Target service(KService svc, String port, Protocol protocol, String spec, IpFamily family) {
        if (svc.headless() || svc.clusterIPs().isEmpty()) {
            throw new IllegalArgumentException("Service " + svc.key() + " is headless (clusterIP: None): connect to one of its pods instead");
        }
        KService.Port sp;
        if (port == null) {
            List<KService.Port> same = svc.ports().stream().filter(p -> p.protocol() == protocol).toList();
            if (same.size() != 1) {
                throw new IllegalArgumentException("Service " + svc.key() + " has " + same.size() + " " + protocol.ianaName()
                        + " ports; say which with -p (ports: " + String.join(", ", svc.ports().stream().map(KService.Port::toString).toList()) + ")");
            }
            sp = same.get(0);
        } else {
            sp = ipCache.servicePort(svc, port, protocol);
        }
        Ip ip = family == null ? svc.clusterIPs().get(0) : inFamily(svc.clusterIPs(), family, "Service " + svc.key(), "spec.clusterIPs");
        return new Target(Target.Kind.SERVICE, "svc/" + svc.key(), ip, sp.port(), null, null, svc, sp);
    }

    private static int number(String port, boolean source, String spec) {
        if (source) {
            return 0;
        }
        if (port == null) {
            throw new IllegalArgumentException("destination " + spec + " needs a port (-p PORT)");
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + port + "' of " + spec + " is not a number in 1..65535"
                    + " (a port name works only for a Service)");
        }
    }

    private static IllegalArgumentException usage(String spec, String role) {
        return new IllegalArgumentException("cannot read " + role + " '" + spec
                + "': expected NAMESPACE/POD, pod/NAMESPACE/POD, node/NAME, svc/NAMESPACE/NAME or an IP");
    }
}
