package io.skoop.lab.topology;

import io.skoop.model.IpFamily;
import io.skoop.model.Ip;
import io.skoop.model.Names;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import io.skoop.plugin.calico.CalicoNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks a declared {@link Topology} and allocates what was not written, deterministically and
 * in file order. Every error is a {@link io.skoop.netstack.parse.ParseException} at the line of
 * the offending part. The rules:
 * <ul>
 * <li><b>podCIDR</b>: a /24 per node from the cluster CIDR, lowest free first, skipping the
 *     podCIDRs written explicitly — kube-controller-manager's range allocator
 *     ({@code --allocate-node-cidrs}, {@code --node-cidr-mask-size=24}, pkg/controller/nodeipam).
 *     Written podCIDRs must lie inside the cluster CIDR and not overlap.</li>
 * <li><b>node address</b>: from the underlay subnet in node order; the underlay's first
 *     address is reserved for the lab's router, nodes start at the second.</li>
 * <li><b>pod IP</b>: from the node's podCIDR as the host-local IPAM plugin does with flannel:
 *     the first address is the gateway (cni0), pods get the next free address from the
 *     second; network and broadcast addresses are never handed out.</li>
 * <li><b>cluster IP</b>: from the service CIDR; the first address is reserved for the
 *     {@code default/kubernetes} Service (kube-apiserver takes it); network and broadcast are
 *     excluded. The apiserver picks free addresses at random (KEP-3070); the lab takes the
 *     lowest free one so that files give the same addresses every time.</li>
 * <li><b>node port</b>: from 30000-32767 ({@code --service-node-port-range}), lowest free
 *     first (the apiserver picks at random); a node port belongs to one Service.</li>
 * <li><b>calico</b> ({@code cni: {type: calico}}): the cluster CIDR is the IP pool; each node's podCIDR is its
 *     IPAM block ({@code blockSize}, default /26), lowest free block first in node order (Calico's IPAM starts
 *     each host at a pseudo-random block, felix-facts §5.6; the lab takes the lowest free one so that files give the
 *     same addresses every time); a written podCIDR pins the node's block and must be one block. Pods take the
 *     block's addresses in ordinal order from ordinal 0 (Calico hands out every address of a block: no gateway,
 *     network or broadcast address is held back); written pod IPs must lie in the node's block. In {@code vxlan}
 *     mode each node's VXLAN tunnel address comes first: the block's first address no written pod IP holds
 *     (ordinal 0 when none does, as calico-node takes it before any pod exists), and the other pods start after
 *     it.</li>
 * <li><b>dual-stack</b> (clusterCIDR, serviceCIDR and underlay each an IPv4 and an IPv6 CIDR, IPv4 first): every node
 *     also gets an IPv6 podCIDR, a /64 of the IPv6 cluster CIDR ({@code --node-cidr-mask-size-ipv6} default, lowest
 *     free first), and an IPv6 address from the IPv6 underlay's second address on (the first is the lab router's);
 *     every pod an IPv6 address from its node's IPv6 podCIDR as host-local does (the first address is cni0's) — with
 *     calico the IPv6 podCIDR is the node's IPv6 block instead, a /{@value CalicoNames#BLOCK_SIZE_V6} of the IPv6 pool
 *     (the IPv6 IPPool's default blockSize; the pool /48 to /122), handed out from ordinal 0 like the IPv4 block — in
 *     vxlan mode ordinal 0 is the node's IPv6 VXLAN tunnel address and pods start at ordinal 1; a
 *     Service's families follow the API server (pkg/registry/core/service/storage, {@code initIPFamilyFields}):
 *     without ipFamilyPolicy and ipFamilies it is SingleStack in the primary family (IPv4); ipFamilies written alone
 *     give SingleStack for one family and need a dual-stack policy for two; PreferDualStack and RequireDualStack give
 *     both families (primary first, or in ipFamilies order) — RequireDualStack and IPv6 families are refused on a
 *     single-stack cluster, as the API server does. IPv6 cluster IPs are allocated from the IPv6 service CIDR's
 *     first host address on (the kubernetes Service has the primary family only).</li>
 * <li><b>endpoints</b>: pods in the Service's namespace whose labels match the selector; a
 *     numeric targetPort is used as is, a named one is looked up among the pod's container
 *     ports with the same protocol (pods without it are skipped), as the EndpointSlice
 *     controller does (FindPort in pkg/api/v1/pod).</li>
 * </ul>
 */
final class TopologyResolver {
    static final int NODE_MASK = 24;
    static final int NODE_PORT_MIN = 30000;
    static final int NODE_PORT_MAX = 32767;

    private final Topology t;
    /** The prefix length of a node's podCIDR: flannel's /24, calico's blockSize. */
    private final int nodeMask;
    /** Calico IPAM: the whole block is handed out from ordinal 0. */
    private final boolean wholeBlock;

    TopologyResolver(Topology t) {
        this.t = t;
        this.nodeMask = t.cni() instanceof Cni.Calico c ? c.blockSize() : NODE_MASK;
        this.wholeBlock = t.cni() instanceof Cni.Calico;
    }

    /** What the node's podCIDR is called in messages. */
    private String podCidrName() {
        return wholeBlock ? "block" : "podCIDR";
    }

    ResolvedTopology resolve() {
        checkName(t.name(), t.origin().at("name"), "cluster name");
        checkCidrs();
        List<Node> nodes = resolveNodes();
        Map<String, Node> byName = new LinkedHashMap<>();
        nodes.forEach(n -> byName.put(n.name(), n));
        List<Pod> pods = resolvePods(byName);
        List<ResolvedService> services = resolveServices(pods);
        List<ExternalHost> externals = checkExternalHosts(byName.keySet());
        checkPolicies();
        return new ResolvedTopology(t.name(), t.cni(), t.clusterCIDR(), t.serviceCIDR(), t.underlay(), t.underlay().address().plus(1),
                List.copyOf(byName.values()), pods, services, externals, t.namespaces(), t.policies(), t.proxyMode(), t.ipv6());
    }

    // ---- namespaces and policies

    /** Namespace names are DNS-1123 labels and unique; a policy's key is unique per kind; at most one baseline. */
    private void checkPolicies() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Namespace n : t.namespaces()) {
            checkName(n.name(), n.origin().at("name"), "namespace name");
            if (!seen.add(n.name())) {
                throw n.origin().error(n.name(), "namespace " + n.name() + " is declared twice");
            }
        }
        seen.clear();
        for (Policy p : t.policies()) {
            if (p.namespace() != null) {
                checkName(p.namespace(), p.origin(), "namespace name");
            }
            if (!seen.add(p.kind() + " " + p.key())) {
                throw p.origin().error(p.key(), p.kind() + " " + p.key() + " is written twice");
            }
            if (p.kind().equals("BaselineAdminNetworkPolicy") && !p.name().equals("default")) {
                throw p.origin().error(p.name(), "a BaselineAdminNetworkPolicy is a singleton named 'default'");
            }
        }
    }

    // ---- CIDRs

    private void checkCidrs() {
        Map<String, Prefix> cidrs = new LinkedHashMap<>();
        cidrs.put("clusterCIDR", t.clusterCIDR());
        cidrs.put("serviceCIDR", t.serviceCIDR());
        cidrs.put("underlay", t.underlay());
        checkDisjoint(cidrs);
        if (t.ipv6() == null) {
            return;
        }
        Map<String, Prefix> v6 = new LinkedHashMap<>();
        v6.put("clusterCIDR", t.ipv6().clusterCIDR());
        v6.put("serviceCIDR", t.ipv6().serviceCIDR());
        v6.put("underlay", t.ipv6().underlay());
        Prefix cluster = t.ipv6().clusterCIDR();
        if (wholeBlock) {
            if (cluster.length() > CalicoNames.BLOCK_SIZE_V6 || cluster.length() < 48) {
                throw t.origin().at("clusterCIDR").error(cluster.toString(), "the IPv6 IP pool must hold /" + CalicoNames.BLOCK_SIZE_V6
                        + " blocks (the IPv6 pool's default blockSize): expected a prefix of /48 to /" + CalicoNames.BLOCK_SIZE_V6);
            }
        } else if (cluster.length() > Ipv6Ranges.NODE_MASK || Ipv6Ranges.NODE_MASK - cluster.length() > 16) {
            throw t.origin().at("clusterCIDR").error(cluster.toString(), "the IPv6 clusterCIDR must hold /" + Ipv6Ranges.NODE_MASK
                    + " podCIDRs (--node-cidr-mask-size-ipv6) and be at most 16 bits shorter: expected a prefix of /48 to /64");
        }
        Prefix service = t.ipv6().serviceCIDR();
        if (service.length() < 108) {
            throw t.origin().at("serviceCIDR").error(service.toString(), "the IPv6 serviceCIDR is too large: kube-apiserver expects a prefix of "
                    + "/108 or longer");
        }
        checkDisjoint(v6);
    }

    /** Each CIDR has room for a few hosts and overlaps none before it. */
    private void checkDisjoint(Map<String, Prefix> cidrs) {
        List<String> keys = new ArrayList<>(cidrs.keySet());
        for (int i = 0; i < keys.size(); i++) {
            Prefix p = cidrs.get(keys.get(i));
            Origin o = t.origin().at(keys.get(i));
            int max = p.isV6() ? 126 : 30;
            if (p.length() > max) {
                throw o.error(p.toString(), keys.get(i) + " is too small: expected a prefix of /" + max + " or shorter");
            }
            for (int j = 0; j < i; j++) {
                Prefix q = cidrs.get(keys.get(j));
                if (overlaps(p, q)) {
                    throw o.error(p.toString(), keys.get(i) + " overlaps " + keys.get(j) + " " + q + " (expected disjoint ranges)");
                }
            }
        }
    }

    // ---- nodes

    private List<Node> resolveNodes() {
        if (t.nodes().isEmpty()) {
            throw t.origin().at("nodes").error(null, "a lab cluster needs at least one node");
        }
        Set<String> names = new HashSet<>();
        List<Prefix> taken = new ArrayList<>();
        Map<Ip, String> addresses = new HashMap<>();
        for (Node n : t.nodes()) {
            checkName(n.name(), n.origin().at("name"), "node name");
            if (!names.add(n.name())) {
                throw n.origin().at("name").error(n.name(), "duplicate node name");
            }
            checkListeners(n.listeners(), n.origin().at("listeners"));
            if (n.podCIDR() != null) {
                checkPodCidr(n);
                taken.add(n.podCIDR());
            }
            if (n.address() != null) {
                checkWritten(n.address(), t.underlay(), "underlay", "the lab's router", addresses, "node " + n.name(), n.origin().at("address"), "address");
            }
        }
        List<Node> out = new ArrayList<>();
        Ip nextAddress = t.underlay().address().plus(2);
        List<Prefix> takenV6 = new ArrayList<>();
        Ip nextV6 = t.ipv6() == null ? null : t.ipv6().underlay().address().plus(2);
        for (Node n : t.nodes()) {
            Prefix podCIDR = n.podCIDR() != null ? n.podCIDR() : allocatePodCidr(n, taken);
            Ip address = n.address();
            if (address == null) {
                address = nextFree(nextAddress, t.underlay(), addresses::containsKey, n.origin(), "no free address left in underlay " + t.underlay() + " for node " + n.name());
                addresses.put(address, "node " + n.name());
                nextAddress = address.plus(1);
            }
            Prefix podCIDRv6 = null;
            Ip addressV6 = null;
            if (t.ipv6() != null) {
                podCIDRv6 = wholeBlock
                        ? allocateSubnet(t.ipv6().clusterCIDR(), CalicoNames.BLOCK_SIZE_V6, takenV6, n, "IPv6 IP pool (clusterCIDR)", "IPv6 block")
                        : allocateSubnet(t.ipv6().clusterCIDR(), Ipv6Ranges.NODE_MASK, takenV6, n, "IPv6 clusterCIDR", "IPv6 podCIDR");
                addressV6 = nextFree(nextV6, t.ipv6().underlay(), ip -> false, n.origin(), "no free address left in the IPv6 underlay "
                        + t.ipv6().underlay() + " for node " + n.name());
                nextV6 = addressV6.plus(1);
            }
            out.add(new Node(n.name(), podCIDR, address, null, n.listeners(), n.origin(), podCIDRv6, addressV6));
        }
        return out;
    }

    private void checkPodCidr(Node n) {
        Prefix p = n.podCIDR();
        if (!t.clusterCIDR().contains(p)) {
            throw n.origin().at("podCIDR").error(p.toString(), "podCIDR is outside clusterCIDR " + t.clusterCIDR());
        }
        if (wholeBlock && p.length() != nodeMask) {
            throw n.origin().at("podCIDR").error(p.toString(), "with calico a node's podCIDR is its IPAM block: expected a /" + nodeMask
                    + " (the cni's blockSize)");
        }
        if (!wholeBlock && p.length() > 30) {
            throw n.origin().at("podCIDR").error(p.toString(), "podCIDR is too small: expected /30 or shorter (gateway, one pod, broadcast)");
        }
        for (Node other : t.nodes()) {
            if (other == n) {
                return;
            }
            if (other.podCIDR() != null && overlaps(p, other.podCIDR())) {
                throw n.origin().at("podCIDR").error(p.toString(), "podCIDR overlaps the podCIDR " + other.podCIDR() + " of node " + other.name());
            }
        }
    }

    private Prefix allocatePodCidr(Node n, List<Prefix> taken) {
        Prefix cluster = t.clusterCIDR();
        if (cluster.length() > nodeMask) {
            throw t.origin().at("clusterCIDR").error(cluster.toString(), "clusterCIDR is smaller than the /" + nodeMask
                    + " " + podCidrName() + " allocated to node " + n.name() + " (write a podCIDR for each node, or use a /" + nodeMask + " or larger clusterCIDR)");
        }
        return allocateSubnet(cluster, nodeMask, taken, n, wholeBlock ? "IP pool (clusterCIDR)" : "clusterCIDR",
                podCidrName() + (wholeBlock ? " (pool exhausted)" : ""));
    }

    /**
     * The lowest {@code /mask} of {@code range} that overlaps nothing in {@code taken} (which it joins), as the range
     * allocator hands out node CIDRs.
     */
    private static Prefix allocateSubnet(Prefix range, int mask, List<Prefix> taken, Node n, String rangeName, String what) {
        long count = mask - range.length() >= 63 ? Long.MAX_VALUE : 1L << (mask - range.length());
        for (long i = 0; i < count; i++) {
            Prefix candidate = new Prefix(subnetAddress(range, i, mask), mask);
            if (taken.stream().noneMatch(p -> overlaps(p, candidate))) {
                taken.add(candidate);
                return candidate;
            }
        }
        throw n.origin().error(n.name(), rangeName + " " + range + " has no free /" + mask + " left for this node's " + what);
    }

    /** The address of the {@code i}-th {@code /mask} subnet of {@code range}. */
    private static Ip subnetAddress(Prefix range, long i, int mask) {
        Ip base = range.address();
        int shift = base.bitLength() - mask;
        if (!base.isV6() || shift < 64) {
            return base.plus(i << shift);
        }
        return Ip.v6(base.hi() + (i << (shift - 64)), base.lo());
    }

    // ---- pods

    private List<Pod> resolvePods(Map<String, Node> nodes) {
        Set<String> keys = new HashSet<>();
        Map<Ip, String> ips = new HashMap<>();
        for (Pod p : t.pods()) {
            checkName(p.namespace(), p.origin().at("namespace"), "namespace");
            checkName(p.name(), p.origin().at("name"), "pod name");
            if (!keys.add(p.key())) {
                throw p.origin().at("name").error(p.key(), "duplicate pod");
            }
            Node node = nodes.get(p.node());
            if (node == null) {
                throw p.origin().at("node").error(p.node(), "pod " + p.key() + " is on an unknown node (nodes: "
                        + String.join(", ", nodes.keySet()) + Names.didYouMean(p.node(), nodes.keySet()) + ")");
            }
            checkContainerPorts(p);
            if (p.listeners() != null) {
                checkListeners(p.listeners(), p.origin().at("listeners"));
            }
            if (p.ip() != null && wholeBlock) {
                checkInBlock(p.ip(), node, ips, "pod " + p.key(), p.origin().at("ip"));
            } else if (p.ip() != null) {
                checkWritten(p.ip(), node.podCIDR(), "podCIDR of node " + node.name(), "the gateway (cni0)", ips, "pod " + p.key(), p.origin().at("ip"), "ip");
            }
        }
        if (t.cni() instanceof Cni.Calico c && c.mode() == Cni.CalicoMode.VXLAN) {
            allocateTunnelAddresses(nodes, ips);
        }
        Map<String, Ip> next = new HashMap<>();
        Map<String, Ip> nextV6 = new HashMap<>();
        // calico vxlan: ordinal 0 of each IPv6 block is the node's IPv6 VXLAN tunnel address (IPv6 addresses are never written)
        boolean calicoVxlan = t.cni() instanceof Cni.Calico cv && cv.mode() == Cni.CalicoMode.VXLAN;
        List<Pod> out = new ArrayList<>();
        for (Pod p : t.pods()) {
            Node node = nodes.get(p.node());
            Ip ip = p.ip();
            if (ip == null) {
                Ip from = next.getOrDefault(node.name(), node.podCIDR().address().plus(wholeBlock ? 0 : 2));
                Ip last = wholeBlock ? broadcast(node.podCIDR()).plus(1) : broadcast(node.podCIDR());
                ip = nextFree(from, last, node.podCIDR(), ips::containsKey, p.origin(), podCidrName() + " " + node.podCIDR() + " of node " + node.name()
                        + " has no free address left for pod " + p.key());
                ips.put(ip, "pod " + p.key());
                next.put(node.name(), ip.plus(1));
            }
            Ip ipV6 = null;
            if (node.podCIDRv6() != null) {
                Prefix v6 = node.podCIDRv6();
                ipV6 = nextFree(nextV6.getOrDefault(node.name(), v6.address().plus(wholeBlock ? calicoVxlan ? 1 : 0 : 2)), v6, x -> false, p.origin(),
                        "IPv6 " + podCidrName() + " " + v6 + " of node " + node.name() + " has no free address left for pod " + p.key());
                nextV6.put(node.name(), ipV6.plus(1));
            }
            List<Listener> listeners = p.listeners() != null ? p.listeners()
                    : p.ports().stream().map(ContainerPort::listener).distinct().toList();
            out.add(new Pod(p.namespace(), p.name(), p.node(), p.labels(), ip, p.ports(), listeners, p.origin(), ipV6));
        }
        return out;
    }

    /**
     * Calico VXLAN: calico-node's {@code allocate-tunnel-addrs} takes each node's tunnel address from the node's own
     * block before any pod starts, the block's first free address (ordinal 0 unless a pod's IP is written there);
     * it replaces the node in {@code nodes} with one carrying the address and records it in {@code ips}, so the pods
     * allocated after it skip it.
     */
    private void allocateTunnelAddresses(Map<String, Node> nodes, Map<Ip, String> ips) {
        for (Node n : List.copyOf(nodes.values())) {
            Prefix block = n.podCIDR();
            Ip tunnel = nextFree(block.address(), broadcast(block).plus(1), block, ips::containsKey, n.origin(),
                    "block " + block + " of node " + n.name() + " has no free address left for the node's VXLAN tunnel address");
            ips.put(tunnel, "the VXLAN tunnel address of node " + n.name());
            nodes.put(n.name(), new Node(n.name(), block, n.address(), tunnel, n.listeners(), n.origin(), n.podCIDRv6(), n.addressV6()));
        }
    }

    private static void checkContainerPorts(Pod p) {
        Set<String> names = new HashSet<>();
        Set<Listener> ports = new HashSet<>();
        for (ContainerPort c : p.ports()) {
            if (c.name() != null && !names.add(c.name())) {
                throw p.origin().at("ports").error(c.name(), "duplicate container port name in pod " + p.key());
            }
            if (!ports.add(c.listener())) {
                throw p.origin().at("ports").error(c.port() + "/" + c.protocol().ianaName(), "duplicate container port in pod " + p.key());
            }
        }
    }

    // ---- services

    private List<ResolvedService> resolveServices(List<Pod> pods) {
        Set<String> keys = new HashSet<>();
        Map<Ip, String> clusterIPs = new HashMap<>();
        Map<Integer, Service> nodePorts = new HashMap<>();
        Map<Service, List<IpFamily>> families = new HashMap<>();
        for (Service s : t.services()) {
            checkName(s.namespace(), s.origin().at("namespace"), "namespace");
            checkName(s.name(), s.origin().at("name"), "service name");
            if (!keys.add(s.key())) {
                throw s.origin().at("name").error(s.key(), "duplicate service");
            }
            checkServicePorts(s);
            families.put(s, ipFamilies(s));
            for (Ip ip : s.clusterIPs()) {
                String key = s.origin().keyLines().containsKey("clusterIPs") ? "clusterIPs" : "clusterIP";
                if (ip.isV6()) {
                    checkWrittenV6(ip, t.ipv6().serviceCIDR(), "the IPv6 serviceCIDR", clusterIPs, "service " + s.key(), s.origin().at(key), key);
                } else {
                    checkWritten(ip, t.serviceCIDR(), "serviceCIDR", "the default/kubernetes service", clusterIPs, "service " + s.key(),
                            s.origin().at(key), key);
                }
            }
            for (ServicePort p : s.ports()) {
                if (p.nodePort() != 0) {
                    Service other = nodePorts.putIfAbsent(p.nodePort(), s);
                    if (other != null && other != s) {
                        throw p.origin().at("nodePort").error(String.valueOf(p.nodePort()), "nodePort already used by service " + other.key());
                    }
                }
            }
        }
        Map<IpFamily, Ip> nextIp = new HashMap<>();
        nextIp.put(IpFamily.IPv4, t.serviceCIDR().address().plus(2));
        if (t.ipv6() != null) {
            nextIp.put(IpFamily.IPv6, t.ipv6().serviceCIDR().address().plus(1));
        }
        int nextPort = NODE_PORT_MIN;
        Map<String, List<Pod>> byNamespace = new HashMap<>();
        pods.forEach(p -> byNamespace.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p));
        List<ResolvedService> out = new ArrayList<>();
        for (Service s : t.services()) {
            List<IpFamily> fams = families.get(s);
            List<Ip> ips = new ArrayList<>();
            for (IpFamily family : fams) {
                Ip clusterIP = s.clusterIP(family);
                if (clusterIP == null) {
                    Prefix range = family == IpFamily.IPv4 ? t.serviceCIDR() : t.ipv6().serviceCIDR();
                    clusterIP = nextFree(nextIp.get(family), range, clusterIPs::containsKey, s.origin(), (family == IpFamily.IPv4 ? "serviceCIDR "
                            : "IPv6 serviceCIDR ") + range + " has no free address left for service " + s.key());
                    clusterIPs.put(clusterIP, "service " + s.key());
                    nextIp.put(family, clusterIP.plus(1));
                }
                ips.add(clusterIP);
            }
            List<ServicePort> ports = new ArrayList<>();
            for (ServicePort p : s.ports()) {
                if (s.type() == ServiceType.NodePort && p.nodePort() == 0) {
                    while (nextPort <= NODE_PORT_MAX && nodePorts.containsKey(nextPort)) {
                        nextPort++;
                    }
                    if (nextPort > NODE_PORT_MAX) {
                        throw p.origin().error(p.label(), "no free nodePort left in " + NODE_PORT_MIN + "-" + NODE_PORT_MAX + " for service " + s.key());
                    }
                    nodePorts.put(nextPort, s);
                    p = p.withNodePort(nextPort);
                }
                ports.add(p);
            }
            IpFamilyPolicy policy = s.ipFamilyPolicy() != null ? s.ipFamilyPolicy() : IpFamilyPolicy.SingleStack;
            Service resolved = new Service(s.namespace(), s.name(), s.type(), ips, ports, s.selector(), s.origin(), policy, fams);
            List<Pod> selected = s.selector().isEmpty() ? List.of()
                    : byNamespace.getOrDefault(s.namespace(), List.of()).stream().filter(p -> p.matches(s.selector())).toList();
            out.add(new ResolvedService(resolved, ports.stream().map(p -> endpoints(s, p, selected)).toList()));
        }
        return out;
    }

    /**
     * The Service's {@code spec.ipFamilies} as the API server sets them (initIPFamilyFields in
     * pkg/registry/core/service/storage/alloc.go): from ipFamilies, else from the written cluster IPs, else the
     * cluster's primary family; PreferDualStack and RequireDualStack add the other family on a dual-stack cluster.
     */
    private List<IpFamily> ipFamilies(Service s) {
        List<IpFamily> written = s.ipFamilies();
        List<IpFamily> fromIps = s.clusterIPs().stream().map(IpFamily::of).toList();
        String ipKey = s.origin().keyLines().containsKey("clusterIPs") ? "clusterIPs" : "clusterIP";
        // validateIPFamilyMatch: each written cluster IP with an ipFamilies entry at its index must be of that family
        for (int i = 0; i < Math.min(written.size(), fromIps.size()); i++) {
            if (written.get(i) != fromIps.get(i)) {
                throw s.origin().at("ipFamilies").error(written.toString(), "ipFamilies " + written + " do not match the families of the written "
                        + "cluster IPs " + s.clusterIPs() + " (service " + s.key() + ")");
            }
        }
        List<IpFamily> fams = new ArrayList<>(!written.isEmpty() ? written : List.of());
        // cluster IPs written beyond ipFamilies add their families (initIPFamilyFields)
        fromIps.stream().filter(f -> !fams.contains(f)).forEach(fams::add);
        if (fams.isEmpty()) {
            fams.add(IpFamily.IPv4);
        }
        if (t.ipv6() == null && fams.contains(IpFamily.IPv6)) {
            boolean fromWritten = written.contains(IpFamily.IPv6);
            Origin at = s.origin().at(fromWritten ? "ipFamilies" : ipKey);
            String token = fromWritten ? IpFamily.IPv6.name() : s.clusterIP(IpFamily.IPv6).toString();
            throw at.error(token, "service " + s.key() + " asks for IPv6 but the cluster is IPv4 single-stack "
                    + "(give clusterCIDR, serviceCIDR and underlay an IPv6 CIDR each to make it dual-stack)");
        }
        Origin at = s.origin().at(s.origin().keyLines().containsKey("ipFamilies") ? "ipFamilies" : "ipFamilyPolicy");
        IpFamilyPolicy policy = s.ipFamilyPolicy();
        if (policy == null || policy == IpFamilyPolicy.SingleStack) {
            if (fams.size() > 1) {
                throw at.error(fams.toString(), "service " + s.key() + " has two IP families but ipFamilyPolicy "
                        + (policy == null ? "is not written" : "SingleStack") + " (expected PreferDualStack or RequireDualStack)");
            }
            return fams;
        }
        if (t.ipv6() == null) {
            if (policy == IpFamilyPolicy.RequireDualStack) {
                throw s.origin().at("ipFamilyPolicy").error(policy.name(), "service " + s.key() + " requires dual-stack but the cluster is "
                        + "IPv4 single-stack");
            }
            return fams;
        }
        if (fams.size() == 1) {
            fams.add(fams.get(0) == IpFamily.IPv4 ? IpFamily.IPv6 : IpFamily.IPv4);
        }
        return fams;
    }

    /** A written IPv6 cluster IP: inside {@code range}, not its network address (the Subnet-Router anycast), not used before. */
    private static void checkWrittenV6(Ip ip, Prefix range, String rangeName, Map<Ip, String> used, String owner, Origin origin, String key) {
        if (!range.contains(ip) || ip.equals(range.address())) {
            throw origin.error(ip.toString(), key + " is outside " + rangeName + " " + range + " or its network address");
        }
        String other = used.put(ip, owner);
        if (other != null) {
            throw origin.error(ip.toString(), key + " already used by " + other);
        }
    }

    private static void checkServicePorts(Service s) {
        if (s.ports().isEmpty()) {
            throw s.origin().at("ports").error(s.key(), "a service needs at least one port");
        }
        Set<String> names = new HashSet<>();
        Set<String> portProtos = new HashSet<>();
        for (ServicePort p : s.ports()) {
            if (p.name() == null && s.ports().size() > 1) {
                throw p.origin().error(String.valueOf(p.port()), "port of service " + s.key() + " needs a name (a service with several ports names each)");
            }
            if (p.name() != null && !names.add(p.name())) {
                throw p.origin().error(p.name(), "duplicate port name in service " + s.key());
            }
            if (!portProtos.add(p.port() + "/" + p.protocol())) {
                throw p.origin().error(p.port() + "/" + p.protocol().ianaName(), "duplicate port in service " + s.key());
            }
            if (s.type() == ServiceType.ClusterIP && p.nodePort() != 0) {
                throw p.origin().at("nodePort").error(String.valueOf(p.nodePort()), "nodePort is only allowed for type NodePort (service " + s.key() + " is ClusterIP)");
            }
            if (p.nodePort() != 0 && (p.nodePort() < NODE_PORT_MIN || p.nodePort() > NODE_PORT_MAX)) {
                throw p.origin().at("nodePort").error(String.valueOf(p.nodePort()), "nodePort out of range (expected " + NODE_PORT_MIN + "-" + NODE_PORT_MAX + ")");
            }
        }
    }

    private static ResolvedService.Port endpoints(Service s, ServicePort p, List<Pod> selected) {
        List<ServiceBackend> backends = new ArrayList<>();
        for (Pod pod : selected) {
            int port = p.targetPort().isNamed() ? namedPort(pod, p.targetPort().name(), p.protocol()) : p.targetPort().number();
            if (port > 0) {
                backends.add(new ServiceBackend(pod.key(), pod.node(), pod.ip(), port, p.protocol(), pod.ipV6()));
            }
        }
        if (p.targetPort().isNamed() && !selected.isEmpty() && backends.isEmpty()) {
            throw p.origin().at("targetPort").error(p.targetPort().name(), "targetPort names no " + p.protocol() + " container port of the selected pods ("
                    + String.join(", ", selected.stream().map(Pod::key).toList()) + "; their port names: "
                    + String.join(", ", selected.stream().flatMap(x -> x.ports().stream()).map(ContainerPort::name)
                    .filter(n -> n != null).distinct().toList()) + ")");
        }
        return new ResolvedService.Port(p, backends);
    }

    private static int namedPort(Pod pod, String name, Protocol protocol) {
        return pod.ports().stream().filter(c -> name.equals(c.name()) && c.protocol() == protocol)
                .mapToInt(ContainerPort::port).findFirst().orElse(0);
    }

    // ---- external hosts

    private List<ExternalHost> checkExternalHosts(Set<String> nodeNames) {
        Set<String> names = new HashSet<>();
        Map<Ip, ExternalHost> addresses = new HashMap<>();
        for (ExternalHost h : t.externalHosts()) {
            checkName(h.name(), h.origin().at("name"), "external host name");
            if (nodeNames.contains(h.name()) || !names.add(h.name())) {
                throw h.origin().at("name").error(h.name(), "duplicate name: already used by a node or external host");
            }
            checkListeners(h.listeners(), h.origin().at("listeners"));
            Ip a = h.address();
            if (a.isV6() || a.isAny() || a.isLoopback() || a.isMulticast() || a.isLimitedBroadcast()) {
                throw h.origin().at("address").error(a.toString(), "address must be an IPv4 unicast address (e.g. from 203.0.113.0/24); on a dual-stack cluster an IPv6 one may follow: [IPv4, IPv6]");
            }
            for (String key : List.of("clusterCIDR", "serviceCIDR", "underlay")) {
                Prefix p = key.equals("clusterCIDR") ? t.clusterCIDR() : key.equals("serviceCIDR") ? t.serviceCIDR() : t.underlay();
                if (p.contains(a)) {
                    throw h.origin().at("address").error(a.toString(), "external address is inside " + key + " " + p + " (expected an address outside the cluster, e.g. from 203.0.113.0/24)");
                }
            }
            ExternalHost other = addresses.put(a, h);
            if (other != null) {
                throw h.origin().at("address").error(a.toString(), "address already used by external host " + other.name());
            }
            if (h.addressV6() != null) {
                checkExternalV6(h, addresses);
            }
        }
        return t.externalHosts();
    }

    /**
     * An external host's second address: IPv6, on a dual-stack cluster, global unicast (not link-local fe80::/10, whose
     * routes need a device), outside the cluster's IPv6 ranges and no other host's.
     */
    private void checkExternalV6(ExternalHost h, Map<Ip, ExternalHost> addresses) {
        Ip a = h.addressV6();
        Origin at = h.origin().at("address");
        if (!a.isV6() || a.isAny() || a.isLoopback() || a.isMulticast() || Prefix.parse("fe80::/10").contains(a)) {
            throw at.error(a.toString(), "the second address must be an IPv6 global unicast address (e.g. from 2001:db8::/32)");
        }
        if (t.ipv6() == null) {
            throw at.error(a.toString(), "an IPv6 address needs a dual-stack cluster (clusterCIDR, serviceCIDR and underlay with an IPv6 CIDR"
                    + " each)");
        }
        for (String key : List.of("clusterCIDR", "serviceCIDR", "underlay")) {
            Prefix p = key.equals("clusterCIDR") ? t.ipv6().clusterCIDR() : key.equals("serviceCIDR") ? t.ipv6().serviceCIDR() : t.ipv6().underlay();
            if (p.contains(a)) {
                throw at.error(a.toString(), "external address is inside the IPv6 " + key + " " + p + " (expected an address outside the"
                        + " cluster, e.g. from 2001:db8::/32)");
            }
        }
        ExternalHost other = addresses.put(a, h);
        if (other != null) {
            throw at.error(a.toString(), "address already used by external host " + other.name());
        }
    }

    // ---- helpers

    private static void checkListeners(List<Listener> listeners, Origin origin) {
        Set<Listener> seen = new HashSet<>();
        for (Listener l : listeners) {
            if (!seen.add(l)) {
                throw origin.error(l.port() + "/" + l.protocol().ianaName(), "duplicate listener");
            }
        }
    }

    private static void checkName(String name, Origin origin, String what) {
        if (!Names.isDnsLabel(name)) {
            throw origin.error(name, what + " must be a DNS-1123 label (lower-case letters, digits and '-', at most 63)");
        }
    }

    /**
     * A written address: a host address of {@code range}, not its first address (reserved for
     * {@code reservedFor}), not used before; recorded in {@code used} as {@code owner}'s.
     */
    private static void checkWritten(Ip ip, Prefix range, String rangeName, String reservedFor, Map<Ip, String> used, String owner,
                                     Origin origin, String key) {
        checkHostAddress(ip, range, rangeName, origin, key);
        if (ip.equals(range.address().plus(1))) {
            throw origin.error(ip.toString(), key + " is the first address of " + rangeName + " " + range + ", reserved for " + reservedFor);
        }
        String other = used.put(ip, owner);
        if (other != null) {
            throw origin.error(ip.toString(), key + " already used by " + other);
        }
    }

    /** A written pod IP under calico IPAM: inside the node's block (every address of it is usable), not used before. */
    private static void checkInBlock(Ip ip, Node node, Map<Ip, String> used, String owner, Origin origin) {
        if (!node.podCIDR().contains(ip)) {
            throw origin.error(ip.toString(), "ip is outside block " + node.podCIDR() + " of node " + node.name());
        }
        String other = used.put(ip, owner);
        if (other != null) {
            throw origin.error(ip.toString(), "ip already used by " + other);
        }
    }

    /** An address usable by a host in {@code range}: IPv4, inside, neither network nor broadcast address. */
    private static void checkHostAddress(Ip ip, Prefix range, String rangeName, Origin origin, String key) {
        if (!range.contains(ip)) {
            throw origin.error(ip.toString(), key + " is outside " + rangeName + " " + range);
        }
        if (ip.equals(range.address()) || ip.equals(broadcast(range))) {
            throw origin.error(ip.toString(), key + " is the network or broadcast address of " + rangeName + " " + range);
        }
    }

    /**
     * The lowest address from {@code from} on, inside {@code range}, not taken: below the broadcast address for IPv4;
     * up to the last address for IPv6, which has no broadcast (the apiserver's allocator and host-local reserve the
     * last address of IPv4 ranges only).
     */
    private static Ip nextFree(Ip from, Prefix range, Predicate<Ip> taken, Origin origin, String exhausted) {
        return nextFree(from, range.isV6() ? broadcast(range).plus(1) : broadcast(range), range, taken, origin, exhausted);
    }

    /** The lowest address from {@code from} on, inside {@code range} below {@code last}, not taken. */
    private static Ip nextFree(Ip from, Ip last, Prefix range, Predicate<Ip> taken, Origin origin, String exhausted) {
        for (Ip ip = from; range.contains(ip) && ip.compareTo(last) < 0; ip = ip.plus(1)) {
            if (!taken.test(ip)) {
                return ip;
            }
        }
        throw origin.error(null, exhausted);
    }

    /** The last address of {@code p} (IPv4: its broadcast address). */
    private static Ip broadcast(Prefix p) {
        Ip a = p.address();
        if (!a.isV6()) {
            return a.plus((1L << (32 - p.length())) - 1);
        }
        int host = 128 - p.length();
        long lo = host >= 64 ? -1L : (1L << host) - 1;
        long hi = host <= 64 ? 0 : host == 128 ? -1L : (1L << (host - 64)) - 1;
        return Ip.v6(a.hi() | hi, a.lo() | lo);
    }

    private static boolean overlaps(Prefix a, Prefix b) {
        return a.contains(b.address()) || b.contains(a.address());
    }
}
