package io.skoop.dsl;

import io.skoop.diagnose.Query;
import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import io.skoop.model.Names;
import io.skoop.model.Numbers;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import io.skoop.netstack.NetNS;
import io.skoop.netstack.netfilter.Path;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.render.ClusterTables;
import io.skoop.render.TraceTextRenderer;
import io.skoop.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DSL's verbs, by name. {@link #standard()} has every verb skoop ships; {@link #invoke} is what the Groovy base
 * script's {@code methodMissing} calls; {@link #help()} is generated from the descriptors.
 */
public final class Verbs {
    /** The packages every skoop script session imports (shell, JShell, notebooks): the DSL's types and the model's. */
    public static final List<String> IMPORTS = List.of("io.skoop.dsl.*", "io.skoop.model.*", "io.skoop.diagnose.*", "io.skoop.snapshot.*");

    private final Map<String, Verb> verbs = new LinkedHashMap<>();

    private Verbs(List<Verb> list) {
        list.forEach(v -> verbs.put(v.descriptor().name(), v));
    }

    /** The verbs skoop ships, in the order help lists them. */
    public static Verbs standard() {
        return new Verbs(List.of(new Example(), new SnapshotVerb(), new LiveVerb(), new LabVerb(), new EndpointVerb(EndpointRef.Kind.POD, "pod", "default/web-2', 8080"),
                new EndpointVerb(EndpointRef.Kind.NODE, "node", "node-2', 10250"), new EndpointVerb(EndpointRef.Kind.SERVICE, "service", "default/web', 80"),
                new EndpointVerb(EndpointRef.Kind.IP, "ip", "203.0.113.10', 80"), new Diagnose(), new RouteGet(), new Trace(), new PacketVerb(),
                new Netns(), new NetnodeVerb(), new Listing("nodes"), new Listing("pods"), new Listing("services"),
                new Address(), new PolicyVerb()));
    }

    /** The verb called {@code name}, if there is one. */
    public Optional<Verb> find(String name) {
        return Optional.ofNullable(verbs.get(name));
    }

    /** Every verb's descriptor, in help order. */
    public List<VerbDescriptor> descriptors() {
        return verbs.values().stream().map(Verb::descriptor).toList();
    }

    /**
     * Calls the verb {@code name}.
     *
     * @throws IllegalArgumentException for an unknown verb (listing the verbs and the closest name) or a bad argument
     */
    public Object invoke(Session session, String name, Object[] args) {
        Verb v = verbs.get(name);
        if (v == null) {
            throw unknownVerb(name);
        }
        return v.call(session, new Args(v.descriptor(), args));
    }

    /** The error for a verb that does not exist: every verb (and {@code help}) and the closest name. */
    public IllegalArgumentException unknownVerb(String name) {
        List<String> names = new ArrayList<>(verbs.keySet());
        names.add("help");
        return new IllegalArgumentException("unknown verb '" + name + "'; verbs: " + String.join(", ", names)
                + Names.didYouMean(name, names));
    }

    /** Help for every verb: signature, summary, parameters, an example. */
    public String help() {
        StringBuilder sb = new StringBuilder("skoop DSL verbs (help('verb') for one):\n\n");
        descriptors().forEach(d -> sb.append(d.help()).append('\n'));
        sb.append("tcp, udp: protocols (service('kube-system/kube-dns', 53, udp))\n");
        return sb.toString();
    }

    /** Help for one verb. @throws IllegalArgumentException for an unknown verb */
    public String help(String name) {
        return find(name).map(v -> v.descriptor().help())
                .orElseThrow(() -> new IllegalArgumentException("unknown verb '" + name + "'; verbs: " + String.join(", ", verbs.keySet())
                        + Names.didYouMean(name, verbs.keySet())));
    }

    // ---- the verbs ----------------------------------------------------------------------------------------

    /** A verb with a fixed descriptor. */
    abstract static class Base implements Verb {
        private final VerbDescriptor descriptor;

        Base(VerbDescriptor descriptor) {
            this.descriptor = descriptor;
        }

        @Override
        public VerbDescriptor descriptor() {
            return descriptor;
        }
    }

    static final class Example extends Base {
        Example() {
            super(new VerbDescriptor("example", "work on an embedded snapshot (" + String.join(", ",
                    Snapshot.examples().keySet()) + ")", List.of(Param.required("name", "String", "the example's name")), "example('flannel-vxlan')").returning(Snapshot.class));
        }

        @Override
        public Object call(Session session, Args args) {
            return session.use(Snapshot.example(args.requireString("name")));
        }
    }

    static final class SnapshotVerb extends Base {
        SnapshotVerb() {
            super(new VerbDescriptor("snapshot", "work on a snapshot folder (docs/snapshot.md)",
                    List.of(Param.required("path", "String", "the folder")), "snapshot('/tmp/snap')").returning(Snapshot.class));
        }

        @Override
        public Object call(Session session, Args args) {
            return session.use(Snapshot.open(java.nio.file.Path.of(args.requireString("path"))));
        }
    }

    static final class LiveVerb extends Base {
        LiveVerb() {
            super(new VerbDescriptor("live", "work on a live cluster (docs/live.md): its objects now, each node a diagnosis reaches "
                    + "dumped by a collector pod into a snapshot folder that later diagnoses reuse",
                    List.of(Param.optional("kubeconfig", "String", "the kubeconfig (default: $KUBECONFIG, else ~/.kube/config)"),
                            Param.optional("context", "String", "its context (default: its current-context)"),
                            Param.optional("keep", "String", "the snapshot folder, new or empty (default: a new temporary one)"),
                            Param.optional("image", "String", "the collector pods' image (default " + io.skoop.collect.CollectorPods.DEFAULT_IMAGE + ")"),
                            Param.optional("namespace", "String", "where collector pods run (default skoop)"),
                            Param.optional("timeout", "int", "seconds for each API call and for a collector pod to start (default 30)")),
                    "live('~/.kube/config', context: 'prod')").returning(Snapshot.class));
        }

        @Override
        public Object call(Session session, Args args) {
            String kc = args.string("kubeconfig");
            if (kc != null && kc.startsWith("~/")) {
                kc = System.getProperty("user.home") + kc.substring(1);
            }
            double timeout = args.get("timeout") == null ? 30 : ((Number) args.require("timeout", Number.class)).doubleValue();
            io.skoop.k8s.live.KubeConfigs.Cluster cluster = io.skoop.collect.LiveSnapshots.connect(kc == null ? null : java.nio.file.Path.of(kc),
                    args.string("context"), timeout);
            io.skoop.collect.CollectorPods.Options o = io.skoop.collect.CollectorPods.Options.of(
                    args.string("namespace") == null ? "skoop" : args.string("namespace"),
                    args.string("image") == null ? io.skoop.collect.CollectorPods.DEFAULT_IMAGE : args.string("image"), timeout);
            java.nio.file.Path keep = args.string("keep") == null ? null : java.nio.file.Path.of(args.string("keep"));
            return session.use(io.skoop.collect.LiveSnapshots.lazy(cluster, keep, o, f -> f, null, "skoop (DSL)"));
        }
    }

    static final class EndpointVerb extends Base {
        private final EndpointRef.Kind kind;

        EndpointVerb(EndpointRef.Kind kind, String name, String example) {
            super(descriptor(kind, name, example));
            this.kind = kind;
        }

        private static VerbDescriptor descriptor(EndpointRef.Kind kind, String name, String example) {
            String what = switch (kind) {
                case POD -> "a pod, 'namespace/name'";
                case NODE -> "a node, by name";
                case SERVICE -> "a Service, 'namespace/name'";
                case IP -> "an IP address (a pod's, a node's, a Service's or one outside the cluster)";
            };
            return new VerbDescriptor(name, what + ", with the port to reach it on", List.of(Param.required("name", "String", "which"),
                    Param.optional("port", kind == EndpointRef.Kind.SERVICE ? "int|String" : "int", "the port (a Service port number or name)"),
                    Param.optional("protocol", "Protocol", "tcp (default) or udp")), name + "('" + example + ")").returning(EndpointRef.class);
        }

        @Override
        public Object call(Session session, Args args) {
            String name = args.requireString("name");
            if (kind == EndpointRef.Kind.IP && Ip.tryParse(name) == null) {
                throw new IllegalArgumentException("ip: '" + name + "' is not an IP address");
            }
            return new EndpointRef(kind, name, args.string("port"), args.as("protocol", Protocol.class));
        }
    }

    static final class Diagnose extends Base {
        Diagnose() {
            super(new VerbDescriptor("diagnose",
                    "does a new connection from source to destination succeed? the path, suspicions and verdict (docs/diagnose.md)",
                    List.of(Param.required("source", "Endpoint", "the client"), Param.required("destination", "Endpoint", "the server, with its port"),
                            Param.optional("protocol", "Protocol", "tcp or udp (default: the destination's, else tcp)"), FAMILY),
                    "diagnose(pod('default/client'), service('default/web', 80))").returning(DiagnosisView.class));
        }

        /**
         * {@code diagnose(source, destination, [protocol], [family])}: a {@link DiagnosisView} of {@link Verbs#query}.
         *
         * @throws IllegalArgumentException for a missing or mistyped endpoint, a bad {@code family} ({@link Verbs#family}), or
         *                                  a destination without an address of that family (the engine's message, e.g.
         *                                  {@code Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)})
         */
        @Override
        public Object call(Session session, Args args) {
            return session.diagnose(query(args.require("source", EndpointRef.class), args.require("destination", EndpointRef.class), args));
        }
    }

    /**
     * The optional {@code family} parameter of the verbs that resolve a destination ({@code diagnose}, {@code policy},
     * and a hand-stepped {@link Stepper.NetNodeView#send(java.util.Map, EndpointRef) send}): which address of a
     * dual-stack destination to reach, as {@code skoop diagnose --family} takes it ({@link #family}).
     */
    static final Param FAMILY = Param.optional("family", "int|String", "4 or 6: a named destination (pod, node, Service) at its IPv4 or"
            + " IPv6 address (default: its primary one; an ip(...) as written)");

    /**
     * The query from src to dst: the protocol argument, else the destination's, else TCP; the {@code family} argument
     * ({@link #family}), else the destination's primary address.
     *
     * @throws IllegalArgumentException for a bad {@code protocol} or {@code family}
     */
    static Query query(EndpointRef src, EndpointRef dst, Args args) {
        Protocol p = args.as("protocol", Protocol.class);
        if (p == null) {
            p = dst.protocol() != null ? dst.protocol() : Protocol.TCP;
        }
        return new Query(src.spec(), dst.spec(), dst.port(), p, null, family(args));
    }

    /**
     * The {@code family} argument: {@code 4} or {@code 6} (a number or text), {@code 'IPv4'} or {@code 'IPv6'} (any case),
     * or an {@link IpFamily}; null when absent (the destination's primary address).
     *
     * @throws IllegalArgumentException naming the verb and what it takes, for anything else
     */
    static IpFamily family(Args args) {
        Object v = args.get("family");
        if (v == null || v instanceof IpFamily) {
            return (IpFamily) v;
        }
        try {
            return IpFamily.option(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(args.verb().name() + ": family must be 4 or 6 (or 'IPv4', 'IPv6'), got "
                    + v.getClass().getSimpleName() + " '" + v + "'");
        }
    }

    /**
     * {@code policy(pod)}: the policies selecting a pod; {@code policy(source, destination, [protocol], [family])}: their
     * intent for the flow {@link Verbs#query} builds ({@code family} picks the destination's address as for
     * {@code diagnose}).
     */
    static final class PolicyVerb extends Base {
        PolicyVerb() {
            super(new VerbDescriptor("policy",
                    "what NetworkPolicies and AdminNetworkPolicies intend, without the data path: the policies selecting a pod, or the"
                            + " verdict for a flow naming the deciding policy and rule (docs/diagnose.md)",
                    List.of(Param.required("source", "Endpoint", "a pod (alone: list its policies), or the client"),
                            Param.optional("destination", "Endpoint", "the server, with its port (a Service: each endpoint)"),
                            Param.optional("protocol", "Protocol", "tcp, udp or sctp (default: the destination's, else tcp)"), FAMILY),
                    "policy(pod('default/client'), pod('default/web-2', 8080))").returning(PolicyView.class));
        }

        @Override
        public Object call(Session session, Args args) {
            EndpointRef src = args.require("source", EndpointRef.class);
            EndpointRef dst = args.as("destination", EndpointRef.class);
            io.skoop.diagnose.Diagnostor d = session.diagnostor();
            if (dst == null) {
                if (src.kind() != EndpointRef.Kind.POD) {
                    throw new IllegalArgumentException("policy(" + src + "): policies select pods; give pod('NAMESPACE/NAME'), or a flow"
                            + " policy(source, destination)");
                }
                String pod = src.name().contains("/") ? src.name() : "default/" + src.name();
                return new PolicyView(d.policyEnforcement(), pod, d.policiesOf(pod, "default"), List.of());
            }
            return new PolicyView(d.policyEnforcement(), null, null, d.policyIntent(query(src, dst, args)));
        }
    }

    static NetNS netns(Session session, EndpointRef at, String verb) {
        Snapshot s = session.snapshot();
        return switch (at.kind()) {
            case NODE -> s.host(at.name());
            case POD -> {
                String[] p = at.name().split("/", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException(verb + ": pod '" + at.name() + "' must be written 'namespace/name'");
                }
                yield s.pod(p[0], p[1]);
            }
            default -> throw new IllegalArgumentException(verb + " runs in a pod's or node's network namespace, not in " + at);
        };
    }

    static final class Netns extends Base {
        Netns() {
            super(new VerbDescriptor("netns", "the network namespace of a pod or node (interfaces, routes, iptables, ...)",
                    List.of(Param.required("at", "Endpoint", "pod(...) or node(...)")), "netns(node('node-1')).interfaces().all()").returning(NetNS.class));
        }

        @Override
        public Object call(Session session, Args args) {
            return netns(session, args.require("at", EndpointRef.class), "netns");
        }
    }

    static final class RouteGet extends Base {
        RouteGet() {
            super(new VerbDescriptor("routeGet", "ip route get in a pod's or node's namespace: the route and every decision",
                    List.of(Param.required("at", "Endpoint", "pod(...) or node(...)"), Param.required("dst", "String", "destination address"),
                            Param.optional("from", "String", "source address"), Param.optional("iif", "String", "input device (a forwarded packet)"),
                            Param.optional("oif", "String", "output device"), Param.optional("mark", "int|String", "fwmark (decimal or 0x hex)")),
                    "routeGet(node('node-1'), '10.244.1.2', iif: 'cni0', from: '10.244.0.2')").returning(RouteResult.class));
        }

        @Override
        public Object call(Session session, Args args) {
            NetNS ns = netns(session, args.require("at", EndpointRef.class), "routeGet");
            String from = args.string("from");
            String mark = args.string("mark");
            RouteQuery q = new RouteQuery(Ip.parse(args.requireString("dst")), from == null ? null : Ip.parse(from), args.string("iif"),
                    args.string("oif"), mark == null ? 0 : mark(mark), 0, 0, 0, 0, 0);
            return ns.routeGet(q);
        }
    }

    static long mark(String text) {
        try {
            return Numbers.parseUnsigned(text, 0xffffffffL);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("routeGet: mark '" + text + "' is not a 32-bit number (decimal or 0x hex)");
        }
    }

    /** A trace as scripts print it ({@link TraceTextRenderer}); {@code result} is the engine's typed trace. */
    public record TraceView(TraceResult result) {
        @Override
        public String toString() {
            return TraceTextRenderer.render(result);
        }
    }

    static final class Trace extends Base {
        Trace() {
            super(new VerbDescriptor("trace",
                    "a packet through a namespace's netfilter hooks and routing: every rule that matched, NAT applied, branches",
                    List.of(Param.required("at", "Endpoint", "pod(...) or node(...)"), Param.required("packet", "Packet|String", "packet('tcp A:p > B:q')"),
                            Param.optional("path", "String", "local-out (default), forward, local-in or bridge"),
                            Param.optional("iif", "String", "input device"), Param.optional("oif", "String", "output device"),
                            Param.optional("physin", "String", "bridge port in"), Param.optional("physout", "String", "bridge port out")),
                    "trace(node('node-1'), packet('tcp 10.244.0.2:40000 > 10.96.0.2:80'), path: 'forward', iif: 'cni0')").returning(TraceView.class));
        }

        @Override
        public Object call(Session session, Args args) {
            NetNS ns = netns(session, args.require("at", EndpointRef.class), "trace");
            Object pk = args.get("packet");
            Packet packet = pk instanceof Packet p ? p : Packet.parse(args.requireString("packet"));
            String path = args.string("path");
            TraceRequest req = TraceRequest.of(packet, path == null ? Path.LOCAL_OUT : Path.parse(path)).withIif(args.string("iif"))
                    .withOif(args.string("oif")).withPhysdev(args.string("physin"), args.string("physout"));
            return new TraceView(ns.trace(req));
        }
    }

    static final class NetnodeVerb extends Base {
        NetnodeVerb() {
            super(new VerbDescriptor("netnode", "a NetNode to step through Send/Receive by hand: netnode(client) starts a walk,"
                    + " netnode(step.nextHop) continues it", List.of(Param.required("at", "Endpoint|Hop", "the client (starts a walk) or a step's nextHop")),
                    "def steps = netnode(pod('default/client')).send(service('default/web', 80)); netnode(steps[0].nextHop).receive(steps[0])").returning(Stepper.NetNodeView.class));
        }

        @Override
        public Object call(Session session, Args args) {
            Object at = args.get("at");
            if (at instanceof io.skoop.model.Hop h) {
                return session.stepAt(h);
            }
            EndpointRef ref = args.require("at", EndpointRef.class);
            return session.startStepping(session.diagnostor().source(ref.spec()).hop());
        }
    }

    /** {@code address(endpoint)}: the address the snapshot gives a pod, node or Service. */
    static final class Address extends Base {
        Address() {
            super(new VerbDescriptor("address", "the address of a pod, node or Service in the snapshot (the primary one, or the one of"
                    + " family), as skoop diagnose resolves it",
                    List.of(Param.required("of", "Endpoint", "pod(...), node(...), service(...) or ip(...)"), FAMILY),
                    "address(pod('default/client'))").returning(String.class));
        }

        @Override
        public Object call(Session session, Args args) {
            return session.diagnostor().address(args.require("of", EndpointRef.class).spec(), family(args)).toString();
        }
    }

    /** {@code nodes()}, {@code pods([namespace])}, {@code services()}: the snapshot's objects as kubectl-style tables. */
    static final class Listing extends Base {
        Listing(String what) {
            super(new VerbDescriptor(what, switch (what) {
                case "nodes" -> "the snapshot's nodes: status, address, podCIDR";
                case "pods" -> "the snapshot's pods: ready, phase, IP, node";
                default -> "the snapshot's Services: type, cluster IP, ports";
            }, what.equals("pods") ? List.of(Param.optional("namespace", "String", "only this namespace")) : List.of(),
                    what.equals("pods") ? "pods('kube-system')" : what + "()").returning(ClusterTables.Table.class));
        }

        @Override
        public Object call(Session session, Args args) {
            io.skoop.snapshot.k8s.KubeObjects k = session.snapshot().objects();
            return switch (descriptor().name()) {
                case "nodes" -> ClusterTables.nodeTable(k);
                case "pods" -> ClusterTables.podTable(k, args.string("namespace"));
                default -> ClusterTables.serviceTable(k);
            };
        }
    }

    static final class PacketVerb extends Base {
        PacketVerb() {
            super(new VerbDescriptor("packet", "a packet, written as skoop prints them",
                    List.of(Param.required("text", "String", "'PROTO SRC:SPORT > DST:DPORT'")), "packet('tcp 10.244.0.2:40000 > 10.96.0.2:80')").returning(Packet.class));
        }

        @Override
        public Object call(Session session, Args args) {
            return Packet.parse(args.requireString("text"));
        }
    }
}
