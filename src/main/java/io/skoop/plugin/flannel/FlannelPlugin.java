package io.skoop.plugin.flannel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.model.Suspicion;
import io.skoop.netstack.NetNS;
import io.skoop.netstack.link.Address;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.plugin.Plugin;
import io.skoop.plugin.VxlanIntent;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * flannel's intent, for its {@code vxlan} and {@code host-gw} backends (flannel's
 * pkg/backend/vxlan and hostgw, and the {@code bridge} CNI plugin it delegates to):
 * <ul>
 *   <li>vxlan: device {@value #VXLAN_DEVICE} (VNI {@value #VNI}, UDP port {@value #VXLAN_PORT},
 *       local = the node's public IP, learning off), address = the podCIDR's network address /32,
 *       MTU = the underlay device's MTU − {@value #VXLAN_OVERHEAD}; per remote node a route
 *       {@code <podCIDR> via <podCIDR network> dev flannel.1 onlink}, a PERMANENT neighbour
 *       {@code <podCIDR network> lladdr <VtepMAC>} and an FDB entry {@code <VtepMAC> dst <public IP>};</li>
 *   <li>host-gw: per remote node a route {@code <podCIDR> via <public IP> dev <underlay device>};</li>
 *   <li>both: bridge {@value #BRIDGE} holding the podCIDR's first address, the pods' eth0 with the
 *       network MTU and a default route via that address; {@code net.ipv4.ip_forward=1}; kube-proxy
 *       needs {@code net.bridge.bridge-nf-call-iptables=1}.</li>
 * </ul>
 * The node's backend, VtepMAC and public IP come from its {@code flannel.alpha.coreos.com/*}
 * annotations; without them the snapshot's CNI backend is assumed.
 */
public final class FlannelPlugin implements Plugin {
    /** flannel's VXLAN device for VNI 1. */
    public static final String VXLAN_DEVICE = "flannel.1";
    /** The VNI flannel uses by default. */
    public static final int VNI = 1;
    /** flannel's VXLAN UDP port (the Linux default 8472, not IANA's 4789). */
    public static final int VXLAN_PORT = 8472;
    /** Bytes VXLAN adds over IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
    public static final int VXLAN_OVERHEAD = io.skoop.netstack.link.VxlanInfo.OVERHEAD_V4;
    /** The bridge the CNI bridge plugin attaches pods to. */
    public static final String BRIDGE = "cni0";
    /** Prefix of flannel's node annotations. */
    public static final String ANNOTATION_PREFIX = "flannel.alpha.coreos.com/";

    /** flannel's IPv6 VXLAN device (EnableIPv6): same VNI and port, over the nodes' IPv6 addresses. */
    public static final String VXLAN_V6_DEVICE = "flannel-v6." + VNI;

    /** flannel.1 as flannel sets it up. */
    private static final VxlanIntent VXLAN = new VxlanIntent("flannel", VXLAN_DEVICE, VNI, VXLAN_PORT, "flannel vxlan", "VtepMAC");
    /** flannel-v6.1 as flannel sets it up (pkg/backend/vxlan, EnableIPv6). */
    private static final VxlanIntent VXLAN_V6 = new VxlanIntent("flannel", VXLAN_V6_DEVICE, VNI, VXLAN_PORT, "flannel vxlan with EnableIPv6",
            "VtepMAC");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String defaultBackend;

    /** @param defaultBackend the backend of nodes without a {@code backend-type} annotation ({@code vxlan}, {@code host-gw}) */
    public FlannelPlugin(String defaultBackend) {
        this.defaultBackend = defaultBackend == null ? "vxlan" : defaultBackend;
    }

    /** Registers flannel with {@link io.skoop.network.Network#of} ({@code META-INF/services}). */
    public static final class Factory implements io.skoop.plugin.PluginFactory {
        @Override
        public String cni() {
            return "flannel";
        }

        @Override
        public io.skoop.plugin.Plugin create(io.skoop.snapshot.SnapshotMeta meta, io.skoop.snapshot.k8s.KubeObjects objects) {
            return new FlannelPlugin(meta.cniBackend());
        }
    }

    @Override
    public String name() {
        return "flannel";
    }

    /** The node's backend: its {@code backend-type} annotation, else the default. */
    public String backend(KNode node) {
        return node.annotations().getOrDefault(ANNOTATION_PREFIX + "backend-type", defaultBackend).toLowerCase(Locale.ROOT);
    }

    /** The node's public IP: its {@code public-ip} annotation, else its first InternalIP; null when it has neither. */
    public static Ip publicIp(KNode node) {
        String a = node.annotations().get(ANNOTATION_PREFIX + "public-ip");
        if (a != null && Ip.tryParse(a) != null) {
            return Ip.parse(a);
        }
        return node.internalIPs().isEmpty() ? null : node.internalIPs().get(0);
    }

    /** The node's public IPv6 address: its {@code public-ipv6} annotation, else its first IPv6 InternalIP; null when it has neither. */
    public static Ip publicIpv6(KNode node) {
        String a = node.annotations().get(ANNOTATION_PREFIX + "public-ipv6");
        if (a != null && Ip.tryParse(a) != null) {
            return Ip.parse(a);
        }
        return node.internalIPs().stream().filter(Ip::isV6).findFirst().orElse(null);
    }

    /** The node's VTEP MAC from its {@code backend-data} annotation, or null. */
    public static String vtepMac(KNode node) {
        return vtepMac(node, "backend-data");
    }

    /** The node's flannel-v6.1 MAC from its {@code backend-v6-data} annotation, or null. */
    public static String vtepMacV6(KNode node) {
        return vtepMac(node, "backend-v6-data");
    }

    private static String vtepMac(KNode node, String annotation) {
        String data = node.annotations().get(ANNOTATION_PREFIX + annotation);
        if (data == null) {
            return null;
        }
        try {
            JsonNode mac = JSON.readTree(data).get("VtepMAC");
            return mac == null ? null : mac.asText().toLowerCase(Locale.ROOT);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static Prefix podCIDR(KNode node) {
        return podCIDR(node, false);
    }

    /** The node's podCIDR of one family (a dual-stack node has one per family), or null. */
    private static Prefix podCIDR(KNode node, boolean v6) {
        return node.podCIDRs().stream().filter(p -> p.isV6() == v6).findFirst().orElse(null);
    }

    /**
     * The route flannel installs for {@code dst} on {@code node}: to another node's podCIDR of {@code dst}'s family —
     * vxlan {@code <podCIDR> via <its network address> dev flannel.1 onlink} (IPv6: {@code dev flannel-v6.1}), host-gw
     * {@code <podCIDR> via <its public IP of that family> dev <the underlay device>} — or the bridge's route to the
     * node's own podCIDR.
     */
    @Override
    public Optional<String> expectedRoute(KNode node, NetNS ns, Ip dst, List<KNode> nodes) {
        boolean v6 = dst.isV6();
        for (KNode other : nodes) {
            Prefix cidr = podCIDR(other, v6);
            if (other.name().equals(node.name()) || cidr == null || !cidr.contains(dst)) {
                continue;
            }
            if (backend(node).equals("host-gw")) {
                Ip own = v6 ? publicIpv6(node) : publicIp(node);
                String dev = own == null ? null : ns.interfaces().withAddress(own).map(Interface::name).orElse(null);
                return Optional.of(cidr + " via " + (v6 ? publicIpv6(other) : publicIp(other)) + " dev "
                        + (dev == null ? "<the device of " + own + ">" : dev));
            }
            return Optional.of(cidr + " via " + cidr.address() + " dev " + (v6 ? VXLAN_V6_DEVICE : VXLAN_DEVICE) + " onlink");
        }
        Prefix own = podCIDR(node, v6);
        if (own != null && own.contains(dst)) {
            return Optional.of(own + " dev " + BRIDGE + " proto kernel scope link src " + own.address().plus(1));
        }
        return Optional.empty();
    }

    @Override
    public List<Suspicion> checkNode(KNode node, NetNS ns, List<KNode> nodes) {
        List<Suspicion> out = new ArrayList<>();
        Ip publicIp = publicIp(node);
        Interface underlay = publicIp == null ? null : ns.interfaces().withAddress(publicIp).orElse(null);
        if (publicIp != null && underlay == null) {
            out.add(Suspicion.warning("no device holds flannel's public IP " + publicIp));
        }
        int networkMtu = underlay == null ? -1 : underlay.mtu();
        boolean vxlan = !backend(node).equals("host-gw");
        if (vxlan) {
            networkMtu = checkVxlanDevice(node, ns, underlay, out);
        }
        Prefix cidr = podCIDR(node);
        checkBridge(ns, cidr, networkMtu, out);
        for (KNode other : nodes) {
            Prefix oc = podCIDR(other);
            if (other.name().equals(node.name()) || oc == null) {
                continue;
            }
            checkRemote(ns, node, other, oc, vxlan, underlay, out);
        }
        if (podCIDR(node, true) != null) {
            // EnableIPv6: the same per remote node over the IPv6 podCIDRs, flannel-v6.1 and the public IPv6 addresses
            Ip publicIpv6 = publicIpv6(node);
            Interface underlay6 = publicIpv6 == null ? null : ns.interfaces().withAddress(publicIpv6).orElse(null);
            if (vxlan) {
                // flanneld asks for the IPv4 device's MTU (underlay − 50); the kernel caps it at underlay − 70
                Prefix cidr6 = podCIDR(node, true);
                VXLAN_V6.checkDevice(ns, underlay6, cidr6.address(), true, "", out);
            }
            for (KNode other : nodes) {
                Prefix oc = podCIDR(other, true);
                if (!other.name().equals(node.name()) && oc != null) {
                    checkRemote(ns, node, other, oc, vxlan, underlay6, out);
                }
            }
            ns.sysctls().ipv6Forwarding().ifPresent(on -> {
                if (!on) {
                    out.add(Suspicion.warning("net.ipv6.conf.all.forwarding = 0; flannel needs 1 to forward IPv6 pod traffic"));
                }
            });
        }
        ns.sysctls().ipForward().ifPresent(on -> {
            if (!on) {
                out.add(Suspicion.warning("net.ipv4.ip_forward = 0; flannel needs 1 to forward pod traffic"));
            }
        });
        Optional<Boolean> brnf = ns.sysctls().bridgeNfCallIptables();
        if (brnf.isPresent() && !brnf.get()) {
            out.add(Suspicion.warning("net.bridge.bridge-nf-call-iptables = 0; kube-proxy needs 1 so that"
                    + " packets bridged on " + BRIDGE + " pass iptables (replies from a same-node Service backend are"
                    + " otherwise not reverse-NATed)"));
        } else if (brnf.isEmpty() && ns.sysctls().untrusted().isEmpty()) {
            out.add(Suspicion.warning("net.bridge.bridge-nf-call-iptables absent (br_netfilter not loaded);"
                    + " kube-proxy needs it"));
        }
        return out;
    }

    private int checkVxlanDevice(KNode node, NetNS ns, Interface underlay, List<Suspicion> out) {
        Prefix cidr = podCIDR(node);
        return VXLAN.checkDevice(ns, underlay, cidr == null ? null : cidr.address(), "", out);
    }

    private static void checkBridge(NetNS ns, Prefix cidr, int networkMtu, List<Suspicion> out) {
        Interface br = ns.interfaces().byName(BRIDGE).orElse(null);
        if (br == null) {
            out.add(Suspicion.warning("no bridge " + BRIDGE + " (created with the first pod)"));
            return;
        }
        if (!"bridge".equals(br.kind())) {
            out.add(Suspicion.warning(BRIDGE + " is a " + br.kind() + " device, not a bridge"));
        }
        if (!br.isUp()) {
            out.add(Suspicion.warning(BRIDGE + " is down"));
        }
        if (cidr != null && br.addresses(false).stream().map(Address::local).noneMatch(cidr.address().plus(1)::equals)) {
            out.add(Suspicion.warning(BRIDGE + " lacks the gateway address " + cidr.address().plus(1) + " of podCIDR " + cidr));
        }
        if (networkMtu > 0 && br.mtu() != networkMtu) {
            out.add(Suspicion.warning(BRIDGE + " MTU " + br.mtu() + " differs from the flannel network MTU " + networkMtu));
        }
    }

    private void checkRemote(NetNS ns, KNode node, KNode other, Prefix oc, boolean vxlan, Interface underlay,
                             List<Suspicion> out) {
        String expected = expectedRoute(node, ns, oc.address().plus(1), List.of(node, other)).orElseThrow();
        RouteResult r = ns.routeGet(new RouteQuery(oc.address().plus(1), null, null, null, 0, 0, 0, 0, 0, 0));
        boolean v6 = oc.isV6();
        Ip remoteIp = v6 ? publicIpv6(other) : publicIp(other);
        boolean ok;
        if (vxlan) {
            ok = r.ok() && (v6 ? VXLAN_V6_DEVICE : VXLAN_DEVICE).equals(r.dev()) && oc.address().equals(r.gateway());
        } else {
            ok = r.ok() && remoteIp != null && remoteIp.equals(r.gateway()) && (underlay == null || underlay.name().equals(r.dev()));
        }
        if (!ok) {
            out.add(Suspicion.warning("podCIDR " + oc + " of node " + other.name() + " is routed "
                    + Plugin.routed(r)
                    + "; flannel installs " + expected));
        }
        if (!vxlan) {
            return;
        }
        (v6 ? VXLAN_V6 : VXLAN).checkVtep(ns, oc.address(), v6 ? vtepMacV6(other) : vtepMac(other), remoteIp, other.name(), out);
    }

    @Override
    public List<Suspicion> checkPod(KPod pod, NetNS ns, KNode node, NetNS nodeNs) {
        List<Suspicion> out = new ArrayList<>();
        Interface eth0 = ns.interfaces().byName("eth0").orElse(null);
        if (eth0 == null) {
            out.add(Suspicion.warning("no eth0 (the CNI creates it)"));
            return out;
        }
        Interface br = nodeNs == null ? null : nodeNs.interfaces().byName(BRIDGE).orElse(null);
        if (br != null && eth0.mtu() > br.mtu()) {
            out.add(Suspicion.warning("eth0 MTU " + eth0.mtu() + " exceeds " + BRIDGE + " MTU " + br.mtu()
                    + " on node " + node.name() + " (flannel gives pods the network MTU)"));
        }
        Prefix cidr = node == null ? null : podCIDR(node);
        if (cidr != null) {
            Ip gw = cidr.address().plus(1);
            io.skoop.netstack.route.FibTable main = ns.router().table(false, io.skoop.netstack.route.Tables.MAIN);
            List<io.skoop.netstack.route.Route> defaults = main == null ? List.of() : main.routes(0, Ip.V4_ANY);
            boolean viaGateway = defaults.stream().anyMatch(r -> r.nexthops().stream().anyMatch(n -> gw.equals(n.gateway())));
            if (!viaGateway) {
                out.add(Suspicion.warning("default route is " + (defaults.isEmpty() ? "missing" : defaults.get(0).toString())
                        + "; the CNI installs default via " + gw + " dev eth0"));
            }
        }
        return out;
    }
}
