package io.skoop.netstack.netfilter.kernel;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates an iptables ruleset shaped exactly as kube-proxy in iptables mode writes it
 * (kubernetes {@code pkg/proxy/iptables/proxier.go}, {@code syncProxyRules}, v1.28–v1.31 with
 * {@code --cluster-cidr} as local-traffic detector, {@code masqueradeAll=false}, no session
 * affinity, no load balancers), deterministic for a seed.
 *
 * <p>The text is the {@code iptables-restore} input kube-proxy feeds the kernel, with the jump
 * rules that kube-proxy and kubelet install with {@code iptables -I} ({@code iptablesJumpChains},
 * {@code iptablesKubeletJumpChains}) written as {@code -A} lines of the built-in chains in the
 * order they end up in. What it contains:
 * <ul>
 *   <li>filter: {@code KUBE-EXTERNAL-SERVICES}, {@code KUBE-FIREWALL} (kubelet's localnet block),
 *       {@code KUBE-FORWARD} (INVALID drop, mark 0x4000/0x4000 accept, RELATED,ESTABLISHED accept),
 *       {@code KUBE-NODEPORTS}, {@code KUBE-PROXY-FIREWALL}, {@code KUBE-SERVICES} (REJECT for
 *       service ports without endpoints);</li>
 *   <li>nat: {@code KUBE-SERVICES} (one {@code "<ns>/<svc>:<port> cluster IP"} rule per service port
 *       with endpoints, then the {@code addrtype --dst-type LOCAL} tail-call to {@code KUBE-NODEPORTS}),
 *       {@code KUBE-NODEPORTS} → {@code KUBE-EXT-<hash>} → {@code KUBE-MARK-MASQ} + {@code KUBE-SVC-<hash>},
 *       {@code KUBE-SVC-<hash>} (masquerade rule {@code ! -s <clusterCIDR>}, then the statistic ladder
 *       1/n, 1/(n-1), … printed {@code %0.10f}), {@code KUBE-SEP-<hash>} (hairpin
 *       {@code -s <endpoint> -j KUBE-MARK-MASQ}, DNAT {@code --to-destination ip:port}),
 *       {@code KUBE-MARK-MASQ} ({@code --or-mark 0x00004000}), {@code KUBE-POSTROUTING}
 *       (RETURN unless marked, {@code --xor-mark}, {@code MASQUERADE --random-fully}).</li>
 * </ul>
 * Chain names hash as kube-proxy's {@code servicePortChainName}/{@code servicePortEndpointChainName}:
 * base32 (RFC 4648, padded alphabet) of sha256({@code "ns/name:port" + protocol [+ "ip:port"]}), first 16
 * characters. Above 1000 endpoints kube-proxy enters "large cluster mode" and leaves the comments out
 * of the KUBE-SVC-/KUBE-SEP- rules; so does this generator.
 */
public final class KubeProxyRuleset {

    /** kube-proxy's {@code largeClusterEndpointsThreshold}. */
    public static final int LARGE_CLUSTER_ENDPOINTS = 1000;
    /** {@code fmt.Sprintf("%#08x", 1<<14)} as kube-proxy writes the masquerade mark. */
    public static final String MASQ_MARK = "0x00004000";

    /**
     * What to generate.
     *
     * @param services            number of service ports (one port per Service object)
     * @param endpointsPerService endpoints per service; every 7th service port gets none (REJECT), when {@code withoutEndpoints}
     * @param clusterCidr         the cluster (pod) CIDR, kube-proxy's {@code --cluster-cidr}
     * @param endpointCidrs       where endpoint (pod) addresses are drawn from (subnets of the cluster CIDR), round robin per endpoint
     * @param serviceCidr         where cluster IPs are drawn from, in order (first service = first address + 10)
     * @param nodeIp              the node's address (only documents the ruleset; nodeports match {@code addrtype LOCAL})
     * @param nodePortEvery       every n-th service port is a NodePort (0 = none)
     * @param withoutEndpoints    whether every 7th service port has no endpoints
     * @param seed                the seed for ports, protocols and endpoint addresses
     */
    public record Params(int services, int endpointsPerService, Prefix clusterCidr, List<Prefix> endpointCidrs,
                         Prefix serviceCidr, Ip nodeIp, int nodePortEvery, boolean withoutEndpoints, long seed) {
        public Params {
            Objects.requireNonNull(clusterCidr);
            endpointCidrs = List.copyOf(endpointCidrs);
            if (services < 0 || endpointsPerService < 1 || endpointCidrs.isEmpty()) {
                throw new IllegalArgumentException("need services >= 0, endpointsPerService >= 1, an endpoint CIDR");
            }
        }

        /** The benchmark shape: 10.244.0.0/16 pods, 10.96.0.0/12 services, node 192.168.1.10, every 5th a NodePort. */
        public static Params large(int services, int endpointsPerService, long seed) {
            return new Params(services, endpointsPerService, Prefix.parse("10.244.0.0/16"),
                    List.of(Prefix.parse("10.244.0.0/16")), Prefix.parse("10.96.0.0/12"),
                    Ip.parse("192.168.1.10"), 5, true, seed);
        }
    }

    /** One endpoint: pod address and target port; {@code chain} is its KUBE-SEP- chain. */
    public record Endpoint(Ip ip, int port, String chain) {
        /** {@code ip:port} as kube-proxy prints it ({@code net.JoinHostPort}). */
        public String hostPort() {
            return ip + ":" + port;
        }
    }

    /**
     * One generated service port.
     *
     * @param portName  kube-proxy's ServicePortName text {@code ns/name:port}
     * @param svcChain  {@code KUBE-SVC-<hash>}
     * @param extChain  {@code KUBE-EXT-<hash>} when a NodePort with endpoints, else null
     * @param nodePort  the node port or 0
     */
    public record Service(String portName, Protocol protocol, Ip clusterIp, int port, int nodePort,
                          List<Endpoint> endpoints, String svcChain, String extChain) {
        public Service {
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * The generated ruleset.
     *
     * @param text      iptables-restore input (tables filter and nat)
     * @param services  the service ports, in KUBE-SERVICES order
     * @param ruleCount number of {@code -A} lines
     */
    public record Ruleset(String text, List<Service> services, int ruleCount) {
        public Ruleset {
            services = List.copyOf(services);
        }
    }

    private KubeProxyRuleset() {
    }

    /**
     * Prints {@link Params#large} ruleset text to stdout and its rule count to stderr:
     * {@code java -cp target/test-classes:target/classes io.skoop.netstack.netfilter.kernel.KubeProxyRuleset SERVICES ENDPOINTS [SEED]}.
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: KubeProxyRuleset SERVICES ENDPOINTS_PER_SERVICE [SEED]");
            System.exit(2);
        }
        Ruleset r = generate(Params.large(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                args.length > 2 ? Long.parseLong(args[2]) : 1));
        System.out.print(r.text());
        System.out.flush();
        System.err.println(r.ruleCount() + " rules, " + r.services().size() + " service ports");
    }

    /** kube-proxy's {@code portProtoHash}: base32(sha256(servicePortName + protocol [+ endpoint]))[:16]. */
    public static String hash(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return base32(h).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code KUBE-SVC-} + hash of {@code portName + lowercase protocol}. */
    public static String servicePortChainName(String portName, Protocol protocol) {
        return "KUBE-SVC-" + hash(portName + protocol.ianaName().toLowerCase(Locale.ROOT));
    }

    /** {@code KUBE-EXT-} + the same hash as the service chain. */
    public static String externalChainName(String portName, Protocol protocol) {
        return "KUBE-EXT-" + hash(portName + protocol.ianaName().toLowerCase(Locale.ROOT));
    }

    /** {@code KUBE-SEP-} + hash of {@code portName + protocol + "ip:port"}. */
    public static String servicePortEndpointChainName(String portName, Protocol protocol, String endpoint) {
        return "KUBE-SEP-" + hash(portName + protocol.ianaName().toLowerCase(Locale.ROOT) + endpoint);
    }

    /** kube-proxy's {@code computeProbability}: {@code fmt.Sprintf("%0.10f", 1.0/float64(n))}. */
    public static String probability(int n) {
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    /** Go's {@code base32.StdEncoding} (RFC 4648 alphabet A–Z2–7, '=' padding). */
    static String base32(byte[] data) {
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder sb = new StringBuilder();
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

    /** Generates the ruleset; the same params give the same text. */
    public static Ruleset generate(Params p) {
        SplittableRandom rnd = new SplittableRandom(p.seed());
        List<Service> services = new ArrayList<>();
        int totalEndpoints = 0;
        for (int i = 0; i < p.services(); i++) {
            String ns = "ns" + (i % 37);
            String portName = ns + "/svc" + i + ":p" + (i % 3 == 0 ? "dns" : "http");
            Protocol proto = i % 3 == 0 && i % 2 == 0 ? Protocol.UDP : Protocol.TCP;
            Ip clusterIp = p.serviceCidr().address().plus(10 + i);
            int port = switch (i % 4) { case 0 -> 80; case 1 -> 443; case 2 -> 8080; default -> 1000 + rnd.nextInt(9000); };
            boolean none = p.withoutEndpoints() && i % 7 == 6;
            int nodePort = p.nodePortEvery() > 0 && i % p.nodePortEvery() == p.nodePortEvery() - 1
                    ? 30000 + (i % 2767) : 0;
            List<Endpoint> eps = new ArrayList<>();
            if (!none) {
                int targetPort = rnd.nextBoolean() ? port : 8000 + rnd.nextInt(1000);
                for (int e = 0; e < p.endpointsPerService(); e++) {
                    Prefix cidr = p.endpointCidrs().get((i + e) % p.endpointCidrs().size());
                    long hosts = (1L << (cidr.address().bitLength() - cidr.length())) - 2;
                    Ip ip = cidr.address().plus(1 + Math.floorMod(rnd.nextLong(), Math.max(1, hosts)));
                    String hp = ip + ":" + targetPort;
                    if (eps.stream().anyMatch(x -> x.hostPort().equals(hp))) {
                        e--; // kube-proxy never lists an endpoint twice
                        continue;
                    }
                    eps.add(new Endpoint(ip, targetPort, servicePortEndpointChainName(portName, proto, hp)));
                }
            }
            totalEndpoints += eps.size();
            String ext = nodePort != 0 && !eps.isEmpty() ? externalChainName(portName, proto) : null;
            services.add(new Service(portName, proto, clusterIp, port, nodePort, eps,
                    servicePortChainName(portName, proto), ext));
        }
        return render(p, services, totalEndpoints > LARGE_CLUSTER_ENDPOINTS);
    }

    private static Ruleset render(Params p, List<Service> services, boolean largeCluster) {
        Lines filterChains = new Lines();
        Lines filterRules = new Lines();
        Lines natChains = new Lines();
        Lines natRules = new Lines();
        for (String c : List.of("INPUT ACCEPT", "FORWARD ACCEPT", "OUTPUT ACCEPT")) {
            filterChains.raw(":" + c + " [0:0]");
        }
        for (String c : List.of("KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS",
                "KUBE-PROXY-FIREWALL", "KUBE-FIREWALL")) {
            filterChains.chain(c);
        }
        for (String c : List.of("PREROUTING ACCEPT", "INPUT ACCEPT", "OUTPUT ACCEPT", "POSTROUTING ACCEPT")) {
            natChains.raw(":" + c + " [0:0]");
        }
        for (String c : List.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ")) {
            natChains.chain(c);
        }
        // jump rules (iptables -I by kube-proxy's iptablesJumpChains and kubelet), in their final order
        filterRules.rule("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        filterRules.rule("-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS");
        filterRules.rule("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES");
        filterRules.rule("-A INPUT -j KUBE-FIREWALL");
        filterRules.rule("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        filterRules.rule("-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD");
        filterRules.rule("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        filterRules.rule("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES");
        filterRules.rule("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        filterRules.rule("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        filterRules.rule("-A OUTPUT -j KUBE-FIREWALL");
        filterRules.rule("-A KUBE-FIREWALL -m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        natRules.rule("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        natRules.rule("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        natRules.rule("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING");
        // syncProxyRules: postrouting and mark chains
        natRules.rule("-A KUBE-POSTROUTING -m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
        natRules.rule("-A KUBE-POSTROUTING -j MARK --xor-mark " + MASQ_MARK);
        natRules.rule("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        natRules.rule("-A KUBE-MARK-MASQ -j MARK --or-mark " + MASQ_MARK);

        for (Service s : services) {
            String proto = s.protocol().ianaName().toLowerCase(Locale.ROOT);
            String pm = "-m " + proto + " -p " + proto;
            if (s.endpoints().isEmpty()) {
                filterRules.rule("-A KUBE-SERVICES -m comment --comment \"" + s.portName() + " has no endpoints\" " + pm
                        + " -d " + s.clusterIp() + " --dport " + s.port() + " -j REJECT");
                if (s.nodePort() != 0) {
                    filterRules.rule("-A KUBE-EXTERNAL-SERVICES -m comment --comment \"" + s.portName()
                            + " has no endpoints\" -m addrtype --dst-type LOCAL " + pm + " --dport " + s.nodePort() + " -j REJECT");
                }
                continue;
            }
            natChains.chain(s.svcChain());
            natRules.rule("-A KUBE-SERVICES -m comment --comment \"" + s.portName() + " cluster IP\" " + pm
                    + " -d " + s.clusterIp() + " --dport " + s.port() + " -j " + s.svcChain());
            if (s.extChain() != null) {
                natChains.chain(s.extChain());
                natRules.rule("-A KUBE-NODEPORTS -m comment --comment " + s.portName() + " " + pm
                        + " --dport " + s.nodePort() + " -j " + s.extChain());
                natRules.rule("-A " + s.extChain() + " -m comment --comment \"masquerade traffic for " + s.portName()
                        + " external destinations\" -j KUBE-MARK-MASQ");
                natRules.rule("-A " + s.extChain() + " -j " + s.svcChain());
            }
            natRules.rule("-A " + s.svcChain() + " -m comment --comment \"" + s.portName() + " cluster IP\" " + pm
                    + " -d " + s.clusterIp() + " --dport " + s.port() + " ! -s " + p.clusterCidr() + " -j KUBE-MARK-MASQ");
            int n = s.endpoints().size();
            for (int i = 0; i < n; i++) {
                Endpoint ep = s.endpoints().get(i);
                StringBuilder r = new StringBuilder("-A ").append(s.svcChain());
                if (!largeCluster) {
                    r.append(" -m comment --comment \"").append(s.portName()).append(" -> ").append(ep.hostPort()).append('"');
                }
                if (i < n - 1) {
                    r.append(" -m statistic --mode random --probability ").append(probability(n - i));
                }
                natRules.rule(r.append(" -j ").append(ep.chain()).toString());
            }
            for (Endpoint ep : s.endpoints()) {
                natChains.chain(ep.chain());
                String comment = largeCluster ? "" : " -m comment --comment " + s.portName();
                natRules.rule("-A " + ep.chain() + comment + " -s " + ep.ip() + " -j KUBE-MARK-MASQ");
                natRules.rule("-A " + ep.chain() + comment + " " + pm + " -j DNAT --to-destination " + ep.hostPort());
            }
        }
        natRules.rule("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\""
                + " -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
        filterRules.rule("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP");
        filterRules.rule("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark "
                + MASQ_MARK + "/" + MASQ_MARK + " -j ACCEPT");
        filterRules.rule("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");

        StringBuilder out = new StringBuilder(64 + 160 * (filterRules.count + natRules.count));
        out.append("# Generated by skoop KubeProxyRuleset: ").append(services.size()).append(" service ports, node ")
                .append(p.nodeIp()).append(", cluster CIDR ").append(p.clusterCidr()).append(", seed ").append(p.seed()).append('\n');
        out.append("*filter\n").append(filterChains.sb).append(filterRules.sb).append("COMMIT\n");
        out.append("*nat\n").append(natChains.sb).append(natRules.sb).append("COMMIT\n");
        return new Ruleset(out.toString(), services, filterRules.count + natRules.count);
    }

    /** A line buffer counting rules. */
    private static final class Lines {
        final StringBuilder sb = new StringBuilder();
        int count;

        void raw(String line) {
            sb.append(line).append('\n');
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
