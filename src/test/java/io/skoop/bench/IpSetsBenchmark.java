package io.skoop.bench;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import io.skoop.netstack.ipset.Direction;
import io.skoop.netstack.ipset.IpSets;
import io.skoop.netstack.ipset.Membership;
import io.skoop.netstack.ipset.SetProbe;
import io.skoop.netstack.parse.IpsetParser;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ipset membership and {@code ipset save} parsing at kube-proxy/Calico scale: a hash:ip,port
 * set of 10,000 service endpoints and a hash:net set of 2,000 networks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IpSetsBenchmark {
    String save;
    IpSets sets;
    SetProbe hit;
    SetProbe miss;
    List<Direction> dstDst = List.of(Direction.DST, Direction.DST);
    List<Direction> src = List.of(Direction.SRC);

    @Setup
    public void setup() {
        StringBuilder sb = new StringBuilder("create endpoints hash:ip,port family inet hashsize 16384 maxelem 65536\n");
        Ip base = Ip.parse("10.96.0.0");
        for (int i = 0; i < 10_000; i++) {
            sb.append("add endpoints ").append(base.plus(i)).append(",tcp:").append(80 + i % 5).append('\n');
        }
        sb.append("create nets hash:net family inet hashsize 4096 maxelem 65536\n");
        Ip nets = Ip.parse("172.16.0.0");
        for (int i = 0; i < 2_000; i++) {
            sb.append("add nets ").append(nets.plus(i * 256L)).append("/24").append(i % 10 == 0 ? " nomatch" : "").append('\n');
        }
        sb.append("add nets 172.16.0.0/12\n");
        save = sb.toString();
        sets = IpsetParser.parse("ipset.txt", save);
        hit = SetProbe.of(Packet.of(Ip.parse("172.16.5.9"), 40000, Ip.parse("10.96.30.7"), 82, Protocol.TCP));
        miss = SetProbe.of(Packet.of(Ip.parse("192.168.5.9"), 40000, Ip.parse("10.97.30.7"), 82, Protocol.TCP));
    }

    @Benchmark
    public Membership hashIpPortHit() {
        return sets.test("endpoints", dstDst, hit);
    }

    @Benchmark
    public Membership hashIpPortMiss() {
        return sets.test("endpoints", dstDst, miss);
    }

    @Benchmark
    public Membership hashNetHit() {
        return sets.test("nets", src, hit);
    }

    @Benchmark
    public IpSets parse12kEntries() {
        return IpsetParser.parse("ipset.txt", save);
    }
}
