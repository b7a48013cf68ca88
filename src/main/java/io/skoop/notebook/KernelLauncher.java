package io.skoop.notebook;

import io.skoop.dsl.Session;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.Loop;
import org.dflib.jjava.jupyter.channels.ShellChannel;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/**
 * Starts {@link SkoopKernel} on a Jupyter connection file (what the kernelspec's {@code argv} runs:
 * {@code skoop notebook kernel {connection_file}}) and serves until Jupyter shuts it down.
 *
 * <p>Safety: the kernel binds only loopback addresses (or {@code ipc}) unless told otherwise — a connection file naming
 * another address is refused, since anyone who can reach the ports and knows the key runs code here. Every message is
 * checked against the connection's HMAC key; a message with a bad signature is refused and logged, and the channel
 * keeps serving (jjava's channel loop would otherwise stop on it).
 */
public final class KernelLauncher {
    private KernelLauncher() {
    }

    /**
     * Serves the kernel on {@code connectionFile} until a {@code shutdown_request}.
     *
     * @param allowRemote bind the address the file names even when it is not loopback
     * @param log         the kernel's log (its standard error)
     * @throws IllegalArgumentException for a missing or malformed connection file, or a non-loopback address
     */
    public static void serve(Path connectionFile, boolean allowRemote, PrintStream log) throws IOException {
        KernelConnectionProperties props = properties(connectionFile, allowRemote);
        SkoopKernel kernel = new SkoopKernel(new Session(), log);
        JupyterConnection connection = connect(props, kernel, log);
        connection.waitUntilClose();
        kernel.onShutdown(false);
    }

    /** Reads and checks a connection file. */
    static KernelConnectionProperties properties(Path file, boolean allowRemote) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + " (no such connection file: Jupyter writes one and passes it as {connection_file})");
        }
        KernelConnectionProperties props;
        try {
            props = KernelConnectionProperties.parse(Files.readString(file));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not a Jupyter connection file (JSON with ip, transport, the five ports, key, "
                    + "signature_scheme): " + e.getMessage());
        }
        if (props.getTransport() == null || props.getIp() == null || props.getShellPort() == 0 && props.getTransport().equals("tcp")) {
            throw new IllegalArgumentException(file + ": no transport, ip or shell_port: not a Jupyter connection file");
        }
        if (!allowRemote && props.getTransport().equals("tcp") && !loopback(props.getIp())) {
            throw new IllegalArgumentException(file + " asks the kernel to listen on " + props.getIp() + ", which is not a loopback address: "
                    + "anyone reaching it with the key runs code here. Use 127.0.0.1, or --allow-remote if you mean it");
        }
        return props;
    }

    static boolean loopback(String ip) {
        try {
            return InetAddress.getByName(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Binds the kernel's sockets and makes the kernel their handler; forged messages are refused without stopping a channel. */
    static JupyterConnection connect(KernelConnectionProperties props, SkoopKernel kernel, PrintStream log) {
        JupyterConnection connection;
        try {
            connection = new JupyterConnection(props);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign messages with the connection's signature_scheme "
                    + props.getSignatureScheme() + ": " + e.getMessage());
        }
        kernel.onStartup();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        refuseForgeries(connection, log);
        return connection;
    }

    /**
     * A message whose HMAC signature does not match is rejected by jjava's socket with a {@link SecurityException}, which
     * ends the channel's loop thread (the kernel then never answers again). The loops of the shell and control channels
     * get an error handler that logs and drops such a message and goes on.
     */
    private static void refuseForgeries(JupyterConnection connection, PrintStream log) {
        for (String channel : List.of("shell", "control")) {
            try {
                Field f = JupyterConnection.class.getDeclaredField(channel);
                f.setAccessible(true);
                ShellChannel ch = (ShellChannel) f.get(connection);
                Field loop = ShellChannel.class.getDeclaredField("ioloop");
                loop.setAccessible(true);
                Loop l = (Loop) loop.get(ch);
                l.onError(t -> {
                    if (t instanceof SecurityException) {
                        log.println("skoop kernel: refused a message on the " + channel + " channel: " + t.getMessage());
                        log.flush();
                        return 50;
                    }
                    if (t instanceof Error e) {
                        throw e;
                    }
                    throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
                });
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("jjava's channels changed (" + e + "): cannot guard them against forged messages", e);
            }
        }
    }

    /**
     * Starts the kernel on free loopback ports, runs a few cells as a notebook would (a sum, a diagnosis of the embedded
     * example shown as the notebook shows it) and stops: the class-loading run that makes the start-up archive
     * (AppCDS) of {@code scripts/skoop notebook kernel}.
     */
    public static void warmUp(PrintStream log) throws IOException {
        KernelConnectionProperties props = new KernelConnectionProperties("127.0.0.1", freePort(), freePort(), freePort(), freePort(),
                freePort(), "tcp", "hmac-sha256", "warm-up");
        SkoopKernel kernel = new SkoopKernel(new Session(), log);
        JupyterConnection connection = connect(props, kernel, log);
        try {
            CellEvaluator ev = kernel.evaluator();
            ev.eval("1 + 1", "warm-up");
            Object d = ev.eval("example('flannel-vxlan')\ndiagnose(pod('default/client'), service('default/web', 80))", "warm-up").value();
            kernel.displays().render(d);
            kernel.complete("diag", 4);
            kernel.isComplete("1 +");
        } finally {
            kernel.onShutdown(false);
            connection.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
