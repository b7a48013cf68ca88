package io.skoop.snapshot.k8s;

import io.skoop.model.Names;
import io.skoop.netstack.parse.ParseException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The Kubernetes objects of a snapshot ({@code SNAPSHOT/k8s/*.json}, docs/snapshot.md), typed and indexed: nodes by
 * name, pods, Services and ConfigMaps by {@code namespace/name}, EndpointSlices by their Service. Immutable.
 */
public final class KubeObjects {
    /** The files read from {@code k8s/}: what {@code kubectl get <kind> -A -o json} prints. */
    public static final List<String> FILES = List.of("namespaces.json", "nodes.json", "pods.json", "services.json",
            "endpointslices.json", "configmaps.json");
    /**
     * The policy files, read when present: NetworkPolicies ({@code kubectl get networkpolicies -A -o json}) and the
     * cluster-scoped AdminNetworkPolicies and BaselineAdminNetworkPolicies (served only where their CRDs are
     * installed). A snapshot without {@code networkpolicies.json} cannot say which policies exist.
     */
    public static final List<String> POLICY_FILES = List.of("networkpolicies.json", "adminnetworkpolicies.json",
            "baselineadminnetworkpolicies.json");
    /** Calico's objects, read when present: {@code kubectl get ippools.crd.projectcalico.org -o json}, blockaffinities. */
    public static final List<String> CALICO_FILES = List.of("ippools.json", "blockaffinities.json");
    /** How many names an unknown-name error lists at most. */
    private static final int LISTED = 20;

    private final List<KNamespace> namespaces;
    private final List<KNode> nodes;
    private final List<KPod> pods;
    private final List<KService> services;
    private final List<KEndpointSlice> endpointSlices;
    private final List<KConfigMap> configMaps;
    private final List<KNetworkPolicy> networkPolicies;
    private final List<KAdminNetworkPolicy> adminNetworkPolicies;
    private final boolean policiesCollected;
    private final List<KIPPool> ipPools;
    private final List<KBlockAffinity> blockAffinities;
    private final Map<String, KNode> nodeByName;
    private final Map<String, KPod> podByKey;
    private final Map<String, KService> serviceByKey;
    private final Map<String, KConfigMap> configMapByKey;

    /** The objects as given (list order kept), from a source that did not collect policies. */
    public KubeObjects(List<KNamespace> namespaces, List<KNode> nodes, List<KPod> pods, List<KService> services,
                       List<KEndpointSlice> endpointSlices, List<KConfigMap> configMaps) {
        this(namespaces, nodes, pods, services, endpointSlices, configMaps, List.of(), List.of(), false);
    }

    /**
     * The objects as given (list order kept).
     *
     * @param adminNetworkPolicies AdminNetworkPolicies and BaselineAdminNetworkPolicies
     * @param policiesCollected    whether the source listed NetworkPolicies (false: which exist is not known)
     */
    public KubeObjects(List<KNamespace> namespaces, List<KNode> nodes, List<KPod> pods, List<KService> services,
                       List<KEndpointSlice> endpointSlices, List<KConfigMap> configMaps, List<KNetworkPolicy> networkPolicies,
                       List<KAdminNetworkPolicy> adminNetworkPolicies, boolean policiesCollected) {
        this(namespaces, nodes, pods, services, endpointSlices, configMaps, networkPolicies, adminNetworkPolicies, policiesCollected,
                List.of(), List.of());
    }

    /**
     * The objects as given (list order kept), with Calico's.
     *
     * @param ipPools         Calico IPPools
     * @param blockAffinities Calico BlockAffinities
     */
    public KubeObjects(List<KNamespace> namespaces, List<KNode> nodes, List<KPod> pods, List<KService> services,
                       List<KEndpointSlice> endpointSlices, List<KConfigMap> configMaps, List<KNetworkPolicy> networkPolicies,
                       List<KAdminNetworkPolicy> adminNetworkPolicies, boolean policiesCollected, List<KIPPool> ipPools,
                       List<KBlockAffinity> blockAffinities) {
        this.ipPools = List.copyOf(ipPools);
        this.blockAffinities = List.copyOf(blockAffinities);
        this.networkPolicies = List.copyOf(networkPolicies);
        this.adminNetworkPolicies = List.copyOf(adminNetworkPolicies);
        this.policiesCollected = policiesCollected;
        this.namespaces = List.copyOf(namespaces);
        this.nodes = List.copyOf(nodes);
        this.pods = List.copyOf(pods);
        this.services = List.copyOf(services);
        this.endpointSlices = List.copyOf(endpointSlices);
        this.configMaps = List.copyOf(configMaps);
        this.nodeByName = index(this.nodes, KNode::name);
        this.podByKey = index(this.pods, KPod::key);
        this.serviceByKey = index(this.services, KService::key);
        this.configMapByKey = index(this.configMaps, KConfigMap::key);
    }

    /**
     * Reads {@link #FILES} from a snapshot's {@code k8s/} folder.
     *
     * The {@link #POLICY_FILES} are read when present.
     *
     * @throws ParseException naming the file (and the line, from Jackson's location) when one is missing, is not
     *                        JSON, or holds a value of the wrong shape (e.g. a pod IP that is not an address)
     */
    public static KubeObjects read(Path k8sDir) {
        Path np = k8sDir.resolve("networkpolicies.json");
        boolean collected = java.nio.file.Files.exists(np);
        List<KAdminNetworkPolicy> admin = new java.util.ArrayList<>();
        for (String f : List.of("adminnetworkpolicies.json", "baselineadminnetworkpolicies.json")) {
            if (java.nio.file.Files.exists(k8sDir.resolve(f))) {
                boolean baseline = f.startsWith("baseline");
                for (KAdminNetworkPolicy p : Wire.readList(k8sDir.resolve(f), KAdminNetworkPolicy.class,
                        baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy")) {
                    // the file says which kind it lists (kubectl sets each item's kind, a hand-made list may not)
                    admin.add(p.baseline() == baseline ? p
                            : new KAdminNetworkPolicy(p.name(), baseline, p.priority(), p.subject(), p.ingress(), p.egress()));
                }
            }
        }
        return new KubeObjects(
                Wire.readList(k8sDir.resolve("namespaces.json"), KNamespace.class, "Namespace"),
                Wire.readList(k8sDir.resolve("nodes.json"), KNode.class, "Node"),
                Wire.readList(k8sDir.resolve("pods.json"), KPod.class, "Pod"),
                Wire.readList(k8sDir.resolve("services.json"), KService.class, "Service"),
                Wire.readList(k8sDir.resolve("endpointslices.json"), KEndpointSlice.class, "EndpointSlice"),
                Wire.readList(k8sDir.resolve("configmaps.json"), KConfigMap.class, "ConfigMap"),
                collected ? Wire.readList(np, KNetworkPolicy.class, "NetworkPolicy") : List.of(), admin, collected,
                optional(k8sDir.resolve("ippools.json"), KIPPool.class, "IPPool"),
                optional(k8sDir.resolve("blockaffinities.json"), KBlockAffinity.class, "BlockAffinity"));
    }

    /** The items of {@code file} when it exists, else none. */
    private static <T> List<T> optional(Path file, Class<T> type, String kind) {
        return java.nio.file.Files.exists(file) ? Wire.readList(file, type, kind) : List.of();
    }

    public List<KNamespace> namespaces() {
        return namespaces;
    }

    public List<KNode> nodes() {
        return nodes;
    }

    public List<KPod> pods() {
        return pods;
    }

    public List<KService> services() {
        return services;
    }

    public List<KEndpointSlice> endpointSlices() {
        return endpointSlices;
    }

    public List<KConfigMap> configMaps() {
        return configMaps;
    }

    /** The NetworkPolicies (empty when not {@link #policiesCollected}). */
    public List<KNetworkPolicy> networkPolicies() {
        return networkPolicies;
    }

    /** The AdminNetworkPolicies and BaselineAdminNetworkPolicies. */
    public List<KAdminNetworkPolicy> adminNetworkPolicies() {
        return adminNetworkPolicies;
    }

    /** Whether the snapshot holds {@code networkpolicies.json} (else which NetworkPolicies exist is not known). */
    public boolean policiesCollected() {
        return policiesCollected;
    }

    /** Calico's IPPools ({@code ippools.json}; empty when absent). */
    public List<KIPPool> ipPools() {
        return ipPools;
    }

    /** Calico's BlockAffinities ({@code blockaffinities.json}; empty when absent). */
    public List<KBlockAffinity> blockAffinities() {
        return blockAffinities;
    }

    /** The namespace named {@code name}, if listed. */
    public Optional<KNamespace> findNamespace(String name) {
        return namespaces.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public Optional<KNode> findNode(String name) {
        return Optional.ofNullable(nodeByName.get(name));
    }

    public Optional<KPod> findPod(String namespace, String name) {
        return Optional.ofNullable(podByKey.get(namespace + "/" + name));
    }

    public Optional<KService> findService(String namespace, String name) {
        return Optional.ofNullable(serviceByKey.get(namespace + "/" + name));
    }

    /** @throws IllegalArgumentException naming the nodes and the closest name when there is no such node */
    public KNode node(String name) {
        return require(nodeByName, "node", null, name);
    }

    /** @throws IllegalArgumentException naming pods of the namespace and the closest name when there is no such pod */
    public KPod pod(String namespace, String name) {
        return require(podByKey, "pod", namespace, namespace + "/" + name);
    }

    /** @throws IllegalArgumentException naming Services of the namespace and the closest name when there is none */
    public KService service(String namespace, String name) {
        return require(serviceByKey, "service", namespace, namespace + "/" + name);
    }

    /** @throws IllegalArgumentException naming ConfigMaps of the namespace and the closest name when there is none */
    public KConfigMap configMap(String namespace, String name) {
        return require(configMapByKey, "configmap", namespace, namespace + "/" + name);
    }

    /** The EndpointSlices of a Service: those in its namespace labelled {@code kubernetes.io/service-name=<name>}. */
    public List<KEndpointSlice> endpointSlices(KService service) {
        return endpointSlices.stream().filter(s -> service.name().equals(s.serviceName()) && service.namespace().equals(s.namespace())).toList();
    }

    private static <T> Map<String, T> index(List<T> objects, Function<T, String> key) {
        Map<String, T> out = new LinkedHashMap<>();
        for (T o : objects) {
            out.putIfAbsent(key.apply(o), o);
        }
        return out;
    }

    /**
     * The object of {@code key}, or an error listing (some of) the objects of the same namespace — of all namespaces
     * for a cluster-scoped kind ({@code namespace} null) — and the closest key among all.
     */
    private static <T> T require(Map<String, T> byKey, String kind, String namespace, String key) {
        T found = byKey.get(key);
        if (found != null) {
            return found;
        }
        List<String> near = namespace == null ? List.copyOf(byKey.keySet())
                : byKey.keySet().stream().filter(k -> k.startsWith(namespace + "/")).map(k -> k.substring(namespace.length() + 1)).toList();
        String listed = near.size() > LISTED ? String.join(", ", near.subList(0, LISTED)) + ", … (" + near.size() + ")" : String.join(", ", near);
        String where = namespace != null ? kind + "s in namespace " + namespace : kind + "s";
        throw new IllegalArgumentException("no " + kind + " " + key + " in the snapshot (" + where + ": "
                + (near.isEmpty() ? "none" : listed) + ")" + Names.didYouMean(key, byKey.keySet()));
    }
}
