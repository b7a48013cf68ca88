package io.skoop.lab.plan;

import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.List;

/**
 * Everything {@code skoop lab up} does, in order, before it does it: the namespaces it creates, the commands that
 * program them and the listeners it starts. {@link LabPlanner#plan} computes it without touching the kernel, so
 * it can be printed ({@code skoop lab up --dry-run}) and checked without root.
 *
 * @param topology   the resolved topology the plan builds
 * @param namespaces every namespace the lab creates (each starts with {@link LabNetns#prefix}); {@code lab down}
 *                   removes exactly these
 * @param steps      commands in execution order: namespaces, devices, addresses, routes, neighbours, FDB,
 *                   sysctls, iptables, then listeners
 * @param listeners  the sockets the listener steps open, to wait for before the lab is declared up
 */
public record LabPlan(ResolvedTopology topology, List<String> namespaces, List<Step> steps, List<Socket> listeners) {
    public LabPlan {
        namespaces = List.copyOf(namespaces);
        steps = List.copyOf(steps);
        listeners = List.copyOf(listeners);
    }

    /**
     * A listening socket of the lab and what it answers: every lab listener replies to a datagram (UDP) with one
     * line, its {@link #banner}, and to a connection (TCP) with the banner, {@value #TCP_PADDING} bytes of padding
     * and the line {@value #END}, then closes — so a probe can tell which backend answered, and that full-sized
     * segments come back (an MTU black hole lets the banner through and stalls the padding).
     *
     * @param netns    the namespace it listens in
     * @param owner    who listens: {@code node node-1}, {@code pod default/web-1}, {@code external internet}
     * @param bind     the address it is bound to, null for every IPv4 address (0.0.0.0), {@code ::} for every IPv6
     *                 address (an {@code IPV6_V6ONLY} socket)
     * @param port     1..65535
     * @param protocol TCP or UDP
     */
    public record Socket(String netns, String owner, Ip bind, int port, Protocol protocol) {
        /** The line the listener answers with: {@code skoop-lab <owner> <port>/<protocol>}. */
        public String banner() {
            return BANNER_PREFIX + owner + " " + port + "/" + protocol.ianaName();
        }
    }

    /** Bytes of padding after the banner in a TCP answer: several full-sized segments at any lab MTU. */
    public static final int TCP_PADDING = 4096;
    /** The last line of a TCP answer. */
    public static final String END = "skoop-lab-end";

    /**
     * The bytes of a TCP listener's whole answer, given its owner and port as the banner names them ({@code pod
     * default/web-1 8080/tcp}): banner line, padding and newline, end line.
     */
    public static int answerLength(String bannerAfterPrefix) {
        return BANNER_PREFIX.length() + bannerAfterPrefix.length() + 1 + TCP_PADDING + 1 + END.length() + 1;
    }

    /** What every lab listener's answer starts with. */
    public static final String BANNER_PREFIX = "skoop-lab ";
}
