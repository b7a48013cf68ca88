package io.skoop.lab.flannel;

import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.LabIds;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import io.skoop.plugin.flannel.FlannelPlugin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What flannel (github.com/flannel-io/flannel, v0.2x, kube subnet manager) leaves on a cluster:
 * the node annotations flanneld writes, its ConfigMap files from {@code kube-flannel.yml}, the MTU
 * it hands to the CNI plugin, the VXLAN device's parameters and its iptables rules
 * ({@code pkg/trafficmngr/iptables}). The lab builder programs these; the snapshot publishes them;
 * the diagnosis compares the real netstack against them.
 */
public final class Flannel {

    /** The VXLAN device flanneld creates: {@code flannel.<VNI>} (the plugin's intent: {@link FlannelPlugin}). */
    public static final String VXLAN_DEVICE = FlannelPlugin.VXLAN_DEVICE;
    /**
     * The IPv6 VXLAN device flanneld creates when {@code EnableIPv6} is set: {@code flannel-v6.<VNI>}, {@code local}
     * the node's IPv6 address, the same VNI, port and MTU as {@code flannel.1} (pkg/backend/vxlan: both devices get
     * the interface MTU minus 50, although the IPv6 outer header is 20 bytes longer).
     */
    public static final String VXLAN_V6_DEVICE = "flannel-v6." + FlannelPlugin.VNI;
    /** The default VNI of the vxlan backend. */
    public static final int VNI = FlannelPlugin.VNI;
    /** The vxlan backend's default UDP port (the Linux default 8472, not IANA's 4789). */
    public static final int VXLAN_PORT = FlannelPlugin.VXLAN_PORT;
    /** Bytes VXLAN adds over IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
    public static final int VXLAN_OVERHEAD = FlannelPlugin.VXLAN_OVERHEAD;
    /** The underlay MTU of lab nodes' {@code eth0}. */
    public static final int UNDERLAY_MTU = 1500;
    /** The annotation prefix flanneld uses on Node objects. */
    public static final String ANNOTATION_PREFIX = FlannelPlugin.ANNOTATION_PREFIX;
    /** The masquerade mark kube-proxy sets (0x4000); flannel skips packets kube-proxy masquerades. */
    public static final String KUBE_MASQ_MARK = "0x4000/0x4000";

    private Flannel() {
    }

    /** The flannel configuration of a lab cluster. @throws IllegalArgumentException when its CNI is not flannel */
    public static Cni.FlannelBackend backend(ResolvedTopology t) {
        if (t.cni() instanceof Cni.Flannel f) {
            return f.backend();
        }
        throw new IllegalArgumentException("lab " + t.name() + " does not run flannel but " + t.cni().type());
    }

    /**
     * The MTU flanneld writes to {@code /run/flannel/subnet.env} ({@code FLANNEL_MTU}) and the CNI plugin gives
     * {@code cni0} and every pod veth: the underlay MTU minus the backend's overhead (vxlan 1450, host-gw 1500).
     */
    public static int mtu(Cni.FlannelBackend backend) {
        return backend == Cni.FlannelBackend.VXLAN ? UNDERLAY_MTU - VXLAN_OVERHEAD : UNDERLAY_MTU;
    }

    /** The MAC of {@code flannel.1} on a node: the {@code VtepMAC} of its backend-data annotation. */
    public static String vtepMac(ResolvedTopology t, Node node) {
        return LabIds.mac(t.name(), node.name(), VXLAN_DEVICE);
    }

    /**
     * The address of {@code flannel.1} on a node and the next hop other nodes route its podCIDR via: the podCIDR's
     * network address (a /32 on the device; flannel's vxlan backend since v0.10).
     */
    public static Ip vtepAddress(Node node) {
        return node.podCIDR().address();
    }

    /** The MAC of {@code flannel-v6.1} on a node: the {@code VtepMAC} of its backend-v6-data annotation. */
    public static String vtepMacV6(ResolvedTopology t, Node node) {
        return LabIds.mac(t.name(), node.name(), VXLAN_V6_DEVICE);
    }

    /**
     * The address of {@code flannel-v6.1} on a node and the next hop other nodes route its IPv6 podCIDR via: the IPv6
     * podCIDR's network address, a /128 on the device (pkg/backend/vxlan {@code configureDeviceIPv4IPv6}); null on a
     * single-stack node.
     */
    public static Ip vtepAddressV6(Node node) {
        return node.podCIDRv6() == null ? null : node.podCIDRv6().address();
    }

    /**
     * The annotations flanneld (kube subnet manager, pkg/subnet/kube) writes on a Node, in the order {@code kubectl}
     * prints them: {@code backend-data} ({@code {"VNI":1,"VtepMAC":"…"}} for vxlan, {@code null} for host-gw),
     * {@code backend-type}, on a dual-stack node {@code backend-v6-data} (the same shape, flannel-v6.1's MAC),
     * {@code kube-subnet-manager}, {@code public-ip} and on a dual-stack node {@code public-ipv6}.
     */
    public static Map<String, String> nodeAnnotations(ResolvedTopology t, Node node) {
        Cni.FlannelBackend b = backend(t);
        Map<String, String> a = new LinkedHashMap<>();
        a.put(ANNOTATION_PREFIX + "backend-data", b == Cni.FlannelBackend.VXLAN ? backendData(vtepMac(t, node)) : "null");
        a.put(ANNOTATION_PREFIX + "backend-type", b.text());
        if (node.addressV6() != null) {
            a.put(ANNOTATION_PREFIX + "backend-v6-data", b == Cni.FlannelBackend.VXLAN ? backendData(vtepMacV6(t, node)) : "null");
        }
        a.put(ANNOTATION_PREFIX + "kube-subnet-manager", "true");
        a.put(ANNOTATION_PREFIX + "public-ip", node.address().toString());
        if (node.addressV6() != null) {
            a.put(ANNOTATION_PREFIX + "public-ipv6", node.addressV6().toString());
        }
        return a;
    }

    private static String backendData(String vtepMac) {
        return "{\"VNI\":" + VNI + ",\"VtepMAC\":\"" + vtepMac + "\"}";
    }

    /**
     * {@code net-conf.json} of the {@code kube-flannel-cfg} ConfigMap, as kube-flannel.yml ships it, with the lab's
     * network and backend; on a dual-stack cluster also {@code EnableIPv6} and {@code IPv6Network} (flannel's
     * Documentation/configuration.md).
     */
    public static String netConfJson(ResolvedTopology t) {
        String v6 = t.dualStack() ? "  \"EnableIPv6\": true,\n  \"IPv6Network\": \"" + t.ipv6().clusterCIDR() + "\",\n" : "";
        return "{\n  \"Network\": \"" + t.clusterCIDR() + "\",\n" + v6 + "  \"EnableNFTables\": false,\n  \"Backend\": {\n    \"Type\": \""
                + backend(t).text() + "\"\n  }\n}\n";
    }

    /** {@code cni-conf.json} of the {@code kube-flannel-cfg} ConfigMap, verbatim from kube-flannel.yml. */
    public static String cniConfJson() {
        return """
                {
                  "name": "cbr0",
                  "cniVersion": "0.3.1",
                  "plugins": [
                    {
                      "type": "flannel",
                      "delegate": {
                        "hairpinMode": true,
                        "isDefaultGateway": true
                      }
                    },
                    {
                      "type": "portmap",
                      "capabilities": {
                        "portMappings": true
                      }
                    }
                  ]
                }
                """;
    }

    /**
     * flanneld's iptables rules on a node as {@code iptables-restore --noflush} input: the {@code FLANNEL-POSTRTG}
     * masquerade chain (traffic leaving the pod network is masqueraded, pod-to-pod traffic is not, packets kube-proxy
     * marked are left to kube-proxy) jumped to from {@code nat POSTROUTING}, and {@code FLANNEL-FWD} accepting the
     * pod network in {@code filter FORWARD}. The jumps are appended ({@code AppendUnique}), so they follow
     * kube-proxy's, which kube-proxy inserts at the top.
     */
    public static String iptablesRestoreText(ResolvedTopology t, Node node) {
        return restoreText(t.clusterCIDR().toString(), node.podCIDR().toString(), "224.0.0.0/4");
    }

    /**
     * flanneld's IPv6 rules on a dual-stack node as {@code ip6tables-restore --noflush} input: the same chains over
     * {@code IPv6Network} and the node's IPv6 podCIDR, multicast {@code ff00::/8} left alone
     * (pkg/trafficmngr/iptables {@code masqIP6Rules}, {@code forwardRules}).
     *
     * @throws IllegalArgumentException when the cluster is not dual-stack
     */
    public static String ip6tablesRestoreText(ResolvedTopology t, Node node) {
        if (!t.dualStack()) {
            throw new IllegalArgumentException("lab " + t.name() + " is not dual-stack");
        }
        return restoreText(t.ipv6().clusterCIDR().toString(), node.podCIDRv6().toString(), "ff00::/8");
    }

    private static String restoreText(String net, String sub, String multicast) {
        String masq = "-m comment --comment \"flanneld masq\"";
        String fwd = "-m comment --comment \"flanneld forward\"";
        return "*filter\n"
                + ":FLANNEL-FWD - [0:0]\n"
                + "-A FORWARD " + fwd + " -j FLANNEL-FWD\n"
                + "-A FLANNEL-FWD -s " + net + " " + fwd + " -j ACCEPT\n"
                + "-A FLANNEL-FWD -d " + net + " " + fwd + " -j ACCEPT\n"
                + "COMMIT\n"
                + "*nat\n"
                + ":FLANNEL-POSTRTG - [0:0]\n"
                + "-A POSTROUTING " + masq + " -j FLANNEL-POSTRTG\n"
                + "-A FLANNEL-POSTRTG -m mark --mark " + KUBE_MASQ_MARK + " " + masq + " -j RETURN\n"
                + "-A FLANNEL-POSTRTG -s " + sub + " -d " + net + " " + masq + " -j RETURN\n"
                + "-A FLANNEL-POSTRTG -s " + net + " -d " + sub + " " + masq + " -j RETURN\n"
                + "-A FLANNEL-POSTRTG ! -s " + net + " -d " + sub + " " + masq + " -j RETURN\n"
                + "-A FLANNEL-POSTRTG -s " + net + " ! -d " + multicast + " " + masq + " -j MASQUERADE --random-fully\n"
                + "-A FLANNEL-POSTRTG ! -s " + net + " -d " + net + " " + masq + " -j MASQUERADE --random-fully\n"
                + "COMMIT\n";
    }
}
