package io.skoop.bench;

import io.skoop.diagnose.Diagnosis;
import io.skoop.diagnose.Diagnostor;
import io.skoop.diagnose.Query;
import io.skoop.snapshot.Snapshot;
import java.nio.file.Path;
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
 * One pod→Service diagnosis on the large synthetic snapshot ({@link LargeSnapshot.Shape#LARGE}: 1,000 nodes, 30,000
 * pods, 10,000 Services, a ~14 MB iptables.txt on every node): {@link LargeSnapshot.Shape#query()}, a client on
 * node-0001 asking a Service whose three endpoints run on three other nodes, so four node dumps and four pod dumps
 * are read. Single shots (one diagnosis per iteration): each is seconds long and the first ones are the cold ones a
 * CLI run sees.
 * <ul>
 *   <li>{@code openAndDiagnose}: {@code Snapshot.open} (snapshot.json and k8s/*.json) + {@code new Diagnostor} +
 *       {@code diagnose} — everything but the JVM start;</li>
 *   <li>{@code diagnoseOpened}: {@code new Diagnostor} + {@code diagnose} on a snapshot opened (k8s objects read)
 *       before the timed part but with no dump read yet: the dumps on the path are parsed inside;</li>
 *   <li>{@code diagnoseAgain}: the same on a snapshot whose path dumps were parsed by an earlier diagnosis (a
 *       second question in a shell session): the simulation alone.</li>
 * </ul>
 * The snapshot is generated into {@code -p snapshot=DIR} (default {@value #DEFAULT_DIR}) when that folder does not
 * hold one yet (about 4 minutes, 15 GB), outside the measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LargeSnapshotBenchmark {
    static final String DEFAULT_DIR = "/tmp/skoop-bench-large";

    @Param(DEFAULT_DIR)
    String snapshot;

    Path dir;
    Query query;
    Snapshot warm;

    @Setup(Level.Trial)
    public void setUp() {
        dir = ensure(Path.of(snapshot));
        query = LargeSnapshot.Shape.LARGE.query();
        warm = Snapshot.open(dir);
        check(new Diagnostor(warm).diagnose(query));
    }

    /** A snapshot opened before the timed part, no dump read. */
    @State(Scope.Thread)
    public static class Opened {
        Snapshot snapshot;

        @Setup(Level.Invocation)
        public void open(LargeSnapshotBenchmark b) {
            snapshot = Snapshot.open(b.dir);
        }
    }

    @Benchmark
    public Diagnosis openAndDiagnose() {
        return check(new Diagnostor(Snapshot.open(dir)).diagnose(query));
    }

    @Benchmark
    public Diagnosis diagnoseOpened(Opened opened) {
        return check(new Diagnostor(opened.snapshot).diagnose(query));
    }

    @Benchmark
    public Diagnosis diagnoseAgain() {
        return check(new Diagnostor(warm).diagnose(query));
    }

    /** The snapshot in {@code dir}, generated first when the folder does not hold one. */
    static Path ensure(Path dir) {
        if (!dir.resolve("snapshot.json").toFile().isFile()) {
            System.out.println("generating the large snapshot in " + dir + " (about 4 minutes, 15 GB) ...");
            LargeSnapshot.Generated g = LargeSnapshot.generate(LargeSnapshot.Shape.LARGE, dir);
            System.out.println("generated in " + g.elapsed().toSeconds() + " s: " + g.files() + " files, " + (g.bytes() >> 20) + " MB");
        }
        return dir;
    }

    private Diagnosis check(Diagnosis d) {
        if (!d.reachable() || d.opened().size() != 8) {
            throw new IllegalStateException("expected REACHABLE over 8 dumps, got " + d.verdict() + " over " + d.opened());
        }
        return d;
    }
}
