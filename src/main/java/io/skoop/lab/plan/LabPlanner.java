package io.skoop.lab.plan;

import io.skoop.lab.calico.Calico;
import io.skoop.lab.calico.FelixRules;
import io.skoop.lab.flannel.Flannel;
import io.skoop.lab.kubeproxy.TopologyServices;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.ExternalHost;
import io.skoop.lab.topology.LabIds;
import io.skoop.lab.topology.Listener;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ProxyMode;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a {@link ResolvedTopology} into the {@link LabPlan} that builds its data plane out of network namespaces,
 * the way the real components would have left a node:
 * <ul>
 *   <li><b>underlay</b> ({@link LabNetns#underlay}): bridge {@code br0} holding the underlay's first address (the
 *       nodes' default gateway), {@code ip_forward=1}; it is the VPC router and routes each external host's
 *       address ({@code /32}) to that host's veth;</li>
 *   <li><b>node</b>: {@code eth0} (veth into {@code br0}, MTU {@value Flannel#UNDERLAY_MTU}) with the node's
 *       InternalIP, default route via the underlay gateway; sysctls as kubeadm's preflight and kube-proxy require them
 *       ({@code net.ipv4.ip_forward=1}, {@code net.bridge.bridge-nf-call-iptables=1},
 *       {@code net.ipv4.conf.all.route_localnet=1}, the last only with kube-proxy in iptables mode);</li>
 *   <li><b>flannel vxlan</b> ({@code pkg/backend/vxlan}): {@code flannel.1} (VNI 1, {@code local} the node IP,
 *       {@code dev eth0}, port 8472, {@code nolearning}, MTU 1450, the VTEP MAC of the node's annotation), address
 *       podCIDR network/32; per remote node {@code <podCIDR> via <vtep> dev flannel.1 onlink}, a permanent
 *       neighbour {@code <vtep> lladdr <VtepMAC>} and a permanent FDB entry {@code <VtepMAC> dst <node IP>};
 *       <b>host-gw</b> ({@code pkg/backend/hostgw}): per remote node {@code <podCIDR> via <node IP> dev eth0};</li>
 *   <li><b>CNI</b> (flannel delegating to the bridge plugin with {@code isDefaultGateway}, {@code hairpinMode} and
 *       host-local IPAM, as kube-flannel.yml's cni-conf.json says): on a node's first pod the {@code cni0} bridge
 *       with the podCIDR's gateway address; per pod a veth {@code veth<8 hex>} (bridge port, hairpin on) whose peer
 *       is the pod's {@code eth0} with the pod IP, routes {@code default via <gateway>} and
 *       {@code <cluster CIDR> via <gateway>}; MTU {@link Flannel#mtu} on cni0 and both veth ends;</li>
 *   <li><b>calico</b> ({@link Calico}, BGP mode, felix-facts §5.1 and §5.3): per remote node
 *       {@code <its block> via <its node IP> dev eth0 proto bird} and {@code blackhole <own block> proto bird} (what
 *       BIRD programs from the block affinities); per pod a veth {@code cali<11 hex>} ({@link Calico#vethName}) with
 *       MAC {@value Calico#HOST_VETH_MAC}, no address, {@code proxy_arp=1}, {@code neigh proxy_delay=0},
 *       {@code forwarding=1}, {@code route_localnet=1}, and the route {@code <pod IP> dev cali… scope link}; in the
 *       pod {@code eth0} with the pod IP as a /32, {@code 169.254.1.1 dev eth0 scope link} and
 *       {@code default via 169.254.1.1 dev eth0}; MTU {@value Calico#MTU} on both veth ends (no encapsulation). No
 *       bridge: the node routes every pod packet;
 *       <b>calico vxlan</b> (felix-facts §5.5, no BIRD: Felix programs it all): {@value Calico#VXLAN_DEVICE} (VNI
 *       {@value Calico#VNI}, {@code local} the node IP, {@code dev eth0}, port {@value Calico#VXLAN_PORT},
 *       {@code nolearning}, MTU {@value Calico#VXLAN_MTU}, MAC {@link Calico#vtepMac}) with the node's tunnel address
 *       as a /32; per remote node {@code <its block> via <its tunnel address> dev vxlan.calico onlink}, a permanent
 *       neighbour {@code <its tunnel address> lladdr <its VTEP MAC>} and a permanent FDB entry
 *       {@code <its VTEP MAC> dst <its node IP>}; {@code blackhole <own block> proto 80}; pod veths as in BGP mode
 *       with MTU {@value Calico#VXLAN_MTU};</li>
 *   <li><b>iptables</b> ({@link #rules}): kube-proxy's rules ({@link TopologyServices#iptablesRestoreText}) restored
 *       whole (with {@code proxyMode: nftables}: its {@code ip kube-proxy} table, {@link TopologyServices#nftablesText},
 *       loaded with {@code nft -f}, and no KUBE-* iptables chains), then flanneld's ({@link Flannel#iptablesRestoreText}) or Felix's ({@link FelixRules}: the topology's
 *       NetworkPolicies and AdminNetworkPolicies as Felix v3.29 renders them, its ipsets, {@code cali-nat-outgoing}) with {@code --noflush};</li>
 *   <li><b>the wire</b>: every device on the underlay sends MTU-sized frames only ({@code gso_max_segs 1}), so an
 *       MTU smaller than the frames that reach it drops them, as on a physical network;</li>
 *   <li><b>listeners</b>: per declared listener a socat (TCP) or a one-socket responder (UDP,
 *       {@link #UDP_RESPONDER}); on a node, UDP listeners bind each node address, so replies leave from the address
 *       that was asked; pods and external hosts listen on 0.0.0.0 — on a dual-stack cluster pods and nodes also on
 *       {@code [::]} (a second socket, {@code IPV6_V6ONLY}, so the IPv4 socket table stays as in a single-stack
 *       lab).</li>
 *   <li><b>dual-stack</b> (flannel with {@code EnableIPv6}): the underlay router's IPv6 gateway on {@code br0}, each
 *       node's IPv6 InternalIP on {@code eth0} and an IPv6 default route; {@code net.ipv6.conf.all.forwarding=1} and
 *       {@code bridge-nf-call-ip6tables=1}; the vxlan backend's {@code flannel-v6.1} ({@code local} the IPv6
 *       InternalIP, the IPv6 podCIDR's network address as a /128) with the same per-node route, neighbour and FDB
 *       entries over IPv6, host-gw's IPv6 podCIDR routes via the node's IPv6 address; cni0 with the IPv6 podCIDR's
 *       first address, pods with their IPv6 address, {@code default} and the IPv6 cluster CIDR via it; kube-proxy's
 *       IPv6 proxier ({@link TopologyServices#ip6tablesRestoreText}; with {@code proxyMode: nftables} its
 *       {@code ip6 kube-proxy} table, {@link TopologyServices#nftablesText(ResolvedTopology, String, IpFamily)}, loaded
 *       with {@code nft -f}) and flanneld's IPv6 rules
 *       ({@link Flannel#ip6tablesRestoreText}) restored with ip6tables. Duplicate address detection is off in every
 *       namespace ({@code accept_dad=0}): with it, each new address stays tentative for about a second and a probe
 *       sent meanwhile could not use it as its source.</li>
 * </ul>
 * Hardware addresses and veth names come from {@link LabIds}, so every build of a topology is identical.
 */
public final class LabPlanner {

    /** The underlay's bridge in {@link LabNetns#underlay}. */
    public static final String UNDERLAY_BRIDGE = "br0";
    /**
     * The UDP listener: one process, one socket, answering every datagram with the banner ({@code python3 -c},
     * arguments bind address, port, banner). socat's forking UDP servers lose datagrams of back-to-back probes from
     * different peers: UDP4-RECVFROM's children share the listening socket and drop other peers' datagrams while they
     * live, and UDP4-LISTEN does not listen again until its child is gone.
     */
    static final String UDP_RESPONDER = """
            import socket, sys
            family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
            s = socket.socket(family, socket.SOCK_DGRAM)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2])))
            answer = (sys.argv[3] + "\\n").encode()
            while True:
                data, peer = s.recvfrom(65535)
                s.sendto(answer, peer)
            """;
    /**
     * iptables' filter and nat tables with their built-in chains and nothing else: what a node whose kube-proxy runs in
     * nftables mode has before the CNI adds its rules (kube-proxy in nftables mode writes no KUBE-* chains and removes
     * those iptables mode left). Restored whole, it makes reprogramming start from the same state as iptables mode's
     * restore does.
     */
    static final String EMPTY_FILTER_AND_NAT = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            COMMIT
            """;
    /** The CNI bridge on every node with pods. */
    public static final String CNI_BRIDGE = "cni0";

    private final ResolvedTopology t;
    private final String lab;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<LabPlan.Socket> sockets = new ArrayList<>();

    private LabPlanner(ResolvedTopology t) {
        this.t = t;
        this.lab = t.name();
    }

    /**
     * The plan that builds {@code t}.
     *
     * @throws IllegalArgumentException when the topology's CNI is not one the lab can build
     */
    public static LabPlan plan(ResolvedTopology t) {
        return new LabPlanner(t).build();
    }

    private LabPlan build() {
        String ul = LabNetns.underlay(lab);

        netns(ul);
        t.nodes().forEach(n -> netns(LabNetns.node(lab, n)));
        t.pods().forEach(p -> netns(LabNetns.pod(lab, p)));
        t.externalHosts().forEach(h -> netns(LabNetns.external(lab, h)));

        String gwCidr = t.underlayGateway() + "/" + t.underlay().length();
        ip("underlay: bridge " + UNDERLAY_BRIDGE, ul, "link", "add", UNDERLAY_BRIDGE, "address", LabIds.mac(lab, "underlay", UNDERLAY_BRIDGE),
                "type", "bridge");
        ip("underlay: " + gwCidr + " on " + UNDERLAY_BRIDGE, ul, "addr", "add", gwCidr, "dev", UNDERLAY_BRIDGE);
        if (t.dualStack()) {
            String gw6 = t.underlayGatewayV6() + "/" + t.ipv6().underlay().length();
            ip("underlay: " + gw6 + " on " + UNDERLAY_BRIDGE, ul, "addr", "add", gw6, "dev", UNDERLAY_BRIDGE);
        }
        ip("underlay: " + UNDERLAY_BRIDGE + " up", ul, "link", "set", UNDERLAY_BRIDGE, "up");
        if (t.dualStack()) {
            exec("underlay: forwarding", ul, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        } else {
            exec("underlay: forwarding", ul, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        }

        for (int i = 0; i < t.externalHosts().size(); i++) {
            external(t.externalHosts().get(i), "vx" + i);
        }
        for (int i = 0; i < t.nodes().size(); i++) {
            Node n = t.nodes().get(i);
            node(n, "vn" + i);
            if (t.cni() instanceof Cni.Flannel f) {
                flannelNode(n, f.backend());
            } else {
                calicoNode(n);
            }
        }
        for (Node n : t.nodes()) {
            iptables(n);
        }
        for (Node n : t.nodes()) {
            for (Listener l : n.listeners()) {
                List<Ip> binds = l.protocol() == Protocol.UDP ? nodeAddresses(n)
                        : n.addressV6() != null ? java.util.Arrays.asList(null, Ip.V6_ANY) : Collections.singletonList(null);
                for (Ip bind : binds) {
                    listener(LabNetns.node(lab, n), "node " + n.name(), bind, l);
                }
            }
        }
        for (Pod p : t.pods()) {
            for (Listener l : p.listeners()) {
                listener(LabNetns.pod(lab, p), "pod " + p.key(), null, l);
                if (p.ipV6() != null) {
                    listener(LabNetns.pod(lab, p), "pod " + p.key(), Ip.V6_ANY, l);
                }
            }
        }
        for (ExternalHost h : t.externalHosts()) {
            for (Listener l : h.listeners()) {
                listener(LabNetns.external(lab, h), "external " + h.name(), null, l);
                if (h.addressV6() != null) {
                    listener(LabNetns.external(lab, h), "external " + h.name(), Ip.V6_ANY, l);
                }
            }
        }
        return new LabPlan(t, namespaces, steps, sockets);
    }

    private void netns(String name) {
        namespaces.add(name);
        steps.add(new Step("namespace " + name, null, List.of("ip", "netns", "add", name), null, Step.Kind.COMMAND));
        if (t.dualStack()) {
            // DAD would keep every new IPv6 address tentative (unusable as a source) for about a second after it is added
            exec(name + ": no IPv6 duplicate address detection", name, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                    "net.ipv6.conf.default.accept_dad=0");
        }
        ip(name + ": lo up", name, "link", "set", "lo", "up");
    }

    /** The IPv6 gateway of external hosts: a link-local address on the underlay router's port to each. */
    static final String EXTERNAL_GATEWAY_V6 = "fe80::1";

    private void external(ExternalHost h, String port) {
        String ul = LabNetns.underlay(lab);
        String ns = LabNetns.external(lab, h);
        String who = "external " + h.name();
        ip(who + ": eth0 <-> underlay " + port, ul, "link", "add", port, "address", LabIds.mac(lab, "underlay", port), "type", "veth",
                "peer", "name", "eth0", "address", LabIds.mac(lab, "ext", h.name(), "eth0"), "netns", ns);
        ip(who + ": " + port + " up", ul, "link", "set", port, "up");
        ip(who + ": route on the underlay router", ul, "route", "add", h.address() + "/32", "dev", port);
        ip(who + ": " + h.address() + "/32 on eth0", ns, "addr", "add", h.address() + "/32", "dev", "eth0");
        ip(who + ": eth0 up", ns, "link", "set", "eth0", "up");
        wire(who, ns, "eth0");
        wire(who, ul, port);
        ip(who + ": default route", ns, "route", "add", "default", "via", t.underlayGateway().toString(), "dev", "eth0", "onlink");
        if (h.addressV6() != null) {
            // NDP answers only for the receiving device's addresses (unlike ARP): the router's underlay address lives on br0,
            // so the host's gateway is a link-local address of the router's own port, as routers announce themselves
            ip(who + ": IPv6 route on the underlay router", ul, "-6", "route", "add", h.addressV6() + "/128", "dev", port);
            ip(who + ": " + EXTERNAL_GATEWAY_V6 + " on the underlay router's " + port, ul, "addr", "add", EXTERNAL_GATEWAY_V6 + "/64", "dev", port);
            ip(who + ": " + h.addressV6() + "/128 on eth0", ns, "addr", "add", h.addressV6() + "/128", "dev", "eth0");
            ip(who + ": IPv6 default route", ns, "-6", "route", "add", "default", "via", EXTERNAL_GATEWAY_V6, "dev", "eth0");
        }
    }

    /** The node as every CNI finds it: eth0 on the underlay, its default route, kubeadm's and kube-proxy's sysctls. */
    private void node(Node n, String port) {
        String ul = LabNetns.underlay(lab);
        String ns = LabNetns.node(lab, n);
        String who = n.name();
        ip(who + ": eth0 <-> underlay " + port, ul, "link", "add", port, "address", LabIds.mac(lab, "underlay", port), "type", "veth",
                "peer", "name", "eth0", "address", LabIds.mac(lab, n.name(), "eth0"), "netns", ns);
        ip(who + ": " + port + " in " + UNDERLAY_BRIDGE, ul, "link", "set", port, "master", UNDERLAY_BRIDGE, "up");
        ip(who + ": " + n.address() + " on eth0", ns, "addr", "add", n.address() + "/" + t.underlay().length(), "dev", "eth0");
        if (n.addressV6() != null) {
            ip(who + ": " + n.addressV6() + " on eth0", ns, "addr", "add", n.addressV6() + "/" + t.ipv6().underlay().length(), "dev", "eth0");
        }
        ip(who + ": eth0 up", ns, "link", "set", "eth0", "mtu", String.valueOf(Flannel.UNDERLAY_MTU), "up");
        wire(who, ns, "eth0");
        wire(who, ul, port);
        ip(who + ": default route", ns, "route", "add", "default", "via", t.underlayGateway().toString(), "dev", "eth0");
        if (n.addressV6() != null) {
            ip(who + ": IPv6 default route", ns, "-6", "route", "add", "default", "via", t.underlayGatewayV6().toString(), "dev", "eth0");
        }
        List<String> sysctls = new ArrayList<>(List.of("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.bridge.bridge-nf-call-iptables=1"));
        if (t.proxyMode() != ProxyMode.NFTABLES) {
            // route_localnet is kube-proxy's iptables mode's (localhost NodePorts); nftables mode has no localhost NodePorts
            sysctls.add("net.ipv4.conf.all.route_localnet=1");
        }
        if (t.dualStack()) {
            // what kubeadm's preflight checks on a dual-stack node
            sysctls.addAll(List.of("net.ipv6.conf.all.forwarding=1", "net.bridge.bridge-nf-call-ip6tables=1"));
        }
        exec(who + ": sysctls", ns, sysctls.toArray(String[]::new));
    }

    /** flanneld's backend (routes, flannel.1) and the bridge CNI plugin's cni0 and pod veths on a node. */
    private void flannelNode(Node n, Cni.FlannelBackend backend) {
        int mtu = Flannel.mtu(backend);
        String ns = LabNetns.node(lab, n);
        String who = n.name();
        if (backend == Cni.FlannelBackend.VXLAN) {
            vxlan(n, Flannel.VXLAN_DEVICE, Flannel.VNI, Flannel.VXLAN_PORT, mtu, n.address(), Flannel.vtepAddress(n), Flannel.vtepMac(t, n));
            for (Node r : t.nodes()) {
                if (r != n) {
                    vxlanPeer(n, Flannel.VXLAN_DEVICE, r.podCIDR(), r, r.address(), Flannel.vtepAddress(r), Flannel.vtepMac(t, r));
                }
            }
            if (n.podCIDRv6() != null) {
                vxlan(n, Flannel.VXLAN_V6_DEVICE, Flannel.VNI, Flannel.VXLAN_PORT, mtu, n.addressV6(), Flannel.vtepAddressV6(n),
                        Flannel.vtepMacV6(t, n));
                for (Node r : t.nodes()) {
                    if (r != n) {
                        vxlanPeer(n, Flannel.VXLAN_V6_DEVICE, r.podCIDRv6(), r, r.addressV6(), Flannel.vtepAddressV6(r), Flannel.vtepMacV6(t, r));
                    }
                }
            }
        } else {
            for (Node r : t.nodes()) {
                if (r != n) {
                    ip(who + ": route to " + r.name(), ns, "route", "add", r.podCIDR().toString(), "via", r.address().toString(), "dev", "eth0");
                    if (r.podCIDRv6() != null) {
                        ip(who + ": IPv6 route to " + r.name(), ns, "-6", "route", "add", r.podCIDRv6().toString(), "via", r.addressV6().toString(),
                                "dev", "eth0");
                    }
                }
            }
        }

        List<Pod> pods = t.podsOn(n.name());
        if (pods.isEmpty()) {
            return;
        }
        Ip gw = ResolvedTopology.podGateway(n);
        String m = String.valueOf(mtu);
        ip(who + ": " + CNI_BRIDGE, ns, "link", "add", CNI_BRIDGE, "address", LabIds.mac(lab, n.name(), CNI_BRIDGE), "mtu", m, "type", "bridge");
        ip(who + ": " + gw + " on " + CNI_BRIDGE, ns, "addr", "add", gw + "/" + n.podCIDR().length(), "dev", CNI_BRIDGE);
        Ip gw6 = ResolvedTopology.podGatewayV6(n);
        if (gw6 != null) {
            ip(who + ": " + gw6 + " on " + CNI_BRIDGE, ns, "addr", "add", gw6 + "/" + n.podCIDRv6().length(), "dev", CNI_BRIDGE);
        }
        ip(who + ": " + CNI_BRIDGE + " up", ns, "link", "set", CNI_BRIDGE, "up");
        Set<String> veths = new HashSet<>();
        for (Pod p : pods) {
            String pns = LabNetns.pod(lab, p);
            String veth = vethName(lab, p, veths);
            String pw = "pod " + p.key();
            ip(pw + ": eth0 <-> " + who + " " + veth, ns, "link", "add", veth, "address", LabIds.mac(lab, p.key(), veth), "mtu", m,
                    "type", "veth", "peer", "name", "eth0", "address", LabIds.mac(lab, p.key(), "eth0"), "mtu", m, "netns", pns);
            ip(pw + ": " + veth + " in " + CNI_BRIDGE, ns, "link", "set", veth, "master", CNI_BRIDGE);
            ip(pw + ": hairpin on " + veth, ns, "link", "set", veth, "type", "bridge_slave", "hairpin", "on");
            ip(pw + ": " + veth + " up", ns, "link", "set", veth, "up");
            ip(pw + ": " + p.ip() + " on eth0", pns, "addr", "add", p.ip() + "/" + n.podCIDR().length(), "dev", "eth0");
            ip(pw + ": eth0 up", pns, "link", "set", "eth0", "up");
            ip(pw + ": default route", pns, "route", "add", "default", "via", gw.toString(), "dev", "eth0");
            ip(pw + ": cluster route", pns, "route", "add", t.clusterCIDR().toString(), "via", gw.toString(), "dev", "eth0");
            if (p.ipV6() != null) {
                ip(pw + ": " + p.ipV6() + " on eth0", pns, "addr", "add", p.ipV6() + "/" + n.podCIDRv6().length(), "dev", "eth0");
                ip(pw + ": IPv6 default route", pns, "-6", "route", "add", "default", "via", gw6.toString(), "dev", "eth0");
                ip(pw + ": IPv6 cluster route", pns, "-6", "route", "add", t.ipv6().clusterCIDR().toString(), "via", gw6.toString(), "dev", "eth0");
            }
        }
    }

    /**
     * BIRD's routes and the Calico CNI plugin's pod veths on a node (BGP mode, felix-facts §5.1, §5.3): the node's
     * block is a blackhole (more specific pod /32 routes win), every other node's block goes via that node's address,
     * and every pod is a routed /32 behind its own {@code cali} veth.
     *
     * @throws io.skoop.netstack.parse.ParseException at the pod when two pods of the node hash to the same veth name
     */
    private void calicoNode(Node n) {
        String ns = LabNetns.node(lab, n);
        String who = n.name();
        if (Calico.vxlan(t)) {
            vxlan(n, Calico.VXLAN_DEVICE, Calico.VNI, Calico.VXLAN_PORT, Calico.VXLAN_MTU, n.address(), Calico.tunnelAddress(n), Calico.vtepMac(n));
            for (Node r : t.nodes()) {
                if (r != n) {
                    vxlanPeer(n, Calico.VXLAN_DEVICE, r.podCIDR(), r, r.address(), Calico.tunnelAddress(r), Calico.vtepMac(r));
                }
            }
            ip(who + ": blackhole for its own block", ns, "route", "add", "blackhole", n.podCIDR().toString(), "proto", Calico.FELIX_ROUTE_PROTO);
            if (n.podCIDRv6() != null) {
                vxlan(n, Calico.VXLAN_DEVICE_V6, Calico.VNI, Calico.VXLAN_PORT, Calico.VXLAN_MTU_V6, n.addressV6(), Calico.tunnelAddressV6(n),
                        Calico.vtepMacV6(n));
                for (Node r : t.nodes()) {
                    if (r != n) {
                        vxlanPeer(n, Calico.VXLAN_DEVICE_V6, r.podCIDRv6(), r, r.addressV6(), Calico.tunnelAddressV6(r), Calico.vtepMacV6(r));
                    }
                }
                ip(who + ": blackhole for its own IPv6 block", ns, "-6", "route", "add", "blackhole", n.podCIDRv6().toString(), "proto",
                        Calico.FELIX_ROUTE_PROTO);
            }
        } else {
            for (Node r : t.nodes()) {
                if (r != n) {
                    ip(who + ": route to " + r.name() + "'s block", ns, "route", "add", r.podCIDR().toString(), "via", r.address().toString(),
                            "dev", "eth0", "proto", Calico.ROUTE_PROTO);
                }
            }
            ip(who + ": blackhole for its own block", ns, "route", "add", "blackhole", n.podCIDR().toString(), "proto", Calico.ROUTE_PROTO);
            if (n.podCIDRv6() != null) {
                for (Node r : t.nodes()) {
                    if (r != n) {
                        ip(who + ": IPv6 route to " + r.name() + "'s block", ns, "-6", "route", "add", r.podCIDRv6().toString(), "via",
                                r.addressV6().toString(), "dev", "eth0", "proto", Calico.ROUTE_PROTO);
                    }
                }
                ip(who + ": blackhole for its own IPv6 block", ns, "-6", "route", "add", "blackhole", n.podCIDRv6().toString(), "proto",
                        Calico.ROUTE_PROTO);
            }
        }
        String m = String.valueOf(Calico.mtu(t));
        String gw = Calico.POD_GATEWAY.toString();
        Set<String> veths = new HashSet<>();
        for (Pod p : t.podsOn(n.name())) {
            String pns = LabNetns.pod(lab, p);
            String veth = Calico.vethName(p);
            if (!veths.add(veth)) {
                throw p.origin().error(p.key(), "pod " + p.key() + " hashes to veth " + veth + " like another pod of node " + who + "; rename one");
            }
            String pw = "pod " + p.key();
            ip(pw + ": eth0 <-> " + who + " " + veth, ns, "link", "add", veth, "address", Calico.HOST_VETH_MAC, "mtu", m,
                    "type", "veth", "peer", "name", "eth0", "address", LabIds.mac(lab, p.key(), "eth0"), "mtu", m, "netns", pns);
            exec(pw + ": " + veth + " sysctls", ns, concat(new String[] {"sysctl", "-qw"}, Calico.vethSysctls(veth)));
            if (p.ipV6() != null) {
                exec(pw + ": " + veth + " IPv6 sysctls", ns, concat(new String[] {"sysctl", "-qw"}, Calico.vethSysctlsV6(veth)));
            }
            ip(pw + ": " + veth + " up", ns, "link", "set", veth, "up");
            ip(pw + ": " + p.ip() + "/32 on eth0", pns, "addr", "add", p.ip() + "/32", "dev", "eth0");
            if (p.ipV6() != null) {
                ip(pw + ": " + p.ipV6() + "/128 on eth0", pns, "addr", "add", p.ipV6() + "/128", "dev", "eth0");
            }
            ip(pw + ": eth0 up", pns, "link", "set", "eth0", "up");
            ip(pw + ": gateway route", pns, "route", "add", gw, "dev", "eth0", "scope", "link");
            ip(pw + ": default route", pns, "route", "add", "default", "via", gw, "dev", "eth0");
            ip(pw + ": route on " + who, ns, "route", "add", p.ip() + "/32", "dev", veth, "scope", "link");
            if (p.ipV6() != null) {
                // the gateway is the veth's own link-local address (from its fixed MAC), which the CNI plugin reads back
                ip(pw + ": IPv6 default route", pns, "-6", "route", "add", "default", "via", Calico.POD_GATEWAY_V6.toString(), "dev", "eth0");
                ip(pw + ": IPv6 route on " + who, ns, "-6", "route", "add", p.ipV6() + "/128", "dev", veth);
            }
        }
    }

    /**
     * A node's VXLAN device as flanneld and Felix create it: {@code local} the node's address of the family
     * ({@code local}), {@code dev eth0}, learning off (the FDB is programmed), the VTEP MAC, the tunnel address as a
     * host route (/32, /128), the MTU, up.
     */
    private void vxlan(Node n, String dev, int vni, int port, int mtu, Ip local, Ip address, String mac) {
        String ns = LabNetns.node(lab, n);
        String who = n.name();
        // the MTU is given at creation, as flanneld and Felix do over netlink: the kernel caps it at what the lower device
        // carries (vxlan_config_apply), where a later "ip link set mtu" above that cap fails
        ip(who + ": " + dev, ns, "link", "add", dev, "address", mac, "mtu", String.valueOf(mtu), "type", "vxlan", "id", String.valueOf(vni),
                "local", local.toString(), "dev", "eth0", "dstport", String.valueOf(port), "nolearning");
        ip(who + ": " + dev + " address", ns, "addr", "add", address + "/" + address.bitLength(), "dev", dev);
        ip(who + ": " + dev + " up", ns, "link", "set", dev, "up");
    }

    /**
     * What reaches remote node {@code r}'s pods ({@code podCIDR}, one family) over {@code dev} on node {@code n}:
     * {@code <podCIDR> via <vtep> dev <dev> onlink}, the permanent neighbour {@code <vtep> lladdr <mac>} and the
     * permanent FDB entry {@code <mac> dst <remote>} (r's underlay address of the device's family).
     */
    private void vxlanPeer(Node n, String dev, Prefix podCIDR, Node r, Ip remote, Ip vtep, String mac) {
        String ns = LabNetns.node(lab, n);
        String who = n.name() + (podCIDR.isV6() ? ": IPv6" : ":");
        ip(who + " route to " + r.name(), ns, "route", "add", podCIDR.toString(), "via", vtep.toString(), "dev", dev, "onlink");
        ip(who + " neighbour " + r.name(), ns, "neigh", "add", vtep.toString(), "lladdr", mac, "dev", dev, "nud", "permanent");
        steps.add(new Step(who + " fdb " + r.name(), ns,
                List.of("bridge", "-n", ns, "fdb", "append", mac, "dev", dev, "dst", remote.toString(), "self", "permanent"),
                null, Step.Kind.COMMAND));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * The node-side veth name of a pod: {@code veth} + 8 hex digits derived from the lab and the pod (the CNI bridge
     * plugin's {@code ip.RandomVethName} picks 8 random ones), salted when the name is already among {@code taken}
     * (the names given to the node's earlier pods, in pod order), which it joins.
     */
    public static String vethName(String lab, Pod p, Set<String> taken) {
        for (int salt = 0; ; salt++) {
            String name = "veth" + (salt == 0 ? LabIds.hex(8, lab, p.key()) : LabIds.hex(8, lab, p.key(), String.valueOf(salt)));
            if (taken.add(name)) {
                return name;
            }
        }
    }

    private void iptables(Node n) {
        steps.addAll(rules(t, n));
    }

    /**
     * The steps that program a node's rules from {@code t}: kube-proxy's iptables restored whole (replacing the filter
     * and nat tables) — or, with {@code proxyMode: nftables}, kube-proxy's {@code ip kube-proxy} table loaded with
     * {@code nft -f} ({@link TopologyServices#nftablesText}, replacing the table) and the filter and nat tables restored
     * empty — and on a dual-stack lab the same for the IPv6 proxier (ip6tables-restore, or {@code ip6 kube-proxy} and
     * empty ip6tables) — then flanneld's, or Felix's ipsets ({@code ipset destroy} of the node's old sets first) and its
     * filter and nat rules ({@link FelixRules}, {@link Calico#felixInput}), both with {@code --noflush}. Running them
     * again on a built lab reprograms its rules as kube-proxy and the CNI would after the topology's Services or
     * policies changed.
     */
    public static List<Step> rules(ResolvedTopology t, Node n) {
        String ns = LabNetns.node(t.name(), n);
        List<Step> out = new ArrayList<>();
        // one proxier per family (NewDualStackProxier), each with its own table (nftables) or ip(6)tables
        for (IpFamily f : t.dualStack() ? List.of(IpFamily.IPv4, IpFamily.IPv6) : List.of(IpFamily.IPv4)) {
            String v6 = f == IpFamily.IPv6 ? "6" : "";
            List<String> restore = List.of("ip", "netns", "exec", ns, "ip" + v6 + "tables-restore");
            if (t.proxyMode() == ProxyMode.NFTABLES) {
                out.add(new Step(n.name() + ": kube-proxy nftables" + (v6.isEmpty() ? "" : " IPv6"), ns,
                        List.of("ip", "netns", "exec", ns, "nft", "-f", "-"), TopologyServices.nftablesText(t, n.name(), f), Step.Kind.COMMAND));
                out.add(new Step(n.name() + ": ip" + v6 + "tables without kube-proxy", ns, restore, EMPTY_FILTER_AND_NAT, Step.Kind.COMMAND));
            } else {
                out.add(new Step(n.name() + ": kube-proxy ip" + v6 + "tables", ns, restore, v6.isEmpty()
                        ? TopologyServices.iptablesRestoreText(t, n.name()) : TopologyServices.ip6tablesRestoreText(t, n.name()), Step.Kind.COMMAND));
            }
        }
        if (t.cni() instanceof Cni.Flannel) {
            out.add(new Step(n.name() + ": flannel iptables", ns, List.of("ip", "netns", "exec", ns, "iptables-restore", "--noflush"),
                    Flannel.iptablesRestoreText(t, n), Step.Kind.COMMAND));
            if (t.dualStack()) {
                out.add(new Step(n.name() + ": flannel ip6tables", ns, List.of("ip", "netns", "exec", ns, "ip6tables-restore", "--noflush"),
                        Flannel.ip6tablesRestoreText(t, n), Step.Kind.COMMAND));
            }
        } else {
            FelixRules.Rendered felix = FelixRules.render(Calico.felixInput(t, n, IpFamily.IPv4));
            FelixRules.Rendered felix6 = t.dualStack() ? FelixRules.render(Calico.felixInput(t, n, IpFamily.IPv6)) : null;
            out.add(new Step(n.name() + ": felix ipsets", ns, List.of("ip", "netns", "exec", ns, "sh", "-c", "ipset destroy && ipset restore"),
                    felix6 == null ? felix.ipsetRestore() : felix.ipsetRestore() + felix6.ipsetRestore(), Step.Kind.COMMAND));
            out.add(new Step(n.name() + ": felix iptables", ns, List.of("ip", "netns", "exec", ns, "iptables-restore", "--noflush"),
                    felix.iptablesRestore(), Step.Kind.COMMAND));
            if (felix6 != null) {
                out.add(new Step(n.name() + ": felix ip6tables", ns, List.of("ip", "netns", "exec", ns, "ip6tables-restore", "--noflush"),
                        felix6.iptablesRestore(), Step.Kind.COMMAND));
            }
        }
        return out;
    }

    /**
     * The node's addresses after the build: InternalIP, its tunnel address (calico vxlan: vxlan.calico's),
     * flannel.1's (vxlan), cni0's (flannel, when it has pods); on a dual-stack node then the same in IPv6 (IPv6
     * InternalIP, flannel-v6.1's, cni0's).
     */
    private List<Ip> nodeAddresses(Node n) {
        List<Ip> a = new ArrayList<>();
        a.add(n.address());
        if (n.tunnelAddress() != null) {
            a.add(n.tunnelAddress());
        }
        if (!(t.cni() instanceof Cni.Flannel f)) {
            if (n.addressV6() != null) {
                a.add(n.addressV6());
                if (n.tunnelAddress() != null) {
                    a.add(Calico.tunnelAddressV6(n));
                }
            }
            return a;
        }
        if (f.backend() == Cni.FlannelBackend.VXLAN) {
            a.add(Flannel.vtepAddress(n));
        }
        if (!t.podsOn(n.name()).isEmpty()) {
            a.add(ResolvedTopology.podGateway(n));
        }
        if (n.addressV6() != null) {
            a.add(n.addressV6());
            if (f.backend() == Cni.FlannelBackend.VXLAN) {
                a.add(Flannel.vtepAddressV6(n));
            }
            if (!t.podsOn(n.name()).isEmpty()) {
                a.add(ResolvedTopology.podGatewayV6(n));
            }
        }
        return a;
    }

    private void listener(String ns, String owner, Ip bind, Listener l) {
        LabPlan.Socket s = new LabPlan.Socket(ns, owner, bind, l.port(), l.protocol());
        sockets.add(s);
        List<String> argv = new ArrayList<>(List.of("setsid", "-f", "ip", "netns", "exec", ns));
        if (l.protocol() == Protocol.UDP) {
            argv.addAll(List.of("python3", "-S", "-c", UDP_RESPONDER, bind == null ? "0.0.0.0" : bind.toString(), String.valueOf(l.port()),
                    s.banner()));
        } else {
            String listen = bind != null && bind.isV6()
                    ? "TCP6-LISTEN:" + l.port() + (bind.isAny() ? "" : ",bind=[" + bind + "]") + ",ipv6only=1"
                    : "TCP4-LISTEN:" + l.port() + (bind != null ? ",bind=" + bind : "");
            // no commas or colons after SYSTEM: socat's address syntax gives them meaning
            argv.addAll(List.of("socat", listen + ",reuseaddr,fork",
                    "SYSTEM:echo " + s.banner() + "; head -c " + LabPlan.TCP_PADDING + " /dev/zero | tr -c x x; echo; echo " + LabPlan.END));
        }
        steps.add(new Step(owner + ": listen " + l.port() + "/" + l.protocol().ianaName() + (bind == null ? "" : bind.isV6() && bind.isAny()
                ? " on [::]" : " on " + bind), ns, argv,
                null, Step.Kind.LISTENER));
    }

    /**
     * Makes a device of the underlay behave like a NIC on a wire: {@code gso_max_segs 1} makes the kernel segment
     * GSO packets before they leave it, so only MTU-sized frames cross the underlay and a receiver whose MTU is
     * smaller drops them, as hardware does. Without it a veth passes GSO super-packets of any size to its peer
     * ({@code is_skb_forwardable} lets GSO through) and an MTU fault would go unnoticed.
     */
    private void wire(String who, String ns, String dev) {
        ip(who + ": " + dev + " sends wire-sized frames", ns, "link", "set", "dev", dev, "gso_max_segs", "1");
    }

    private void ip(String what, String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", ns));
        argv.addAll(List.of(args));
        steps.add(new Step(what, ns, argv, null, Step.Kind.COMMAND));
    }

    private void exec(String what, String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(args));
        steps.add(new Step(what, ns, argv, null, Step.Kind.COMMAND));
    }
}
