package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.ResolvedTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes API objects of a lab cluster, as {@code kubectl get <kind> -A -o json} prints them from a kubeadm
 * v1.30 cluster running flannel and kube-proxy in iptables mode (nftables mode with the topology's {@code proxyMode}): one
 * {@code {"apiVersion": "v1", "items": [...], "kind": "List", "metadata": {"resourceVersion": ""}}} per kind.
 * docs/k8s-objects.md lists the objects and fields; each kind's class names the Kubernetes source its shape
 * follows:
 * <ul>
 * <li>{@code namespaces} — {@link NamespaceObjects};</li>
 * <li>{@code nodes} — {@link NodeObjects} (flannel's annotations, podCIDRs, InternalIP, conditions);</li>
 * <li>{@code pods} — {@link PodObjects} (the lab's pods plus the kube-flannel and kube-proxy DaemonSet pods);</li>
 * <li>{@code services} — {@link ServiceObjects} (the lab's Services plus {@code default/kubernetes});</li>
 * <li>{@code endpointslices} and {@code endpoints} — {@link EndpointObjects} (as the EndpointSlice and Endpoints
 *     controllers build them, named targetPorts resolved per pod);</li>
 * <li>{@code configmaps} — {@link ConfigMapObjects} ({@code kube-system/kube-proxy}, {@code kube-flannel/kube-flannel-cfg});</li>
 * <li>{@code ippools} and {@code blockaffinities} (calico labs only: {@link #CALICO_KINDS}) — {@link CalicoObjects};</li>
 * <li>{@code networkpolicies} (always; empty without policies), {@code adminnetworkpolicies} and
 *     {@code baselineadminnetworkpolicies} (only when the topology has some: served where their CRDs are installed)
 *     — {@link PolicyObjects}.</li>
 * </ul>
 *
 * <p>Everything is a function of the topology and {@code created}: uids are name-based UUIDs of lab, kind and key,
 * generated name suffixes and IDs are hashes, every timestamp is {@code created} (to the second). Rendering the same
 * topology twice gives the same bytes.
 */
public final class ClusterObjects {
    /** The kinds, in the order they are rendered and written: {@code <kind>.json}. */
    public static final List<String> KINDS = List.of("namespaces", "nodes", "pods", "services", "endpointslices", "endpoints", "configmaps",
            "networkpolicies");
    /**
     * Calico's kinds, rendered after {@link #KINDS} for calico labs only: the files
     * {@link io.skoop.snapshot.k8s.KubeObjects#CALICO_FILES} reads.
     */
    public static final List<String> CALICO_KINDS = List.of("ippools", "blockaffinities");
    /** The cluster-scoped policy kinds, rendered after {@link #KINDS} only when the topology has some. */
    public static final List<String> ADMIN_KINDS = List.of("adminnetworkpolicies", "baselineadminnetworkpolicies");

    private ClusterObjects() {
    }

    /**
     * The objects of a lab cluster.
     *
     * @param t       the resolved topology (flannel CNI)
     * @param created when the cluster was made: every creationTimestamp, condition and start time
     * @return kind file name ({@link #KINDS}, in that order, then {@link #CALICO_KINDS} for a calico lab, then
     *         {@link #ADMIN_KINDS} that have items) to its List object; key order inside is kubectl's
     */
    public static Map<String, ObjectNode> render(ResolvedTopology t, Instant created) {
        Meta meta = new Meta(t.name(), created);
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        out.put("namespaces", KubeJson.list(NamespaceObjects.render(t, meta)));
        out.put("nodes", KubeJson.list(NodeObjects.render(t, meta)));
        out.put("pods", KubeJson.list(PodObjects.render(t, meta)));
        out.put("services", KubeJson.list(ServiceObjects.render(t, meta)));
        out.put("endpointslices", KubeJson.list(EndpointObjects.slices(t, meta)));
        out.put("endpoints", KubeJson.list(EndpointObjects.endpoints(t, meta)));
        out.put("configmaps", KubeJson.list(ConfigMapObjects.render(t, meta)));
        out.put("networkpolicies", KubeJson.list(PolicyObjects.render(t, meta, "NetworkPolicy")));
        if (t.cni() instanceof Cni.Calico) {
            out.put("ippools", KubeJson.list(CalicoObjects.ipPools(t, meta)));
            out.put("blockaffinities", KubeJson.list(CalicoObjects.blockAffinities(t, meta)));
        }
        for (String file : ADMIN_KINDS) {
            List<ObjectNode> items = PolicyObjects.render(t, meta, file.equals("adminnetworkpolicies") ? "AdminNetworkPolicy"
                    : "BaselineAdminNetworkPolicy");
            if (!items.isEmpty()) {
                out.put(file, KubeJson.list(items));
            }
        }
        return out;
    }

    /**
     * The text kubectl prints for an object or list: Go's {@code json.MarshalIndent} with four spaces, keys sorted,
     * HTML characters escaped as {@code \u003c}…, a final newline.
     */
    public static String print(ObjectNode object) {
        return KubeJson.print(object);
    }

    /**
     * Writes {@code k8sDir/<kind>.json} for every kind of {@link #render}, creating {@code k8sDir} (and its parents)
     * when missing. Nothing is written when any of the files exists already.
     *
     * @throws IllegalArgumentException naming the file when a {@code <kind>.json} exists in {@code k8sDir}
     * @throws UncheckedIOException     when the directory or a file cannot be written
     */
    public static void write(ResolvedTopology t, Instant created, Path k8sDir) {
        Map<String, ObjectNode> objects = render(t, created);
        for (String kind : objects.keySet()) {
            Path file = k8sDir.resolve(kind + ".json");
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException("refusing to overwrite " + file + ": it exists already");
            }
        }
        try {
            Files.createDirectories(k8sDir);
            for (Map.Entry<String, ObjectNode> e : objects.entrySet()) {
                Files.writeString(k8sDir.resolve(e.getKey() + ".json"), print(e.getValue()), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Kubernetes objects to " + k8sDir + ": " + e.getMessage(), e);
        }
    }
}
