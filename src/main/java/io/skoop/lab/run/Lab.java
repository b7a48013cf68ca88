package io.skoop.lab.run;

import io.skoop.lab.plan.LabNetns;
import io.skoop.lab.topology.ExternalHost;
import io.skoop.model.IpFamily;
import io.skoop.model.EndpointSpecs;
import io.skoop.model.Names;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedService;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab that is up (or was being built): its saved entry and its topology, and the way from the names users
 * type to namespaces and addresses.
 *
 * <p>Targets are written as in kubectl: a node or external host by name ({@code node-1}, {@code internet}, or {@code
 * node/node-1}), a pod as {@code namespace/pod} ({@code default/client}, or {@code pod/default/client}), a Service as
 * {@code svc/namespace/name}; a destination may also be an IPv4 address. Bare names and {@code NS/NAME} of a Service
 * are written in full first by {@link io.skoop.model.EndpointSpecs#qualified} over {@link #catalog()}, as {@code skoop
 * diagnose} reads them.
 *
 * @param entry    what the store holds
 * @param topology the topology it was built from
 */
public record Lab(LabStore.Entry entry, ResolvedTopology topology) {

    /** The name of the lab. */
    public String name() {
        return entry.name();
    }

    /**
     * The namespace of a source: a node, an external host or {@code namespace/pod}.
     *
     * @throws IllegalArgumentException naming the known targets (and the closest) when there is no such target
     */
    public String netns(String spec) {
        String lab = name();
        String target = unkinded(spec);
        if (target.contains("/")) {
            if (target.startsWith("svc/")) {
                throw new IllegalArgumentException("a Service (" + target + ") is a destination, not a place to run in; "
                        + "use a node, an external host or namespace/pod");
            }
            return LabNetns.pod(lab, pod(target));
        }
        return host(target).netns();
    }

    /**
     * The IPv4 address of a destination: a node's InternalIP, an external host's address, a pod's IP, a Service's
     * cluster IP ({@code svc/namespace/name}) or an address literal (of either family).
     *
     * @throws IllegalArgumentException naming the known targets when there is no such target, or when the target has
     *                                  no IPv4 address (an IPv6-only Service)
     */
    public Ip address(String spec) {
        return address(spec, IpFamily.IPv4);
    }

    /**
     * The address of a destination in {@code family} (a literal is returned as it is, whatever its family): a node's
     * InternalIP, an external host's address, a pod's IP ({@code status.podIPs}), a Service's cluster IP of the family
     * ({@code spec.clusterIPs}).
     *
     * @throws IllegalArgumentException naming the known targets when there is no such target, or when the target has no
     *                                  address of {@code family}
     */
    public Ip address(String spec, IpFamily family) {
        String target = unkinded(spec);
        Ip literal = Ip.tryParse(target);
        if (literal != null) {
            return literal;
        }
        Ip ip;
        if (target.startsWith("svc/")) {
            ip = service(target.substring(4)).service().clusterIP(family);
        } else if (target.contains("/")) {
            ip = pod(target).ip(family);
        } else {
            ip = host(target, family);
        }
        if (ip == null) {
            throw new IllegalArgumentException(target + " has no " + family + " address" + (topology.dualStack() ? ""
                    : " (lab " + name() + " is IPv4 single-stack)"));
        }
        return ip;
    }

    /**
     * A target in the lab's own notation: {@code pod/NS/NAME} as {@code NS/NAME}, {@code node/NAME} as {@code NAME},
     * {@code service/NS/NAME} as {@code svc/NS/NAME}; anything else as it is.
     */
    public static String unkinded(String spec) {
        String s = spec.trim();
        String[] parts = s.split("/", -1);
        if (parts.length == 3 && List.of("pod", "po", "pods").contains(parts[0])) {
            return parts[1] + "/" + parts[2];
        }
        if (parts.length == 3 && List.of("service", "services").contains(parts[0])) {
            return "svc/" + parts[1] + "/" + parts[2];
        }
        if (parts.length == 2 && List.of("node", "no", "nodes").contains(parts[0])) {
            return parts[1];
        }
        return s;
    }

    /** The lab's names for {@link EndpointSpecs#qualified}: its pods, its Services, its nodes and external hosts. */
    public EndpointSpecs.Catalog catalog() {
        return new EndpointSpecs.Catalog() {
            @Override
            public boolean hasPod(String ns, String name) {
                return podNames(ns).contains(name);
            }

            @Override
            public boolean hasNode(String name) {
                return nodeNames().contains(name);
            }

            @Override
            public boolean hasService(String ns, String name) {
                return serviceNames(ns).contains(name);
            }

            @Override
            public List<String> podNames(String ns) {
                return topology.pods().stream().filter(p -> p.namespace().equals(ns)).map(Pod::name).toList();
            }

            @Override
            public List<String> nodeNames() {
                List<String> out = new ArrayList<>();
                topology.nodes().forEach(n -> out.add(n.name()));
                topology.externalHosts().forEach(h -> out.add(h.name()));
                return out;
            }

            @Override
            public List<String> serviceNames(String ns) {
                return topology.services().stream().filter(v -> v.service().namespace().equals(ns)).map(v -> v.service().name()).toList();
            }
        };
    }

    /** A node or an external host: where it runs and its address. */
    private record Host(String netns, Ip address) {
    }

    private Ip host(String name, IpFamily family) {
        for (Node n : topology.nodes()) {
            if (n.name().equals(name)) {
                return n.address(family);
            }
        }
        for (ExternalHost h : topology.externalHosts()) {
            if (h.name().equals(name)) {
                return h.address(family);
            }
        }
        Ip a = host(name).address();
        return IpFamily.of(a) == family ? a : null;
    }

    private Host host(String name) {
        for (Node n : topology.nodes()) {
            if (n.name().equals(name)) {
                return new Host(LabNetns.node(name(), n), n.address());
            }
        }
        for (ExternalHost h : topology.externalHosts()) {
            if (h.name().equals(name)) {
                return new Host(LabNetns.external(name(), h), h.address());
            }
        }
        throw new IllegalArgumentException("lab " + name() + " has no node or external host '" + name
                + "' (pods are namespace/pod, Services svc/namespace/name); targets: " + String.join(", ", targets())
                + Names.didYouMean(name, targets()));
    }

    /** Every name a target can be: nodes, external hosts, {@code namespace/pod}, {@code svc/namespace/name}. */
    public List<String> targets() {
        List<String> all = new ArrayList<>();
        topology.nodes().forEach(n -> all.add(n.name()));
        topology.externalHosts().forEach(h -> all.add(h.name()));
        topology.pods().forEach(p -> all.add(p.key()));
        topology.services().forEach(s -> all.add("svc/" + s.service().key()));
        return all;
    }

    private Pod pod(String key) {
        if (key.chars().filter(c -> c == '/').count() != 1) {
            throw new IllegalArgumentException("'" + key + "' is neither a node nor namespace/pod nor svc/namespace/name");
        }
        List<String> pods = topology.pods().stream().map(Pod::key).toList();
        return topology.pods().stream().filter(p -> p.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + name() + " has no pod '" + key + "'; pods: "
                        + String.join(", ", pods) + Names.didYouMean(key, pods)));
    }

    private ResolvedService service(String key) {
        List<String> svcs = topology.services().stream().map(s -> s.service().key()).toList();
        return topology.services().stream().filter(s -> s.service().key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + name() + " has no Service '" + key + "'; Services: "
                        + String.join(", ", svcs) + Names.didYouMean(key, svcs)));
    }
}
