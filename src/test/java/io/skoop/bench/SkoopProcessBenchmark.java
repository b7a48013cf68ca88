package io.skoop.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole {@code skoop diagnose} process on the large synthetic snapshot, as a user runs it: a new JVM
 * ({@code java [javaOpts] -cp target/skoop.jar:target/lib/* io.skoop.cli.SkoopCommand diagnose --snapshot DIR -s SRC
 * -d svc/NS/NAME -p 80}, the jar {@code mvn package} builds), timed from spawn to exit, text output discarded. Exit
 * code 0 (REACHABLE) is required.
 *
 * <p>Peak heap: each run logs {@code -Xlog:gc,gc+heap+exit}; the peak is the largest heap occupancy the log shows —
 * before any collection, or at exit — printed after each iteration ({@code peak heap …}). {@code -p jvm=…} picks the
 * JVM options.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SkoopProcessBenchmark {
    private static final Pattern BEFORE_GC = Pattern.compile("\\) (\\d+)M->\\d+M\\(");
    private static final Pattern USED_AT_EXIT = Pattern.compile("\\[gc,heap,exit\\s*]\\s+\\S.* total \\d+K, used (\\d+)K");

    @Param(LargeSnapshotBenchmark.DEFAULT_DIR)
    String snapshot;

    /**
     * The JVM options: {@code default} (none: what {@code scripts/skoop} runs without SKOOP_JAVA_OPTS),
     * {@code c1-parallel} ({@code -XX:TieredStopAtLevel=1 -XX:+UseParallelGC -Xms1g}: the C1 compiler only, the
     * parallel collector and a 1 GB initial heap, for a run of a few seconds on few cores), or options separated by
     * {@code @}.
     */
    @Param({"default", "c1-parallel"})
    String jvm;

    List<String> command;
    Path gcLog;
    int runs;
    long peakMax;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = LargeSnapshotBenchmark.ensure(Path.of(snapshot));
        Path jar = Path.of("target", "skoop.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib"))) {
            throw new IllegalStateException(jar + " or target/lib is missing: run 'mvn -DskipTests package' first");
        }
        gcLog = Files.createTempFile("skoop-bench-gc", ".log");
        var q = LargeSnapshot.Shape.LARGE.query();
        command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        switch (jvm) {
            case "default" -> { }
            case "c1-parallel" -> command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseParallelGC", "-Xms1g"));
            default -> command.addAll(Arrays.asList(jvm.split("@")));
        }
        command.addAll(List.of("-Xlog:gc,gc+heap+exit:file=" + gcLog, "-cp", jar + ":" + jar.resolveSibling("lib") + "/*",
                "io.skoop.cli.SkoopCommand", "diagnose", "--snapshot", dir.toString(), "-s", q.source(), "-d", q.destination(),
                "-p", q.port()));
    }

    @Setup(Level.Iteration)
    public void freshLog() throws IOException {
        Files.deleteIfExists(gcLog);
    }

    @Benchmark
    public int skoopDiagnose() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("skoop diagnose exited " + exit + " (0 = REACHABLE expected): " + command);
        }
        return exit;
    }

    @TearDown(Level.Iteration)
    public void peakHeap() {
        long peak = peakHeapMb(gcLog);
        runs++;
        peakMax = Math.max(peakMax, peak);
        System.out.printf(Locale.ROOT, "peak heap %d MB (run %d; max so far %d MB)%n", peak, runs, peakMax);
    }

    @TearDown(Level.Trial)
    public void cleanUp() throws IOException {
        Files.deleteIfExists(gcLog);
    }

    /** The largest heap occupancy in a {@code -Xlog:gc,gc+heap+exit} log: before a collection, or at exit. */
    static long peakHeapMb(Path log) {
        long peak = 0;
        long atExit = 0;
        try {
            for (String line : Files.readAllLines(log)) {
                Matcher m = BEFORE_GC.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, Long.parseLong(m.group(1)));
                }
                Matcher e = USED_AT_EXIT.matcher(line);
                if (e.find()) {
                    atExit += Long.parseLong(e.group(1)) >> 10;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Math.max(peak, atExit);
    }
}
