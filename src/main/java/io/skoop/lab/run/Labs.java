package io.skoop.lab.run;

import io.skoop.lab.plan.LabNetns;
import io.skoop.lab.plan.LabPlan;
import io.skoop.lab.plan.LabPlanner;
import io.skoop.lab.plan.Step;
import io.skoop.model.Names;
import io.skoop.lab.topology.ResolvedTopology;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The lab's operations on this machine's kernel: {@link #up}, {@link #down}, {@link #list}, {@link #open} and
 * {@link #exec}. Everything follows the lab's safety rules (DESIGN.md §7): every namespace carries the lab's name
 * as its prefix ({@link LabNetns}), nothing is created in or connected to the root network namespace, and
 * {@code down} removes exactly what the lab made. Needs root (CAP_NET_ADMIN); {@link LabPlanner} alone does not.
 */
public final class Labs {

    /** Bound for one build command. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@code up} waits for the listeners to open their sockets. */
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(10);

    private final LabStore store;

    /** Operations recording state in {@code store}. */
    public Labs(LabStore store) {
        this.store = store;
    }

    /** The store this uses. */
    public LabStore store() {
        return store;
    }

    /**
     * What {@code up} built.
     *
     * @param lab     the lab, up
     * @param plan    what was done
     * @param elapsed wall time of the build, listeners included
     */
    public record Built(Lab lab, LabPlan plan, Duration elapsed) {
    }

    /**
     * Builds a lab: saves its entry (status {@code building}), runs every step of {@link LabPlanner#plan}, waits for
     * the listeners, then marks it {@code up}. When a step fails, everything made so far is removed again and the
     * error names the step, its command and the kernel's message.
     *
     * @param t        the topology (its name is the lab's)
     * @param source   where it came from, for {@code list}: {@code example flannel-vxlan} or a path
     * @param fileName the file name its errors are reported against
     * @param yaml     the topology text, saved so later commands can resolve the same topology
     * @param log      receives one line per step when not null ({@code --verbose})
     * @throws LabException when not root, when a lab of that name (or a namespace with its prefix) exists, or
     *                      when a step fails
     */
    public Built up(ResolvedTopology t, String source, String fileName, String yaml, Consumer<String> log) {
        return up(t, source, fileName, yaml, log, null);
    }

    /**
     * {@link #up(ResolvedTopology, String, String, String, Consumer)}, telling {@code done} (when not null) what each step
     * did ({@link Step#what()}) once it has run: {@code LabPlanner.plan(t).steps().size()} calls, for a progress display.
     */
    public Built up(ResolvedTopology t, String source, String fileName, String yaml, Consumer<String> log, Consumer<String> done) {
        requireRoot("lab up");
        String name = t.name();
        if (store.read(name).isPresent()) {
            throw new LabException("lab " + name + " is already up; remove it with: skoop lab down " + name);
        }
        List<String> stray = labNamespaces(name);
        if (!stray.isEmpty()) {
            throw new LabException("namespaces of a lab " + name + " exist (" + String.join(", ", stray) + "); remove them with: skoop lab down "
                    + name);
        }
        LabPlan plan = LabPlanner.plan(t);
        long start = System.nanoTime();
        LabStore.Entry entry = new LabStore.Entry(name, source, fileName, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                "building", plan.namespaces());
        store.save(entry, yaml);
        try {
            for (Step s : plan.steps()) {
                if (log != null) {
                    log.accept(s.what() + ": " + s.shell());
                }
                run(s);
                if (done != null) {
                    done.accept(s.what());
                }
            }
            awaitListeners(plan);
        } catch (RuntimeException e) {
            try {
                down(name);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        LabStore.Entry up = entry.withStatus("up");
        store.save(up, null);
        return new Built(new Lab(up, t), plan, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Removes lab {@code name}: every namespace its entry lists and every namespace carrying its prefix (also
     * after an interrupted {@code up}), first stopping the processes inside them (its listeners, anything
     * {@code exec} left running), then its saved state.
     *
     * @return the namespaces removed
     * @throws LabException when not root
     * @throws IllegalArgumentException listing the labs when there is no lab {@code name}
     */
    public List<String> down(String name) {
        requireRoot("lab down");
        Set<String> all = new LinkedHashSet<>();
        store.read(name).ifPresent(e -> all.addAll(e.namespaces()));
        Set<String> existing = new LinkedHashSet<>(netnsList());
        List<String> found = labNamespaces(name, existing);
        boolean known = !all.isEmpty() || store.dir().resolve(name).toFile().isDirectory();
        all.addAll(found);
        all.retainAll(existing);
        if (all.isEmpty() && !known) {
            List<String> labs = labNames();
            throw new IllegalArgumentException("no lab '" + name + "'; labs: " + (labs.isEmpty() ? "(none)" : String.join(", ", labs))
                    + Names.didYouMean(name, labs));
        }
        stopProcesses(all);
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String ns : all) {
            Proc.Result r = Proc.run(List.of("ip", "netns", "del", ns), null, STEP_TIMEOUT);
            if (r.ok()) {
                removed.add(ns);
            } else {
                failed.add(ns + " (" + r.err().strip() + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new LabException("could not remove " + String.join(", ", failed) + "; the lab state is kept, run skoop lab down " + name
                    + " again");
        }
        store.delete(name);
        return removed;
    }

    /**
     * A lab as {@code list} shows it.
     *
     * @param entry   its saved entry, or null when only namespaces with its prefix exist (left by a crash)
     * @param name    the lab's name
     * @param present how many of its namespaces exist
     */
    public record Listed(LabStore.Entry entry, String name, int present) {
    }

    /** Every lab: saved ones, and namespaces that look like a lab's without a saved entry. */
    public List<Listed> list() {
        List<String> existing = netnsList();
        List<Listed> out = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        for (LabStore.Entry e : store.all()) {
            named.add(e.name());
            out.add(new Listed(e, e.name(), (int) e.namespaces().stream().filter(existing::contains).count()));
        }
        Set<String> orphans = new LinkedHashSet<>();
        for (String ns : existing) {
            String lab = LabNetns.labOf(ns);
            if (lab != null && !named.contains(lab)) {
                orphans.add(lab);
            }
        }
        for (String lab : orphans) {
            out.add(new Listed(null, lab, labNamespaces(lab, existing).size()));
        }
        return out;
    }

    /**
     * The lab {@code name} as saved.
     *
     * @throws IllegalArgumentException listing the labs when there is none of that name
     */
    public Lab open(String name) {
        LabStore.Entry e = store.read(name).orElseThrow(() -> {
            List<String> labs = labNames();
            return new IllegalArgumentException("no lab '" + name + "'; labs: " + (labs.isEmpty() ? "(none; start one with skoop lab up)"
                    : String.join(", ", labs)) + Names.didYouMean(name, labs));
        });
        return new Lab(e, store.topology(e));
    }

    /**
     * Runs {@code command} inside a target's namespace with this process's terminal ({@code ip netns exec}): the
     * way to inject a fault ({@code ip link set eth0 down}, {@code iptables -I INPUT -j DROP}, a sysctl…).
     *
     * @return the command's exit status
     * @throws IllegalArgumentException for an unknown lab or target
     * @throws LabException             when not root
     */
    public int exec(String labName, String target, List<String> command) {
        requireRoot("lab exec");
        return Proc.interactive(inNetns(open(labName), target, command));
    }

    /**
     * Runs {@code command} inside a target's namespace of {@code lab} and returns what it printed and its exit
     * status ({@link #exec} for scripts: nothing goes to this process's terminal).
     *
     * @param timeout the command is killed after it
     * @throws IllegalArgumentException for an unknown target
     * @throws LabException             when not root, or when the command cannot be started
     */
    public Proc.Result run(Lab lab, String target, List<String> command, Duration timeout) {
        requireRoot("lab exec");
        return Proc.run(inNetns(lab, target, command), null, timeout);
    }

    private static List<String> inNetns(Lab lab, String target, List<String> command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", lab.netns(target)));
        argv.addAll(command);
        return argv;
    }

    /**
     * Reprograms a built lab's rules for {@code t}, the same cluster whose Services or policies changed: every node's
     * {@link LabPlanner#rules} run again, as kube-proxy and the CNI's agent (flanneld, Felix) would rewrite them after
     * the API objects changed; {@code yaml} becomes the lab's saved topology, so later snapshots describe it.
     *
     * @param t    the new topology: same name, nodes and pods (names, nodes and addresses) as the lab's
     * @param yaml its text
     * @return the lab as {@code t} describes it
     * @throws IllegalArgumentException when {@code t} is another cluster than the lab's
     * @throws LabException             when not root, or when a step fails (naming it, its command and the kernel's message)
     */
    public Lab reprogram(Lab lab, ResolvedTopology t, String yaml) {
        requireRoot("lab reprogram");
        ResolvedTopology now = lab.topology();
        if (!t.name().equals(now.name()) || !t.nodes().stream().map(n -> n.name() + "=" + n.address()).toList()
                .equals(now.nodes().stream().map(n -> n.name() + "=" + n.address()).toList())
                || !t.pods().stream().map(p -> p.key() + "@" + p.node() + "=" + p.ip()).toList()
                .equals(now.pods().stream().map(p -> p.key() + "@" + p.node() + "=" + p.ip()).toList())) {
            throw new IllegalArgumentException("topology " + t.name() + " is not lab " + now.name()
                    + "'s cluster: reprogramming changes rules only; nodes and pods (names, nodes, addresses) must stay as built");
        }
        if (t.proxyMode() != now.proxyMode()) {
            throw new IllegalArgumentException("topology " + t.name() + " says proxyMode " + t.proxyMode().text() + " but lab " + now.name()
                    + " runs kube-proxy in " + now.proxyMode().text() + " mode: reprogramming keeps the mode; take the lab down and up again");
        }
        for (io.skoop.lab.topology.Node n : t.nodes()) {
            LabPlanner.rules(t, n).forEach(this::run);
        }
        store.save(lab.entry(), yaml);
        return new Lab(lab.entry(), t);
    }

    /** The namespaces of lab {@code lab} that exist now (carrying its prefix), whatever the state says. */
    public static List<String> namespaces(String lab) {
        return labNamespaces(lab);
    }

    /** The names of saved labs. */
    private List<String> labNames() {
        return store.all().stream().map(LabStore.Entry::name).toList();
    }

    private void run(Step s) {
        if (s.kind() == Step.Kind.LISTENER) {
            // setsid -f forks the listener into its own session and returns at once; whether it listens is
            // checked by awaitListeners
            int exit = Proc.detached(s.argv(), STEP_TIMEOUT);
            if (exit != 0) {
                throw failed(s, new Proc.Result(exit, "", "", exit == -1));
            }
            return;
        }
        Proc.Result r = Proc.run(s.argv(), s.stdin(), STEP_TIMEOUT);
        if (!r.ok()) {
            throw failed(s, r);
        }
    }

    private static LabException failed(Step s, Proc.Result r) {
        String why = r.timedOut() ? "did not finish within " + STEP_TIMEOUT.toSeconds() + " s" : "exited " + r.exit() + ": " + r.err().strip();
        return new LabException("lab up failed at \"" + s.what() + "\"\n  command: " + s.shell().lines().findFirst().orElse("")
                + "\n  " + why + "\neverything the lab had made was removed again");
    }

    /** Waits until every planned socket is listening ({@code ss -N NS -Hltun}). */
    private void awaitListeners(LabPlan plan) {
        long deadline = System.nanoTime() + LISTEN_TIMEOUT.toNanos();
        List<LabPlan.Socket> missing = plan.listeners();
        while (true) {
            List<LabPlan.Socket> still = new ArrayList<>();
            Map<String, String> ssByNs = new HashMap<>();
            for (LabPlan.Socket s : missing) {
                String ss = ssByNs.computeIfAbsent(s.netns(), ns -> Proc.run(List.of("ss", "-N", ns, "-Hltun"), null, STEP_TIMEOUT).out());
                if (!listening(ss, s)) {
                    still.add(s);
                }
            }
            if (still.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                LabPlan.Socket s = still.get(0);
                throw new LabException("lab up failed: " + s.owner() + " is not listening on " + (s.bind() == null ? "*"
                        : s.bind().isV6() ? "[" + s.bind() + "]" : s.bind()) + ":"
                        + s.port() + "/" + s.protocol().ianaName() + " after " + LISTEN_TIMEOUT.toSeconds() + " s (" + still.size()
                        + " listeners missing; are socat and python3 installed?)\neverything the lab had made was removed again");
            }
            missing = still;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for the listeners");
            }
        }
    }

    /** Whether {@code ss -Hltun} output shows socket {@code s}: {@code tcp LISTEN 0 5 0.0.0.0:8080 0.0.0.0:*}. */
    static boolean listening(String ss, LabPlan.Socket s) {
        String local = s.bind() == null ? "0.0.0.0:" + s.port() : s.bind().withPort(s.port());
        String netid = s.protocol().ianaName();
        for (String line : ss.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5 && f[0].equals(netid) && f[4].equals(local)) {
                return true;
            }
        }
        return false;
    }

    /** Stops every process in the namespaces: SIGTERM first, SIGKILL from the sixth round on; bounded to 20 rounds. */
    private static void stopProcesses(Collection<String> namespaces) {
        for (int round = 0; round < 20; round++) {
            List<String> pids = new ArrayList<>();
            for (String ns : namespaces) {
                Proc.run(List.of("ip", "netns", "pids", ns), null, STEP_TIMEOUT).out().lines().map(String::strip)
                        .filter(p -> p.matches("\\d+")).forEach(pids::add);
            }
            if (pids.isEmpty()) {
                return;
            }
            List<String> kill = new ArrayList<>(List.of("kill", round < 5 ? "-TERM" : "-KILL"));
            kill.addAll(pids);
            Proc.run(kill, null, STEP_TIMEOUT);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The namespace names {@code ip netns list} prints (first word of each line). */
    static List<String> netnsList() {
        Proc.Result r = Proc.run(List.of("ip", "netns", "list"), null, STEP_TIMEOUT);
        if (!r.ok()) {
            throw new LabException("ip netns list failed: " + r.err().strip());
        }
        return r.out().lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
    }

    private static List<String> labNamespaces(String lab) {
        return labNamespaces(lab, netnsList());
    }

    private static List<String> labNamespaces(String lab, Collection<String> existing) {
        return existing.stream().filter(ns -> lab.equals(LabNetns.labOf(ns))).toList();
    }

    /** Whether this process runs as root (the lab needs CAP_NET_ADMIN and /run/netns). */
    public static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    /** @throws LabException when this process is not root (the lab needs CAP_NET_ADMIN and /run/netns). */
    static void requireRoot(String what) {
        if (!isRoot()) {
            throw new LabException(what + " needs root (CAP_NET_ADMIN, to create network namespaces); run it with sudo");
        }
    }
}
