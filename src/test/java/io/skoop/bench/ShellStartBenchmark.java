package io.skoop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Time to prompt of the REPLs, as a user sees it: the command starts in a real terminal (a tmux pane of its own
 * server, 160×50) and the clock stops when the prompt is on the screen ({@code capture-pane} polled every 10 ms).
 * {@code -p shell=…}: {@code skoop-shell} ({@code scripts/skoop-shell --example flannel-vxlan}, with its AppCDS
 * archive, made in {@code @Setup} if missing), {@code skoop-shell-nocds} (the same with {@code SKOOP_SHELL_CDS=0}) and
 * {@code groovysh} (plain groovysh 5 on the same class path, {@code org.apache.groovy.groovysh.Main}). Needs
 * {@code mvn package} first and tmux.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ShellStartBenchmark {
    @Param({"skoop-shell", "skoop-shell-nocds", "groovysh"})
    String shell;

    String command;
    String prompt;
    String socket;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("target/skoop.jar"))) {
            throw new IllegalStateException("target/skoop.jar is missing: run 'mvn -DskipTests package' first");
        }
        String launcher = root.resolve("scripts/skoop-shell") + " --example flannel-vxlan";
        switch (shell) {
            case "skoop-shell" -> {
                command = launcher;
                prompt = "skoop>";
                run(List.of("bash", "-c", launcher + " -q -e /exit < /dev/null > /dev/null 2>&1"));
            }
            case "skoop-shell-nocds" -> {
                command = "SKOOP_SHELL_CDS=0 " + launcher;
                prompt = "skoop>";
            }
            case "groovysh" -> {
                command = "java -cp '" + root.resolve("target/lib") + "/*' org.apache.groovy.groovysh.Main";
                prompt = "groovy>";
            }
            default -> throw new IllegalArgumentException("shell: skoop-shell, skoop-shell-nocds or groovysh, not " + shell);
        }
    }

    @Setup(Level.Iteration)
    public void freshServer() {
        socket = "skoop-bench-" + System.nanoTime();
    }

    /** Milliseconds from starting the pane to the prompt on screen. */
    @Benchmark
    public String timeToPrompt() throws IOException, InterruptedException {
        run(List.of("tmux", "-L", socket, "new-session", "-d", "-x", "160", "-y", "50", command));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String screen = output(List.of("tmux", "-L", socket, "capture-pane", "-p"));
            if (screen.contains(prompt)) {
                return screen;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException(shell + ": no prompt '" + prompt + "' within 60 s");
    }

    @TearDown(Level.Iteration)
    public void kill() throws IOException, InterruptedException {
        new ProcessBuilder("tmux", "-L", socket, "kill-server").start().waitFor();
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + " failed: " + out);
        }
    }

    private static String output(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
