package io.skoop.lab.kubeproxy;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Renders the nftables table kube-proxy in nftables mode programs on one node: {@code table ip kube-proxy} (the IPv4
 * proxier's) or {@code table ip6 kube-proxy} (the IPv6 proxier's) as {@code nft -f} input, in the {@code add …} command
 * form knftables sends to {@code nft}.
 *
 * <p>Follows kubernetes {@code pkg/proxy/nftables/proxier.go} (the layout with {@code filter-output-post-dnat} and
 * {@code cluster-ips-check}, read at commit b0f823e6; later versions renamed the filter base chains to
 * {@code filter-*-pre-dnat} and moved some to priority filter), {@code setupNFTables} and {@code syncProxyRules} on
 * a full sync, for one proxier (a dual-stack kube-proxy runs two, {@code NewDualStackProxier}: one per family, each
 * with its own table, node IP and local-traffic detector), with kube-proxy's defaults in nftables mode: local-traffic detector "ClusterCIDR"
 * (written {@code ip saddr != CIDR}), {@code masqueradeAll=false}, masquerade bit 14 ({@code mark 0x4000}),
 * {@code --nodeport-addresses primary} ({@code platformApplyDefaults} in {@code cmd/kube-proxy/app/server_linux.go}:
 * nftables mode accepts NodePorts on the node's primary IP only, so {@code nodeport-ips} holds that address and there
 * are no localhost NodePorts), the cluster's ServiceCIDRs known ({@code OnServiceCIDRsChanged}: traffic to an
 * unallocated cluster IP is dropped), no session affinity, traffic policies Cluster, no load-balancer source ranges
 * (so {@code firewall-ips} stays empty). What the lab's text adds or changes:
 * <ul>
 *   <li>it starts with {@code add table ip kube-proxy} / {@code delete table ip kube-proxy} (or {@code ip6}), so one {@code nft -f}
 *       replaces the table whole (kube-proxy flushes its chains, sets and maps one by one; the result is the same);</li>
 *   <li>base-chain priorities are written as numbers (dstnat-10 = -110, dstnat+10 = -90, dstnat = -100, srcnat = 100),
 *       as knftables resolves them; {@code nft list} prints them back as {@code dstnat - 10} etc.;</li>
 *   <li>service ports come in the order given (kube-proxy iterates a Go map); endpoints are sorted by {@code ip:port}
 *       as the EndpointSliceCache sorts them ({@link ServicePort#usableEndpoints()}).</li>
 * </ul>
 *
 * <p>Per service port: its cluster IP joins the {@code cluster-ips} set. With usable endpoints, {@code service-ips}
 * maps {@code clusterIP . proto . port} to {@code goto service-<HASH>-ns/name/proto/port}, whose first rule marks
 * traffic from outside the cluster CIDR for masquerade and whose second picks an endpoint with
 * {@code numgen random mod N vmap { 0 : goto endpoint-…, … }} (each with probability 1/N); each
 * {@code endpoint-<HASH>-ns/name/proto/port__ip/port} chain marks hairpin traffic ({@code ip saddr <endpoint>}) and
 * {@code dnat to} the endpoint. External IPs, load-balancer IPs ({@code service-ips}) and the node port
 * ({@code service-nodeports}, keyed {@code proto . nodePort}) go to {@code external-<HASH>-…}, which marks for
 * masquerade and goes to the service chain. Without usable endpoints nothing goes to {@code service-ips}:
 * {@code no-endpoint-services} / {@code no-endpoint-nodeports} map the destinations to {@code goto reject-chain}
 * (checked in the filter chains for new connections, so the client gets an ICMP port unreachable: connection
 * refused). Masquerading happens in {@code nat-postrouting} for packets carrying the mark.
 *
 * <p>The IPv6 proxier's table differs only where kube-proxy switches on {@code ipFamily} ({@code ipX},
 * {@code ipvX_addr} and {@code noLocalhost} in {@code setupNFTables} and {@code syncProxyRules}): family {@code ip6},
 * set and map keys of type {@code ipv6_addr}, matches written {@code ip6 daddr} / {@code ip6 saddr}, the IPv6 cluster
 * CIDR as the local-traffic detector, {@code ip6 daddr != ::1} where the IPv4 table writes
 * {@code ip daddr != 127.0.0.0/8}, and endpoints DNATed to {@code [addr]:port} (the endpoint's
 * {@code net.JoinHostPort} string, {@code dnat to [fd00:10:244:1::5]:8080}).
 */
public final class KubeProxyNftables {

    /** The table kube-proxy owns ({@code kubeProxyTable}): family {@code ip} for the IPv4 proxier, {@code ip6} for the IPv6 one. */
    public static final String TABLE = "kube-proxy";

    /** {@code knftables.NameLengthMax}: the longest chain name nft accepts. */
    static final int NAME_LENGTH_MAX = 256;
    /** {@code chainNameBaseLengthMax}: NameLengthMax minus the longest prefix ({@code chainNamePrefixLengthMax} 16). */
    static final int CHAIN_NAME_BASE_LENGTH_MAX = NAME_LENGTH_MAX - 16;

    /** A base chain of the table ({@code nftablesBaseChains}): name, type, hook and priority as a number. */
    public record BaseChain(String name, String type, String hook, int priority) {
    }

    /**
     * kube-proxy's base chains in its order: the filter chains at dstnat-10 (they see pre-DNAT destinations),
     * {@code filter-output-post-dnat} at dstnat+10, the nat chains at dstnat and srcnat.
     */
    public static final List<BaseChain> BASE_CHAINS = List.of(
            new BaseChain("filter-prerouting", "filter", "prerouting", -110),
            new BaseChain("filter-input", "filter", "input", -110),
            new BaseChain("filter-forward", "filter", "forward", -110),
            new BaseChain("filter-output", "filter", "output", -110),
            new BaseChain("filter-output-post-dnat", "filter", "output", -90),
            new BaseChain("nat-prerouting", "nat", "prerouting", -100),
            new BaseChain("nat-output", "nat", "output", -100),
            new BaseChain("nat-postrouting", "nat", "postrouting", 100));

    private static final String SERVICES = "services";
    private static final String SERVICE_IPS = "service-ips";
    private static final String SERVICE_NODEPORTS = "service-nodeports";
    private static final String NODEPORT_IPS = "nodeport-ips";
    private static final String CLUSTER_IPS = "cluster-ips";
    private static final String SERVICE_ENDPOINTS_CHECK = "service-endpoints-check";
    private static final String NODEPORT_ENDPOINTS_CHECK = "nodeport-endpoints-check";
    private static final String NO_ENDPOINT_SERVICES = "no-endpoint-services";
    private static final String NO_ENDPOINT_NODEPORTS = "no-endpoint-nodeports";
    private static final String REJECT_CHAIN = "reject-chain";
    private static final String CLUSTER_IPS_CHECK = "cluster-ips-check";
    private static final String FIREWALL_IPS = "firewall-ips";
    private static final String FIREWALL_CHECK = "firewall-check";
    private static final String MARK_MASQ = "mark-for-masquerade";
    private static final String MASQUERADING = "masquerading";

    /** {@code nftablesJumpChains}: {destination chain, source base chain, extra match}, in kube-proxy's order. */
    private static final List<String[]> JUMP_CHAINS = List.of(
            new String[] {NODEPORT_ENDPOINTS_CHECK, "filter-input", "ct state new"},
            new String[] {SERVICE_ENDPOINTS_CHECK, "filter-input", "ct state new"},
            new String[] {SERVICE_ENDPOINTS_CHECK, "filter-forward", "ct state new"},
            new String[] {SERVICE_ENDPOINTS_CHECK, "filter-output", "ct state new"},
            new String[] {FIREWALL_CHECK, "filter-prerouting", "ct state new"},
            new String[] {FIREWALL_CHECK, "filter-output", "ct state new"},
            new String[] {SERVICES, "nat-output", ""},
            new String[] {SERVICES, "nat-prerouting", ""},
            new String[] {MASQUERADING, "nat-postrouting", ""},
            new String[] {CLUSTER_IPS_CHECK, "filter-forward", "ct state new"},
            new String[] {CLUSTER_IPS_CHECK, "filter-output-post-dnat", "ct state new"});

    /**
     * The rendered table.
     *
     * @param text      {@code nft -f} input replacing {@code table ip kube-proxy} (or {@code table ip6 kube-proxy})
     * @param ruleCount number of {@code add rule} lines
     * @param chains    the chains created, in creation order
     */
    public record Rendered(String text, int ruleCount, List<String> chains) {
        public Rendered {
            Objects.requireNonNull(text, "text");
            chains = List.copyOf(chains);
        }
    }

    private KubeProxyNftables() {
    }

    /**
     * Renders the table kube-proxy's proxier of {@code node}'s family leaves on {@code node} for {@code services}:
     * {@code ip kube-proxy} when the node's cluster CIDR is IPv4, {@code ip6 kube-proxy} when it is IPv6.
     *
     * @param node         the node being programmed, as the proxier of one family sees it (its cluster CIDR decides the
     *                     family); its first address is the primary node IP of that family, the only member of
     *                     {@code nodeport-ips} (no address: NodePorts on every local address, kube-proxy's
     *                     {@code MatchAll} form with {@code fib daddr type local})
     * @param services     the service ports of that family (one entry per Service port), rendered in this order
     * @param serviceCidrs the cluster's ServiceCIDRs of that family; empty: no rule drops unallocated cluster IPs
     * @return the {@code nft -f} text, its rule count and chains
     * @throws IllegalArgumentException when an address or service CIDR is of the other family (a proxier programs one)
     *                                  or a {@code ns/name:port}/protocol pair repeats
     */
    public static Rendered render(NodeContext node, List<ServicePort> services, List<Prefix> serviceCidrs) {
        Objects.requireNonNull(node, "node");
        boolean v6 = node.clusterCidr().isV6();
        KubeProxyIptables.checkServicePorts(services, v6);
        for (Prefix p : serviceCidrs) {
            if (p.isV6() != v6) {
                throw new IllegalArgumentException("the " + (v6 ? "IPv6" : "IPv4") + " proxier's service CIDRs are "
                        + (v6 ? "IPv6" : "IPv4") + "; got " + p);
            }
        }
        Tx tx = new Tx(v6 ? "ip6" : "ip");
        String ipX = tx.family;
        String addrType = v6 ? "ipv6_addr" : "ipv4_addr";
        String noLocalhost = v6 ? "ip6 daddr != ::1" : "ip daddr != 127.0.0.0/8";
        String mark = node.masqueradeMark();
        boolean matchAll = node.nodeIps().isEmpty();

        // the lab replaces the table whole in one transaction (add+delete never fails, even on a fresh node)
        tx.line("add table " + ipX + " " + TABLE);
        tx.line("delete table " + ipX + " " + TABLE);
        // setupNFTables
        tx.line("add table " + ipX + " " + TABLE + " { comment \"rules for kube-proxy\" ; }");
        for (BaseChain bc : BASE_CHAINS) {
            tx.chain(bc.name(), "{ type " + bc.type() + " hook " + bc.hook() + " priority " + bc.priority() + " ; }");
        }
        for (String[] j : JUMP_CHAINS) {
            tx.ensureChain(j[0]);
            tx.rule(j[1], (j[2].isEmpty() ? "" : j[2] + " ") + "jump " + j[0]);
        }
        for (String c : List.of(SERVICES, CLUSTER_IPS_CHECK, MASQUERADING, MARK_MASQ)) {
            tx.ensureChain(c);
        }
        tx.rule(MARK_MASQ, "mark set mark or " + mark);
        tx.rule(MASQUERADING, "mark and " + mark + " == 0 return");
        tx.rule(MASQUERADING, "mark set mark xor " + mark);
        tx.rule(MASQUERADING, "masquerade fully-random");

        tx.set(CLUSTER_IPS, addrType, "Active ClusterIPs");
        tx.rule(CLUSTER_IPS_CHECK, ipX + " daddr @" + CLUSTER_IPS + " reject comment \"Reject traffic to invalid ports of ClusterIPs\"");
        if (!serviceCidrs.isEmpty()) {
            tx.rule(CLUSTER_IPS_CHECK, ipX + " daddr { " + serviceCidrs.stream().map(Prefix::toString).collect(Collectors.joining(", "))
                    + " } drop comment \"Drop traffic to unallocated ClusterIPs\"");
        }
        tx.set(NODEPORT_IPS, addrType, "IPs that accept NodePort traffic");
        if (matchAll) {
            tx.line("delete set " + ipX + " " + TABLE + " " + NODEPORT_IPS);
        } else {
            tx.element(NODEPORT_IPS, node.nodeIps().get(0).toString());
        }
        tx.map(NO_ENDPOINT_SERVICES, addrType + " . inet_proto . inet_service : verdict",
                "vmap to drop or reject packets to services with no endpoints");
        tx.map(NO_ENDPOINT_NODEPORTS, "inet_proto . inet_service : verdict",
                "vmap to drop or reject packets to service nodeports with no endpoints");
        tx.chain(REJECT_CHAIN, "{ comment \"helper for @no-endpoint-services / @no-endpoint-nodeports\" ; }");
        tx.rule(REJECT_CHAIN, "reject");
        tx.rule(SERVICE_ENDPOINTS_CHECK, ipX + " daddr . meta l4proto . th dport vmap @" + NO_ENDPOINT_SERVICES);
        tx.rule(NODEPORT_ENDPOINTS_CHECK, (matchAll ? noLocalhost : ipX + " daddr @" + NODEPORT_IPS)
                + " meta l4proto . th dport vmap @" + NO_ENDPOINT_NODEPORTS);
        tx.map(FIREWALL_IPS, addrType + " . inet_proto . inet_service : verdict", "destinations that are subject to LoadBalancerSourceRanges");
        tx.rule(FIREWALL_CHECK, ipX + " daddr . meta l4proto . th dport vmap @" + FIREWALL_IPS);
        tx.map(SERVICE_IPS, addrType + " . inet_proto . inet_service : verdict", "ClusterIP, ExternalIP and LoadBalancer IP traffic");
        tx.map(SERVICE_NODEPORTS, "inet_proto . inet_service : verdict", "NodePort traffic");
        tx.rule(SERVICES, ipX + " daddr . meta l4proto . th dport vmap @" + SERVICE_IPS);
        tx.rule(SERVICES, (matchAll ? "fib daddr type local " + noLocalhost : ipX + " daddr @" + NODEPORT_IPS)
                + " meta l4proto . th dport vmap @" + SERVICE_NODEPORTS);

        for (ServicePort s : services) {
            writeServicePort(node, s, tx);
        }
        return new Rendered(tx.sb.toString(), tx.rules, new ArrayList<>(tx.chains));
    }

    /** One iteration of {@code syncProxyRules}' service loop (full sync, Cluster traffic policies, no affinity). */
    private static void writeServicePort(NodeContext node, ServicePort s, Tx tx) {
        String proto = s.protocolName();
        List<ServiceEndpoint> eps = s.usableEndpoints();
        boolean hasEndpoints = !eps.isEmpty();
        String svcChain = serviceChain(s);
        String extChain = externalChain(s);
        String port = String.valueOf(s.port());
        String comment = " comment \"" + s.servicePortName() + "\"";
        String reject = "goto " + REJECT_CHAIN;

        for (ServiceEndpoint ep : eps) {
            tx.ensureChain(endpointChain(s, ep));
        }
        if (hasEndpoints) {
            tx.ensureChain(svcChain);
        }
        boolean usesExternal = hasEndpoints && s.externallyAccessible();
        if (usesExternal) {
            tx.ensureChain(extChain);
        }
        // capture the cluster IP
        tx.element(CLUSTER_IPS, s.clusterIp().toString());
        String clusterKey = s.clusterIp() + " . " + proto + " . " + port;
        if (hasEndpoints) {
            tx.element(SERVICE_IPS, clusterKey + " : goto " + svcChain);
        } else {
            tx.element(NO_ENDPOINT_SERVICES, clusterKey + comment + " : " + reject);
        }
        // capture external IPs, then load-balancer ingress
        for (List<Ip> ips : List.of(s.externalIps(), s.loadBalancerIps())) {
            for (Ip ip : ips) {
                String key = ip + " . " + proto + " . " + port;
                tx.element(hasEndpoints ? SERVICE_IPS : NO_ENDPOINT_SERVICES,
                        hasEndpoints ? key + " : goto " + extChain : key + comment + " : " + reject);
            }
        }
        // capture the node port
        if (s.nodePort() != 0) {
            String key = proto + " . " + s.nodePort();
            tx.element(hasEndpoints ? SERVICE_NODEPORTS : NO_ENDPOINT_NODEPORTS,
                    hasEndpoints ? key + " : goto " + extChain : key + comment + " : " + reject);
        }
        if (!hasEndpoints) {
            return;
        }
        // internal traffic: masquerade what does not come from the cluster CIDR (LocalTrafficDetector.IfNotLocalNFT)
        tx.rule(svcChain, tx.family + " daddr " + s.clusterIp() + " " + proto + " dport " + port + " " + tx.family + " saddr != " + node.clusterCidr()
                + " jump " + MARK_MASQ);
        // external traffic (externalTrafficPolicy Cluster): masquerade, then the service chain
        if (usesExternal) {
            tx.rule(extChain, "jump " + MARK_MASQ);
            tx.rule(extChain, "goto " + svcChain);
        }
        // writeServiceToEndpointRules: one numgen verdict map
        StringBuilder vmap = new StringBuilder("numgen random mod ").append(eps.size()).append(" vmap { ");
        for (int i = 0; i < eps.size(); i++) {
            vmap.append(i).append(" : goto ").append(endpointChain(s, eps.get(i))).append(i < eps.size() - 1 ? " , " : " }");
        }
        tx.rule(svcChain, vmap.toString());
        // the per-endpoint chains: hairpin masquerade, DNAT
        for (ServiceEndpoint ep : eps) {
            String chain = endpointChain(s, ep);
            tx.rule(chain, tx.family + " saddr " + ep.ip() + " jump " + MARK_MASQ);
            tx.rule(chain, "meta l4proto " + proto + " dnat to " + ep.hostPort());
        }
    }

    /**
     * {@code hashAndTruncate}: the first 8 characters of base32 (RFC 4648 alphabet) of sha256({@code name}), a dash,
     * then {@code name}, cut to {@value #CHAIN_NAME_BASE_LENGTH_MAX} characters ending in {@code ...} when longer.
     */
    public static String hashAndTruncate(String name) {
        String out = KubeProxyIptables.hash(name).substring(0, 8) + "-" + name;
        return out.length() > CHAIN_NAME_BASE_LENGTH_MAX ? out.substring(0, CHAIN_NAME_BASE_LENGTH_MAX - 3) + "..." : out;
    }

    /** {@code servicePortChainNameBase}: {@code HASH-ns/name/proto/portName} (portName empty for an unnamed port). */
    public static String chainNameBase(ServicePort s) {
        return hashAndTruncate(s.namespace() + "/" + s.name() + "/" + s.protocolName() + "/" + s.portName());
    }

    /** The Cluster-policy chain of a service port ({@code clusterPolicyChainName}): {@code service-} + the base. */
    public static String serviceChain(ServicePort s) {
        return "service-" + chainNameBase(s);
    }

    /** The external-traffic chain of a service port ({@code externalChainName}): {@code external-} + the base. */
    public static String externalChain(ServicePort s) {
        return "external-" + chainNameBase(s);
    }

    /**
     * {@code servicePortEndpointChainNameBase} with the {@code endpoint-} prefix:
     * {@code endpoint-HASH-ns/name/proto/portName__ip/port} (an IPv6 address would have its colons turned to dots).
     */
    public static String endpointChain(ServicePort s, ServiceEndpoint ep) {
        String ip = ep.ip().toString().replace(':', '.');
        return "endpoint-" + hashAndTruncate(s.namespace() + "/" + s.name() + "/" + s.protocolName() + "/" + s.portName()
                + "__" + ip + "/" + ep.port());
    }

    /**
     * The transaction being written for the table of {@code family} ({@code ip}, {@code ip6}): {@code add …} lines,
     * chains created once ({@code ensureChain}), rules counted.
     */
    private static final class Tx {
        final String family;
        final StringBuilder sb = new StringBuilder();
        final Set<String> chains = new LinkedHashSet<>();
        int rules;

        Tx(String family) {
            this.family = family;
        }

        void line(String l) {
            sb.append(l).append('\n');
        }

        void ensureChain(String name) {
            if (chains.add(name)) {
                line("add chain " + family + " " + TABLE + " " + name);
            }
        }

        void chain(String name, String spec) {
            chains.add(name);
            line("add chain " + family + " " + TABLE + " " + name + " " + spec);
        }

        void rule(String chain, String rule) {
            line("add rule " + family + " " + TABLE + " " + chain + " " + rule);
            rules++;
        }

        void set(String name, String type, String comment) {
            line("add set " + family + " " + TABLE + " " + name + " { type " + type + " ; comment \"" + comment + "\" ; }");
        }

        void map(String name, String type, String comment) {
            line("add map " + family + " " + TABLE + " " + name + " { type " + type + " ; comment \"" + comment + "\" ; }");
        }

        void element(String container, String element) {
            line("add element " + family + " " + TABLE + " " + container + " { " + element + " }");
        }
    }
}
