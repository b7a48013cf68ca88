package io.skoop.plugin.calico;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.model.Suspicion;
import io.skoop.netstack.NetNS;
import io.skoop.netstack.link.Address;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.link.Scope;
import io.skoop.netstack.link.VxlanInfo;
import io.skoop.netstack.route.FibTable;
import io.skoop.netstack.route.Nexthop;
import io.skoop.netstack.route.Route;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.netstack.route.RouteType;
import io.skoop.netstack.route.Tables;
import io.skoop.netstack.sysctl.Sysctls;
import io.skoop.plugin.Plugin;
import io.skoop.plugin.PluginFactory;
import io.skoop.plugin.VxlanIntent;
import io.skoop.snapshot.SnapshotMeta;
import io.skoop.snapshot.k8s.KBlockAffinity;
import io.skoop.snapshot.k8s.KIPPool;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KubeObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * Calico's intent (calico-node with BIRD or Felix programming the routes, the Calico CNI plugin, calico-ipam), in its
 * {@code bgp}, {@code vxlan} and {@code ipip} modes. Sources: the team's notes /work/notes/felix-facts.md (§5.1 the
 * per-pod veth, §5.2 MTU, §5.3 BGP routes, §5.4 IPIP, §5.5 VXLAN, §6 the node annotations and BlockAffinities), and
 * Calico's documentation: "Overlay networking" (docs.tigera.io/calico/latest/networking/configuring/vxlan-ipip) and
 * "Configure MTU to maximize network performance" (docs.tigera.io/calico/latest/networking/configuring/mtu).
 * <ul>
 *   <li>every mode, per pod of the node: a host-side veth {@code cali<11 hex>} ({@link CalicoNames#vethName}), up, with
 *       {@code net.ipv4.conf.<veth>.proxy_arp=1} (it answers the pod's ARP for {@value #GATEWAY_TEXT}), and the route
 *       {@code <pod IP> dev <veth> scope link}; on the node {@code net.ipv4.ip_forward=1} (Felix's IPForwarding);</li>
 *   <li>in the pod: the pod IP as a /32 on eth0, {@code 169.254.1.1 dev eth0 scope link} and
 *       {@code default via 169.254.1.1 dev eth0}, the MTU of its host-side veth: the underlay's, less 50 in VXLAN mode
 *       and 20 in IPIP mode (1500, 1450, 1480 over a 1500 underlay);</li>
 *   <li>bgp: BIRD's {@code blackhole <own block> proto bird} and, per block of another node,
 *       {@code <block> via <node IP> dev <underlay device> proto bird};</li>
 *   <li>ipip: the same with {@code dev tunl0 ... onlink} towards other nodes' blocks, over an up {@code tunl0};</li>
 *   <li>vxlan: device {@value #VXLAN_DEVICE} (VNI {@value #VNI}, UDP port {@value #VXLAN_PORT}, the node's
 *       {@code projectcalico.org/IPv4VXLANTunnelAddr}, MTU = underlay − 50), Felix's blackhole for the own block, and
 *       per other node {@code <block> via <its tunnel address> dev vxlan.calico onlink}, a PERMANENT neighbour
 *       {@code <tunnel address> lladdr <its VTEP MAC>} and an FDB entry {@code <VTEP MAC> dst <node IP>}.</li>
 * </ul>
 * On a dual-stack cluster (a node has an IPv6 block), from the Calico CNI plugin's
 * {@code cni-plugin/pkg/dataplane/linux} and BIRD: per pod with an IPv6 address, {@code <pod IPv6> dev <veth>} on the
 * node, the host-side veth holding {@value #GATEWAY_V6_TEXT} (the link-local address the kernel derives from
 * {@code ee:ee:ee:ee:ee:ee}), the pod's address as a /128 on eth0 and {@code default via fe80::ecee:eeff:feee:eeee dev
 * eth0}; on the node {@code net.ipv6.conf.all.forwarding=1}; in bgp mode the own IPv6 block a blackhole and every other
 * node's via its {@code projectcalico.org/IPv6Address} (else IPv6 InternalIP); in vxlan mode {@value #VXLAN_DEVICE_V6}
 * (VNI, port, up, {@code projectcalico.org/IPv6VXLANTunnelAddr} as a /128, MTU + 70 within the underlay's), every other
 * node's IPv6 block via its IPv6 tunnel address over it with a PERMANENT neighbour and an FDB entry to its IPv6 address,
 * and pods at the underlay's MTU − 70 (Felix's smallest encapsulation MTU). IPv6 in ipip mode is not checked.
 * A node's blocks are its active (confirmed, not deleted) BlockAffinities when the snapshot lists any
 * ({@code k8s/blockaffinities.json}), else its podCIDR. A node's address is its {@code projectcalico.org/IPv4Address}
 * annotation, else its first InternalIP. A VTEP MAC is compared with {@code projectcalico.org/VXLANTunnelMACAddr} only
 * when the node has it: Felix derives it otherwise, and the derivation is not verified (felix-facts §5.5, §8); the
 * neighbour's MAC must then still have the FDB entry.
 *
 * <p>Every difference is a WARNING (INFO for what the snapshot does not say): whether it breaks a flow is decided where
 * the simulated packet meets it.
 */
public final class CalicoPlugin implements Plugin {
    /** Felix's VXLAN device. */
    public static final String VXLAN_DEVICE = "vxlan.calico";
    /** The VNI Felix gives {@value #VXLAN_DEVICE} (FelixConfiguration vxlanVNI default). */
    public static final int VNI = 4096;
    /** The UDP port Felix gives {@value #VXLAN_DEVICE} (IANA's 4789, FelixConfiguration vxlanPort default). */
    public static final int VXLAN_PORT = 4789;
    /** The kernel's fallback IPIP device Calico's IPIP mode uses. */
    public static final String IPIP_DEVICE = "tunl0";
    /** Bytes IPIP adds: the outer IPv4 header. */
    public static final int IPIP_OVERHEAD = 20;
    /** The route protocol of BIRD's routes. */
    public static final String BIRD = "bird";
    /** The route protocol of Felix's routes (80 when DeviceRouteProtocol keeps its default, felix-facts §5.5). */
    public static final String FELIX = "80";
    /** The modes as the snapshot's {@code cniBackend} names them (ClusterFacts: from the IPPool, else calico-config). */
    public static final List<String> MODES = List.of("bgp", "vxlan", "ipip");
    /** Prefix of the annotations calico-node writes on Nodes. */
    public static final String ANNOTATION_PREFIX = "projectcalico.org/";
    /** The node address annotation (CIDR form: {@code 192.168.56.2/24}). */
    public static final String IPV4_ADDRESS = ANNOTATION_PREFIX + "IPv4Address";
    /** The node's IPv6 address in CIDR form, as calico-node writes it on a dual-stack node. */
    public static final String IPV6_ADDRESS = ANNOTATION_PREFIX + "IPv6Address";
    /** The node's VXLAN tunnel address annotation (a bare address). */
    public static final String VXLAN_TUNNEL_ADDR = ANNOTATION_PREFIX + "IPv4VXLANTunnelAddr";
    /** The node's VTEP MAC annotation, present only when set explicitly. */
    public static final String VXLAN_TUNNEL_MAC = ANNOTATION_PREFIX + "VXLANTunnelMACAddr";
    /** The IPv6 VXLAN device Felix creates in VXLAN mode on a dual-stack node. */
    public static final String VXLAN_DEVICE_V6 = "vxlan-v6.calico";
    /** The node's IPv6 VXLAN tunnel address annotation (a bare address). */
    public static final String VXLAN_TUNNEL_ADDR_V6 = ANNOTATION_PREFIX + "IPv6VXLANTunnelAddr";
    /** The node's IPv6 VTEP MAC annotation, present only when set explicitly. */
    public static final String VXLAN_TUNNEL_MAC_V6 = ANNOTATION_PREFIX + "VXLANTunnelMACAddrV6";
    private static final String GATEWAY_TEXT = "169.254.1.1";
    private static final String GATEWAY_V6_TEXT = "fe80::ecee:eeff:feee:eeee";
    private static final String CNI = "the Calico CNI plugin";

    private static final VxlanIntent VXLAN = new VxlanIntent("Calico", VXLAN_DEVICE, VNI, VXLAN_PORT, "Felix in VXLAN mode",
            VXLAN_TUNNEL_MAC);
    private static final VxlanIntent VXLAN_V6 = new VxlanIntent("Calico", VXLAN_DEVICE_V6, VNI, VXLAN_PORT, "Felix in VXLAN mode with IPv6",
            VXLAN_TUNNEL_MAC_V6);

    private final String mode;
    private final List<KPod> pods;
    private final List<KBlockAffinity> affinities;

    /**
     * @param mode       {@code bgp}, {@code vxlan} or {@code ipip} ({@code bird} is read as bgp); another mode checks
     *                   the pods' veths only
     * @param pods       the cluster's pods (those of a node are its workloads)
     * @param affinities the cluster's BlockAffinities; empty when the snapshot has none (blocks are then the podCIDRs)
     */
    public CalicoPlugin(String mode, List<KPod> pods, List<KBlockAffinity> affinities) {
        String m = mode == null ? "bgp" : mode.toLowerCase(Locale.ROOT);
        this.mode = m.equals("bird") ? "bgp" : m;
        this.pods = List.copyOf(pods);
        this.affinities = List.copyOf(affinities);
    }

    /** Registers Calico with {@link io.skoop.network.Network#of} ({@code META-INF/services}). */
    public static final class Factory implements PluginFactory {
        @Override
        public String cni() {
            return "calico";
        }

        /** The plugin in the snapshot's {@code cniBackend} mode; without one, its first enabled IPv4 IPPool's. */
        @Override
        public Plugin create(SnapshotMeta meta, KubeObjects objects) {
            String mode = meta.cniBackend();
            if (mode == null || mode.isBlank()) {
                mode = objects.ipPools().stream().filter(p -> !p.disabled() && !p.cidr().isV6()).findFirst()
                        .map(KIPPool::encapsulation).orElse(null);
            }
            return new CalicoPlugin(mode, objects.pods(), objects.blockAffinities());
        }
    }

    @Override
    public String name() {
        return "calico";
    }

    /** The mode: {@code bgp}, {@code vxlan}, {@code ipip} or one skoop does not know. */
    public String mode() {
        return mode;
    }

    /** Felix renders Kubernetes NetworkPolicies into iptables rules (felix-facts §1, §3). */
    @Override
    public boolean enforcesNetworkPolicy() {
        return true;
    }

    /** Felix polices what a workload sends to its own host through {@code cali-wl-to-host} (felix-facts §1.5). */
    @Override
    public boolean policesEgressToOwnNode() {
        return true;
    }

    /**
     * Felix's chains are all {@code cali-*} (felix-facts §1: hooks' targets, dispatch, {@code cali-tw-}/{@code cali-fw-},
     * policy and profile chains); a drop in one of them is Felix enforcing (or failing to update) policy.
     */
    @Override
    public boolean rendersPolicyIn(String chain) {
        return chain.startsWith("cali-");
    }

    /** The node's IPv4 blocks: its active BlockAffinities when the snapshot lists any, else its podCIDR. */
    public List<Prefix> blocks(KNode node) {
        return blocks(node, false);
    }

    /** The node's blocks of one family (IPv6 when {@code v6}): as {@link #blocks(KNode)}. */
    public List<Prefix> blocks(KNode node, boolean v6) {
        if (!affinities.isEmpty()) {
            return affinities.stream().filter(a -> a.isActive() && a.node().equals(node.name()) && a.cidr().isV6() == v6)
                    .map(KBlockAffinity::cidr).toList();
        }
        return node.podCIDRs().stream().filter(p -> p.isV6() == v6).toList();
    }

    /** The node's address: {@code projectcalico.org/IPv4Address} without its prefix length, else its first InternalIP; or null. */
    public static Ip nodeIp(KNode node) {
        return nodeIp(node, false);
    }

    /**
     * The node's address of one family: {@code projectcalico.org/IPv4Address} (IPv6: {@code IPv6Address}) without its
     * prefix length, else its first InternalIP of that family; or null.
     */
    public static Ip nodeIp(KNode node, boolean v6) {
        String a = node.annotations().get(v6 ? IPV6_ADDRESS : IPV4_ADDRESS);
        Ip ip = a == null ? null : Ip.tryParse(a.contains("/") ? a.substring(0, a.indexOf('/')) : a);
        if (ip != null && ip.isV6() == v6) {
            return ip;
        }
        return node.internalIPs().stream().filter(i -> i.isV6() == v6).findFirst().orElse(null);
    }

    /** The node's {@code projectcalico.org/IPv4VXLANTunnelAddr}, or null. */
    public static Ip tunnelAddress(KNode node) {
        return tunnelAddress(node, false);
    }

    /** The node's {@code projectcalico.org/IPv4VXLANTunnelAddr} (IPv6: {@code IPv6VXLANTunnelAddr}), or null. */
    public static Ip tunnelAddress(KNode node, boolean v6) {
        String a = node.annotations().get(v6 ? VXLAN_TUNNEL_ADDR_V6 : VXLAN_TUNNEL_ADDR);
        Ip ip = a == null ? null : Ip.tryParse(a.trim());
        return ip != null && ip.isV6() == v6 ? ip : null;
    }

    /** The pods with their own network namespace on {@code node} that hold an IPv4 address and have not ended. */
    public List<KPod> workloads(KNode node) {
        return pods.stream().filter(p -> node.name().equals(p.nodeName()) && !p.hostNetwork() && podIPv4(p) != null
                && !"Succeeded".equals(p.phase()) && !"Failed".equals(p.phase())).toList();
    }

    private static Ip podIPv4(KPod p) {
        return podIp(p, false);
    }

    private static Ip podIp(KPod p, boolean v6) {
        return p.podIPs().stream().filter(i -> i.isV6() == v6).findFirst().orElse(null);
    }

    private static Interface underlay(NetNS ns, KNode node) {
        Ip ip = nodeIp(node);
        return ip == null ? null : ns.interfaces().withAddress(ip).orElse(null);
    }

    /** Bytes the mode's encapsulation adds (0 for bgp). */
    /**
     * The bytes the mode's encapsulation takes from the underlay's MTU for pods: VXLAN over IPv6 (70) on a node with an
     * IPv6 block in vxlan mode, as Felix gives pods the smallest MTU of the enabled encapsulations
     * ({@code determinePodMTU}).
     */
    private int overhead(boolean dualStack) {
        return switch (mode) {
            case "vxlan" -> dualStack ? VxlanInfo.OVERHEAD_V6 : VxlanInfo.OVERHEAD_V4;
            case "ipip" -> IPIP_OVERHEAD;
            default -> 0;
        };
    }

    /**
     * The route Calico installs on {@code node} for {@code dst}: towards another node's block BIRD's (bgp, ipip) or
     * Felix's (vxlan) block route; for a pod of the node the CNI plugin's {@code <ip> dev <veth> scope link}; for the
     * rest of the node's own blocks the blackhole (felix-facts §5.1, §5.3, §5.5).
     */
    @Override
    public Optional<String> expectedRoute(KNode node, NetNS ns, Ip dst, List<KNode> nodes) {
        boolean v6 = dst.isV6();
        for (KNode other : nodes) {
            if (other.name().equals(node.name())) {
                continue;
            }
            for (Prefix block : blocks(other, v6)) {
                if (block.contains(dst)) {
                    return remoteRoute(node, ns, other, block);
                }
            }
        }
        for (KPod p : workloads(node)) {
            if (dst.equals(podIp(p, v6))) {
                return Optional.of(podRoute(dst, CalicoNames.vethName(p.namespace(), p.name())));
            }
        }
        return blocks(node, v6).stream().filter(b -> b.contains(dst)).findFirst().map(this::blackhole);
    }

    /** The CNI plugin's route to a pod: {@code <ip> dev <veth> scope link} (IPv6 routes carry no scope in ip's output). */
    private static String podRoute(Ip ip, String veth) {
        return ip + " dev " + veth + (ip.isV6() ? "" : " scope link");
    }

    private String blackhole(Prefix block) {
        return "blackhole " + block + " proto " + (mode.equals("vxlan") ? FELIX : BIRD);
    }

    private Optional<String> remoteRoute(KNode node, NetNS ns, KNode other, Prefix block) {
        if (block.isV6() && mode.equals("vxlan")) {
            Ip t = tunnelAddress(other, true);
            return Optional.of(block + " via " + (t == null ? "<the IPv6 VXLAN tunnel address of node " + other.name() + ">" : t)
                    + " dev " + VXLAN_DEVICE_V6 + " onlink");
        }
        if (block.isV6() && !mode.equals("bgp")) {
            return Optional.empty(); // IPIP carries no IPv6
        }
        Ip via = nodeIp(other, block.isV6());
        String gw = via == null ? "<the address of node " + other.name() + ">" : via.toString();
        return switch (mode) {
            case "bgp" -> {
                Interface u = underlay(ns, node);
                yield Optional.of(block + " via " + gw + " dev " + (u != null ? u.name() : "<the device of " + nodeIp(node) + ">")
                        + " proto " + BIRD);
            }
            case "ipip" -> Optional.of(block + " via " + gw + " dev " + IPIP_DEVICE + " proto " + BIRD + " onlink");
            case "vxlan" -> {
                Ip t = tunnelAddress(other);
                yield Optional.of(block + " via " + (t == null ? "<the VXLAN tunnel address of node " + other.name() + ">" : t)
                        + " dev " + VXLAN_DEVICE + " onlink");
            }
            default -> Optional.empty();
        };
    }

    @Override
    public List<Suspicion> checkNode(KNode node, NetNS ns, List<KNode> nodes) {
        List<Suspicion> out = new ArrayList<>();
        Optional<Boolean> forward = ns.sysctls().ipForward();
        if (forward.isEmpty()) {
            out.add(Suspicion.info("net.ipv4.ip_forward not collected: whether node " + node.name() + " forwards pod traffic is not checked"));
        } else if (!forward.get()) {
            out.add(Suspicion.warning("net.ipv4.ip_forward = 0; Calico needs 1 (Felix's IPForwarding) to forward pod traffic"));
        }
        Ip own = nodeIp(node);
        Interface underlay = underlay(ns, node);
        if (own != null && underlay == null) {
            out.add(Suspicion.warning("no device holds node " + node.name() + "'s address " + own + " (" + IPV4_ADDRESS + " or InternalIP)"));
        }
        for (KPod p : workloads(node)) {
            checkWorkload(ns, p, out);
        }
        if (!MODES.contains(mode)) {
            out.add(Suspicion.info("Calico mode '" + mode + "' is not one skoop knows (" + String.join(", ", MODES)
                    + "): the routes between nodes are not checked"));
            return out;
        }
        boolean remotes = true;
        if (mode.equals("vxlan")) {
            Ip tunnel = tunnelAddress(node);
            VXLAN.checkDevice(ns, underlay, tunnel, " (" + VXLAN_TUNNEL_ADDR + " of node " + node.name() + ")", out);
            // without the device there are no routes, neighbours or FDB entries through it: one cause, one suspicion
            remotes = ns.interfaces().byName(VXLAN_DEVICE).isPresent();
        } else if (mode.equals("ipip")) {
            Interface tunl = ns.interfaces().byName(IPIP_DEVICE).orElse(null);
            if (tunl == null) {
                out.add(Suspicion.warning("no " + IPIP_DEVICE + " device (the kernel's ipip fallback device, Calico's IPIP mode routes over it)"));
            } else if (!tunl.isUp()) {
                out.add(Suspicion.warning(IPIP_DEVICE + " is down"));
            }
        }
        for (Prefix block : blocks(node)) {
            checkBlackhole(ns, node, block, out);
        }
        for (KNode other : nodes) {
            if (remotes && !other.name().equals(node.name())) {
                checkRemote(ns, node, other, out);
            }
        }
        checkIpv6(node, ns, nodes, out);
        return out;
    }

    /**
     * A dual-stack node (it has an IPv6 block): {@code net.ipv6.conf.all.forwarding=1}, and in bgp mode BIRD's IPv6
     * routes — the own IPv6 block a blackhole, every other node's via that node's IPv6 address. IPv6 between nodes in
     * vxlan mode ({@code vxlan-v6.calico}) is not checked.
     */
    private void checkIpv6(KNode node, NetNS ns, List<KNode> nodes, List<Suspicion> out) {
        List<Prefix> own = blocks(node, true);
        if (own.isEmpty()) {
            return;
        }
        Optional<Boolean> forward = ns.sysctls().ipv6Forwarding();
        if (forward.isEmpty()) {
            out.add(Suspicion.info("net.ipv6.conf.all.forwarding not collected: whether node " + node.name() + " forwards pods' IPv6 traffic is not checked"));
        } else if (!forward.get()) {
            out.add(Suspicion.warning("net.ipv6.conf.all.forwarding = 0; Calico needs 1 to forward pods' IPv6 traffic (calico-node sets it"
                    + " when IPv6 is enabled)"));
        }
        if (!mode.equals("bgp") && !mode.equals("vxlan")) {
            out.add(Suspicion.info("IPv6 between nodes in Calico's " + mode + " mode is not checked (skoop models IPv6 blocks in bgp and vxlan mode)"));
            return;
        }
        boolean vxlan = mode.equals("vxlan");
        Interface underlay = underlay(ns, node);
        if (vxlan) {
            Ip tunnel = tunnelAddress(node, true);
            VXLAN_V6.checkDevice(ns, underlay, tunnel, true, " (" + VXLAN_TUNNEL_ADDR_V6 + " of node " + node.name() + ")", out);
        }
        own.forEach(block -> checkBlackhole(ns, node, block, out));
        if (vxlan && ns.interfaces().byName(VXLAN_DEVICE_V6).isEmpty()) {
            return; // nothing goes through a missing device: one cause, one suspicion
        }
        for (KNode other : nodes) {
            Ip remote = nodeIp(other, true);
            Ip tunnel = tunnelAddress(other, true);
            if (other.name().equals(node.name()) || remote == null || vxlan && tunnel == null) {
                continue;
            }
            for (Prefix block : blocks(other, true)) {
                RouteResult r = ns.routeGet(RouteQuery.to(block.address()));
                boolean ok = vxlan ? r.ok() && tunnel.equals(r.gateway()) && VXLAN_DEVICE_V6.equals(r.dev())
                        : r.ok() && remote.equals(r.gateway()) && (underlay == null || underlay.name().equals(r.dev()));
                if (!ok) {
                    out.add(Suspicion.warning("IPv6 block " + block + " of node " + other.name() + " is routed " + Plugin.routed(r) + "; "
                            + (vxlan ? "Felix" : "BIRD") + " installs `" + remoteRoute(node, ns, other, block).orElseThrow() + "`"));
                }
            }
            if (vxlan) {
                String mac = other.annotations().get(VXLAN_TUNNEL_MAC_V6);
                VXLAN_V6.checkVtep(ns, tunnel, mac == null ? null : mac.toLowerCase(Locale.ROOT), remote, other.name(), out);
            }
        }
    }

    /** The pod's host-side veth, its proxy ARP and its /32 route (felix-facts §5.1). */
    private static void checkWorkload(NetNS ns, KPod p, List<Suspicion> out) {
        String veth = CalicoNames.vethName(p.namespace(), p.name());
        Interface dev = ns.interfaces().byName(veth).orElse(null);
        if (dev == null) {
            out.add(Suspicion.warning("no host-side veth " + veth + " for pod " + p.key() + " (" + CNI
                    + " names it cali + 11 hex digits of SHA-1(\"" + p.namespace() + "." + p.name() + "\"))"));
            return;
        }
        if (!dev.isUp()) {
            out.add(Suspicion.warning(veth + " (host side of pod " + p.key() + ") is down"));
        }
        String key = Sysctls.confKey("ipv4", veth, "proxy_arp");
        OptionalInt proxyArp = ns.sysctls().getInt(key);
        if (proxyArp.isEmpty()) {
            out.add(Suspicion.info(key + " not collected: whether " + veth + " answers pod " + p.key() + "'s ARP for "
                    + GATEWAY_TEXT + " is not checked"));
        } else if (proxyArp.getAsInt() == 0 && ns.sysctls().getInt(Sysctls.confKey("ipv4", "all", "proxy_arp")).orElse(0) == 0) {
            out.add(Suspicion.warning(key + " = 0: nothing answers pod " + p.key() + "'s ARP for its gateway " + GATEWAY_TEXT
                    + " (" + CNI + " and Felix set 1)"));
        }
        checkPodRoute(ns, p, podIPv4(p), veth, out);
        Ip ip6 = podIp(p, true);
        if (ip6 == null) {
            return;
        }
        checkPodRoute(ns, p, ip6, veth, out);
        boolean gateway = dev.addresses(true).stream().anyMatch(a -> a.local().equals(CalicoNames.POD_GATEWAY_V6));
        if (!gateway) {
            out.add(Suspicion.warning(veth + " (host side of pod " + p.key() + ") lacks its link-local address " + GATEWAY_V6_TEXT
                    + ", the pod's IPv6 gateway: nothing answers the pod's neighbour solicitations for it (the kernel derives it from "
                    + "the veth's MAC " + CalicoNames.HOST_VETH_MAC + " when IPv6 is on for the device)"));
        }
    }

    /** The CNI plugin's host route to one of the pod's addresses: a /32 or /128 out of its veth, no gateway. */
    private static void checkPodRoute(NetNS ns, KPod p, Ip ip, String veth, List<Suspicion> out) {
        boolean routed = mainRoutes(ns, ip.bitLength(), ip).stream().anyMatch(r -> r.type() == RouteType.UNICAST
                && onLink(r, veth, null));
        if (!routed) {
            out.add(Suspicion.warning("no route `" + podRoute(ip, veth) + "` for pod " + p.key() + " (" + CNI
                    + " installs it): " + ip + " is routed " + Plugin.routed(ns.routeGet(RouteQuery.to(ip)))));
        }
    }

    /** The main table's routes of {@code ip}'s family of exactly {@code /len} covering {@code ip}. */
    private static List<Route> mainRoutes(NetNS ns, int len, Ip ip) {
        FibTable main = ns.router().table(ip.isV6(), Tables.MAIN);
        return main == null ? List.of() : main.routes(len, ip);
    }

    /** A single-path route out of {@code dev} via {@code gateway} (null: none, so of scope link). */
    private static boolean onLink(Route r, String dev, Ip gateway) {
        if (r.nexthops().size() != 1) {
            return false;
        }
        Nexthop n = r.nexthops().get(0);
        return dev.equals(n.dev()) && java.util.Objects.equals(gateway, n.gateway())
                && (gateway != null || r.dst().isV6() || Scope.LINK.equals(r.scope()));
    }

    private void checkBlackhole(NetNS ns, KNode node, Prefix block, List<Suspicion> out) {
        boolean present = mainRoutes(ns, block.length(), block.address()).stream()
                .anyMatch(r -> r.type() == RouteType.BLACKHOLE && r.dst().equals(block));
        if (!present) {
            out.add(Suspicion.warning("no `" + blackhole(block) + "` for block " + block + " of node " + node.name() + " ("
                    + (mode.equals("vxlan") ? "Felix" : "BIRD") + " installs it): addresses of the block that no pod holds"
                    + " follow the node's other routes instead of being dropped"));
        }
    }

    private void checkRemote(NetNS ns, KNode node, KNode other, List<Suspicion> out) {
        List<Prefix> blocks = blocks(other);
        Ip remote = nodeIp(other);
        if (blocks.isEmpty()) {
            return;
        }
        if (remote == null) {
            out.add(Suspicion.info("node " + other.name() + " has no IPv4 address (" + IPV4_ADDRESS + " or InternalIP):"
                    + " the routes to its blocks are not checked"));
            return;
        }
        Ip tunnel = tunnelAddress(other);
        if (mode.equals("vxlan") && tunnel == null) {
            out.add(Suspicion.info("node " + other.name() + " has no " + VXLAN_TUNNEL_ADDR
                    + ": the routes to its blocks and its VTEP are not checked"));
            return;
        }
        Interface underlay = underlay(ns, node);
        for (Prefix block : blocks) {
            RouteResult r = ns.routeGet(RouteQuery.to(block.address()));
            Predicate<RouteResult> ok = switch (mode) {
                case "vxlan" -> x -> tunnel.equals(x.gateway()) && VXLAN_DEVICE.equals(x.dev());
                case "ipip" -> x -> remote.equals(x.gateway()) && IPIP_DEVICE.equals(x.dev());
                default -> x -> remote.equals(x.gateway()) && (underlay == null || underlay.name().equals(x.dev()));
            };
            if (!r.ok() || !ok.test(r)) {
                out.add(Suspicion.warning("block " + block + " of node " + other.name() + " is routed " + Plugin.routed(r) + "; "
                        + (mode.equals("vxlan") ? "Felix" : "BIRD") + " installs `" + remoteRoute(node, ns, other, block).orElseThrow() + "`"));
            }
        }
        if (mode.equals("vxlan")) {
            String mac = other.annotations().get(VXLAN_TUNNEL_MAC);
            VXLAN.checkVtep(ns, tunnel, mac == null ? null : mac.toLowerCase(Locale.ROOT), remote, other.name(), out);
        }
    }

    /**
     * The pod's eth0: its address as a /32, the CNI plugin's two routes via {@value #GATEWAY_TEXT}, and an MTU equal to
     * its host-side veth's and not above what the mode's encapsulation leaves of the underlay's (felix-facts §5.1, §5.2).
     */
    @Override
    public List<Suspicion> checkPod(KPod pod, NetNS ns, KNode node, NetNS nodeNs) {
        List<Suspicion> out = new ArrayList<>();
        Interface eth0 = ns.interfaces().byName("eth0").orElse(null);
        if (eth0 == null) {
            out.add(Suspicion.warning("no eth0 (" + CNI + " creates it)"));
            return out;
        }
        Ip ip = podIPv4(pod);
        if (ip != null) {
            List<Address> held = eth0.addresses(false).stream().filter(a -> a.local().equals(ip)).toList();
            if (held.isEmpty()) {
                out.add(Suspicion.warning("eth0 lacks the pod IP " + ip + "/32 (" + CNI + " puts it there)"));
            } else if (held.stream().noneMatch(a -> a.prefixlen() == 32)) {
                out.add(Suspicion.warning("eth0 holds " + ip + "/" + held.get(0).prefixlen() + "; " + CNI
                        + " gives a pod its address as a /32 (everything else is reached via " + GATEWAY_TEXT + ")"));
            }
        }
        Ip gw = CalicoNames.POD_GATEWAY;
        if (mainRoutes(ns, 32, gw).stream().noneMatch(r -> r.type() == RouteType.UNICAST && onLink(r, "eth0", null))) {
            out.add(Suspicion.warning("no route `" + gw + " dev eth0 scope link` (" + CNI + " installs it: the pod's gateway is on-link)"));
        }
        List<Route> defaults = mainRoutes(ns, 0, Ip.V4_ANY);
        if (defaults.stream().noneMatch(r -> r.type() == RouteType.UNICAST && onLink(r, "eth0", gw))) {
            out.add(Suspicion.warning("default route is " + (defaults.isEmpty() ? "missing" : "`" + defaults.get(0) + "`")
                    + "; " + CNI + " installs `default via " + gw + " dev eth0`"));
        }
        Ip ip6 = podIp(pod, true);
        if (ip6 != null) {
            List<Address> held = eth0.addresses(true).stream().filter(a -> a.local().equals(ip6)).toList();
            if (held.isEmpty()) {
                out.add(Suspicion.warning("eth0 lacks the pod IP " + ip6 + "/128 (" + CNI + " puts it there)"));
            }
            List<Route> defaults6 = mainRoutes(ns, 0, Ip.V6_ANY);
            if (defaults6.stream().noneMatch(r -> r.type() == RouteType.UNICAST && onLink(r, "eth0", CalicoNames.POD_GATEWAY_V6))) {
                out.add(Suspicion.warning("IPv6 default route is " + (defaults6.isEmpty() ? "missing" : "`" + defaults6.get(0) + "`")
                        + "; " + CNI + " installs `default via " + GATEWAY_V6_TEXT + " dev eth0` (the host-side veth's link-local address)"));
            }
        }
        checkPodMtu(pod, eth0, node, nodeNs, out);
        return out;
    }

    private void checkPodMtu(KPod pod, Interface eth0, KNode node, NetNS nodeNs, List<Suspicion> out) {
        if (nodeNs == null || node == null) {
            return;
        }
        String vethName = CalicoNames.vethName(pod.namespace(), pod.name());
        Interface veth = nodeNs.interfaces().byName(vethName).orElse(null);
        if (veth != null && veth.mtu() != eth0.mtu()) {
            out.add(Suspicion.warning("eth0 MTU " + eth0.mtu() + " differs from its host side " + vethName + " MTU "
                    + veth.mtu() + " on node " + node.name() + " (" + CNI + " gives both the same)"));
            return;
        }
        Interface underlay = underlay(nodeNs, node);
        if (underlay == null || !MODES.contains(mode)) {
            return;
        }
        int overhead = overhead(!blocks(node, true).isEmpty());
        int expected = underlay.mtu() - overhead;
        String what = "eth0 MTU " + eth0.mtu() + (veth == null ? "" : " (and " + vethName + "'s)");
        String why = mode + " mode (" + underlay.name() + " MTU " + underlay.mtu() + " of node " + node.name() + " − "
                + overhead + " bytes of encapsulation" + (overhead == VxlanInfo.OVERHEAD_V6 ? " over IPv6, the smallest MTU of the enabled ones" : "") + ")";
        if (eth0.mtu() > expected) {
            out.add(Suspicion.warning(what + " exceeds Calico's " + expected + " in " + why
                    + ": full-size packets to other nodes cannot cross"));
        } else if (eth0.mtu() < expected) {
            out.add(Suspicion.info(what + " is below Calico's " + expected + " in " + why));
        }
    }
}
