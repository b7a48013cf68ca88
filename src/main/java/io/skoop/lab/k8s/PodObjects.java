package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.calico.Calico;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.ContainerPort;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pod objects (core/v1), Running and Ready, as the apiserver defaults them (pkg/apis/core/v1/defaults.go) and the
 * kubelet reports them:
 * <ul>
 * <li>every lab pod: one container named after the pod running {@link LabCluster#AGNHOST_IMAGE} with the pod's
 *     container ports ({@code name} omitted when unnamed), service account {@code default}, the default
 *     not-ready/unreachable tolerations (300 s) the DefaultTolerationSeconds admission plugin adds, QoS BestEffort,
 *     {@code podIP} the lab pod IP and {@code hostIP} its node's InternalIP;</li>
 * <li>per node, the DaemonSet pods every flannel cluster has: {@code kube-flannel/kube-flannel-ds-xxxxx}
 *     (container {@code kube-flannel}, {@code flanneld --ip-masq --kube-subnet-mgr}, requests 100m/50Mi so QoS
 *     Burstable, from kube-flannel.yml) and {@code kube-system/kube-proxy-xxxxx} (kubeadm's DaemonSet,
 *     cmd/kubeadm/app/phases/addons/proxy/manifests.go), both {@code hostNetwork: true} (podIP = the node's
 *     address), priority class {@code system-node-critical}, owned by their DaemonSet and pinned to the node by the
 *     {@code metadata.name} node affinity and tolerations the DaemonSet controller adds
 *     (pkg/controller/daemon/util).</li>
 * </ul>
 * Status: conditions PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled all True (the
 * order the kubelet writes them in v1.30); one running container status (ready, started, restartCount 0).
 * Volumes (the projected service-account token, the DaemonSets' hostPath and ConfigMap volumes) and init
 * containers are left out: nothing in the network path reads them.
 */
final class PodObjects {
    private static final int NODE_CRITICAL_PRIORITY = 2000001000;

    private PodObjects() {
    }

    static List<ObjectNode> render(ResolvedTopology t, Meta meta) {
        List<ObjectNode> out = new ArrayList<>();
        for (Pod p : t.pods()) {
            out.add(labPod(t, p, meta));
        }
        for (Node n : t.nodes()) {
            out.add(t.cni() instanceof Cni.Calico c ? calicoNodePod(t, c, n, meta) : flannelPod(n, meta));
            out.add(kubeProxyPod(n, meta));
        }
        return out;
    }

    /** The uid of a lab pod, as targetRefs name it. */
    static String uid(Meta meta, String namespace, String name) {
        return meta.uid("Pod", namespace, name);
    }

    private static ObjectNode labPod(ResolvedTopology t, Pod p, Meta meta) {
        ObjectNode o = meta.object("v1", "Pod", p.namespace(), p.name());
        if (t.cni() instanceof Cni.Calico) {
            // the Calico CNI plugin records the address it assigned (cni-plugin/pkg/k8s: podIP, podIPs)
            o.withObjectProperty("metadata").set("annotations", KubeJson.strings(Map.of(
                    "cni.projectcalico.org/podIP", p.ip() + "/32", "cni.projectcalico.org/podIPs", p.ip() + "/32")));
        }
        if (!p.labels().isEmpty()) {
            o.withObjectProperty("metadata").set("labels", KubeJson.strings(p.labels()));
        }
        ObjectNode container = container(p.name(), LabCluster.AGNHOST_IMAGE);
        if (!p.ports().isEmpty()) {
            ArrayNode ports = container.putArray("ports");
            for (ContainerPort cp : p.ports()) {
                ObjectNode port = ports.addObject();
                port.put("containerPort", cp.port());
                if (cp.name() != null) {
                    port.put("name", cp.name());
                }
                port.put("protocol", cp.protocol().name());
            }
        }
        Node node = t.node(p.node());
        ObjectNode spec = spec(o, node, "default", container);
        ArrayNode tolerations = spec.putArray("tolerations");
        for (String key : List.of("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")) {
            toleration(tolerations, key, "NoExecute").put("tolerationSeconds", 300);
        }
        status(o, meta, node, p.ips(), container, "BestEffort");
        return o;
    }

    private static ObjectNode flannelPod(Node n, Meta meta) {
        ObjectNode container = container("kube-flannel", LabCluster.FLANNEL_IMAGE);
        container.set("command", KubeJson.strings(List.of("/opt/bin/flanneld")));
        container.set("args", KubeJson.strings(List.of("--ip-masq", "--kube-subnet-mgr")));
        ArrayNode env = container.putArray("env");
        fieldRefEnv(env, "POD_NAME", "metadata.name");
        fieldRefEnv(env, "POD_NAMESPACE", "metadata.namespace");
        env.addObject().put("name", "EVENT_QUEUE_DEPTH").put("value", "5000");
        container.putObject("resources").set("requests", KubeJson.strings(Map.of("cpu", "100m", "memory", "50Mi")));
        ObjectNode security = container.putObject("securityContext");
        security.putObject("capabilities").set("add", KubeJson.strings(List.of("NET_ADMIN", "NET_RAW")));
        security.put("privileged", false);
        return daemonPod(n, meta, LabCluster.FLANNEL_NAMESPACE, LabCluster.FLANNEL_DAEMONSET,
                Map.of("app", "flannel", "k8s-app", "flannel", "tier", "node"), "flannel", container,
                List.of(new Toleration(null, "NoSchedule")), "Burstable");
    }

    /**
     * calico-node's pod on {@code n} as {@code manifests/calico.yaml} (v3.29) templates it: kube-system,
     * label {@code k8s-app: calico-node}, host network, privileged, the environment that selects the backend
     * ({@code CALICO_NETWORKING_BACKEND} from calico-config: BIRD or VXLAN; {@code CLUSTER_TYPE k8s,bgp} in both
     * manifests) and the default pool (the lab's cluster CIDR, its block size, IPIP off, VXLAN {@code Always} in VXLAN
     * mode — {@code calico-vxlan.yaml} says {@code CrossSubnet}, which on the lab's one subnet would not encapsulate —
     * else off).
     */
    private static ObjectNode calicoNodePod(ResolvedTopology t, Cni.Calico c, Node n, Meta meta) {
        ObjectNode container = container("calico-node", LabCluster.CALICO_NODE_IMAGE);
        ArrayNode env = container.putArray("env");
        env.addObject().put("name", "DATASTORE_TYPE").put("value", "kubernetes");
        env.addObject().put("name", "WAIT_FOR_DATASTORE").put("value", "true");
        fieldRefEnv(env, "NODENAME", "spec.nodeName");
        ObjectNode backend = env.addObject().put("name", "CALICO_NETWORKING_BACKEND");
        backend.putObject("valueFrom").putObject("configMapKeyRef").put("key", "calico_backend").put("name", "calico-config");
        env.addObject().put("name", "CLUSTER_TYPE").put("value", "k8s,bgp");
        env.addObject().put("name", "IP").put("value", "autodetect");
        env.addObject().put("name", "CALICO_IPV4POOL_IPIP").put("value", "Never");
        env.addObject().put("name", "CALICO_IPV4POOL_VXLAN").put("value", Calico.poolVxlanMode(t));
        env.addObject().put("name", "CALICO_IPV4POOL_CIDR").put("value", t.clusterCIDR().toString());
        env.addObject().put("name", "CALICO_IPV4POOL_BLOCK_SIZE").put("value", String.valueOf(c.blockSize()));
        env.addObject().put("name", "FELIX_DEFAULTENDPOINTTOHOSTACTION").put("value", "ACCEPT");
        env.addObject().put("name", "FELIX_IPV6SUPPORT").put("value", "false");
        container.putObject("resources").set("requests", KubeJson.strings(Map.of("cpu", "250m")));
        container.putObject("securityContext").put("privileged", true);
        return daemonPod(n, meta, LabCluster.KUBE_SYSTEM, LabCluster.CALICO_NODE_DAEMONSET, Map.of("k8s-app", "calico-node"),
                "calico-node", container, List.of(new Toleration(null, "NoSchedule"), new Toleration("CriticalAddonsOnly", null),
                        new Toleration(null, "NoExecute")), "Burstable");
    }

    private static ObjectNode kubeProxyPod(Node n, Meta meta) {
        ObjectNode container = container("kube-proxy", LabCluster.KUBE_PROXY_IMAGE);
        container.set("command", KubeJson.strings(List.of("/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                "--hostname-override=$(NODE_NAME)")));
        fieldRefEnv(container.putArray("env"), "NODE_NAME", "spec.nodeName");
        container.putObject("securityContext").put("privileged", true);
        ObjectNode o = daemonPod(n, meta, LabCluster.KUBE_SYSTEM, LabCluster.KUBE_PROXY_DAEMONSET,
                Map.of("k8s-app", "kube-proxy"), "kube-proxy", container,
                List.of(new Toleration("CriticalAddonsOnly", null), new Toleration(null, null)), "BestEffort");
        o.withObjectProperty("spec").putObject("nodeSelector").put("kubernetes.io/os", "linux");
        return o;
    }

    /**
     * A DaemonSet's pod on {@code n}: {@code <ds>-xxxxx} (generateName), the template's labels plus
     * {@code controller-revision-hash} and {@code pod-template-generation: "1"}, the controller ownerReference,
     * host network, node-critical priority, the node affinity, and the template's tolerations followed by those
     * the DaemonSet controller adds.
     */
    private static ObjectNode daemonPod(Node n, Meta meta, String namespace, String daemonSet, Map<String, String> templateLabels,
                                        String serviceAccount, ObjectNode container, List<Toleration> templateTolerations,
                                        String qosClass) {
        String name = daemonSet + "-" + meta.randomString(5, "Pod", namespace, daemonSet, n.name());
        ObjectNode o = meta.object("v1", "Pod", namespace, name);
        ObjectNode m = o.withObjectProperty("metadata");
        m.put("generateName", daemonSet + "-");
        ObjectNode labels = KubeJson.strings(templateLabels);
        labels.put("controller-revision-hash", meta.randomString(10, "ControllerRevision", namespace, daemonSet));
        labels.put("pod-template-generation", "1");
        m.set("labels", labels);
        m.putArray("ownerReferences").add(meta.controllerRef("apps/v1", "DaemonSet", namespace, daemonSet));

        ObjectNode spec = spec(o, n, serviceAccount, container);
        spec.put("hostNetwork", true);
        spec.put("priority", NODE_CRITICAL_PRIORITY);
        spec.put("priorityClassName", "system-node-critical");
        ObjectNode term = spec.putObject("affinity").putObject("nodeAffinity").putObject("requiredDuringSchedulingIgnoredDuringExecution")
                .putArray("nodeSelectorTerms").addObject();
        ObjectNode field = term.putArray("matchFields").addObject();
        field.put("key", "metadata.name");
        field.put("operator", "In");
        field.set("values", KubeJson.strings(List.of(n.name())));
        ArrayNode tolerations = spec.putArray("tolerations");
        templateTolerations.forEach(t -> toleration(tolerations, t.key(), t.effect()));
        toleration(tolerations, "node.kubernetes.io/not-ready", "NoExecute");
        toleration(tolerations, "node.kubernetes.io/unreachable", "NoExecute");
        for (String key : List.of("disk-pressure", "memory-pressure", "pid-pressure", "unschedulable", "network-unavailable")) {
            toleration(tolerations, "node.kubernetes.io/" + key, "NoSchedule");
        }
        status(o, meta, n, n.addresses(), container, qosClass);
        return o;
    }

    /** A container as the apiserver defaults it: pull policy IfNotPresent, empty resources, termination message defaults. */
    private static ObjectNode container(String name, String image) {
        ObjectNode c = KubeJson.object();
        c.put("image", image);
        c.put("imagePullPolicy", "IfNotPresent");
        c.put("name", name);
        c.putObject("resources");
        c.put("terminationMessagePath", "/dev/termination-log");
        c.put("terminationMessagePolicy", "File");
        return c;
    }

    /** The pod spec with the apiserver's and scheduler's defaults, the pod bound to {@code node}. */
    private static ObjectNode spec(ObjectNode pod, Node node, String serviceAccount, ObjectNode container) {
        ObjectNode spec = pod.putObject("spec");
        spec.putArray("containers").add(container);
        spec.put("dnsPolicy", "ClusterFirst");
        spec.put("enableServiceLinks", true);
        spec.put("nodeName", node.name());
        spec.put("preemptionPolicy", "PreemptLowerPriority");
        spec.put("priority", 0);
        spec.put("restartPolicy", "Always");
        spec.put("schedulerName", "default-scheduler");
        spec.putObject("securityContext");
        spec.put("serviceAccount", serviceAccount);
        spec.put("serviceAccountName", serviceAccount);
        spec.put("terminationGracePeriodSeconds", 30);
        return spec;
    }

    /** A toleration with operator Exists; a null key or effect is omitted (matches any). */
    private record Toleration(String key, String effect) {
    }

    /** A toleration; {@code key} and {@code effect} omitted when null (operator Exists matches every taint then). */
    private static ObjectNode toleration(ArrayNode tolerations, String key, String effect) {
        ObjectNode t = tolerations.addObject();
        if (effect != null) {
            t.put("effect", effect);
        }
        if (key != null) {
            t.put("key", key);
        }
        t.put("operator", "Exists");
        return t;
    }

    private static void fieldRefEnv(ArrayNode env, String name, String fieldPath) {
        ObjectNode e = env.addObject();
        e.put("name", name);
        e.putObject("valueFrom").putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", fieldPath);
    }

    /** The kubelet's status of a running, ready pod on {@code node} with IP {@code ip}. */
    private static void status(ObjectNode pod, Meta meta, Node node, List<Ip> ips, ObjectNode container, String qosClass) {
        ObjectNode status = pod.putObject("status");
        ArrayNode conditions = status.putArray("conditions");
        for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")) {
            ObjectNode c = conditions.addObject();
            c.putNull("lastProbeTime");
            c.put("lastTransitionTime", meta.time());
            c.put("status", "True");
            c.put("type", type);
        }
        ObjectNode m = pod.withObjectProperty("metadata");
        String name = container.get("name").asText();
        String image = container.get("image").asText();
        ObjectNode cs = status.putArray("containerStatuses").addObject();
        cs.put("containerID", "containerd://" + meta.hex("container", m.get("namespace").asText(), m.get("name").asText(), name));
        cs.put("image", image);
        cs.put("imageID", image.substring(0, image.lastIndexOf(':')) + "@sha256:" + Meta.digest(image));
        cs.putObject("lastState");
        cs.put("name", name);
        cs.put("ready", true);
        cs.put("restartCount", 0);
        cs.put("started", true);
        cs.putObject("state").putObject("running").put("startedAt", meta.time());
        status.put("hostIP", node.address().toString());
        ArrayNode hostIPs = status.putArray("hostIPs");
        node.addresses().forEach(a -> hostIPs.addObject().put("ip", a.toString()));
        status.put("phase", "Running");
        status.put("podIP", ips.get(0).toString());
        ArrayNode podIPs = status.putArray("podIPs");
        ips.forEach(a -> podIPs.addObject().put("ip", a.toString()));
        status.put("qosClass", qosClass);
        status.put("startTime", meta.time());
    }
}
