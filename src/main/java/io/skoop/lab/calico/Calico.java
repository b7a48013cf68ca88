package io.skoop.lab.calico;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.LabIds;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.Policy;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import io.skoop.model.Prefix;
import io.skoop.plugin.calico.CalicoNames;
import io.skoop.snapshot.k8s.KAdminNetworkPolicy;
import io.skoop.snapshot.k8s.KNetworkPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What Calico (github.com/projectcalico/calico: calico-node, the Calico CNI plugin and calico-ipam; BGP mode with BIRD
 * and no encapsulation, or VXLAN mode with Felix programming {@code vxlan.calico}) leaves on a cluster, as collected in
 * the team's notes (/work/notes/felix-facts.md §5.1, §5.3, §5.5, §5.6, §6) and re-expressed here: the per-pod veth's
 * name, MAC and sysctls, the pod's link-local gateway, the VXLAN device's parameters and VTEP MAC, the node annotations
 * calico-node writes, the {@code calico-config} ConfigMap of {@code manifests/calico.yaml} (or
 * {@code calico-vxlan.yaml}), and the names of the default IPPool and the BlockAffinities. The lab builder programs
 * these; the snapshot publishes them.
 *
 * <p>Felix's rules come from {@link FelixRules} over {@link #felixInput}. Not modelled yet: the IPIP mode (no ipip
 * module in the lab's kernel), the IPAMBlock and IPAMHandle objects, BaselineAdminNetworkPolicies (v3.30's tier).
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
    /** The pod's IPv6 next hop, the host-side veth's link-local address ({@link CalicoNames#POD_GATEWAY_V6}). */
    public static final Ip POD_GATEWAY_V6 = CalicoNames.POD_GATEWAY_V6;
    /** The underlay MTU of lab nodes: BGP mode without encapsulation gives pods the host's MTU (felix-facts §5.2). */
    public static final int MTU = 1500;
    /** The route protocol BIRD's kernel protocol installs its routes with ({@code proto bird}, 12 in rt_protos). */
    public static final String ROUTE_PROTO = "bird";
    /**
     * The Felix layout the lab programs: v3.29, the first with the {@code adminnetworkpolicy} tier, so a lab enforces
     * the AdminNetworkPolicies of its topology (calico-node's image in the snapshot says the same release).
     */
    public static final FelixRules.Version FELIX = FelixRules.Version.V3_29;
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
    /** The VXLAN device Felix creates for IPv6 in VXLAN mode on a dual-stack node ({@code VXLANIfaceNameV6}). */
    public static final String VXLAN_DEVICE_V6 = "vxlan-v6.calico";
    /**
     * {@value #VXLAN_DEVICE_V6}'s MTU ({@code VXLANMTUV6}: the underlay's minus 70 bytes of VXLAN over IPv6), which is
     * also the pods' MTU on a dual-stack VXLAN node: Felix gives pods the smallest MTU of the enabled encapsulations
     * ({@code determinePodMTU}).
     */
    public static final int VXLAN_MTU_V6 = MTU - io.skoop.netstack.link.VxlanInfo.OVERHEAD_V6;
    /** The IPPool calico-node creates at startup when none exists (felix-facts §5.6). */
    public static final String DEFAULT_POOL = "default-ipv4-ippool";
    /** The IPv6 IPPool calico-node creates at startup on a dual-stack node ({@code DEFAULT_IPV6_POOL_NAME}). */
    public static final String DEFAULT_POOL_V6 = "default-ipv6-ippool";
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
     * The IPv6 sysctls of a dual-stack pod's host-side veth as the Calico CNI plugin sets them
     * ({@code cni-plugin/pkg/dataplane/linux}): {@code accept_dad=0} (a point-to-point link), {@code proxy_ndp=1}
     * (proxy ARP's IPv6 counterpart), {@code forwarding=1}, {@code accept_ra=0}.
     */
    public static String[] vethSysctlsV6(String veth) {
        return new String[] {"net.ipv6.conf." + veth + ".accept_dad=0", "net.ipv6.conf." + veth + ".proxy_ndp=1",
                "net.ipv6.conf." + veth + ".forwarding=1", "net.ipv6.conf." + veth + ".accept_ra=0"};
    }

    /** Whether the lab's calico carries pod traffic between nodes in VXLAN. */
    public static boolean vxlan(ResolvedTopology t) {
        return config(t).mode() == Cni.CalicoMode.VXLAN;
    }

    /**
     * The MTU of pod veths (both ends): the underlay's in BGP mode, {@value #VXLAN_MTU} in VXLAN mode, {@value
     * #VXLAN_MTU_V6} in dual-stack VXLAN mode (the smaller encapsulation MTU wins).
     */
    public static int mtu(ResolvedTopology t) {
        return !vxlan(t) ? MTU : t.dualStack() ? VXLAN_MTU_V6 : VXLAN_MTU;
    }

    /**
     * What Felix on {@code node} renders its rules from ({@link FelixRules#render}): the node's pods as workload
     * endpoints behind their {@link #vethName} veths, every pod of the cluster (selector and named-port ipsets), each
     * namespace a pod or policy uses with its labels and {@code kubernetes.io/metadata.name}, the topology's
     * NetworkPolicies as the API server returns them (read by the snapshot reader: the same defaults), one IP pool
     * (the cluster CIDR, {@code natOutgoing: true} as {@code CALICO_IPV4POOL_NAT_OUTGOING} defaults it) and the
     * node's host addresses (its tunnel address in VXLAN mode) with {@code 127.0.0.1} ({@code cali40this-host}), and the AdminNetworkPolicies, in the
     * {@link #FELIX} layout. Pods run as service account {@code default}. BaselineAdminNetworkPolicies are not
     * rendered (their tier came with v3.30).
     *
     * @throws IllegalArgumentException when the topology does not run calico
     */
    public static FelixRules.Input felixInput(ResolvedTopology t, Node node) {
        return felixInput(t, node, IpFamily.IPv4);
    }

    /**
     * What Felix on {@code node} renders its rules of one family from: {@link #felixInput(ResolvedTopology, Node)} for
     * IPv4; for IPv6 (a dual-stack lab) the pods' IPv6 addresses, the IPv6 pool ({@code default-ipv6-ippool}, the IPv6
     * cluster CIDR, {@code natOutgoing: false} as {@code CALICO_IPV6POOL_NAT_OUTGOING} defaults it) and the node's IPv6
     * addresses as Felix's host-IP manager finds them on its non-{@code cali} interfaces: eth0's global and link-local
     * (EUI-64 of the MAC the lab gives eth0) ones, in VXLAN mode the link-local addresses of both VXLAN devices and
     * {@value #VXLAN_DEVICE_V6}'s tunnel address, and {@code ::1}.
     *
     * @throws IllegalArgumentException when the topology does not run calico, or asks for IPv6 on a single-stack lab
     */
    public static FelixRules.Input felixInput(ResolvedTopology t, Node node, IpFamily family) {
        config(t);
        boolean v6 = family == IpFamily.IPv6;
        if (v6 && !t.dualStack()) {
            throw new IllegalArgumentException("lab " + t.name() + " is IPv4 single-stack: Felix renders no IPv6 rules for it");
        }
        List<FelixRules.Workload> cluster = t.pods().stream().map(p -> workload(p, family)).toList();
        List<FelixRules.Endpoint> local = t.pods().stream().filter(p -> p.node().equals(node.name()))
                .map(p -> FelixRules.Endpoint.of(workload(p, family))).toList();
        List<KNetworkPolicy> policies = t.policies().stream().filter(p -> p.kind().equals("NetworkPolicy")).map(Calico::networkPolicy).toList();
        List<KAdminNetworkPolicy> admin = t.policies().stream().filter(p -> p.kind().equals("AdminNetworkPolicy"))
                .map(p -> KAdminNetworkPolicy.parse(p.manifest())).toList();
        TreeSet<String> names = new TreeSet<>();
        t.pods().forEach(p -> names.add(p.namespace()));
        t.namespaces().forEach(n -> names.add(n.name()));
        policies.forEach(np -> names.add(np.namespace()));
        List<FelixRules.Namespace> namespaces = names.stream().map(n -> {
            Map<String, String> labels = new LinkedHashMap<>(t.namespaceLabels(n));
            labels.put("kubernetes.io/metadata.name", n);
            return new FelixRules.Namespace(n, labels);
        }).toList();
        if (v6) {
            List<Ip> host = new java.util.ArrayList<>(List.of(node.addressV6(), Ip.linkLocalEui64(LabIds.mac(t.name(), node.name(), "eth0"))));
            if (vxlan(t)) {
                host.addAll(List.of(Ip.linkLocalEui64(vtepMac(node)), tunnelAddressV6(node), Ip.linkLocalEui64(vtepMacV6(node))));
            }
            host.add(Ip.parse("::1"));
            return new FelixRules.Input(local, cluster, namespaces, policies, List.of(new FelixRules.Pool(t.ipv6().clusterCIDR(), false)),
                    host, admin, FELIX, family);
        }
        return new FelixRules.Input(local, cluster, namespaces, policies, List.of(new FelixRules.Pool(t.clusterCIDR(), true)),
                node.tunnelAddress() == null ? List.of(node.address(), Ip.parse("127.0.0.1"))
                        : List.of(node.address(), node.tunnelAddress(), Ip.parse("127.0.0.1")), admin, FELIX, family);
    }

    private static FelixRules.Workload workload(Pod p, IpFamily family) {
        return new FelixRules.Workload(p.namespace(), p.name(), "default", p.labels(), p.ip(family), p.ports().stream()
                .filter(c -> c.name() != null).map(c -> new FelixRules.NamedPort(c.name(), c.protocol(), c.port())).toList());
    }

    /** A topology's NetworkPolicy as the snapshot reader reads it (its namespace filled in as the API server does). */
    private static KNetworkPolicy networkPolicy(Policy p) {
        ObjectNode m = p.manifest().deepCopy();
        m.withObjectProperty("metadata").put("namespace", p.namespace());
        return KNetworkPolicy.parse(m);
    }

    /**
     * The MAC of a node's {@value #VXLAN_DEVICE} as Felix derives it ({@link CalicoNames#vtepMac}): the lab writes no
     * {@code projectcalico.org/VXLANTunnelMACAddr} annotation.
     */
    public static String vtepMac(Node node) {
        return CalicoNames.vtepMac(node.name());
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
     * The MAC of a node's {@value #VXLAN_DEVICE_V6} as Felix derives it without a {@code VXLANTunnelMACAddrV6}
     * annotation ({@code vtepMACForHost} in felix/calc/vxlan_resolver.go): {@link CalicoNames#vtepMac} of the node name
     * followed by {@code -v6}.
     */
    public static String vtepMacV6(Node node) {
        return CalicoNames.vtepMac(node.name() + "-v6");
    }

    /**
     * The node's IPv6 VXLAN tunnel address ({@value #VXLAN_DEVICE_V6}'s, {@code projectcalico.org/IPv6VXLANTunnelAddr}):
     * ordinal 0 of its IPv6 block, which the topology resolver keeps from the pods.
     *
     * @throws IllegalStateException when the node has no IPv6 block
     */
    public static Ip tunnelAddressV6(Node node) {
        if (node.podCIDRv6() == null) {
            throw new IllegalStateException("node " + node.name() + " has no IPv6 block");
        }
        return node.podCIDRv6().address();
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
        if (node.addressV6() != null) {
            a.put(ANNOTATION_PREFIX + "IPv6Address", node.addressV6() + "/" + t.ipv6().underlay().length());
            if (vxlan(t)) {
                a.put(ANNOTATION_PREFIX + "IPv6VXLANTunnelAddr", tunnelAddressV6(node).toString());
            }
        }
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
        return blockAffinityName(node, node.podCIDR());
    }

    /**
     * The name of the BlockAffinity of {@code node}'s {@code block} of either family: libcalico-go's
     * {@code names.CIDRToName} replaces {@code .}, {@code :} and {@code /} with {@code -}, e.g.
     * {@code node-1-fd00-10-244---122} for {@code fd00:10:244::/122}.
     */
    public static String blockAffinityName(Node node, Prefix block) {
        return node.name() + "-" + block.toString().replace('.', '-').replace(':', '-').replace('/', '-');
    }

    /**
     * {@code cni_network_config} of the calico-config ConfigMap as {@code manifests/calico.yaml} ships it (felix-facts
     * §6); the install-cni container substitutes the placeholders on each node.
     */
    public static String cniNetworkConfig() {
        return cniNetworkConfig(false);
    }

    /**
     * {@link #cniNetworkConfig()}, on a dual-stack cluster with the IPAM section Calico's dual-stack guide asks for:
     * {@code "assign_ipv4": "true", "assign_ipv6": "true"} (calico-ipam then takes one address of each family).
     */
    public static String cniNetworkConfig(boolean dualStack) {
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
                          "type": "calico-ipam"%s
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
                }""".formatted(dualStack ? ",\n          \"assign_ipv4\": \"true\",\n          \"assign_ipv6\": \"true\"" : "");
    }

    /**
     * The data of {@code kube-system/calico-config}: {@code calico_backend}, {@code cni_network_config},
     * {@code typha_service_name: none} and {@code veth_mtu} — the manifest's {@code "0"} means "auto" (Felix writes the
     * host MTU for the CNI plugin, minus the VXLAN overhead in VXLAN mode: {@link #mtu}).
     */
    public static Map<String, String> configMapData(ResolvedTopology t) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("calico_backend", calicoBackend(t));
        d.put("cni_network_config", cniNetworkConfig(t.dualStack()));
        d.put("typha_service_name", "none");
        d.put("veth_mtu", "0");
        return d;
    }
}
