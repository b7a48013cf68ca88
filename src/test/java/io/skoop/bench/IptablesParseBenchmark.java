package io.skoop.bench;

import io.skoop.netstack.netfilter.Ruleset;
import io.skoop.netstack.netfilter.kernel.KubeProxyRuleset;
import io.skoop.netstack.parse.IptablesSaveParser;
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
 * Parsing a kube-proxy-shaped ruleset of {@code services} service ports with 3 endpoints each
 * ({@link KubeProxyRuleset.Params#large}, seed 1: 10,000 services give about 110,000 rules) with
 * {@link IptablesSaveParser}. The text is generated once per trial, outside the timed part.
 * Compare with {@code iptables-restore --test} on the same text (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class IptablesParseBenchmark {
    @Param({"10000"})
    int services;

    String text;

    @Setup(Level.Trial)
    public void generate() {
        KubeProxyRuleset.Ruleset r = KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(services, 3, 1));
        text = r.text();
        System.out.println("\n# kube-proxy ruleset: " + r.ruleCount() + " rules, " + text.length() + " chars");
    }

    @Benchmark
    public Ruleset parseKubeProxy() {
        return IptablesSaveParser.parse("kube-proxy-" + services, text, false);
    }
}
