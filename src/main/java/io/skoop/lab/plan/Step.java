package io.skoop.lab.plan;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One command of a lab build: run to completion ({@link Kind#COMMAND}) or started in the background
 * ({@link Kind#LISTENER}, a server that lives as long as the lab).
 *
 * @param what   what the step makes, for progress output and error messages (e.g. {@code "node-1: flannel.1"})
 * @param netns  the lab namespace it acts on ({@code ip -n NS …}, {@code ip netns exec NS …}), or null for
 *               {@code ip netns add} itself
 * @param argv   the full command line, e.g. {@code [ip, -n, vxlan.node.node-1, link, set, eth0, up]}
 * @param stdin  text fed to the command's standard input (iptables-restore input), or null
 * @param kind   whether to wait for it
 */
public record Step(String what, String netns, List<String> argv, String stdin, Kind kind) {

    /** How a step runs. */
    public enum Kind {
        /** Runs to completion; a non-zero exit fails the build. */
        COMMAND,
        /** A listener (socat) started detached ({@code setsid -f}); it runs until {@code lab down} kills it. */
        LISTENER
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    public Step {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(kind, "kind");
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command for " + what);
        }
    }

    /** The command as a POSIX shell line (single-quoting what needs it), stdin as a here-document. */
    public String shell() {
        StringBuilder s = new StringBuilder();
        for (String a : argv) {
            if (!s.isEmpty()) {
                s.append(' ');
            }
            s.append(PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        if (stdin != null) {
            s.append(" <<'EOF'\n").append(stdin).append(stdin.endsWith("\n") ? "" : "\n").append("EOF");
        }
        return s.toString();
    }
}
