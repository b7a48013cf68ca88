package io.skoop.lab.run;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Runs the lab's kernel commands ({@code ip}, {@code bridge}, {@code iptables-restore}, {@code socat}, …). */
public final class Proc {

    /** Stream readers: daemon threads, one per stream (the common pool has one thread on a 2-core machine). */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "skoop-proc-reader");
        t.setDaemon(true);
        return t;
    });

    private Proc() {
    }

    /**
     * What a command did.
     *
     * @param exit     its exit status, or -1 when it was killed at the timeout
     * @param out      standard output (UTF-8)
     * @param err      standard error (UTF-8)
     * @param timedOut whether it ran past the timeout and was killed
     */
    public record Result(int exit, String out, String err, boolean timedOut) {
        /** Whether it exited 0. */
        public boolean ok() {
            return exit == 0 && !timedOut;
        }
    }

    /**
     * Runs {@code argv} with {@code stdin} (or nothing) on its standard input and waits for it, at most
     * {@code timeout}; both output streams are read to the end.
     *
     * @throws LabException when the program cannot be started (e.g. not installed)
     */
    public static Result run(List<String> argv, String stdin, Duration timeout) {
        return run(argv, stdin, timeout, null);
    }

    /**
     * Like {@link #run(List, String, Duration)}, but stops the command (and counts it as exited 0) as soon as a line
     * of its standard output satisfies {@code enough}: a UDP probe is done when the answer came, without waiting
     * for socat's idle timeout.
     *
     * @param enough a test on each output line, or null to wait for the command to end
     */
    public static Result run(List<String> argv, String stdin, Duration timeout, Predicate<String> enough) {
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new LabException("cannot run " + argv.get(0) + ": " + e.getMessage() + " (scripts/setup installs what the lab needs)");
        }
        // released when the process exits or, with enough, when a line of its output satisfies it
        CountDownLatch finished = new CountDownLatch(1);
        p.onExit().thenRun(finished::countDown);
        CompletableFuture<String> out = drain(p.getInputStream(), enough, finished);
        CompletableFuture<String> err = drain(p.getErrorStream(), null, finished);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the command exited before reading its input; its exit status and stderr tell why
        }
        boolean done;
        boolean stopped = false;
        try {
            done = finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (done && p.isAlive()) {
                stopped = true;      // enough was satisfied: the answer is in
                p.destroy();
                p.waitFor();
            } else if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", argv));
        }
        return new Result(stopped ? 0 : done ? p.exitValue() : -1, out.join(), err.join(), !done);
    }

    /**
     * Runs {@code argv} — a command that starts a daemon and returns, such as {@code setsid -f …} — with its
     * standard input from {@code /dev/null} and its output discarded, so the daemon holds no pipe of ours, and
     * waits for it at most {@code timeout}.
     *
     * @return the exit status of {@code argv} (not of the daemon), or -1 when it was killed at the timeout
     * @throws LabException when the program cannot be started
     */
    public static int detached(List<String> argv, Duration timeout) {
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new LabException("cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", argv));
        }
    }

    /**
     * Runs {@code argv} with this process's standard streams (for {@code skoop lab exec}) and returns its exit
     * status.
     *
     * @throws LabException when the program cannot be started
     */
    public static int interactive(List<String> argv) {
        try {
            return new ProcessBuilder(argv).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new LabException("cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", argv));
        }
    }

    private static CompletableFuture<String> drain(InputStream s, Predicate<String> enough, CountDownLatch answered) {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder b = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
                char[] buf = new char[8192];
                int line = 0;
                for (int n; (n = r.read(buf)) >= 0; ) {
                    b.append(buf, 0, n);
                    if (enough != null) {
                        for (int nl; (nl = b.indexOf("\n", line)) >= 0; line = nl + 1) {
                            if (enough.test(b.substring(line, nl))) {
                                answered.countDown();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process was stopped while we read: what arrived is the output
            }
            return b.toString();
        }, READERS);
    }
}
