package io.skoop.lab.calico;

import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Calico (github.com/projectcalico/calico: calico-node, the Calico CNI plugin and calico-ipam; BGP mode with BIRD
 * and no encapsulation, or VXLAN mode with Felix programming {@code vxlan.calico}) leaves on a cluster, as collected in
 * the team's notes (/work/notes/felix-facts.md §5.1, §5.3, §5.5, §5.6, §6) and re-expressed here: the per-pod veth's
 * name, MAC and sysctls, the pod's link-local gateway, the VXLAN device's parameters and VTEP MAC, the node annotations
 * calico-node writes, the {@code calico-config} ConfigMap of {@code manifests/calico.yaml} (or
 * {@code calico-vxlan.yaml}), and the names of the default IPPool and the BlockAffinities. The lab builder programs
 * these; the snapshot publishes them.
 *
 * <p>Not modelled yet: Felix's iptables rules (the lab's default policies are ACCEPT, so traffic flows without them),
 * the IPIP mode (no ipip module in the lab's kernel), the IPAMBlock and IPAMHandle objects.
 */
public final class Calico {

    /** The host-side veth name prefix ({@code FELIX_INTERFACEPREFIX}'s default). */
    public static final String VETH_PREFIX = "cali";
    /** Hex characters of the SHA-1 after {@link #VETH_PREFIX}: 4 + 11 = 15, the kernel's IFNAMSIZ − 1. */
    public static final int VETH_HEX = 11;
    /** The MAC of every host-side veth: the CNI plugin fixes it, so the pod's gateway always resolves to it. */
    public static final String HOST_VETH_MAC = "ee:ee:ee:ee:ee:ee";
    /**
     * The pod's next hop: a link-local address nobody owns; the host-side veth answers ARP for it by proxy ARP
     * ({@code proxy_arp=1}, {@code proxy_delay=0}: the kernel answers at once for any address it has a route to
     * that is not via this same device).
     */
    public static final Ip POD_GATEWAY = Ip.parse("169.254.1.1");
    /** The underlay MTU of lab nodes: BGP mode without encapsulation gives pods the host's MTU (felix-facts §5.2). */
    public static final int MTU = 1500;
    /** The route protocol BIRD's kernel protocol installs its routes with ({@code proto bird}, 12 in rt_protos). */
    public static final String ROUTE_PROTO = "bird";
    /**
     * The route protocol of the routes Felix's route manager programs (VXLAN mode's blackhole for the own block):
     * {@code proto 80}, what Felix uses while its DeviceRouteProtocol is the default 3 (felix-facts §5.5).
     */
    public static final String FELIX_ROUTE_PROTO = "80";
    /** The VXLAN device Felix creates in VXLAN mode (felix-facts §5.5). */
    public static final String VXLAN_DEVICE = "vxlan.calico";
    /** {@value #VXLAN_DEVICE}'s VNI (Felix's default {@code VXLANVNI}). */
    public static final int VNI = 4096;
    /** {@value #VXLAN_DEVICE}'s UDP port (Felix's default {@code VXLANPort}, the IANA port). */
    public static final int VXLAN_PORT = 4789;
    /** The MTU of {@value #VXLAN_DEVICE} and of pod veths in VXLAN mode: the underlay's minus 50 bytes of VXLAN headers. */
    public static final int VXLAN_MTU = MTU - io.skoop.netstack.link.VxlanInfo.OVERHEAD_V4;
    /** The IPPool calico-node creates at startup when none exists (felix-facts §5.6). */
    public static final String DEFAULT_POOL = "default-ipv4-ippool";
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

    /** {@link #vethName(Pod)} of the pod {@code namespace/name}. */
    public static String vethName(String namespace, String name) {
        return VETH_PREFIX + HexFormat.of().formatHex(FelixRules.digest("SHA-1", namespace + "." + name)).substring(0, VETH_HEX);
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

    /** Whether the lab's calico carries pod traffic between nodes in VXLAN. */
    public static boolean vxlan(ResolvedTopology t) {
        return config(t).mode() == Cni.CalicoMode.VXLAN;
    }

    /** The MTU of pod veths (both ends): the underlay's in BGP mode, {@value #VXLAN_MTU} in VXLAN mode. */
    public static int mtu(ResolvedTopology t) {
        return vxlan(t) ? VXLAN_MTU : MTU;
    }

    /**
     * The MAC of a node's {@value #VXLAN_DEVICE} as Felix derives it when the node has no
     * {@code projectcalico.org/VXLANTunnelMACAddr} annotation (felix-facts §5.5): {@code 0x66} (ASCII {@code f})
     * followed by the first 5 bytes of SHA-1(node name) — hence VTEP MACs of the form {@code 66:xx:xx:xx:xx:xx}.
     */
    public static String vtepMac(Node node) {
        byte[] d = FelixRules.digest("SHA-1", node.name());
        StringBuilder mac = new StringBuilder("66");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(HexFormat.of().toHexDigits(d[i]));
        }
        return mac.toString();
    }

    /**
     * The node's VXLAN tunnel address ({@value #VXLAN_DEVICE}'s, {@code projectcalico.org/IPv4VXLANTunnelAddr}): the
     * address the topology resolver took from the node's block before its pods.
     *
     * @throws IllegalStateException when the lab is not in VXLAN mode (no node has one)
     */
    public static Ip tunnelAddress(Node node) {
        if (node.tunnelAddress() == null) {
            throw new IllegalStateException("node " + node.name() + " has no VXLAN tunnel address (calico mode is not vxlan)");
        }
        return node.tunnelAddress();
    }

    /**
     * The annotations calico-node writes on a Node (felix-facts §6): {@code projectcalico.org/IPv4Address}, the node's
     * address in CIDR form (its underlay prefix length); in VXLAN mode also {@code projectcalico.org/IPv4VXLANTunnelAddr},
     * the bare tunnel address. {@code VXLANTunnelMACAddr} is not written: Calico sets it only when told to (e.g. a
     * flannel migration); Felix derives the MAC ({@link #vtepMac}).
     */
    public static Map<String, String> nodeAnnotations(ResolvedTopology t, Node node) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(ANNOTATION_PREFIX + "IPv4Address", node.address() + "/" + t.underlay().length());
        if (vxlan(t)) {
            a.put(ANNOTATION_PREFIX + "IPv4VXLANTunnelAddr", tunnelAddress(node).toString());
        }
        return a;
    }

    /** {@code calico_backend} of the calico-config ConfigMap: {@code bird} for BGP mode, {@code vxlan} for VXLAN mode. */
    public static String calicoBackend(ResolvedTopology t) {
        return switch (config(t).mode()) {
            case BGP -> "bird";
            case VXLAN -> "vxlan";
        };
    }

    /** The default pool's {@code vxlanMode}: {@code Always} in VXLAN mode (every node is on one subnet), else {@code Never}. */
    public static String poolVxlanMode(ResolvedTopology t) {
        return vxlan(t) ? "Always" : "Never";
    }

    /**
     * The name of the BlockAffinity of {@code node}'s block (libcalico-go's naming, felix-facts §6): {@code <node>-} and
     * the block's CIDR with {@code .} and {@code /} replaced by {@code -}, e.g. {@code node-1-10-244-0-0-26}.
     */
    public static String blockAffinityName(Node node) {
        return node.name() + "-" + node.podCIDR().toString().replace('.', '-').replace('/', '-');
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
     * host MTU for the CNI plugin, minus the VXLAN overhead in VXLAN mode: {@link #mtu}).
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
