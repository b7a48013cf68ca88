package io.skoop.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Kernel start to the first {@code execute_reply}, as a notebook sees it: the clock starts when
 * {@code scripts/skoop notebook kernel CONNECTION_FILE} is started (what Jupyter runs from the kernelspec) and stops when
 * the reply to a signed {@code execute_request} of {@code 1 + 1}, sent on the shell channel as soon as the process
 * runs (ZeroMQ queues it until the kernel binds), comes back. {@code -p kernel=…}: {@code cds} (with its AppCDS
 * archive, made in {@code @Setup} if missing), {@code nocds} ({@code SKOOP_KERNEL_CDS=0}). Compare with
 * {@link ShellStartBenchmark}'s time to prompt. Needs {@code mvn package} first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KernelStartBenchmark {
    @Param({"cds", "nocds"})
    String kernel;

    Path root;
    Path dir;
    Process process;
    ZContext zmq;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("target/skoop.jar"))) {
            throw new IllegalStateException("target/skoop.jar is missing: run 'mvn -DskipTests package' first");
        }
        dir = Files.createTempDirectory("skoop-kernel-bench");
        zmq = new ZContext();
        if (kernel.equals("cds")) {
            // the launcher makes the archive on the first start after a build
            startAndReply();
            stop();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        zmq.close();
    }

    /** Milliseconds from starting the kernel to the reply of its first cell. */
    @Benchmark
    public String firstReply() throws IOException, InterruptedException {
        return startAndReply();
    }

    @TearDown(Level.Iteration)
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process = null;
        }
    }

    private String startAndReply() throws IOException, InterruptedException {
        int[] ports = new int[5];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = freePort();
        }
        String key = UUID.randomUUID().toString();
        Path conn = dir.resolve("kernel-" + System.nanoTime() + ".json");
        Files.writeString(conn, String.format("{\"ip\": \"127.0.0.1\", \"transport\": \"tcp\", \"shell_port\": %d, \"iopub_port\": %d, "
                + "\"stdin_port\": %d, \"control_port\": %d, \"hb_port\": %d, \"key\": \"%s\", \"signature_scheme\": \"hmac-sha256\"}",
                ports[0], ports[1], ports[2], ports[3], ports[4], key));
        ProcessBuilder pb = new ProcessBuilder(root.resolve("scripts/skoop").toString(), "notebook", "kernel", conn.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (kernel.equals("nocds")) {
            pb.environment().put("SKOOP_KERNEL_CDS", "0");
        }
        process = pb.start();
        try (ZMQ.Socket shell = zmq.createSocket(SocketType.DEALER)) {
            shell.setReceiveTimeOut(60_000);
            shell.connect("tcp://127.0.0.1:" + ports[0]);
            String header = String.format("{\"msg_id\": \"%s\", \"username\": \"bench\", \"session\": \"%s\", \"msg_type\": \"execute_request\", "
                    + "\"version\": \"5.3\", \"date\": \"2026-01-01T00:00:00Z\"}", UUID.randomUUID(), UUID.randomUUID());
            String content = "{\"code\": \"1 + 1\", \"silent\": false, \"store_history\": true, \"user_expressions\": {}, "
                    + "\"allow_stdin\": false, \"stop_on_error\": true}";
            String[] frames = {header, "{}", "{}", content};
            shell.sendMore("<IDS|MSG>");
            shell.sendMore(sign(key, frames));
            for (int i = 0; i < frames.length; i++) {
                if (i < frames.length - 1) {
                    shell.sendMore(frames[i]);
                } else {
                    shell.send(frames[i]);
                }
            }
            while (true) {
                String delimiter = shell.recvStr();
                if (delimiter == null) {
                    throw new IllegalStateException("no reply from the kernel within 60 s");
                }
                shell.recvStr(); // signature
                String replyHeader = shell.recvStr();
                while (shell.hasReceiveMore()) {
                    shell.recv();
                }
                if (replyHeader.contains("\"execute_reply\"")) {
                    return replyHeader;
                }
            }
        }
    }

    private static String sign(String key, String[] frames) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (String f : frames) {
                mac.update(f.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
