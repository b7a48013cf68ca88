package io.skoop.lab.kubeproxy;

import io.skoop.model.Ip;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Renders the iptables rules kube-proxy in iptables mode programs on one node, as
 * {@code iptables-restore} input (tables {@code filter} and {@code nat}).
 *
 * <p>Follows kubernetes {@code pkg/proxy/iptables/proxier.go} v1.28–v1.31, {@code Proxier.syncProxyRules} on a full
 * sync, with kube-proxy's defaults: local-traffic detector "ClusterCIDR" ({@code --cluster-cidr}, written
 * {@code ! -s CIDR}), {@code masqueradeAll=false}, {@code localhostNodePorts=true}, {@code --nodeport-addresses}
 * unset (NodePorts on every local address), {@code nf_conntrack_tcp_be_liberal=0}, no nfacct counters, no session
 * affinity, traffic policies Cluster, no load-balancer source ranges. What differs from the bytes kube-proxy feeds
 * {@code iptables-restore --noflush}:
 * <ul>
 *   <li>the text is a whole table: it declares the built-in chains and writes the jump rules that kube-proxy
 *       ({@code iptablesJumpChains}, inserted with {@code iptables -I}) and kubelet (KUBE-FIREWALL, appended) add
 *       outside the restore, as {@code -A} lines in the order they end up in the kernel;</li>
 *   <li>service ports come in the order given (kube-proxy iterates a Go map, so its order varies between syncs);
 *       endpoints are sorted by {@code ip:port} as the EndpointSliceCache sorts them.</li>
 * </ul>
 *
 * <p>Per service port ({@code syncProxyRules}'s loop): with usable endpoints, {@code nat KUBE-SERVICES}
 * {@code "<ns>/<svc>:<port> cluster IP"} jumps to {@code KUBE-SVC-<hash>}, which first marks traffic from outside
 * the cluster CIDR for masquerade, then picks an endpoint with the {@code statistic} ladder 1/n, 1/(n-1), …
 * ({@link #probability}); each {@code KUBE-SEP-<hash>} marks hairpin traffic ({@code -s <endpoint>}) and DNATs.
 * External IPs, load-balancer IPs and the node port go through {@code KUBE-EXT-<hash>} (mark for masquerade, then
 * the SVC chain). Without usable endpoints the filter table REJECTs: {@code KUBE-SERVICES} for the cluster IP,
 * {@code KUBE-EXTERNAL-SERVICES} for external/load-balancer IPs and the node port. Above
 * {@value #LARGE_CLUSTER_ENDPOINTS} endpoints in total, "large cluster mode" drops the comments from the
 * KUBE-SVC-/KUBE-SEP- rules ({@code appendServiceCommentLocked}).
 *
 * <p>The IPv6 proxier (a node context whose cluster CIDR is IPv6: the {@code ip6tables-restore} input of a dual-stack
 * node) writes the same chains over IPv6 addresses, except that kubelet's KUBE-FIREWALL holds no localnet rule (there
 * is no {@code route_localnet} for IPv6) and the NodePort tail-call excludes {@code ::1/128} (localhost NodePorts never
 * work over IPv6).
 */
public final class KubeProxyIptables {

    /** kube-proxy's {@code largeClusterEndpointsThreshold}: more endpoints than this switch comments off. */
    public static final int LARGE_CLUSTER_ENDPOINTS = 1000;

    private static final String KUBE_SERVICES = "KUBE-SERVICES";
    private static final String KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
    private static final String KUBE_NODEPORTS = "KUBE-NODEPORTS";
    private static final String KUBE_POSTROUTING = "KUBE-POSTROUTING";
    private static final String KUBE_MARK_MASQ = "KUBE-MARK-MASQ";
    private static final String KUBE_FORWARD = "KUBE-FORWARD";
    private static final String KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    private static final String KUBE_FIREWALL = "KUBE-FIREWALL";

    /**
     * The rendered rules.
     *
     * @param text             iptables-restore input: {@code *filter … COMMIT}, {@code *nat … COMMIT}
     * @param ruleCount        number of {@code -A} lines (jump rules from built-in chains included)
     * @param largeClusterMode whether more than {@value #LARGE_CLUSTER_ENDPOINTS} endpoints switched comments off
     */
    public record Rendered(String text, int ruleCount, boolean largeClusterMode) {
        public Rendered {
            Objects.requireNonNull(text, "text");
        }
    }

    private KubeProxyIptables() {
    }

    /**
     * Renders the filter and nat tables kube-proxy leaves on {@code node} for {@code services}.
     *
     * @param node     the node being programmed
     * @param services the service ports (one entry per Service port), rendered in this order
     * @return the restore text and its rule count
     * @throws IllegalArgumentException when an address is not of the node context's family (its cluster CIDR's) or a
     *                                  {@code ns/name:port}/protocol pair repeats
     */
    public static Rendered render(NodeContext node, List<ServicePort> services) {
        Objects.requireNonNull(node, "node");
        boolean v6 = node.clusterCidr().isV6();
        int totalEndpoints = checkServicePorts(services, v6);
        boolean large = totalEndpoints > LARGE_CLUSTER_ENDPOINTS;
        String mark = node.masqueradeMark();

        Lines filterChains = new Lines();
        Lines filterRules = new Lines();
        Lines natChains = new Lines();
        Lines natRules = new Lines();

        // built-in chains and the jump rules installed outside the restore (iptablesJumpChains with -I, kubelet with -A)
        for (String c : List.of("INPUT", "FORWARD", "OUTPUT")) {
            filterChains.builtin(c);
        }
        for (String c : List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")) {
            natChains.builtin(c);
        }
        String ctNew = "-m conntrack --ctstate NEW ";
        filterRules.rule("-A INPUT " + ctNew + comment("kubernetes load balancer firewall") + " -j " + KUBE_PROXY_FIREWALL);
        filterRules.rule("-A INPUT " + comment("kubernetes health check service ports") + " -j " + KUBE_NODEPORTS);
        filterRules.rule("-A INPUT " + ctNew + comment("kubernetes externally-visible service portals") + " -j " + KUBE_EXTERNAL_SERVICES);
        filterRules.rule("-A INPUT -j " + KUBE_FIREWALL);
        filterRules.rule("-A FORWARD " + ctNew + comment("kubernetes load balancer firewall") + " -j " + KUBE_PROXY_FIREWALL);
        filterRules.rule("-A FORWARD " + comment("kubernetes forwarding rules") + " -j " + KUBE_FORWARD);
        filterRules.rule("-A FORWARD " + ctNew + comment("kubernetes service portals") + " -j " + KUBE_SERVICES);
        filterRules.rule("-A FORWARD " + ctNew + comment("kubernetes externally-visible service portals") + " -j " + KUBE_EXTERNAL_SERVICES);
        filterRules.rule("-A OUTPUT " + ctNew + comment("kubernetes load balancer firewall") + " -j " + KUBE_PROXY_FIREWALL);
        filterRules.rule("-A OUTPUT " + ctNew + comment("kubernetes service portals") + " -j " + KUBE_SERVICES);
        filterRules.rule("-A OUTPUT -j " + KUBE_FIREWALL);
        natRules.rule("-A PREROUTING " + comment("kubernetes service portals") + " -j " + KUBE_SERVICES);
        natRules.rule("-A OUTPUT " + comment("kubernetes service portals") + " -j " + KUBE_SERVICES);
        natRules.rule("-A POSTROUTING " + comment("kubernetes postrouting rules") + " -j " + KUBE_POSTROUTING);

        // syncProxyRules: top-level chains, postrouting and mark chains, kubelet's localnet guard
        for (String c : List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL)) {
            filterChains.chain(c);
        }
        for (String c : List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ)) {
            natChains.chain(c);
        }
        natRules.rule("-A " + KUBE_POSTROUTING + " -m mark ! --mark " + mark + "/" + mark + " -j RETURN");
        natRules.rule("-A " + KUBE_POSTROUTING + " -j MARK --xor-mark " + mark);
        natRules.rule("-A " + KUBE_POSTROUTING + " " + comment("kubernetes service traffic requiring SNAT") + " -j MASQUERADE"
                + (node.randomFully() ? " --random-fully" : ""));
        natRules.rule("-A " + KUBE_MARK_MASQ + " -j MARK --or-mark " + mark);
        filterChains.chain(KUBE_FIREWALL);
        if (!v6) {
            filterRules.rule("-A " + KUBE_FIREWALL + " " + comment("block incoming localnet connections")
                    + " -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        }

        for (ServicePort s : services) {
            writeServicePort(node, s, large, filterRules, natChains, natRules);
        }

        // tail-call to the nodeports chain, after all other service portal rules
        natRules.rule("-A " + KUBE_SERVICES + " " + comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain")
                + " -m addrtype --dst-type LOCAL" + (v6 ? " ! -d ::1/128" : "") + " -j " + KUBE_NODEPORTS);
        filterRules.rule("-A " + KUBE_FORWARD + " -m conntrack --ctstate INVALID -j DROP");
        filterRules.rule("-A " + KUBE_FORWARD + " " + comment("kubernetes forwarding rules") + " -m mark --mark " + mark + "/" + mark + " -j ACCEPT");
        filterRules.rule("-A " + KUBE_FORWARD + " " + comment("kubernetes forwarding conntrack rule")
                + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");

        StringBuilder out = new StringBuilder(32 + filterChains.sb.length() + filterRules.sb.length()
                + natChains.sb.length() + natRules.sb.length());
        out.append("*filter\n").append(filterChains.sb).append(filterRules.sb).append("COMMIT\n");
        out.append("*nat\n").append(natChains.sb).append(natRules.sb).append("COMMIT\n");
        return new Rendered(out.toString(), filterRules.count + natRules.count, large);
    }

    /** One iteration of {@code syncProxyRules}' service loop (full sync, Cluster traffic policies). */
    private static void writeServicePort(NodeContext node, ServicePort s, boolean large,
                                         Lines filterRules, Lines natChains, Lines natRules) {
        String name = s.servicePortName();
        String proto = s.protocolName();
        String pm = "-m " + proto + " -p " + proto;
        List<ServiceEndpoint> eps = s.usableEndpoints();
        boolean hasEndpoints = !eps.isEmpty();
        String svcChain = servicePortPolicyClusterChain(name, proto);
        String extChain = serviceExternalChainName(name, proto);
        String noEndpoints = comment(name + " has no endpoints");

        // capture the cluster IP
        String clusterArgs = comment(name + " cluster IP") + " " + pm + " -d " + s.clusterIp() + " --dport " + s.port();
        if (hasEndpoints) {
            natRules.rule("-A " + KUBE_SERVICES + " " + clusterArgs + " -j " + svcChain);
        } else {
            filterRules.rule("-A " + KUBE_SERVICES + " " + noEndpoints + " " + pm + " -d " + s.clusterIp()
                    + " --dport " + s.port() + " -j REJECT");
        }
        // capture external IPs
        for (Ip ip : s.externalIps()) {
            if (hasEndpoints) {
                natRules.rule("-A " + KUBE_SERVICES + " " + comment(name + " external IP") + " " + pm + " -d " + ip
                        + " --dport " + s.port() + " -j " + extChain);
            } else {
                filterRules.rule("-A " + KUBE_EXTERNAL_SERVICES + " " + noEndpoints + " " + pm + " -d " + ip
                        + " --dport " + s.port() + " -j REJECT");
            }
        }
        // capture load-balancer ingress
        for (Ip ip : s.loadBalancerIps()) {
            if (hasEndpoints) {
                natRules.rule("-A " + KUBE_SERVICES + " " + comment(name + " loadbalancer IP") + " " + pm + " -d " + ip
                        + " --dport " + s.port() + " -j " + extChain);
            }
        }
        if (!hasEndpoints) {
            for (Ip ip : s.loadBalancerIps()) {
                filterRules.rule("-A " + KUBE_EXTERNAL_SERVICES + " " + noEndpoints + " " + pm + " -d " + ip
                        + " --dport " + s.port() + " -j REJECT");
            }
        }
        // capture node ports
        if (s.nodePort() != 0) {
            if (hasEndpoints) {
                natRules.rule("-A " + KUBE_NODEPORTS + " " + comment(name) + " " + pm + " --dport " + s.nodePort() + " -j " + extChain);
            } else {
                filterRules.rule("-A " + KUBE_EXTERNAL_SERVICES + " " + noEndpoints + " -m addrtype --dst-type LOCAL " + pm
                        + " --dport " + s.nodePort() + " -j REJECT");
            }
        }
        if (!hasEndpoints) {
            return; // no nat chains for a service port without endpoints
        }
        // internal traffic: masquerade what does not come from the cluster CIDR (LocalTrafficDetector.IfNotLocal)
        natRules.rule("-A " + svcChain + " " + clusterArgs + " ! -s " + node.clusterCidr() + " -j " + KUBE_MARK_MASQ);
        // external traffic chain (externalTrafficPolicy Cluster)
        if (s.externallyAccessible()) {
            natChains.chain(extChain);
            natRules.rule("-A " + extChain + " " + comment("masquerade traffic for " + name + " external destinations")
                    + " -j " + KUBE_MARK_MASQ);
            natRules.rule("-A " + extChain + " -j " + svcChain);
        }
        // writeServiceToEndpointRules: the statistic ladder
        natChains.chain(svcChain);
        int n = eps.size();
        for (int i = 0; i < n; i++) {
            ServiceEndpoint ep = eps.get(i);
            StringBuilder r = new StringBuilder("-A ").append(svcChain);
            if (!large) {
                r.append(' ').append(comment(name + " -> " + ep.hostPort()));
            }
            if (i < n - 1) {
                r.append(" -m statistic --mode random --probability ").append(probability(n - i));
            }
            natRules.rule(r.append(" -j ").append(servicePortEndpointChainName(name, proto, ep.hostPort())).toString());
        }
        // the per-endpoint chains
        for (ServiceEndpoint ep : eps) {
            String sep = servicePortEndpointChainName(name, proto, ep.hostPort());
            natChains.chain(sep);
            String head = "-A " + sep + (large ? "" : " " + comment(name));
            natRules.rule(head + " -s " + ep.ip() + " -j " + KUBE_MARK_MASQ);
            natRules.rule(head + " " + pm + " -j DNAT --to-destination " + ep.hostPort());
        }
    }

    /**
     * {@code -m comment --comment TEXT} as kube-proxy writes it: quoted when the text has a space
     * (kube-proxy quotes those with {@code fmt.Sprintf(`"%s"`)}; single-word comments such as a bare
     * service port name stay unquoted).
     */
    static String comment(String text) {
        return "-m comment --comment " + (text.indexOf(' ') >= 0 ? '"' + text + '"' : text);
    }

    /**
     * What both proxiers the lab renders ({@link KubeProxyIptables}, {@link KubeProxyNftables}) require of their
     * service ports: each {@code ns/name:port}/protocol once, every address of one family (a proxier programs one).
     *
     * @param v6 whether the proxier is the IPv6 one
     * @return the number of endpoints over all service ports
     * @throws IllegalArgumentException when an address is of the other family or a service port repeats
     */
    static int checkServicePorts(List<ServicePort> services, boolean v6) {
        Set<String> seen = new HashSet<>();
        int totalEndpoints = 0;
        for (ServicePort s : services) {
            if (!seen.add(s.servicePortName() + "/" + s.protocolName())) {
                throw new IllegalArgumentException("service port " + s.servicePortName() + " " + s.protocolName() + " given twice");
            }
            requireFamily(s.clusterIp(), v6, s.servicePortName());
            s.externalIps().forEach(ip -> requireFamily(ip, v6, s.servicePortName()));
            s.loadBalancerIps().forEach(ip -> requireFamily(ip, v6, s.servicePortName()));
            s.endpoints().forEach(e -> requireFamily(e.ip(), v6, s.servicePortName()));
            totalEndpoints += s.endpoints().size();
        }
        return totalEndpoints;
    }

    private static void requireFamily(Ip ip, boolean v6, String where) {
        if (ip.isV6() != v6) {
            throw new IllegalArgumentException("the " + (v6 ? "IPv6" : "IPv4") + " proxier programs " + (v6 ? "IPv6" : "IPv4")
                    + " addresses only; " + where + " has " + ip);
        }
    }

    /**
     * {@code portProtoHash}: the first 16 characters of base32 (RFC 4648 standard alphabet) of
     * sha256({@code servicePortName + protocol}).
     *
     * @param text the hashed text, e.g. {@code "ns1/svc1:p80tcp"}
     */
    public static String hash(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return base32(h).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * {@code servicePortPolicyClusterChain}: {@code KUBE-SVC-} + hash of {@code servicePortName + protocol}.
     *
     * @param servicePortName {@code ns/name:port} ({@link ServicePort#servicePortName()})
     * @param protocol        lower case, {@code tcp}/{@code udp}/{@code sctp}
     */
    public static String servicePortPolicyClusterChain(String servicePortName, String protocol) {
        return "KUBE-SVC-" + hash(servicePortName + protocol.toLowerCase(Locale.ROOT));
    }

    /** {@code serviceExternalChainName}: {@code KUBE-EXT-} + the same hash as the KUBE-SVC- chain. */
    public static String serviceExternalChainName(String servicePortName, String protocol) {
        return "KUBE-EXT-" + hash(servicePortName + protocol.toLowerCase(Locale.ROOT));
    }

    /**
     * {@code servicePortEndpointChainName}: {@code KUBE-SEP-} + hash of {@code servicePortName + protocol + endpoint}.
     *
     * @param endpoint {@code ip:port} ({@link ServiceEndpoint#hostPort()})
     */
    public static String servicePortEndpointChainName(String servicePortName, String protocol, String endpoint) {
        return "KUBE-SEP-" + hash(servicePortName + protocol.toLowerCase(Locale.ROOT) + endpoint);
    }

    /**
     * {@code computeProbability}: {@code fmt.Sprintf("%0.10f", 1.0/float64(n))}, the probability of the rule that
     * picks the first of {@code n} remaining endpoints.
     *
     * @param n remaining endpoints, at least 1
     */
    public static String probability(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one endpoint, got " + n);
        }
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    /** Go's {@code base32.StdEncoding.EncodeToString}: RFC 4648 alphabet A–Z2–7 with '=' padding. */
    public static String base32(byte[] data) {
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder sb = new StringBuilder((data.length + 4) / 5 * 8);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        while (sb.length() % 8 != 0) {
            sb.append('=');
        }
        return sb.toString();
    }

    /** A line buffer counting rules ({@code proxyutil.LineBuffer}). */
    private static final class Lines {
        final StringBuilder sb = new StringBuilder();
        int count;

        void builtin(String name) {
            sb.append(':').append(name).append(" ACCEPT [0:0]\n");
        }

        void chain(String name) {
            sb.append(':').append(name).append(" - [0:0]\n");
        }

        void rule(String line) {
            sb.append(line).append('\n');
            count++;
        }
    }
}
