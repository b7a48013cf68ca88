package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedService;
import io.skoop.lab.topology.ResolvedTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Namespace objects (core/v1): the four a kubeadm cluster starts with ({@code default}, {@code kube-system},
 * {@code kube-public}, {@code kube-node-lease}), {@code kube-flannel} from kube-flannel.yml (labelled
 * {@code k8s-app: flannel} and {@code pod-security.kubernetes.io/enforce: privileged}) and every namespace a lab
 * pod, Service or NetworkPolicy uses or the topology declares (with its declared labels). Each has the label {@code kubernetes.io/metadata.name} the apiserver sets (since v1.22),
 * {@code spec.finalizers: [kubernetes]} and {@code status.phase: Active}.
 */
final class NamespaceObjects {
    private static final List<String> BUILT_IN = List.of("default", LabCluster.KUBE_SYSTEM, "kube-public", "kube-node-lease",
            LabCluster.FLANNEL_NAMESPACE);

    private NamespaceObjects() {
    }

    static List<ObjectNode> render(ResolvedTopology t, Meta meta) {
        TreeSet<String> names = new TreeSet<>(BUILT_IN);
        if (t.cni() instanceof Cni.Calico) {
            names.remove(LabCluster.FLANNEL_NAMESPACE); // calico.yaml installs into kube-system
        }
        t.pods().stream().map(Pod::namespace).forEach(names::add);
        t.services().stream().map(ResolvedService::service).map(s -> s.namespace()).forEach(names::add);
        t.namespaces().forEach(n -> names.add(n.name()));
        t.policies().stream().filter(p -> p.namespace() != null).forEach(p -> names.add(p.namespace()));
        List<ObjectNode> out = new ArrayList<>();
        for (String name : names) {
            ObjectNode ns = meta.object("v1", "Namespace", null, name);
            ObjectNode labels = ns.withObjectProperty("metadata").putObject("labels");
            labels.setAll(KubeJson.strings(t.namespaceLabels(name)));
            labels.put("kubernetes.io/metadata.name", name);
            if (name.equals(LabCluster.FLANNEL_NAMESPACE)) {
                labels.setAll(KubeJson.strings(Map.of("k8s-app", "flannel", "pod-security.kubernetes.io/enforce", "privileged")));
            }
            ns.putObject("spec").set("finalizers", KubeJson.strings(List.of("kubernetes")));
            ns.putObject("status").put("phase", "Active");
            out.add(ns);
        }
        return out;
    }
}
