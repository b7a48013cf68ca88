package io.skoop.diagnose;

import io.skoop.k8s.IPCache;
import io.skoop.model.Hop;
import io.skoop.model.Ip;
import io.skoop.model.Level;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.PacketPath;
import io.skoop.model.Suspicion;
import io.skoop.network.provider.GenericProvider;
import io.skoop.network.provider.Provider;
import io.skoop.network.Network;
import io.skoop.snapshot.Snapshot;
import io.skoop.snapshot.k8s.KService;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Diagnoses connectivity on a snapshot (seed: Diagnostor): does a new connection from the source
 * to the destination succeed, and if not, why?
 *
 * <p>A breadth-first walk over transmissions: the client's NetNode sends the first packet, each
 * NetNode that receives it says where every branch goes next (the engine simulating that
 * namespace's real routes, rules, bridges, VXLAN FDB and sockets), until every branch is
 * delivered to a socket, dropped, or undecidable. Then each delivered branch's reply is walked
 * back from the server with the conntrack entries the request created. A branch that comes back
 * to a hop with the same packet on the same device is a forwarding loop, and one that crosses
 * more than {@value #HOP_LIMIT} links exceeds the hop limit: both end with a FATAL suspicion
 * instead of running forever.
 *
 * <p>The verdict (DESIGN.md §3): REACHABLE when some branches complete both ways (FATAL
 * suspicions of the branches that do not are lowered to CRITICAL, with the share of connections
 * they break); UNKNOWN when none completes and an undecidable construct ends a branch;
 * UNREACHABLE otherwise.
 */
public final class Diagnostor {
    /** Links a branch may cross before it is stopped (an IP TTL of 64 would allow 64 routers). */
    public static final int HOP_LIMIT = 64;
    /** Branches a walk may hold (statistic × NAT fan-out) before it stops with UNKNOWN. */
    public static final int MAX_BRANCHES = 4096;

    private final Snapshot snapshot;
    private final IPCache ipCache;
    private final NetNodeManager manager;
    private final Targets targets;
    private final PolicyIntent policyIntent;
    private final List<Suspicion> setup = new ArrayList<>();
    private java.util.function.Consumer<String> progress = step -> { };

    /** A Diagnostor over a snapshot with the generic provider. */
    public Diagnostor(Snapshot snapshot) {
        this(snapshot, new GenericProvider());
    }

    /**
     * A Diagnostor over a snapshot on a provider's infrastructure: the network ({@link Network#of}) takes the CNI
     * plugin from {@code snapshot.json}'s {@code cni}/{@code cniBackend} and the service processor from its
     * {@code proxyMode}; a CNI or mode without one is simulated all the same (only its intent is not checked), and an
     * INFO says so.
     */
    public Diagnostor(Snapshot snapshot, Provider provider) {
        this(snapshot, Network.of(snapshot, provider));
    }

    /** A Diagnostor over a snapshot of a network already assembled. */
    public Diagnostor(Snapshot snapshot, Network network) {
        this.snapshot = snapshot;
        this.ipCache = IPCache.of(snapshot);
        setup.addAll(network.setup());
        this.manager = new NetNodeManager(snapshot, ipCache, network.plugin(), network.services(), network.infra());
        this.targets = new Targets(ipCache);
        this.policyIntent = new PolicyIntent(ipCache, network.plugin(), snapshot.meta().cni());
    }

    /**
     * Tells {@code listener} what the walk is doing, once per hop reached ({@code "request: node:node-2"}), for a
     * progress display; called on the diagnosing thread. Replaces any earlier listener.
     */
    public void onProgress(java.util.function.Consumer<String> listener) {
        this.progress = java.util.Objects.requireNonNull(listener);
    }

    /** The snapshot's addresses, names and EndpointSlices. */
    public IPCache ipCache() {
        return ipCache;
    }

    /** Where this Diagnostor's NetNodes come from (shared by its diagnoses: namespaces are parsed once). */
    public NetNodeManager manager() {
        return manager;
    }

    /**
     * Resolves a destination as {@link #diagnose} does (for stepping through a walk by hand).
     *
     * @throws IllegalArgumentException as {@link Targets#destination}
     */
    public Target destination(String spec, String port, io.skoop.model.Protocol protocol) {
        return destination(spec, port, protocol, null);
    }

    /**
     * {@link #destination(String, String, io.skoop.model.Protocol)} at the destination's address of {@code family}, as a
     * {@link Query} with that family resolves it (null: its primary address).
     *
     * @throws IllegalArgumentException as {@link Targets#destination(String, String, io.skoop.model.Protocol, String, io.skoop.model.IpFamily)}
     */
    public Target destination(String spec, String port, io.skoop.model.Protocol protocol, io.skoop.model.IpFamily family) {
        return targets.destination(spec, port, protocol, "default", family);
    }

    /** The address of a pod, node or Service ({@link Targets#address}). */
    public io.skoop.model.Ip address(String spec) {
        return targets.address(spec);
    }

    /** The address of a pod, node or Service of {@code family}, null for the primary one ({@link Targets#address(String, io.skoop.model.IpFamily)}). */
    public io.skoop.model.Ip address(String spec, io.skoop.model.IpFamily family) {
        return targets.address(spec, family);
    }

    /** Resolves a source as {@link #diagnose} does. @throws IllegalArgumentException as {@link Targets#source} */
    public Target source(String spec) {
        return targets.source(spec);
    }

    /**
     * What the cluster's policies intend for a query, without walking the data path: the client's address to the
     * destination pod, or to each endpoint of a destination Service (from its EndpointSlices, the port its targetPort
     * names on each).
     *
     * @return one verdict per pair; empty when the snapshot holds no policy
     * @throws IllegalArgumentException as {@link #diagnose}
     */
    public List<io.skoop.plugin.networkpolicy.PolicyVerdict> policyIntent(Query query) {
        Target dst = targets.destination(query.destination(), query.port(), query.protocol(), query.namespace(), query.family());
        Target src = source(query, dst);
        return policyIntent.evaluate(src, dst, query.protocol(), List.of());
    }

    /**
     * The policies that select a pod, per direction, in evaluation order.
     *
     * @param pod a pod as {@link #source} takes it ({@code NAMESPACE/NAME}, {@code pod/NAMESPACE/NAME}, a bare name in
     *            {@code namespace})
     * @throws IllegalArgumentException as {@link Targets#source}, naming close matches; or when it names no pod
     */
    public io.skoop.plugin.networkpolicy.PolicyEvaluator.Applying policiesOf(String pod, String namespace) {
        Target t = targets.source(pod, namespace);
        if (t.pod() == null) {
            throw new IllegalArgumentException("'" + pod + "' is " + t.name() + ", not a pod: policies select pods");
        }
        return policyIntent.evaluator().applying(t.pod());
    }

    /** Whether the snapshot lists NetworkPolicies, and the CNI plugin enforces them: one line for a report. */
    public String policyEnforcement() {
        return policyIntent.enforcement(snapshot.objects().policiesCollected());
    }

    /**
     * The query's client, at its address of the destination's family (a dual-stack pod connecting to an IPv6 address
     * uses its IPv6 address; a named source without one fails, naming the addresses it has).
     */
    private Target source(Query query, Target dst) {
        if (Ip.tryParse(query.source().trim()) != null) {
            return targets.source(query.source(), query.namespace());
        }
        return targets.source(query.source(), query.namespace(), io.skoop.model.IpFamily.of(dst.ip()));
    }

    /**
     * Diagnoses one query.
     *
     * @throws IllegalArgumentException for endpoints that do not resolve (naming close matches), a missing or bad
     *                                  port, a Service as source, an SCTP query (only policy intent takes SCTP)
     * @throws java.util.concurrent.CancellationException when the thread is interrupted during the walk (checked
     *                                  before every hop; the interrupt flag stays set)
     */
    public Diagnosis diagnose(Query query) {
        if (query.protocol() == io.skoop.model.Protocol.SCTP) {
            throw new IllegalArgumentException("a diagnosis simulates TCP and UDP connections, not sctp (policy intent evaluates SCTP:"
                    + " skoop policy --protocol sctp)");
        }
        Target dst = targets.destination(query.destination(), query.port(), query.protocol(), query.namespace(), query.family());
        Target src = source(query, dst);
        List<Suspicion> cluster = new ArrayList<>(setup);
        if (dst.kind() == Target.Kind.SERVICE && dst.servicePort() == null) {
            cluster.add(Suspicion.info(dst.ip() + " is the cluster IP of " + dst.service() + ", which has no port " + dst.port() + "/"
                    + query.protocol() + " (ports: " + String.join(", ", dst.service().ports().stream().map(KService.Port::toString).toList())
                    + "): kube-proxy forwards nothing to it"));
        }

        Hop client = src.hop();
        Walk request = new Walk(Walk.Direction.REQUEST, manager, client, null);
        request.path().addOrigin(request.node(client));
        Packet first = Packet.of(dst.ip().isV6() ? Ip.V6_ANY : Ip.V4_ANY, 0, dst.ip(), dst.port(), query.protocol());
        List<Outcome.End> requestEnds = run(request, send(request, client, first, Flow.start()));

        Walk reply = new Walk(Walk.Direction.REPLY, manager, client, request.connected());
        List<Diagnosis.Branch> branches = new ArrayList<>();
        double success = 0;
        double unknown = 0;
        for (Outcome.End e : requestEnds) {
            double p = e.flow().probability();
            branches.add(new Diagnosis.Branch(Walk.Direction.REQUEST, e.kind(), e.hop(), p, e.packet(), e.reason()));
            if (e.kind() == Outcome.End.Kind.UNKNOWN) {
                unknown += p;
            }
            if (e.kind() != Outcome.End.Kind.DELIVERED) {
                continue;
            }
            reply.path().addOrigin(reply.node(e.hop()));
            Flow back = new Flow(1.0, 0, e.flow().conntrack(), List.of());
            for (Outcome.End r : run(reply, send(reply, e.hop(), e.packet().reversed(), back))) {
                double rp = p * r.flow().probability();
                branches.add(new Diagnosis.Branch(Walk.Direction.REPLY, r.kind(), r.hop(), rp, r.packet(), r.reason()));
                if (r.kind() == Outcome.End.Kind.DELIVERED) {
                    success += rp;
                } else if (r.kind() == Outcome.End.Kind.UNKNOWN) {
                    unknown += rp;
                }
            }
        }
        Verdict verdict = success > 1e-9 ? Verdict.REACHABLE : unknown > 1e-9 ? Verdict.UNKNOWN : Verdict.UNREACHABLE;
        List<String> inconsistent = new ArrayList<>();
        for (Target t : List.of(src, dst)) {
            if (t.hop() != null) {
                manager.contradiction(t.hop()).ifPresent(c -> inconsistent.add(t.name()));
            }
        }
        if (!inconsistent.isEmpty()) {
            // the answer rests on addresses the snapshot contradicts: not a verdict about the network
            verdict = Verdict.UNKNOWN;
            success = 0;
            String note = " [not a network fault: the snapshot is inconsistent about " + String.join(" and ", inconsistent) + "]";
            for (PacketPath path : List.of(request.path(), reply.path())) {
                path.nodes().forEach(n -> {
                    n.demote(Level.FATAL, Level.WARNING, note);
                    n.demote(Level.CRITICAL, Level.WARNING, note);
                });
            }
            cluster.add(Suspicion.warning("UNKNOWN: the snapshot is inconsistent about " + String.join(" and ", inconsistent)
                    + " (see their suspicions): the walk used the objects' addresses, which the dumps contradict"));
        }
        if (verdict == Verdict.REACHABLE && success < 1 - 1e-9) {
            String note = String.format(Locale.ROOT, " [breaks %.0f%% of new connections: other branches complete]", (1 - success) * 100);
            for (PacketPath path : List.of(request.path(), reply.path())) {
                path.nodes().forEach(n -> n.demote(Level.FATAL, Level.CRITICAL, note));
            }
        }
        List<io.skoop.plugin.networkpolicy.PolicyVerdict> intent = policyIntent.evaluate(src, dst, query.protocol(), requestEnds);
        cluster.addAll(policyIntent.suspicions(intent, requestEnds, snapshot.objects().policiesCollected()));
        // after the walks: a live snapshot collects the nodes they reach, and misses only what could not be had
        cluster.addAll(setup.size(), snapshot.missingDumps().stream().map(m -> Suspicion.info("not collected: " + m)).toList());
        return new Diagnosis(query, src, dst, verdict, Math.min(1.0, success), request.path(), reply.path(), branches, cluster,
                snapshot.meta().name(), dumpsOf(request.path(), reply.path()), intent);
    }

    /** The dump folders of the pods and nodes on the paths, relative to the snapshot, in the order first reached. */
    private List<String> dumpsOf(PacketPath... paths) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (PacketPath p : paths) {
            for (NetNode n : p.nodes()) {
                Hop h = n.hop();
                if (!NetNodeManager.hasNetns(h) || manager.missing(h).isPresent()) {
                    continue;
                }
                java.nio.file.Path dir = h.type() == io.skoop.model.NetNodeType.NODE
                        ? io.skoop.snapshot.SnapshotLayout.host(snapshot.dir(), h.id())
                        : io.skoop.snapshot.SnapshotLayout.pod(snapshot.dir(), manager.pod(h).nodeName(), manager.pod(h).namespace(), manager.pod(h).name());
                out.add(snapshot.dir().relativize(dir).toString());
            }
        }
        return List.copyOf(out);
    }

    /** Walks outcomes breadth-first until every branch ends. */
    private List<Outcome.End> run(Walk walk, List<Outcome> start) {
        Deque<Outcome> work = new ArrayDeque<>(start);
        List<Outcome.End> ends = new ArrayList<>();
        while (!work.isEmpty()) {
            if (Thread.currentThread().isInterrupted()) {
                // a notebook's interrupt or the shell's Ctrl-C: stop between hops, leaving nothing half-recorded
                throw new java.util.concurrent.CancellationException("interrupted: the diagnosis stopped after " + ends.size()
                        + " branches had ended and " + work.size() + " were still on their way");
            }
            Outcome o = work.poll();
            if (o instanceof Outcome.End e) {
                ends.add(e);
                continue;
            }
            Outcome.Next next = (Outcome.Next) o;
            Arrival a = next.arrival();
            progress.accept(walk.direction().name().toLowerCase(java.util.Locale.ROOT) + ": " + a.hop());
            walk.path().addLink(next.link());
            NetNode at = walk.node(a.hop());
            if (a.flow().seen().contains(a.loopKey())) {
                ends.add((Outcome.End) LinuxNetNode.drop(at, a.packet(), a.flow(), "forwarding loop: " + a.packet()
                        + " arrives on " + a.device() + " again (" + a.flow().hops() + " links crossed)"));
                continue;
            }
            if (a.flow().hops() >= HOP_LIMIT) {
                ends.add((Outcome.End) LinuxNetNode.drop(at, a.packet(), a.flow(), "hop limit: the packet crossed " + HOP_LIMIT
                        + " links without reaching its destination"));
                continue;
            }
            if (ends.size() + work.size() > MAX_BRANCHES) {
                ends.add((Outcome.End) LinuxNetNode.unknown(at, a.packet(), a.flow(), "more than " + MAX_BRANCHES
                        + " branches: the walk stops here"));
                continue;
            }
            Arrival crossed = a.crossed();
            work.addAll(untrustedDump(walk, a.hop(), a.packet(), a.flow(), () -> manager.action(a.hop()).receive(walk, crossed)));
        }
        return ends;
    }

    private List<Outcome> send(Walk walk, Hop hop, Packet packet, Flow flow) {
        return untrustedDump(walk, hop, packet, flow, () -> manager.action(hop).send(walk, packet, flow));
    }

    /**
     * Runs a NetNode's Send or Receive; a dump file it needed that cannot be trusted ends the branch UNKNOWN at that hop,
     * the suspicion naming the file and why — never a network verdict built on missing data.
     */
    private static List<Outcome> untrustedDump(Walk walk, Hop hop, Packet packet, Flow flow,
                                               java.util.function.Supplier<List<Outcome>> step) {
        try {
            return step.get();
        } catch (io.skoop.netstack.UnavailablePartException e) {
            return List.of(LinuxNetNode.unknown(walk.node(hop), packet, flow, e.getMessage()));
        }
    }
}
