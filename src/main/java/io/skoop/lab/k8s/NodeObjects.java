package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.calico.Calico;
import io.skoop.lab.flannel.Flannel;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.ResolvedTopology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Node objects (core/v1) of a kubeadm cluster running flannel:
 * <ul>
 * <li>labels the kubelet sets ({@code kubernetes.io/hostname}, {@code kubernetes.io/os}, {@code kubernetes.io/arch}
 *     and their {@code beta.} twins); on the control-plane node (the first) also kubeadm's
 *     {@code node-role.kubernetes.io/control-plane} and {@code node.kubernetes.io/exclude-from-external-load-balancers}
 *     — without kubeadm's NoSchedule taint, since lab pods run there;</li>
 * <li>annotations: flanneld's ({@link Flannel#nodeAnnotations}), kubeadm's {@code cri-socket}, the node lifecycle
 *     controller's {@code node.alpha.kubernetes.io/ttl: "0"} and the kubelet's
 *     {@code volumes.kubernetes.io/controller-managed-attach-detach: "true"};</li>
 * <li>{@code spec.podCIDR}/{@code podCIDRs} as the range allocator assigned them;</li>
 * <li>status: addresses {@code InternalIP} (the underlay address) and {@code Hostname}; conditions
 *     NetworkUnavailable False (reason {@code FlannelIsUp}, which flanneld writes), MemoryPressure, DiskPressure,
 *     PIDPressure False and Ready True with the kubelet's reasons and messages (pkg/kubelet/nodestatus/setters.go);
 *     capacity/allocatable of a 2-CPU 4 GiB machine; {@code daemonEndpoints.kubeletEndpoint.Port: 10250};
 *     nodeInfo with {@link LabCluster}'s versions and IDs derived from the lab and node names.</li>
 * </ul>
 */
final class NodeObjects {

    private NodeObjects() {
    }

    static List<ObjectNode> render(ResolvedTopology t, Meta meta) {
        List<ObjectNode> out = new ArrayList<>();
        for (Node n : t.nodes()) {
            out.add(node(t, n, meta));
        }
        return out;
    }

    private static ObjectNode node(ResolvedTopology t, Node n, Meta meta) {
        ObjectNode o = meta.object("v1", "Node", null, n.name());
        ObjectNode m = o.withObjectProperty("metadata");
        Map<String, String> annotations = new LinkedHashMap<>(t.cni() instanceof Cni.Calico ? Calico.nodeAnnotations(t, n) : Flannel.nodeAnnotations(t, n));
        annotations.put("kubeadm.alpha.kubernetes.io/cri-socket", "unix:///var/run/containerd/containerd.sock");
        annotations.put("node.alpha.kubernetes.io/ttl", "0");
        annotations.put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
        m.set("annotations", KubeJson.strings(annotations));
        ObjectNode labels = m.putObject("labels");
        labels.put("beta.kubernetes.io/arch", "amd64");
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("kubernetes.io/hostname", n.name());
        labels.put("kubernetes.io/os", "linux");
        if (n.equals(LabCluster.controlPlane(t))) {
            labels.put("node-role.kubernetes.io/control-plane", "");
            labels.put("node.kubernetes.io/exclude-from-external-load-balancers", "");
        }

        ObjectNode spec = o.putObject("spec");
        spec.put("podCIDR", n.podCIDR().toString());
        spec.set("podCIDRs", KubeJson.strings(n.podCIDRs().stream().map(Object::toString).toList()));

        ObjectNode status = o.putObject("status");
        ArrayNode addresses = status.putArray("addresses");
        n.addresses().forEach(a -> addresses.addObject().put("address", a.toString()).put("type", "InternalIP"));
        addresses.addObject().put("address", n.name()).put("type", "Hostname");
        status.set("capacity", resources("2", "4025808Ki", "20470Mi"));
        status.set("allocatable", resources("2", "3923408Ki", "19317915617"));
        ArrayNode conditions = status.putArray("conditions");
        if (t.cni() instanceof Cni.Calico) {
            // calico-node's startup sets this condition once BIRD runs (node/pkg/lifecycle/startup)
            condition(conditions, meta, "NetworkUnavailable", "False", "CalicoIsUp", "Calico is running on this node");
        } else {
            condition(conditions, meta, "NetworkUnavailable", "False", "FlannelIsUp", "Flannel is running on this node");
        }
        condition(conditions, meta, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available");
        condition(conditions, meta, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
        condition(conditions, meta, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
        condition(conditions, meta, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
        status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", LabCluster.KUBELET_PORT);
        ObjectNode info = status.putObject("nodeInfo");
        info.put("architecture", "amd64");
        info.put("bootID", meta.uid("boot", null, n.name()));
        info.put("containerRuntimeVersion", LabCluster.CONTAINER_RUNTIME);
        info.put("kernelVersion", LabCluster.KERNEL);
        info.put("kubeProxyVersion", LabCluster.KUBERNETES_VERSION);
        info.put("kubeletVersion", LabCluster.KUBERNETES_VERSION);
        info.put("machineID", meta.hex("machine-id", n.name()).substring(0, 32));
        info.put("operatingSystem", "linux");
        info.put("osImage", LabCluster.OS_IMAGE);
        info.put("systemUUID", meta.uid("system", null, n.name()));
        return o;
    }

    private static ObjectNode resources(String cpu, String memory, String ephemeralStorage) {
        ObjectNode r = KubeJson.object();
        r.put("cpu", cpu);
        r.put("ephemeral-storage", ephemeralStorage);
        r.put("hugepages-1Gi", "0");
        r.put("hugepages-2Mi", "0");
        r.put("memory", memory);
        r.put("pods", "110");
        return r;
    }

    /** A NodeCondition: heartbeat and transition at the lab's creation. */
    private static void condition(ArrayNode conditions, Meta meta, String type, String status, String reason, String message) {
        ObjectNode c = conditions.addObject();
        c.put("lastHeartbeatTime", meta.time());
        c.put("lastTransitionTime", meta.time());
        c.put("message", message);
        c.put("reason", reason);
        c.put("status", status);
        c.put("type", type);
    }
}
