package io.skoop.netstack.netfilter.kernel;

import io.skoop.lab.kubeproxy.KubeProxyIptables;
import io.skoop.lab.kubeproxy.NodeContext;
import io.skoop.lab.kubeproxy.ServiceEndpoint;
import io.skoop.lab.kubeproxy.ServicePort;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A deterministic synthetic cluster for benchmarks and kernel specs: which service ports and endpoints exist
 * (namespaces {@code ns0..ns36}, every 3rd port UDP-or-named {@code pdns}, every n-th a NodePort, every 7th without
 * endpoints, endpoint addresses drawn from a seed). The rule text comes from the lab's kube-proxy renderer,
 * {@link KubeProxyIptables#render}, prefixed with one {@code #} comment line naming the parameters.
 */
public final class KubeProxyRuleset {

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

    /** Generates the ruleset; the same params give the same text. */
    public static Ruleset generate(Params p) {
        SplittableRandom rnd = new SplittableRandom(p.seed());
        List<ServicePort> ports = new ArrayList<>();
        for (int i = 0; i < p.services(); i++) {
            String ns = "ns" + (i % 37);
            String portName = "p" + (i % 3 == 0 ? "dns" : "http");
            Protocol proto = i % 3 == 0 && i % 2 == 0 ? Protocol.UDP : Protocol.TCP;
            Ip clusterIp = p.serviceCidr().address().plus(10 + i);
            int port = switch (i % 4) { case 0 -> 80; case 1 -> 443; case 2 -> 8080; default -> 1000 + rnd.nextInt(9000); };
            boolean none = p.withoutEndpoints() && i % 7 == 6;
            int nodePort = p.nodePortEvery() > 0 && i % p.nodePortEvery() == p.nodePortEvery() - 1
                    ? 30000 + (i % 2767) : 0;
            List<ServiceEndpoint> eps = new ArrayList<>();
            if (!none) {
                int targetPort = rnd.nextBoolean() ? port : 8000 + rnd.nextInt(1000);
                for (int e = 0; e < p.endpointsPerService(); e++) {
                    Prefix cidr = p.endpointCidrs().get((i + e) % p.endpointCidrs().size());
                    long hosts = (1L << (cidr.address().bitLength() - cidr.length())) - 2;
                    ServiceEndpoint ep = ServiceEndpoint.ready(cidr.address().plus(1 + Math.floorMod(rnd.nextLong(), Math.max(1, hosts))), targetPort);
                    if (eps.stream().anyMatch(x -> x.hostPort().equals(ep.hostPort()))) {
                        e--; // kube-proxy never lists an endpoint twice
                        continue;
                    }
                    eps.add(ep);
                }
            }
            ports.add(ServicePort.of(ns, "svc" + i, portName, proto, clusterIp, port, nodePort, eps));
        }
        KubeProxyIptables.Rendered rendered = KubeProxyIptables.render(
                new NodeContext("node-1", List.of(p.nodeIp()), p.clusterCidr(), NodeContext.DEFAULT_MASQUERADE_BIT, true), ports);
        List<Service> services = ports.stream().map(KubeProxyRuleset::describe).toList();
        String header = "# Generated by skoop KubeProxyRuleset: " + services.size() + " service ports, node " + p.nodeIp()
                + ", cluster CIDR " + p.clusterCidr() + ", seed " + p.seed() + "\n";
        return new Ruleset(header + rendered.text(), services, rendered.ruleCount());
    }

    /** The chain names kube-proxy gives one service port (endpoints in the ladder's order). */
    private static Service describe(ServicePort s) {
        String name = s.servicePortName();
        String proto = s.protocolName();
        List<Endpoint> eps = s.usableEndpoints().stream()
                .map(e -> new Endpoint(e.ip(), e.port(), KubeProxyIptables.servicePortEndpointChainName(name, proto, e.hostPort())))
                .toList();
        String ext = s.nodePort() != 0 && !eps.isEmpty() ? KubeProxyIptables.serviceExternalChainName(name, proto) : null;
        return new Service(name, s.protocol(), s.clusterIp(), s.port(), s.nodePort(), eps,
                KubeProxyIptables.servicePortPolicyClusterChain(name, proto), ext);
    }
}
