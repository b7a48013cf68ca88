package io.skoop.lab.k8s;

import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;

/**
 * The facts about a lab cluster that the topology does not say and a kubeadm cluster would: versions, images, where
 * the apiserver runs. They are constants so that snapshots are reproducible; nothing in the lab depends on them
 * except the objects' text.
 */
final class LabCluster {
    /** The Kubernetes release the objects imitate (kubelet, kube-proxy). */
    static final String KUBERNETES_VERSION = "v1.30.6";
    static final String CONTAINER_RUNTIME = "containerd://1.7.22";
    static final String KERNEL = "6.1.0-27-amd64";
    static final String OS_IMAGE = "Debian GNU/Linux 12 (bookworm)";
    /** The image every lab pod claims to run (the e2e tests' network test image). */
    static final String AGNHOST_IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.47";
    static final String FLANNEL_IMAGE = "docker.io/flannel/flannel:v0.26.1";
    /** calico-node's image in manifests/calico.yaml of the release the team's Calico notes cite most. */
    static final String CALICO_NODE_IMAGE = "docker.io/calico/node:v3.29.0";
    static final String CALICO_NODE_DAEMONSET = "calico-node";
    static final String KUBE_PROXY_IMAGE = "registry.k8s.io/kube-proxy:" + KUBERNETES_VERSION;
    /** kube-apiserver's {@code --secure-port} under kubeadm. */
    static final int APISERVER_PORT = 6443;
    /** The kubelet's port ({@code daemonEndpoints.kubeletEndpoint.Port}). */
    static final int KUBELET_PORT = 10250;
    static final String FLANNEL_NAMESPACE = "kube-flannel";
    static final String FLANNEL_DAEMONSET = "kube-flannel-ds";
    static final String KUBE_PROXY_DAEMONSET = "kube-proxy";
    static final String KUBE_SYSTEM = "kube-system";

    private LabCluster() {
    }

    /** The control-plane node: the first node, where kubeadm init ran and the apiserver listens. */
    static Node controlPlane(ResolvedTopology t) {
        return t.nodes().get(0);
    }

    /** The apiserver's advertise address: the control-plane node's InternalIP. */
    static Ip apiserverAddress(ResolvedTopology t) {
        return controlPlane(t).address();
    }

    /** The {@code default/kubernetes} Service's cluster IP: the service CIDR's first host address (kube-apiserver takes it). */
    static Ip kubernetesServiceIP(ResolvedTopology t) {
        return t.serviceCIDR().address().plus(1);
    }
}
