package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.model.IpFamily;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedService;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.Service;
import io.skoop.lab.topology.ServiceBackend;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EndpointSlice (discovery.k8s.io/v1) and Endpoints (core/v1) objects, built from the lab's resolved backends the way
 * the controllers build them from pods.
 *
 * <p>Common to both: a Service without a selector gets neither (both controllers skip it); the pods are those of the
 * Service's namespace whose labels match the selector; for each pod the ports are the Service ports whose targetPort
 * resolves against it (FindPort: a number as is, a name looked up among the pod's container ports of the same
 * protocol) — exactly {@link ResolvedService.Port#endpoints()}. Every lab pod is Running and Ready.
 *
 * <p><b>EndpointSlices</b> (staging/src/k8s.io/endpointslice/reconciler.go, utils.go): pods are grouped by their
 * port list (Service port order; an unnamed Service port is published with {@code name: ""}), one slice per group
 * and per 100 endpoints ({@code --max-endpoints-per-slice}), named {@code <service>-xxxxx} (generateName), labelled
 * {@code kubernetes.io/service-name} and {@code endpointslice.kubernetes.io/managed-by:
 * endpointslice-controller.k8s.io}, owned by the Service, one set of slices per {@code spec.ipFamilies} entry with
 * that {@code addressType} (the pods' addresses of the family). So a named targetPort that
 * resolves to different numbers on different pods splits the Service over several slices, and a selected pod that
 * resolves none of the ports lands in a slice with {@code ports: null}. Each endpoint has the pod IP, conditions
 * {@code ready/serving: true, terminating: false}, {@code nodeName} and a targetRef to the pod (its uid). A Service
 * selecting no pod gets the controller's placeholder slice: {@code endpoints: null, ports: null}. Endpoints within
 * a slice follow the topology's pod order (the controller's order is a map's).
 *
 * <p><b>Endpoints</b> (pkg/controller/endpoint, pkg/api/v1/endpoints RepackSubsets): addresses of the Service's
 * primary family only ({@code ipFamilies[0]}); per Service port, the pods it
 * resolves on; ports served by the same set of addresses share a subset. Addresses are sorted by IP text then uid
 * (LessEndpointAddress) and carry {@code nodeName} and a targetRef; an unnamed port has no {@code name}. Subsets
 * and the ports within a subset are in first-seen order (the controller orders both by an MD5 of their Go dump,
 * which is not reproduced). A Service selecting no pod has no {@code subsets}.
 *
 * <p>The {@code default/kubernetes} Service's objects come from kube-apiserver's endpoint reconciler
 * (pkg/controlplane/reconcilers/endpointsadapter.go): Endpoints labelled
 * {@code endpointslice.kubernetes.io/skip-mirror: "true"} and an EndpointSlice named {@code kubernetes}, both with
 * the control-plane node's address and port {@code https} 6443/TCP, the slice's endpoint only {@code ready: true}.
 */
final class EndpointObjects {
    /** kube-controller-manager's default {@code --max-endpoints-per-slice}. */
    static final int MAX_ENDPOINTS_PER_SLICE = 100;
    private static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private EndpointObjects() {
    }

    /** One resolved port of a pod: the Service port's name ("" when unnamed), the target port number, the protocol. */
    private record EndpointPort(String name, int port, Protocol protocol) {
    }

    /** A selected pod and the ports resolved on it, in Service port order. */
    private record PodEndpoint(Pod pod, List<EndpointPort> ports) {
    }

    static List<ObjectNode> slices(ResolvedTopology t, Meta meta) {
        List<ObjectNode> out = new ArrayList<>();
        ObjectNode k = meta.object("discovery.k8s.io/v1", "EndpointSlice", "default", "kubernetes");
        k.withObjectProperty("metadata").putObject("labels").put("kubernetes.io/service-name", "kubernetes");
        k.put("addressType", "IPv4");
        ObjectNode apiserver = k.putArray("endpoints").addObject();
        apiserver.set("addresses", KubeJson.strings(List.of(LabCluster.apiserverAddress(t).toString())));
        apiserver.putObject("conditions").put("ready", true);
        slicePort(k.putArray("ports"), apiserverPort());
        out.add(k);

        Map<String, List<Pod>> byNamespace = podsByNamespace(t);
        for (ResolvedService rs : t.services()) {
            if (rs.service().selector().isEmpty()) {
                continue;
            }
            Map<List<EndpointPort>, List<PodEndpoint>> byPorts = new LinkedHashMap<>();
            for (PodEndpoint pe : podEndpoints(byNamespace, rs)) {
                byPorts.computeIfAbsent(pe.ports(), x -> new ArrayList<>()).add(pe);
            }
            for (IpFamily family : rs.service().ipFamilies()) {
                // the IPv4 slices keep the names they had before dual-stack: the family joins the hashed part for IPv6 only
                String fam = family == IpFamily.IPv4 ? "" : family.name() + "/";
                if (byPorts.isEmpty()) {
                    ObjectNode placeholder = slice(rs.service(), meta, fam + "placeholder", family);
                    placeholder.putNull("endpoints");
                    placeholder.putNull("ports");
                    out.add(placeholder);
                }
                for (Map.Entry<List<EndpointPort>, List<PodEndpoint>> group : byPorts.entrySet()) {
                    List<PodEndpoint> pods = group.getValue();
                    for (int from = 0; from < pods.size(); from += MAX_ENDPOINTS_PER_SLICE) {
                        ObjectNode slice = slice(rs.service(), meta, fam + group.getKey() + "/" + from, family);
                        ArrayNode endpoints = slice.putArray("endpoints");
                        for (PodEndpoint pe : pods.subList(from, Math.min(pods.size(), from + MAX_ENDPOINTS_PER_SLICE))) {
                            ObjectNode e = endpoints.addObject();
                            e.set("addresses", KubeJson.strings(List.of(pe.pod().ip(family).toString())));
                            ObjectNode conditions = e.putObject("conditions");
                            conditions.put("ready", true);
                            conditions.put("serving", true);
                            conditions.put("terminating", false);
                            e.put("nodeName", pe.pod().node());
                            e.set("targetRef", targetRef(pe.pod(), meta));
                        }
                        if (group.getKey().isEmpty()) {
                            slice.putNull("ports");
                        } else {
                            ArrayNode ports = slice.putArray("ports");
                            group.getKey().forEach(p -> slicePort(ports, p));
                        }
                        out.add(slice);
                    }
                }
            }
        }
        return out;
    }

    static List<ObjectNode> endpoints(ResolvedTopology t, Meta meta) {
        List<ObjectNode> out = new ArrayList<>();
        ObjectNode k = meta.object("v1", "Endpoints", "default", "kubernetes");
        k.withObjectProperty("metadata").putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
        ObjectNode subset = k.putArray("subsets").addObject();
        subset.putArray("addresses").addObject().put("ip", LabCluster.apiserverAddress(t).toString());
        subsetPort(subset.putArray("ports"), apiserverPort());
        out.add(k);

        Map<String, List<Pod>> byNamespace = podsByNamespace(t);
        for (ResolvedService rs : t.services()) {
            Service s = rs.service();
            if (s.selector().isEmpty()) {
                continue;
            }
            ObjectNode o = meta.object("v1", "Endpoints", s.namespace(), s.name());
            o.withObjectProperty("metadata").putObject("annotations").put(TRIGGER_TIME, meta.time());
            // RepackSubsets: the addresses behind each port, then the ports behind each set of addresses.
            Map<EndpointPort, List<Pod>> podsByPort = new LinkedHashMap<>();
            for (PodEndpoint pe : podEndpoints(byNamespace, rs)) {
                pe.ports().forEach(p -> podsByPort.computeIfAbsent(p, x -> new ArrayList<>()).add(pe.pod()));
            }
            Map<List<Pod>, List<EndpointPort>> portsByPods = new LinkedHashMap<>();
            IpFamily primary = s.ipFamilies().get(0);
            podsByPort.forEach((port, pods) -> portsByPods.computeIfAbsent(sortedAddresses(pods, primary, meta), x -> new ArrayList<>()).add(port));
            if (!portsByPods.isEmpty()) {
                ArrayNode subsets = o.putArray("subsets");
                portsByPods.forEach((pods, ports) -> {
                    ObjectNode sub = subsets.addObject();
                    ArrayNode addresses = sub.putArray("addresses");
                    for (Pod p : pods) {
                        ObjectNode a = addresses.addObject();
                        a.put("ip", p.ip(primary).toString());
                        a.put("nodeName", p.node());
                        a.set("targetRef", targetRef(p, meta));
                    }
                    ArrayNode subPorts = sub.putArray("ports");
                    ports.forEach(p -> subsetPort(subPorts, p));
                });
            }
            out.add(o);
        }
        return out;
    }

    /** The topology's pods by namespace, each in file order: what Service selectors are matched against. */
    private static Map<String, List<Pod>> podsByNamespace(ResolvedTopology t) {
        Map<String, List<Pod>> out = new HashMap<>();
        t.pods().forEach(p -> out.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p));
        return out;
    }

    /** The selected pods of a Service with the ports resolved on each, in pod (file) order. */
    private static List<PodEndpoint> podEndpoints(Map<String, List<Pod>> byNamespace, ResolvedService rs) {
        Service s = rs.service();
        List<PodEndpoint> out = new ArrayList<>();
        for (Pod pod : byNamespace.getOrDefault(s.namespace(), List.of())) {
            if (!pod.matches(s.selector())) {
                continue;
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (ResolvedService.Port p : rs.ports()) {
                String name = p.port().name() == null ? "" : p.port().name();
                p.endpoints().stream().filter(b -> b.pod().equals(pod.key())).findFirst()
                        .map(ServiceBackend::port).ifPresent(port -> ports.add(new EndpointPort(name, port, p.port().protocol())));
            }
            out.add(new PodEndpoint(pod, List.copyOf(ports)));
        }
        return out;
    }

    /** An EndpointSlice of the EndpointSlice controller for {@code s}; {@code part} tells slices of one Service apart. */
    private static ObjectNode slice(Service s, Meta meta, String part, IpFamily family) {
        String name = s.name() + "-" + meta.randomString(5, "EndpointSlice", s.namespace(), s.name(), part);
        ObjectNode o = meta.object("discovery.k8s.io/v1", "EndpointSlice", s.namespace(), name);
        ObjectNode m = o.withObjectProperty("metadata");
        m.putObject("annotations").put(TRIGGER_TIME, meta.time());
        m.put("generateName", s.name() + "-");
        ObjectNode labels = m.putObject("labels");
        labels.put("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
        labels.put("kubernetes.io/service-name", s.name());
        m.putArray("ownerReferences").add(meta.controllerRef("v1", "Service", s.namespace(), s.name()));
        o.put("addressType", family.name());
        return o;
    }

    private static EndpointPort apiserverPort() {
        return new EndpointPort("https", LabCluster.APISERVER_PORT, Protocol.TCP);
    }

    /** discovery/v1 EndpointPort: {@code name} is a pointer, so "" is printed. */
    private static void slicePort(ArrayNode ports, EndpointPort p) {
        ports.addObject().put("name", p.name()).put("port", p.port()).put("protocol", p.protocol().name());
    }

    /** core/v1 EndpointPort: {@code name} is omitempty, so an unnamed port has none. */
    private static void subsetPort(ArrayNode ports, EndpointPort p) {
        ObjectNode o = ports.addObject();
        if (!p.name().isEmpty()) {
            o.put("name", p.name());
        }
        o.put("port", p.port());
        o.put("protocol", p.protocol().name());
    }

    private static ObjectNode targetRef(Pod p, Meta meta) {
        ObjectNode r = KubeJson.object();
        r.put("kind", "Pod");
        r.put("name", p.name());
        r.put("namespace", p.namespace());
        r.put("uid", PodObjects.uid(meta, p.namespace(), p.name()));
        return r;
    }

    /** LessEndpointAddress: by the IP's text (byte order, so 10.0.0.10 before 10.0.0.2), then by uid. */
    private static List<Pod> sortedAddresses(List<Pod> pods, IpFamily family, Meta meta) {
        return pods.stream().sorted(Comparator.comparing((Pod p) -> p.ip(family).toString())
                .thenComparing(p -> PodObjects.uid(meta, p.namespace(), p.name()))).toList();
    }
}
