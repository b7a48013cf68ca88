package io.skoop.testsupport

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/**
 * Network namespaces for tests that let the kernel judge the simulator.
 *
 * <p>Every namespace gets the prefix {@code skt<random>-}; {@link #close()} deletes exactly
 * the namespaces this instance made (also after a failure: use it in a try/finally or
 * Spock {@code cleanup:}/{@code cleanupSpec()}). Namespaces never connect to the root
 * namespace. Needs root (CAP_NET_ADMIN).
 *
 * <p>Root-only specs use {@code @IgnoreIf(value = { !KernelLab.available() }, reason = ...)}:
 * {@link #available()} throws under CI without root (so the suite fails instead of skipping
 * silently) and prints a loud SKIPPED line when a developer runs without root.
 */
class KernelLab implements AutoCloseable {
    final String prefix = 'skt' + Long.toString(System.nanoTime() % 1_000_000L, 36) + '-'
    private final List<String> made = []

    /** True when running as root with iproute2; fails under CI=true without root. */
    static boolean available() {
        boolean root = 'id -u'.execute().text.trim() == '0'
        boolean ip = Files.isExecutable(Path.of('/usr/sbin/ip')) || Files.isExecutable(Path.of('/sbin/ip'))
        if (root && ip) {
            return true
        }
        String why = root ? 'iproute2 is not installed' : 'not running as root'
        if (System.getenv('CI')) {
            throw new IllegalStateException("kernel tests must run in CI but cannot: $why")
        }
        System.err.println("SKIPPED kernel-judged tests: $why (CI runs them as root)")
        return false
    }

    /** Creates a namespace named prefix+short with lo up; returns the full name. */
    String netns(String shortName) {
        String name = prefix + shortName
        sh('ip', 'netns', 'add', name)
        made << name
        sh('ip', '-n', name, 'link', 'set', 'lo', 'up')
        return name
    }

    /**
     * Three namespaces in a line, as the netfilter kernel specs use them:
     * {@code client (eth0 10.0.1.2) ── c0 10.0.1.1 [router] s0 10.0.2.1 ── server (eth0 10.0.2.2)}, client and server
     * routing by default through the router, forwarding on in the router (which has no routes beyond its links).
     *
     * @return [client, router, server] namespace names
     */
    List<String> line(String client, String router, String server) {
        List<String> ns = [netns(client), netns(router), netns(server)]
        sh('ip', '-n', ns[1], 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[0])
        sh('ip', '-n', ns[1], 'link', 'add', 's0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[2])
        [[ns[0], 'eth0', '10.0.1.2/24'], [ns[1], 'c0', '10.0.1.1/24'], [ns[1], 's0', '10.0.2.1/24'], [ns[2], 'eth0', '10.0.2.2/24']].each { n, dev, a ->
            exec(n, 'ip', 'addr', 'add', a, 'dev', dev)
            exec(n, 'ip', 'link', 'set', dev, 'up')
        }
        exec(ns[0], 'ip', 'route', 'add', 'default', 'via', '10.0.1.1')
        exec(ns[2], 'ip', 'route', 'add', 'default', 'via', '10.0.2.1')
        exec(ns[1], 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
        ns
    }

    /** Runs a command inside a namespace and returns stdout; fails with stderr on error. */
    String exec(String ns, String... cmd) {
        return sh((['ip', 'netns', 'exec', ns] + (cmd as List)) as String[])
    }

    /** Like {@link #exec} but returns [exitCode, stdout, stderr] instead of failing. */
    List run(String ns, String... cmd) {
        return runCmd((['ip', 'netns', 'exec', ns] + (cmd as List)) as String[])
    }

    /** Runs a command inside the namespace with text on stdin (e.g. iptables-restore). */
    String execInput(String ns, String input, String... cmd) {
        def r = runCmdInput(input, (['ip', 'netns', 'exec', ns] + (cmd as List)) as String[])
        if (r[0] != 0) {
            throw new IllegalStateException("${cmd.join(' ')} in $ns failed (${r[0]}): ${r[2]}")
        }
        return r[1]
    }

    /** Runs a host command (e.g. ip link add ... netns X); fails with stderr on error. */
    static String sh(String... cmd) {
        def r = runCmd(cmd)
        if (r[0] != 0) {
            throw new IllegalStateException("${cmd.join(' ')} failed (${r[0]}): ${r[2]}")
        }
        return r[1]
    }

    static List runCmd(String... cmd) {
        return runCmdInput(null, cmd)
    }

    /**
     * Runs a command, feeding {@code input} (may be null) on stdin; returns [exit, stdout, stderr].
     * Both output streams are read to EOF by their own readers before the exit code is taken,
     * so no output is lost (60 s limit).
     */
    static List runCmdInput(String input, String... cmd) {
        def p = new ProcessBuilder(cmd).start()
        def out = CompletableFuture.supplyAsync { p.inputStream.getText('UTF-8') }
        def err = CompletableFuture.supplyAsync { p.errorStream.getText('UTF-8') }
        p.outputStream.withWriter('UTF-8') { if (input != null) { it << input } }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new IllegalStateException("timeout: ${cmd.join(' ')}")
        }
        return [p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS)]
    }

    /** Names of the namespaces this instance made and has not deleted yet. */
    List<String> namespaces() {
        return List.copyOf(made)
    }

    /** Deletes every namespace this instance made. */
    @Override
    void close() {
        for (String ns : made.reverse()) {
            runCmd('ip', 'netns', 'del', ns)
        }
        made.clear()
    }
}
