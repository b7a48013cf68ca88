package io.skoop.lab.calico;

import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import io.skoop.plugin.calico.CalicoNames;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Calico (github.com/projectcalico/calico, calico-node with BIRD, the Calico CNI plugin and calico-ipam, BGP mode
 * without encapsulation) leaves on a cluster, as collected in the team's notes (/work/notes/felix-facts.md §5.1, §5.3,
 * §5.6, §6) and re-expressed here: the per-pod veth's name, MAC and sysctls, the pod's link-local gateway, the node
 * annotation calico-node writes, and the {@code calico-config} ConfigMap of {@code manifests/calico.yaml}. The lab
 * builder programs these; the snapshot publishes them.
 *
 * <p>Not modelled yet: Felix's iptables rules (the lab's default policies are ACCEPT, so traffic flows without them),
 * the VXLAN and IPIP modes, the IPPool, BlockAffinity, IPAMBlock and IPAMHandle objects.
 */
public final class Calico {

    /** The host-side veth name prefix ({@link CalicoNames#VETH_PREFIX}). */
    public static final String VETH_PREFIX = CalicoNames.VETH_PREFIX;
    /** Hex characters of the SHA-1 after {@link #VETH_PREFIX} ({@link CalicoNames#VETH_HEX}). */
    public static final int VETH_HEX = CalicoNames.VETH_HEX;
    /** The MAC of every host-side veth ({@link CalicoNames#HOST_VETH_MAC}). */
    public static final String HOST_VETH_MAC = CalicoNames.HOST_VETH_MAC;
    /** The pod's next hop, answered by proxy ARP ({@link CalicoNames#POD_GATEWAY}). */
    public static final Ip POD_GATEWAY = CalicoNames.POD_GATEWAY;
    /** The underlay MTU of lab nodes: BGP mode without encapsulation gives pods the host's MTU (felix-facts §5.2). */
    public static final int MTU = 1500;
    /** The route protocol BIRD's kernel protocol installs its routes with ({@code proto bird}, 12 in rt_protos). */
    public static final String ROUTE_PROTO = "bird";
    /** The annotation prefix calico-node writes on Node objects. */
    public static final String ANNOTATION_PREFIX = "projectcalico.org/";

    private Calico() {
    }

    /** The calico configuration of a lab cluster. @throws IllegalArgumentException when its CNI is not calico */
    public static Cni.Calico config(ResolvedTopology t) {
        if (t.cni() instanceof Cni.Calico c) {
            return c;
        }
        throw new IllegalArgumentException("lab " + t.name() + " does not run calico but " + t.cni().type());
    }

    /**
     * The host-side veth of a pod: {@code cali} + the first 11 hex digits of SHA-1({@code <namespace>.<pod name>})
     * (libcalico-go's {@code VethNameForWorkload}, felix-facts §5.1; e.g. {@code default.nginx} gives
     * {@code calic440f455693}). It depends on the pod only, not on the lab, as in a real cluster.
     */
    public static String vethName(Pod p) {
        return vethName(p.namespace(), p.name());
    }

    /** {@link #vethName(Pod)} of the pod {@code namespace/name}: {@link CalicoNames#vethName}, the plugin's derivation. */
    public static String vethName(String namespace, String name) {
        return CalicoNames.vethName(namespace, name);
    }

    /**
     * The sysctls of a pod's host-side veth as the CNI plugin and Felix set them (felix-facts §5.1), as
     * {@code sysctl -w} arguments: {@code route_localnet=1}, {@code proxy_arp=1}, {@code neigh proxy_delay=0},
     * {@code forwarding=1}.
     */
    public static String[] vethSysctls(String veth) {
        return new String[] {"net.ipv4.conf." + veth + ".route_localnet=1", "net.ipv4.neigh." + veth + ".proxy_delay=0",
                "net.ipv4.conf." + veth + ".proxy_arp=1", "net.ipv4.conf." + veth + ".forwarding=1"};
    }

    /**
     * The annotation calico-node writes on a Node (felix-facts §6): {@code projectcalico.org/IPv4Address}, the node's
     * address in CIDR form (its underlay prefix length). BGP mode has no tunnel address annotations.
     */
    public static Map<String, String> nodeAnnotations(ResolvedTopology t, Node node) {
        config(t);
        Map<String, String> a = new LinkedHashMap<>();
        a.put(ANNOTATION_PREFIX + "IPv4Address", node.address() + "/" + t.underlay().length());
        return a;
    }

    /** {@code calico_backend} of the calico-config ConfigMap: {@code bird} for BGP mode. */
    public static String calicoBackend(ResolvedTopology t) {
        return switch (config(t).mode()) {
            case BGP -> "bird";
        };
    }

    /**
     * {@code cni_network_config} of the calico-config ConfigMap as {@code manifests/calico.yaml} ships it (felix-facts
     * §6); the install-cni container substitutes the placeholders on each node.
     */
    public static String cniNetworkConfig() {
        return """
                {
                  "name": "k8s-pod-network",
                  "cniVersion": "1.0.0",
                  "plugins": [
                    {
                      "type": "calico",
                      "log_level": "info",
                      "log_file_path": "/var/log/calico/cni/cni.log",
                      "datastore_type": "kubernetes",
                      "nodename": "__KUBERNETES_NODE_NAME__",
                      "mtu": __CNI_MTU__,
                      "ipam": {
                          "type": "calico-ipam"
                      },
                      "policy": {
                          "type": "k8s"
                      },
                      "kubernetes": {
                          "kubeconfig": "__KUBECONFIG_FILEPATH__"
                      }
                    },
                    {
                      "type": "portmap",
                      "snat": true,
                      "capabilities": {"portMappings": true}
                    }
                  ]
                }""";
    }

    /**
     * The data of {@code kube-system/calico-config}: {@code calico_backend}, {@code cni_network_config},
     * {@code typha_service_name: none} and {@code veth_mtu} — the manifest's {@code "0"} means "auto" (Felix writes the
     * host MTU, {@value #MTU} in BGP mode, for the CNI plugin).
     */
    public static Map<String, String> configMapData(ResolvedTopology t) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("calico_backend", calicoBackend(t));
        d.put("cni_network_config", cniNetworkConfig());
        d.put("typha_service_name", "none");
        d.put("veth_mtu", "0");
        return d;
    }
}
