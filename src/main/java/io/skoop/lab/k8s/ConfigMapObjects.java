package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.calico.Calico;
import io.skoop.lab.flannel.Flannel;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.ResolvedTopology;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ConfigMaps (core/v1) that configure the lab's data plane:
 * <ul>
 * <li>{@code kube-system/kube-proxy}, as kubeadm writes it (cmd/kubeadm/app/phases/addons/proxy/manifests.go,
 *     label {@code app: kube-proxy}, annotation {@code kubeadm.kubernetes.io/component-config.hash} = sha256 over
 *     the data's keys and values in key order, as kubeadm's ChecksumForConfigMap): {@code config.conf} is the
 *     KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1, every field of v1.30 in the order sigs.k8s.io/yaml
 *     marshals them) with {@code clusterCIDR} the lab's, {@code mode} the topology's {@code proxyMode} (iptables or
 *     nftables) and
 *     {@code iptables.masqueradeBit: 14} written out (kubeadm leaves them {@code ""} and {@code null}, which
 *     kube-proxy defaults to the same); {@code kubeconfig.conf} points at the apiserver on the control-plane node.
 *     Both are {@code |-} blocks: no final newline.</li>
 * <li>{@code kube-flannel/kube-flannel-cfg} from kube-flannel.yml (labels {@code app: flannel},
 *     {@code k8s-app: flannel}, {@code tier: node}): {@code cni-conf.json} ({@link Flannel#cniConfJson()}) and
 *     {@code net-conf.json} ({@link Flannel#netConfJson}).</li>
 * </ul>
 */
final class ConfigMapObjects {

    private ConfigMapObjects() {
    }

    static List<ObjectNode> render(ResolvedTopology t, Meta meta) {
        ObjectNode proxy = configMap(meta, LabCluster.KUBE_SYSTEM, "kube-proxy", Map.of("app", "kube-proxy"),
                Map.of("config.conf", kubeProxyConfig(t), "kubeconfig.conf", kubeProxyKubeconfig(t)));
        StringBuilder checksum = new StringBuilder();
        proxy.get("data").properties().forEach(e -> checksum.append(e.getKey()).append(e.getValue().asText()));
        proxy.withObjectProperty("metadata").putObject("annotations")
                .put("kubeadm.kubernetes.io/component-config.hash", "sha256:" + Meta.digest(checksum.toString()));
        if (t.cni() instanceof Cni.Calico) {
            // manifests/calico.yaml's ConfigMap carries no labels
            ObjectNode calico = meta.object("v1", "ConfigMap", LabCluster.KUBE_SYSTEM, "calico-config");
            calico.set("data", KubeJson.strings(new TreeMap<>(Calico.configMapData(t))));
            return List.of(calico, proxy);
        }
        ObjectNode flannel = configMap(meta, LabCluster.FLANNEL_NAMESPACE, "kube-flannel-cfg",
                Map.of("app", "flannel", "k8s-app", "flannel", "tier", "node"),
                Map.of("cni-conf.json", Flannel.cniConfJson(), "net-conf.json", Flannel.netConfJson(t)));
        return List.of(proxy, flannel);
    }

    private static ObjectNode configMap(Meta meta, String namespace, String name, Map<String, String> labels, Map<String, String> data) {
        ObjectNode o = meta.object("v1", "ConfigMap", namespace, name);
        o.withObjectProperty("metadata").set("labels", KubeJson.strings(labels));
        o.set("data", KubeJson.strings(new TreeMap<>(data)));
        return o;
    }

    /** {@code config.conf}: kubeadm's KubeProxyConfiguration for v1.30 with the lab's cluster CIDR and kube-proxy mode. */
    static String kubeProxyConfig(ResolvedTopology t) {
        return """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                bindAddress: 0.0.0.0
                bindAddressHardFail: false
                clientConnection:
                  acceptContentTypes: ""
                  burst: 0
                  contentType: ""
                  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
                  qps: 0
                clusterCIDR: %s
                configSyncPeriod: 0s
                conntrack:
                  maxPerCore: null
                  min: null
                  tcpBeLiberal: false
                  tcpCloseWaitTimeout: null
                  tcpEstablishedTimeout: null
                  udpStreamTimeout: 0s
                  udpTimeout: 0s
                detectLocal:
                  bridgeInterface: ""
                  interfaceNamePrefix: ""
                detectLocalMode: ""
                enableProfiling: false
                healthzBindAddress: ""
                hostnameOverride: ""
                iptables:
                  localhostNodePorts: null
                  masqueradeAll: false
                  masqueradeBit: 14
                  minSyncPeriod: 0s
                  syncPeriod: 0s
                ipvs:
                  excludeCIDRs: null
                  minSyncPeriod: 0s
                  scheduler: ""
                  strictARP: false
                  syncPeriod: 0s
                  tcpFinTimeout: 0s
                  tcpTimeout: 0s
                  udpTimeout: 0s
                kind: KubeProxyConfiguration
                logging:
                  flushFrequency: 0
                  options:
                    json:
                      infoBufferSize: "0"
                    text:
                      infoBufferSize: "0"
                  verbosity: 0
                metricsBindAddress: ""
                mode: %s
                nftables:
                  masqueradeAll: false
                  masqueradeBit: null
                  minSyncPeriod: 0s
                  syncPeriod: 0s
                nodePortAddresses: null
                oomScoreAdj: null
                portRange: ""
                showHiddenMetricsForVersion: ""
                winkernel:
                  enableDSR: false
                  forwardHealthCheckVip: false
                  networkName: ""
                  rootHnsEndpointName: ""
                  sourceVip: \"\"""".formatted(t.clusterCIDR(), t.proxyMode().text());
    }

    /** {@code kubeconfig.conf}: the in-cluster kubeconfig kubeadm gives kube-proxy, server = the apiserver's advertise address. */
    static String kubeProxyKubeconfig(ResolvedTopology t) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - cluster:
                    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
                    server: https://%s:%d
                  name: default
                contexts:
                - context:
                    cluster: default
                    namespace: default
                    user: default
                  name: default
                current-context: default
                users:
                - name: default
                  user:
                    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token""".formatted(LabCluster.apiserverAddress(t),
                LabCluster.APISERVER_PORT);
    }
}
