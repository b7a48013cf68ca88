package io.skoop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * A one-shot command's start to exit, as a user runs it, side by side with a trivial picocli application on the same
 * JVM ({@link TrivialPicocli}: what any Java command line pays to start). {@code -p command=…}:
 * <ul>
 * <li>{@code trivial}: {@code java -cp target/test-classes:target/lib/picocli-*.jar io.skoop.bench.TrivialPicocli} (no JVM
 *     options, picocli alone on the class path);</li>
 * <li>{@code trivial-skoop-cp}: the same with skoop's class path ({@code target/lib/*}): with Groovy there, picocli's
 *     default factory initialises the Groovy runtime (skoop sets {@code picocli.disable.closures});</li>
 * <li>{@code help}: {@code scripts/skoop --help};</li>
 * <li>{@code readme}: the README's first command, {@code scripts/skoop diagnose --example flannel-vxlan -s default/client
 *     -d svc/default/web} (exit 0: REACHABLE);</li>
 * <li>{@code readme-plain}: the same without the launcher's start-up options ({@code SKOOP_CLI_CDS=0}, no C1 flag).</li>
 * </ul>
 * Output is discarded. Needs {@code mvn -DskipTests package} first; the launcher's AppCDS archive is made in
 * {@code @Setup} (the first start after a build makes it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CliStartBenchmark {
    @Param({"trivial", "trivial-skoop-cp", "help", "readme", "readme-plain"})
    String command;

    ProcessBuilder builder;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("target/skoop.jar")) || !Files.isDirectory(root.resolve("target/lib"))) {
            throw new IllegalStateException("target/skoop.jar or target/lib is missing: run 'mvn -DskipTests package' first");
        }
        List<String> cmd = new ArrayList<>();
        String skoop = root.resolve("scripts/skoop").toString();
        List<String> readme = List.of(skoop, "diagnose", "--example", "flannel-vxlan", "-s", "default/client", "-d", "svc/default/web");
        switch (command) {
            case "trivial", "trivial-skoop-cp" -> {
                String lib = command.equals("trivial") ? picocliJar(root.resolve("target/lib")) : root.resolve("target/lib") + "/*";
                cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                        root.resolve("target/test-classes") + ":" + lib, "io.skoop.bench.TrivialPicocli"));
            }
            case "help" -> cmd.addAll(List.of(skoop, "--help"));
            case "readme", "readme-plain" -> cmd.addAll(readme);
            default -> throw new IllegalArgumentException("command: trivial, trivial-skoop-cp, help, readme or readme-plain");
        }
        builder = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (command.equals("readme-plain")) {
            builder.environment().put("SKOOP_CLI_CDS", "0");
        }
        run(); // the launcher makes its archive on the first start after a build
    }

    private static String picocliJar(Path lib) throws IOException {
        try (var files = Files.list(lib)) {
            return files.filter(f -> f.getFileName().toString().startsWith("picocli-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no picocli jar in " + lib)).toString();
        }
    }

    @Benchmark
    public int run() throws IOException, InterruptedException {
        int exit = builder.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(builder.command() + " exited " + exit);
        }
        return exit;
    }
}
