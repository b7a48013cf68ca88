package io.skoop.bench;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Address parsing and prefix matching, the inner loop of routing and iptables matching. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IpParseBenchmark {
    Prefix prefix = Prefix.parse("10.244.0.0/16");
    Ip ip = Ip.parse("10.244.7.9");

    @Benchmark
    public Ip parseV4() {
        return Ip.parse("10.244.17.201");
    }

    @Benchmark
    public boolean prefixContains() {
        return prefix.contains(ip);
    }
}
