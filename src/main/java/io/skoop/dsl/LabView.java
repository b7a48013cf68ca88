package io.skoop.dsl;

import io.skoop.diagnose.Query;
import io.skoop.lab.flannel.Flannel;
import io.skoop.lab.run.Lab;
import io.skoop.lab.run.LabException;
import io.skoop.lab.run.LabSnapshot;
import io.skoop.lab.run.Labs;
import io.skoop.lab.run.Probe;
import io.skoop.lab.run.Proc;
import io.skoop.lab.topology.ContainerPort;
import io.skoop.lab.topology.ExternalHost;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedService;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import io.skoop.model.Level;
import io.skoop.model.Protocol;
import io.skoop.model.Suspicion;
import io.skoop.snapshot.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A lab cluster as a script sees it ({@code def lab = lab('flannel-vxlan')}): the lab that is up on this machine and
 * the session working on its snapshot. {@link #exec} changes the lab (a fault), {@link #probe} asks the kernel,
 * {@link #check} compares the kernel with a diagnosis, {@link #snapshot()} re-takes the snapshot, {@link #down()}
 * removes the lab.
 *
 * <p>After {@code exec} the session's snapshot is out of date: the next verb that reads it (diagnose, routeGet,
 * trace, netns, netnode…) first re-takes it, once, however many {@code exec}s came before — so a fault is always
 * diagnosed as the kernel has it. {@code exec} and {@code snapshot()} make the session work on this lab again when it
 * had turned to another snapshot. Snapshots go to temporary folders, removed when the JVM exits
 * ({@code snapshot('/path')} writes one that stays).
 *
 * <p>A lab stays up after the script (a later {@code lab('NAME')}, {@code skoop lab probe NAME …} or another script
 * can use it); {@link #down()} or {@code skoop lab down NAME} removes it. Needs root, as every lab operation.
 */
public final class LabView {
    /** What the lab's snapshots name as their writer. */
    static final String TOOL = "skoop DSL lab()";
    /** Bound for one {@link #exec} command. */
    static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);

    private static final Set<Path> TEMPORARY = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TEMPORARY.forEach(LabView::deleteTree), "skoop-lab-snapshots"));
    }

    private final Session session;
    private final Labs labs;
    private final Lab lab;
    private final String topologyYaml;
    private final boolean reused;
    private final Duration upTime;
    private Snapshot snapshot;
    private Duration snapshotTime;
    private boolean stale;
    private boolean down;
    private Duration probeTimeout = Probe.DEFAULT_TIMEOUT;

    /**
     * @param session      the script's session, which works on this lab's snapshots
     * @param labs         the lab operations (and store) the lab lives in
     * @param lab          the lab, up
     * @param topologyYaml its topology text (written into every snapshot)
     * @param upTime       how long bringing it up took, or null when it was already up
     */
    LabView(Session session, Labs labs, Lab lab, String topologyYaml, Duration upTime) {
        this.session = session;
        this.labs = labs;
        this.lab = lab;
        this.topologyYaml = topologyYaml;
        this.reused = upTime == null;
        this.upTime = upTime;
    }

    /** The lab's name: the prefix of every namespace it made. */
    public String getName() {
        return lab.name();
    }

    /** The resolved topology: nodes, pods, Services, external hosts with every address allocated. */
    public ResolvedTopology getTopology() {
        return lab.topology();
    }

    /** The lab itself (its saved entry; {@code netns(target)}, {@code address(target)}, {@code targets()}). */
    public Lab getLab() {
        return lab;
    }

    /** True when the lab was already up and this script only took its snapshot. */
    public boolean isReused() {
        return reused;
    }

    /** How long bringing the lab up took (listeners included), or null when it was already up. */
    public Duration getUpTime() {
        return upTime;
    }

    /** The latest snapshot taken of the lab (null before the first). */
    public Snapshot getSnapshot() {
        return snapshot;
    }

    /** How long the latest snapshot took. */
    public Duration getSnapshotTime() {
        return snapshotTime;
    }

    /** The bound of one {@link #probe} (default 2 s): a probe that gets no answer ends after it. */
    public Duration getProbeTimeout() {
        return probeTimeout;
    }

    /** Sets the bound of one probe (shorter makes failing probes faster; 0.5 s is about the least that is safe). */
    public void setProbeTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probeTimeout must be a positive duration, e.g. java.time.Duration.ofMillis(1200)");
        }
        this.probeTimeout = timeout;
    }

    /**
     * Takes a new snapshot of the lab now (into a temporary folder) and makes the session work on it.
     *
     * @throws LabException when the lab was taken down or a namespace cannot be dumped
     */
    public Snapshot snapshot() {
        return session.use(takeTemporary());
    }

    /**
     * Takes a new snapshot of the lab into {@code dir} (new or empty; kept) and makes the session work on it.
     *
     * @throws LabException when {@code dir} holds files, the lab was taken down or a namespace cannot be dumped
     */
    public Snapshot snapshot(String dir) {
        return session.use(take(Path.of(dir)));
    }

    /**
     * Makes the session work on this lab again: on its latest snapshot, or on a new one when the lab changed since.
     *
     * @return the snapshot
     */
    public Snapshot use() {
        return session.use(stale || snapshot == null ? takeTemporary() : snapshot);
    }

    private Snapshot takeTemporary() {
        alive("snapshot");
        Path dir;
        try {
            dir = Files.createTempDirectory("skoop-lab-" + getName() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary folder for the snapshot of lab " + getName(), e);
        }
        TEMPORARY.add(dir);
        return take(dir);
    }

    private Snapshot take(Path dir) {
        alive("snapshot");
        LabSnapshot.Taken t = LabSnapshot.take(lab, topologyYaml, dir, TOOL);
        snapshot = Snapshot.open(dir);
        snapshotTime = t.elapsed();
        stale = false;
        return snapshot;
    }

    /**
     * Runs a command in a node's, pod's ({@code namespace/pod}) or external host's namespace — the way to inject a
     * fault. A text is a shell command line ({@code sh -c}: {@code 'ip link set eth0 down'},
     * {@code 'iptables -D INPUT -j DROP && sysctl -w net.ipv4.ip_forward=1'}); a list is the argv as is. The next verb
     * that reads the snapshot re-takes it first.
     *
     * @return what the command printed on its standard output
     * @throws LabException             when it exits non-zero (with its exit status and error output) or runs past 60 s,
     *                                  or when the lab was taken down
     * @throws IllegalArgumentException for an unknown target (naming the targets) or a command that is neither text
     *                                  nor a list
     */
    public String exec(String target, Object command) {
        alive("exec");
        List<String> argv = new ArrayList<>();
        if (command instanceof CharSequence c) {
            argv.addAll(List.of("sh", "-c", c.toString()));
        } else if (command instanceof List<?> l && !l.isEmpty()) {
            l.forEach(a -> argv.add(String.valueOf(a)));
        } else {
            throw new IllegalArgumentException("exec: the command is a shell line ('ip link set eth0 down') or a list (['ip', 'link', 'set', "
                    + "'eth0', 'down']), got " + (command == null ? "null" : command.getClass().getSimpleName() + " '" + command + "'"));
        }
        Proc.Result r = labs.run(lab, target, argv, EXEC_TIMEOUT);
        stale = true;
        session.refreshBeforeNextUse(() -> down ? snapshot : takeTemporary());
        if (!r.ok()) {
            String shown = command instanceof CharSequence ? command.toString() : String.join(" ", argv);
            throw new LabException("exec on " + target + " in lab " + getName() + ": `" + shown + "` "
                    + (r.timedOut() ? "did not finish within " + EXEC_TIMEOUT.toSeconds() + " s" : "exited " + r.exit())
                    + (r.err().isBlank() ? "" : ": " + r.err().strip()));
        }
        return r.out();
    }

    /**
     * Asks the kernel: a real connection from {@code source} to {@code destination} on the destination's own port
     * ({@code service('default/web', 80)}, {@code pod('default/web-2', 8080)}).
     *
     * @see #probe(Object, Object, Object, Object)
     */
    public Probe.Result probe(Object source, Object destination) {
        return probe(source, destination, null, null);
    }

    /** Asks the kernel, on {@code port}. @see #probe(Object, Object, Object, Object) */
    public Probe.Result probe(Object source, Object destination, Object port) {
        return probe(source, destination, port, null);
    }

    /**
     * Asks the kernel: a real connection attempt ({@link Probe}) from the source's namespace, bounded by
     * {@link #getProbeTimeout()}.
     *
     * @param source      {@code pod(...)}, {@code node(...)}, {@code ip(...)} of a node, pod or external host, or a
     *                    lab target as {@code skoop lab probe} takes it ({@code 'default/client'}, {@code 'node-1'},
     *                    {@code 'internet'})
     * @param destination an endpoint ({@code service('default/web', 80)}) or a lab target ({@code 'svc/default/web'},
     *                    {@code 'default/web-2'}, {@code 'node-2'}, an IPv4 address)
     * @param port        a number, a Service or container port name, or null for the destination's own
     * @param protocol    {@code tcp}/{@code udp} (or their names), or null for the destination's own, else TCP
     * @return how the connection ended and who answered ({@code connected()}, {@code outcome()}, {@code summary()})
     * @throws IllegalArgumentException for an unknown target, a missing or unknown port
     * @throws LabException             when the lab was taken down
     */
    public Probe.Result probe(Object source, Object destination, Object port, Object protocol) {
        alive("probe");
        EndpointRef dst = destination instanceof EndpointRef e ? e : null;
        Protocol p = protocol == null ? dst != null && dst.protocol() != null ? dst.protocol() : Protocol.TCP
                : protocol instanceof Protocol x ? x : Protocol.parse(protocol.toString());
        String d = destination instanceof EndpointRef e ? target(e.spec(), false) : text(destination, "destination");
        String s = source instanceof EndpointRef e ? target(e.spec(), true) : text(source, "source");
        return Probe.run(lab, s, d, port(port != null ? port : dst == null ? null : dst.port(), d, p), p, probeTimeout);
    }

    /** Asks the kernel about the flow {@code diagnosis} is about: the same source, destination, port and protocol. */
    public Probe.Result probe(DiagnosisView diagnosis) {
        alive("probe");
        Query q = diagnosis.getDiagnosis().query();
        String d = target(q.destination(), false);
        return Probe.run(lab, target(q.source(), true), d, port(q.port(), d, q.protocol()), q.protocol(), probeTimeout);
    }

    /**
     * Probes the flow of {@code diagnosis} and judges the diagnosis by the kernel (DESIGN.md §3): a connection the
     * kernel completes must be REACHABLE without a FATAL suspicion; one it cannot complete must carry a FATAL or
     * CRITICAL suspicion.
     */
    public KernelCheck check(DiagnosisView diagnosis) {
        return KernelCheck.judge(probe(diagnosis), diagnosis);
    }

    /**
     * A diagnosis judged by the kernel.
     *
     * @param probe     what the kernel did with the flow
     * @param diagnosis what skoop says about it
     * @param agrees    whether they agree (DESIGN.md §3)
     * @param why       one line: why they agree or not
     */
    public record KernelCheck(Probe.Result probe, DiagnosisView diagnosis, boolean agrees, String why) {
        /** Judges {@code diagnosis} by {@code probe}. */
        public static KernelCheck judge(Probe.Result probe, DiagnosisView diagnosis) {
            List<Suspicion> breaking = diagnosis.getSuspicions().stream()
                    .filter(s -> s.level() == Level.FATAL || s.level() == Level.CRITICAL).toList();
            boolean fatal = breaking.stream().anyMatch(s -> s.level() == Level.FATAL);
            String verdict = diagnosis.getVerdict().name();
            if (probe.connected()) {
                boolean ok = diagnosis.isReachable() && !fatal;
                return new KernelCheck(probe, diagnosis, ok, ok ? "the kernel completes the connection and skoop finds it " + verdict
                        + (breaking.isEmpty() ? "" : " (" + breaking.get(0) + " concerns other branches)")
                        : "the kernel completes the connection, yet skoop says " + verdict + (fatal ? " with " + first(breaking, Level.FATAL) : ""));
            }
            if (probe.outcome() == Probe.Outcome.ERROR) {
                return new KernelCheck(probe, diagnosis, false, "the probe ended in an error, which judges nothing: " + probe.detail());
            }
            String outcome = probe.outcome().text();
            return new KernelCheck(probe, diagnosis, !breaking.isEmpty(), breaking.isEmpty()
                    ? "the kernel cannot complete the connection (" + outcome + "), yet skoop says " + verdict + " with no FATAL or CRITICAL suspicion"
                    : "the kernel cannot complete the connection (" + outcome + ") and skoop says " + verdict + ": " + breaking.get(0));
        }

        private static Suspicion first(List<Suspicion> all, Level level) {
            return all.stream().filter(s -> s.level() == level).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return "kernel: " + probe.summary() + "\nskoop:  " + diagnosis.getVerdict() + "\n" + (agrees ? "agree: " : "DISAGREE: ") + why;
        }
    }

    /**
     * Removes the lab: every namespace carrying its name, its processes and its saved state. The session keeps the
     * latest snapshot (it needs no lab).
     *
     * @return the namespaces removed
     * @throws LabException when a namespace is left behind (naming it)
     */
    public List<String> down() {
        alive("down");
        List<String> removed = labs.down(getName());
        down = true;
        List<String> left = Labs.namespaces(getName());
        if (!left.isEmpty()) {
            throw new LabException("lab " + getName() + " is down, but namespaces with its name are left: " + String.join(", ", left)
                    + "; run skoop lab down " + getName());
        }
        return removed;
    }

    /** True when {@link #down()} removed the lab. */
    public boolean isDown() {
        return down;
    }

    private void alive(String what) {
        if (down) {
            throw new LabException(what + ": lab " + getName() + " was taken down; bring it up again with lab(...)");
        }
    }

    /** A lab target from an endpoint as skoop writes it (Query, EndpointRef.spec()). */
    private String target(String spec, boolean source) {
        if (spec.startsWith("node/")) {
            return spec.substring(5);
        }
        if (spec.startsWith("svc/") && source) {
            throw new IllegalArgumentException("probe: a Service (" + spec + ") is a destination, not a source");
        }
        Ip ip = Ip.tryParse(spec);
        return ip != null && source ? holder(ip) : spec;
    }

    /** The node, external host or pod whose address {@code ip} is (a probe runs in the source's namespace). */
    private String holder(Ip ip) {
        ResolvedTopology t = getTopology();
        for (Node n : t.nodes()) {
            if (n.addresses().contains(ip)) {
                return n.name();
            }
        }
        for (ExternalHost h : t.externalHosts()) {
            if (h.addresses().contains(ip)) {
                return h.name();
            }
        }
        for (Pod p : t.pods()) {
            if (p.ips().contains(ip)) {
                return p.key();
            }
        }
        throw new IllegalArgumentException("probe: no node, external host or pod of lab " + getName() + " has address " + ip
                + " (a probe runs in its source's namespace)");
    }

    private static String text(Object o, String what) {
        if (o instanceof CharSequence c) {
            return c.toString();
        }
        throw new IllegalArgumentException("probe: the " + what + " is an endpoint (pod(...), node(...), service(...), ip(...)) or a lab target "
                + "('default/client', 'node-1', 'svc/default/web'), got " + (o == null ? "null" : o.getClass().getSimpleName() + " '" + o + "'"));
    }

    /** A port number, or a Service's or pod's port name looked up in the topology. */
    private int port(Object port, String destination, Protocol protocol) {
        if (port == null) {
            throw new IllegalArgumentException("probe needs a port: probe(source, destination, PORT), or a destination with its port "
                    + "(service('default/web', 80))");
        }
        if (port instanceof Number n) {
            return n.intValue();
        }
        String name = port.toString();
        if (name.matches("\\d{1,5}")) {
            return Integer.parseInt(name);
        }
        List<String> known = new ArrayList<>();
        if (destination.startsWith("svc/")) {
            ResolvedService s = getTopology().service(destination.substring(4));
            for (ResolvedService.Port p : s.ports()) {
                if (name.equals(p.port().name()) && p.port().protocol() == protocol) {
                    return p.port().port();
                }
                known.add(p.port().name());
            }
        } else if (destination.contains("/") && Ip.tryParse(destination) == null) {
            for (ContainerPort p : getTopology().pod(destination).ports()) {
                if (name.equals(p.name()) && p.protocol() == protocol) {
                    return p.port();
                }
                known.add(p.name());
            }
        }
        throw new IllegalArgumentException("probe: " + destination + " has no " + protocol.ianaName() + " port named '" + name + "'"
                + (known.isEmpty() ? "" : " (ports: " + String.join(", ", known) + ")"));
    }

    @Override
    public String toString() {
        ResolvedTopology t = getTopology();
        StringBuilder sb = new StringBuilder("lab ").append(getName()).append(" (flannel ").append(Flannel.backend(t).text()).append(", ")
                .append(lab.entry().source()).append("): ").append(count(t.nodes().size(), "node")).append(", ")
                .append(count(t.pods().size(), "pod")).append(", ").append(count(t.services().size(), "Service")).append(", ")
                .append(count(t.externalHosts().size(), "external host"));
        if (down) {
            return sb.append("; taken down").toString();
        }
        sb.append(reused ? "; was up already" : String.format(Locale.ROOT, "; up in %.1f s", upTime.toMillis() / 1000.0));
        if (snapshot != null) {
            sb.append(String.format(Locale.ROOT, ", snapshot in %.1f s (%s)", snapshotTime.toMillis() / 1000.0, snapshot.dir()));
        }
        return sb.append("\n  it stays up after the script: lab.down() or skoop lab down ").append(getName()).append(" removes it").toString();
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder; the OS cleans /tmp
        }
    }
}
