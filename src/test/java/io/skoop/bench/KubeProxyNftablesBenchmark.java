package io.skoop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import io.skoop.netstack.netfilter.NetfilterSimulator;
import io.skoop.netstack.netfilter.NftRuleset;
import io.skoop.netstack.netfilter.Path;
import io.skoop.netstack.netfilter.Ruleset;
import io.skoop.netstack.netfilter.SetMembership;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.parse.NftParser;
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
 * kube-proxy's nftables mode at scale, beside {@link KubeServicesTraceBenchmark} (iptables mode, same service count):
 * {@code nft -j list ruleset} of a node with {@code services} Service ports of 3 endpoints each, in the proxier's
 * layout (pkg/proxy/nftables: nat-prerouting → services → {@code ip daddr . meta l4proto . th dport vmap @service-ips}
 * → service-N with {@code numgen random mod 3 vmap} → endpoint-N-E with {@code dnat to}), written as nft prints it.
 * {@link #parse} reads the JSON into the model; {@link #traceToLastService} traces a pod's first packet to the last
 * Service's cluster IP on the forward path: one verdict map probe, then the numgen fan-out (3 branches). The lookup
 * is a hash probe ({@code NftEval.SetIndex}): its cost should not grow with the number of Services.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KubeProxyNftablesBenchmark {
    @Param({"10000"})
    int services;

    String json;
    NetfilterSimulator simulator;
    TraceRequest request;

    /** The listing of a node with {@code n} Service ports (10.96.x.y:80/TCP) of 3 endpoints each. */
    static String listing(int n) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode items = root.putArray("nftables");
        items.addObject().putObject("metainfo").put("version", "1.0.6").put("json_schema_version", 1);
        items.addObject().putObject("table").put("family", "ip").put("name", "kube-proxy").put("handle", 1);
        ObjectNode map = items.addObject().putObject("map");
        map.put("family", "ip").put("name", "service-ips").put("table", "kube-proxy").put("handle", 2).put("map", "verdict");
        map.putArray("type").add("ipv4_addr").add("inet_proto").add("inet_service");
        ArrayNode elems = map.putArray("elem");
        for (int i = 0; i < n; i++) {
            ArrayNode el = elems.addArray();
            el.addObject().putArray("concat").add(clusterIp(i).toString()).add("tcp").add(80);
            el.addObject().putObject("goto").put("target", "service-" + i);
        }
        chain(items, "nat-prerouting", "nat", "prerouting", -100);
        chain(items, "services", null, null, 0);
        rule(items, "nat-prerouting", 10).addObject().putObject("jump").put("target", "services");
        ObjectNode vmap = rule(items, "services", 11).addObject().putObject("vmap");
        ArrayNode key = vmap.putObject("key").putArray("concat");
        key.addObject().putObject("payload").put("protocol", "ip").put("field", "daddr");
        key.addObject().putObject("meta").put("key", "l4proto");
        key.addObject().putObject("payload").put("protocol", "th").put("field", "dport");
        vmap.put("data", "@service-ips");
        long handle = 100;
        for (int i = 0; i < n; i++) {
            chain(items, "service-" + i, null, null, 0);
            ObjectNode ng = rule(items, "service-" + i, handle++).addObject().putObject("vmap");
            ng.putObject("key").putObject("numgen").put("mode", "random").put("mod", 3).put("offset", 0);
            ArrayNode set = ng.putObject("data").putArray("set");
            for (int e = 0; e < 3; e++) {
                String ep = "endpoint-" + i + "-" + e;
                ArrayNode pair = set.addArray();
                pair.add(e);
                pair.addObject().putObject("goto").put("target", ep);
                chain(items, ep, null, null, 0);
                ArrayNode exprs = rule(items, ep, handle++);
                ObjectNode match = exprs.addObject().putObject("match");
                match.put("op", "==").putObject("left").putObject("meta").put("key", "l4proto");
                match.put("right", "tcp");
                exprs.addObject().putObject("dnat").put("addr", Ip.parse("10.244.0.0").plus(1 + 3L * i + e).toString()).put("port", 8080);
            }
        }
        return root.toString();
    }

    static Ip clusterIp(int i) {
        return Ip.parse("10.96.0.0").plus(10 + i);
    }

    private static void chain(ArrayNode items, String name, String type, String hook, int prio) {
        ObjectNode c = items.addObject().putObject("chain");
        c.put("family", "ip").put("table", "kube-proxy").put("name", name).put("handle", 1);
        if (hook != null) {
            c.put("type", type).put("hook", hook).put("prio", prio).put("policy", "accept");
        }
    }

    private static ArrayNode rule(ArrayNode items, String chain, long handle) {
        ObjectNode r = items.addObject().putObject("rule");
        r.put("family", "ip").put("table", "kube-proxy").put("chain", chain).put("handle", handle);
        return r.putArray("expr");
    }

    @Setup(Level.Trial)
    public void setUp() {
        json = listing(services);
        NftRuleset nft = NftParser.ruleset("kube-proxy-" + services, json);
        simulator = new NetfilterSimulator(Ruleset.empty(false), Ruleset.empty(true), nft, new KubeServicesTraceBenchmark.NodeRouting(),
                SetMembership.NONE);
        Packet p = Packet.of(Ip.parse("10.244.7.9"), 40000, clusterIp(services - 1), 80, Protocol.TCP);
        request = TraceRequest.of(p, Path.FORWARD).withIif("cni0");
        TraceResult check = simulator.trace(request);
        System.out.println("\n# " + nft + ", " + json.length() / 1024 + " KiB of JSON; trace to " + p + ": " + check.branches().size()
                + " branches, verdicts " + check.verdictProbabilities());
    }

    @Benchmark
    public NftRuleset parse() {
        return NftParser.ruleset("kube-proxy", json);
    }

    @Benchmark
    public TraceResult traceToLastService() {
        return simulator.trace(request);
    }
}
