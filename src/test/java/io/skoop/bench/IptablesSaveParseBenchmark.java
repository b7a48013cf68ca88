package io.skoop.bench;

import io.skoop.model.Packet;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.NetfilterSimulator;
import io.skoop.netstack.netfilter.Path;
import io.skoop.netstack.netfilter.RouteDecision;
import io.skoop.netstack.netfilter.RoutingOracle;
import io.skoop.netstack.netfilter.Ruleset;
import io.skoop.netstack.netfilter.SetMembership;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.parse.IptablesSaveParser;
import io.skoop.model.Ip;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Parsing a kube-proxy-shaped iptables-save dump (10k services x 3 endpoints = 110k nat
 * rules, the shape kube-proxy 1.30 writes) and tracing one ClusterIP packet through it.
 * Compare with {@code time iptables-restore --test < dump} in a throwaway namespace
 * (docs/netfilter.md has the figures measured on this machine).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class IptablesSaveParseBenchmark {
    @Param({"10000"})
    int services;

    String dump;
    NetfilterSimulator sim;

    /** kube-proxy's nat table for {@code services} services with 3 endpoints each. */
    static String kubeProxyNat(int services) {
        StringBuilder decl = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]\n");
        StringBuilder rules = new StringBuilder()
                .append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n")
                .append("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n")
                .append("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n")
                .append("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n")
                .append("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n")
                .append("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n")
                .append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
        for (int i = 0; i < services; i++) {
            String svc = String.format("KUBE-SVC-%016X", i);
            String ip = "10.96." + (i / 250) + "." + (i % 250 + 1);
            decl.append(':').append(svc).append(" - [0:0]\n");
            rules.append("-A KUBE-SERVICES -d ").append(ip).append("/32 -p tcp -m comment --comment \"ns").append(i).append("/svc")
                    .append(i).append(":http cluster IP\" -m tcp --dport 80 -j ").append(svc).append('\n');
            rules.append("-A ").append(svc).append(" ! -s 10.244.0.0/16 -d ").append(ip).append("/32 -p tcp -m comment --comment \"ns")
                    .append(i).append("/svc").append(i).append(":http cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ\n");
            for (int e = 0; e < 3; e++) {
                String sep = String.format("KUBE-SEP-%016X", i * 8 + e);
                int n = i * 3 + e;
                String eip = "10.244." + (n / 250 % 256) + "." + (n % 250 + 1);
                decl.append(':').append(sep).append(" - [0:0]\n");
                rules.append("-A ").append(svc).append(" -m comment --comment \"ns").append(i).append("/svc").append(i)
                        .append(":http -> ").append(eip).append(":8080\"");
                if (e < 2) {
                    rules.append(String.format(" -m statistic --mode random --probability %.11f", 1.0 / (3 - e)));
                }
                rules.append(" -j ").append(sep).append('\n');
                rules.append("-A ").append(sep).append(" -s ").append(eip).append("/32 -m comment --comment \"ns").append(i)
                        .append("/svc").append(i).append(":http\" -j KUBE-MARK-MASQ\n");
                rules.append("-A ").append(sep).append(" -p tcp -m comment --comment \"ns").append(i).append("/svc").append(i)
                        .append(":http\" -m tcp -j DNAT --to-destination ").append(eip).append(":8080\n");
            }
        }
        return decl.append(rules).append("COMMIT\n").toString();
    }

    @Setup
    public void setup() {
        dump = kubeProxyNat(services);
        RoutingOracle routing = new RoutingOracle() {
            @Override
            public RouteDecision route(Packet packet, String iif, String oif) {
                return RouteDecision.unicast("eth0", Ip.parse("192.168.1.1"), Ip.parse("192.168.1.10"), "default");
            }

            @Override
            public AddrType addressType(Ip address, String device) {
                return address.equals(Ip.parse("192.168.1.10")) ? AddrType.LOCAL : AddrType.UNICAST;
            }

            @Override
            public Ip primaryAddress(String device, boolean ipv6) {
                return Ip.parse("192.168.1.10");
            }

            @Override
            public Ip masqueradeSource(String device, Ip nexthop) {
                return Ip.parse("192.168.1.10");
            }
        };
        sim = new NetfilterSimulator(IptablesSaveParser.parse("iptables.txt", dump, false), Ruleset.empty(true), routing, SetMembership.NONE);
    }

    @Benchmark
    public Ruleset parseKubeProxyDump() {
        return IptablesSaveParser.parse("iptables.txt", dump, false);
    }

    /** The last service: the packet walks all of KUBE-SERVICES. */
    @Benchmark
    public TraceResult traceLastClusterIp() {
        int i = services - 1;
        return sim.trace(TraceRequest.of(Packet.parse("tcp 192.168.1.10:40000 > 10.96." + (i / 250) + "." + (i % 250 + 1) + ":80"), Path.LOCAL_OUT));
    }
}
