package io.skoop.bench;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Prefix;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.NetfilterSimulator;
import io.skoop.netstack.netfilter.Path;
import io.skoop.netstack.netfilter.RouteDecision;
import io.skoop.netstack.netfilter.RoutingOracle;
import io.skoop.netstack.netfilter.Ruleset;
import io.skoop.netstack.netfilter.SetMembership;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.netfilter.kernel.KubeProxyRuleset;
import io.skoop.netstack.parse.IptablesSaveParser;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Tracing the first packet of a pod's connection to the <em>last</em> service port of a
 * 10,000-service kube-proxy ruleset ({@link KubeProxyRuleset.Params#large}, 3 endpoints each) on
 * the node's forward path: nat PREROUTING walks the whole KUBE-SERVICES chain, then KUBE-SVC-
 * fans out into the 3 statistic branches (DNAT to each endpoint, FORWARD, POSTROUTING).
 * Generation and parsing happen once per trial, outside the timed part.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KubeServicesTraceBenchmark {
    @Param({"10000"})
    int services;

    NetfilterSimulator simulator;
    TraceRequest request;

    /** The node: 192.168.1.10 on eth0 (default via 192.168.1.1), pods on cni0 (10.244.0.0/16). */
    static final class NodeRouting implements RoutingOracle {
        static final Ip NODE = Ip.parse("192.168.1.10");
        static final Prefix PODS = Prefix.parse("10.244.0.0/16");

        @Override
        public RouteDecision route(Packet p, String iif, String oif) {
            if (p.dst().equals(NODE)) {
                return RouteDecision.local("lo", "local");
            }
            if (PODS.contains(p.dst())) {
                return RouteDecision.unicast("cni0", null, Ip.parse("10.244.0.1"), "10.244.0.0/16 dev cni0");
            }
            return RouteDecision.unicast("eth0", Ip.parse("192.168.1.1"), null, "default via 192.168.1.1");
        }

        @Override
        public AddrType addressType(Ip address, String device) {
            return address.equals(NODE) ? AddrType.LOCAL : AddrType.UNICAST;
        }

        @Override
        public Ip primaryAddress(String device, boolean ipv6) {
            return "cni0".equals(device) ? Ip.parse("10.244.0.1") : NODE;
        }

        @Override
        public Ip masqueradeSource(String device, Ip nexthop) {
            return primaryAddress(device, false);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        KubeProxyRuleset.Ruleset r = KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(services, 3, 1));
        Ruleset rs = IptablesSaveParser.parse("kube-proxy-" + services, r.text(), false);
        simulator = new NetfilterSimulator(rs, Ruleset.empty(true), new NodeRouting(), SetMembership.NONE);
        List<KubeProxyRuleset.Service> withEndpoints = r.services().stream().filter(s -> !s.endpoints().isEmpty()).toList();
        KubeProxyRuleset.Service last = withEndpoints.get(withEndpoints.size() - 1);
        Packet p = Packet.of(Ip.parse("10.244.7.9"), 40000, last.clusterIp(), last.port(), last.protocol());
        request = TraceRequest.of(p, Path.FORWARD).withIif("cni0");
        TraceResult check = simulator.trace(request);
        System.out.println("\n# trace to " + last.portName() + " " + p + ": " + check.branches().size() + " branches, "
                + check.branches().get(0).steps().size() + " steps in branch 1, verdicts " + check.verdictProbabilities());
    }

    @Benchmark
    public TraceResult traceToLastService() {
        return simulator.trace(request);
    }
}
