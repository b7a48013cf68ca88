package io.skoop.lab.run;

import io.skoop.lab.plan.LabPlan;
import io.skoop.model.IpFamily;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A real connection attempt through the kernel from one lab namespace to an address: {@code socat} run inside
 * the source's namespace, a TCP connect or one UDP datagram, bounded by a timeout. Lab listeners answer with
 * their banner ({@link LabPlan.Socket#banner}), so a probe says who answered — for a Service, which backend the
 * DNAT chose.
 */
public final class Probe {

    /** The default bound for one probe (connect, and the wait for the answer). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private Probe() {
    }

    /** How a probe ended. */
    public enum Outcome {
        /** Connected and got the whole answer (TCP), or got an answer (UDP). */
        CONNECTED("connected"),
        /**
         * TCP connected but the answer did not come whole: the banner came and the rest (full-sized segments) did not,
         * or not one byte came before the inactivity timeout although the lab's listeners answer at once (the first
         * segment was already full-sized). Typical of an MTU black hole.
         */
        TRUNCATED("truncated"),
        /** TCP RST or ICMP port unreachable (ECONNREFUSED): nothing listens, or a REJECT rule. */
        REFUSED("refused"),
        /** No answer within the timeout: dropped on the way or by a DROP rule, or (UDP) ignored. */
        TIMEOUT("timeout"),
        /** EHOSTUNREACH/ENETUNREACH: no route, a neighbour that did not answer, or ICMP unreachable. */
        NO_ROUTE("no route"),
        /** The connection was reset after it was established (ECONNRESET). */
        RESET("reset"),
        /** EPERM: a netfilter rule on the source's own output path dropped it. */
        BLOCKED("blocked"),
        /** Something else; the detail says what socat reported. */
        ERROR("error");

        private final String text;

        Outcome(String text) {
            this.text = text;
        }

        /** The outcome as printed, e.g. {@code no route}. */
        public String text() {
            return text;
        }
    }

    /**
     * What a probe found.
     *
     * @param source     the source as given and its namespace
     * @param sourceNetns the namespace the probe ran in
     * @param destination the address probed
     * @param port       the port
     * @param protocol   TCP or UDP
     * @param outcome    how it ended
     * @param answeredBy the listener that answered ({@code pod default/web-2 8080/tcp}), or null (no answer, or a
     *                   listener that is not the lab's)
     * @param detail     what socat reported on failure (its last error line), or ""
     * @param elapsed    wall time
     */
    public record Result(String source, String sourceNetns, Ip destination, int port, Protocol protocol, Outcome outcome,
                         String answeredBy, String detail, Duration elapsed) {
        /** Whether the probe connected. */
        public boolean connected() {
            return outcome == Outcome.CONNECTED;
        }

        /** One line: {@code default/client -> 10.96.0.2:80/tcp: connected, answered by pod default/web-2 8080/tcp}. */
        public String summary() {
            String head = source + " -> " + destination.withPort(port) + "/"
                    + protocol.ianaName() + ": " + outcome.text();
            if (connected()) {
                return head + (answeredBy != null ? ", answered by " + answeredBy : ", answered by a listener that is not the lab's");
            }
            return head + (answeredBy != null ? ", from " + answeredBy : "") + (detail.isEmpty() ? "" : " (" + detail + ")");
        }

        /** {@link #summary()}. */
        @Override
        public String toString() {
            return summary();
        }
    }

    /**
     * Probes {@code destination:port} from {@code source} in {@code lab}.
     *
     * @param lab         the lab, up
     * @param source      node, external host or {@code namespace/pod}
     * @param destination node, external host, {@code namespace/pod}, {@code svc/namespace/name} (their IPv4 address) or
     *                    an IPv4 or IPv6 address
     * @param port        1..65535
     * @param protocol    TCP or UDP
     * @param timeout     bound for the connect and for the answer
     * @throws IllegalArgumentException for unknown targets, a bad port or protocol
     * @throws LabException             when not root
     */
    public static Result run(Lab lab, String source, String destination, int port, Protocol protocol, Duration timeout) {
        return run(lab, source, destination, IpFamily.IPv4, port, protocol, timeout);
    }

    /**
     * Probes {@code destination:port} from {@code source}, a named destination by its address of {@code family}
     * ({@link Lab#address(String, IpFamily)}): {@code socat} {@code TCP4:}/{@code UDP4:} or {@code TCP6:[…]}/{@code UDP6:[…]}.
     *
     * @throws IllegalArgumentException for unknown targets, a target without an address of {@code family}, a bad port
     *                                  or protocol
     * @throws LabException             when not root
     */
    public static Result run(Lab lab, String source, String destination, IpFamily family, int port, Protocol protocol, Duration timeout) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (protocol != Protocol.TCP && protocol != Protocol.UDP) {
            throw new IllegalArgumentException("probe protocol must be tcp or udp, got " + protocol.ianaName());
        }
        Labs.requireRoot("lab probe");
        String ns = lab.netns(source);
        Ip dst = lab.address(destination, family);
        String t = String.format(Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0);
        String addr = (protocol == Protocol.TCP ? "TCP" : "UDP") + (dst.isV6() ? "6:[" + dst + "]" : "4:" + dst) + ":" + port
                + (protocol == Protocol.TCP ? ",connect-timeout=" + t : "");
        List<String> argv = List.of("ip", "netns", "exec", ns, "socat", "-T", t, "-t", t, "-", addr);
        long start = System.nanoTime();
        Proc.Result r = Proc.run(argv, protocol == Protocol.UDP ? "skoop-probe\n" : "", timeout.multipliedBy(3).plusSeconds(2),
                protocol == Protocol.UDP ? l -> l.startsWith(LabPlan.BANNER_PREFIX) : null);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String banner = r.out().lines().filter(l -> l.startsWith(LabPlan.BANNER_PREFIX)).findFirst()
                .map(l -> l.substring(LabPlan.BANNER_PREFIX.length())).orElse(null);
        boolean complete = protocol == Protocol.UDP || r.out().contains(LabPlan.END);
        Outcome o = classify(r, banner != null, complete, protocol);
        String detail = o == Outcome.CONNECTED ? "" : lastError(r);
        if (o == Outcome.CONNECTED && banner == null && r.out().isEmpty() && elapsed.compareTo(timeout) >= 0) {
            // the handshake completed but not one byte of the answer came before socat's inactivity timeout: the
            // lab's listeners answer at once, so the first (full-sized) segment was lost
            o = Outcome.TRUNCATED;
            detail = "connected, but no byte of the answer arrived within " + t + " s: full-sized segments are lost (MTU?)";
        } else if (o == Outcome.TRUNCATED) {
            int expected = LabPlan.answerLength(banner);
            detail = "the banner came, then the answer stalled at " + (r.out().length() - r.out().indexOf(LabPlan.BANNER_PREFIX)) + " of "
                    + expected + " bytes: full-sized segments are lost (MTU?)";
        } else if (o == Outcome.TIMEOUT && detail.isEmpty()) {
            detail = "no answer within " + t + " s";
        }
        return new Result(source, ns, dst, port, protocol, o, banner, detail, elapsed);
    }

    /** Classifies socat's outcome by the answer and the errno text it printed. */
    static Outcome classify(Proc.Result r, boolean answered, boolean complete, Protocol protocol) {
        if (answered) {
            return complete ? Outcome.CONNECTED : Outcome.TRUNCATED;
        }
        String err = r.err();
        if (err.contains("Connection refused")) {
            return Outcome.REFUSED;
        }
        if (err.contains("No route to host") || err.contains("Network is unreachable")) {
            return Outcome.NO_ROUTE;
        }
        if (err.contains("Connection reset")) {
            return Outcome.RESET;
        }
        if (err.contains("Operation not permitted")) {
            return Outcome.BLOCKED;
        }
        if (err.contains("timed out") || r.timedOut()) {
            return Outcome.TIMEOUT;
        }
        if (protocol == Protocol.UDP && r.exit() == 0) {
            return Outcome.TIMEOUT; // sent, nothing came back before -T
        }
        if (protocol == Protocol.TCP && r.exit() == 0) {
            return Outcome.CONNECTED; // a listener that is not the lab's accepted and closed
        }
        return Outcome.ERROR;
    }

    private static String lastError(Proc.Result r) {
        List<String> lines = r.err().lines().filter(l -> l.contains(" E ")).toList();
        if (lines.isEmpty()) {
            return r.timedOut() ? "killed after the timeout" : "";
        }
        String l = lines.get(lines.size() - 1);
        int i = l.indexOf(" E ");
        return l.substring(i + 3).strip();
    }
}
