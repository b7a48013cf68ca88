package io.skoop.bench;

import io.skoop.diagnose.Query;
import io.skoop.lab.flannel.Flannel;
import io.skoop.lab.k8s.ClusterObjects;
import io.skoop.lab.kubeproxy.TopologyServices;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.TopologyLoader;
import io.skoop.snapshot.SnapshotLayout;
import io.skoop.snapshot.SnapshotMeta;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A large synthetic cluster snapshot for benchmarks (docs/benchmarks.md): {@link Shape#LARGE} is 1,000 nodes, 30,000
 * pods and 10,000 Services with flannel vxlan and kube-proxy in iptables mode on every node, written as the
 * {@code skoop lab snapshot} of that topology would be if the lab could run 31,000 namespaces.
 *
 * <p>The topology is a topology file ({@code topology.yaml}, {@link #topologyYaml}) read by the lab's own loader, so
 * every address is allocated the lab's way; the Kubernetes objects are the lab's ({@link ClusterObjects}); every node's
 * {@code iptables.txt} is what {@code iptables-legacy-save -c} prints after the lab's two restores (kube-proxy's rules
 * from {@link TopologyServices}, then flanneld's from {@link Flannel#iptablesRestoreText}), see {@link IptablesSave};
 * the other dump files come from {@link SyntheticDumps}. Deterministic: the same shape gives the same bytes.
 *
 * <p>Every node's iptables.txt differs (flanneld's {@code FLANNEL-POSTRTG} names the node's podCIDR), so each node has
 * its own ~11 MB file; what repeats (pods' sysctls, empty rulesets, identical socket lists, …) is hard-linked.
 *
 * <pre>
 * java -Xmx6g -cp TEST_CLASSPATH io.skoop.bench.LargeSnapshot OUTDIR [NODES PODS SERVICES]
 * </pre>
 */
public final class LargeSnapshot {

    /** When the synthetic cluster was "taken": every timestamp of objects and dumps. */
    public static final Instant CREATED = Instant.parse("2026-11-21T12:00:00Z");
    /** The lab (cluster) name: the seed of every MAC and veth name. */
    public static final String NAME = "large";

    /**
     * The cluster's size and make-up. Service {@code i} lives in namespace {@code ns-(i mod namespaces)}, selects
     * {@code pods / services} pods labelled {@code app=<service>} spread over consecutive nodes (pod {@code g} of the
     * whole list on node {@code g mod nodes}); every 5th Service is a NodePort, every 10th has a second port
     * ({@code metrics} 9100), every 50th selects no pod (its ports get REJECT rules). Pods left over are unlabelled
     * {@code client-N} pods without ports.
     */
    public record Shape(int nodes, int pods, int services) {
        /** 1,000 nodes, 30,000 pods, 10,000 Services (29,400 endpoints). */
        public static final Shape LARGE = new Shape(1000, 30000, 10000);
        /** 20 nodes, 300 pods, 100 Services: the same cluster, small enough for a spec. */
        public static final Shape SMALL = new Shape(20, 300, 100);

        public Shape {
            if (nodes < 4 || services < 1 || pods < services || nodes > 4096) {
                throw new IllegalArgumentException("need 4..4096 nodes, at least one service and a pod per service: " + this);
            }
        }

        int namespaces() {
            return Math.max(1, Math.min(100, services / 10));
        }

        int podsPerService() {
            return pods / services;
        }

        String namespace(int service) {
            return String.format(Locale.ROOT, "ns-%02d", service % namespaces());
        }

        String service(int i) {
            return String.format(Locale.ROOT, "svc-%05d", i);
        }

        String node(int i) {
            return String.format(Locale.ROOT, "node-%04d", i + 1);
        }

        boolean hasEndpoints(int service) {
            return service % 50 != 49;
        }

        boolean nodePort(int service) {
            return service % 5 == 4 && service / 5 < 2768; // 30000-32767
        }

        boolean metrics(int service) {
            return service % 10 == 7;
        }

        /** The pod {@code j} of service {@code i}, as {@code namespace/name}. */
        String pod(int i, int j) {
            return namespace(i) + "/" + service(i) + "-" + j;
        }

        /** The node of pod {@code j} of service {@code i}. */
        String nodeOf(int i, int j) {
            return node((i * podsPerService() + j) % nodes);
        }

        /**
         * The benchmark's question: the first pod of the first Service asks the second-to-last Service on port 80
         * (a ClusterIP Service with endpoints on three other nodes; its cluster IP is near the end of KUBE-SERVICES).
         */
        public Query query() {
            int s = services - 2;
            while (!hasEndpoints(s) || nodePort(s)) {
                s--;
            }
            return Query.tcp(pod(0, 0), "svc/" + namespace(s) + "/" + service(s), 80);
        }
    }

    /**
     * What was generated.
     *
     * @param dir      the snapshot folder
     * @param topology the resolved topology
     * @param phases   wall time per phase, in order
     * @param files    files written (each once)
     * @param links    hard links made to them
     * @param bytes    bytes written (hard links not counted)
     */
    public record Generated(Path dir, ResolvedTopology topology, Map<String, Duration> phases, long files, long links, long bytes) {
        public Duration elapsed() {
            return phases.values().stream().reduce(Duration.ZERO, Duration::plus);
        }
    }

    private LargeSnapshot() {
    }

    /** The topology file of {@code shape} (flow-style YAML, one line per node, pod and Service). */
    public static String topologyYaml(Shape s) {
        int nodeBits = 32 - Integer.numberOfLeadingZeros(s.nodes() - 1);
        int clusterLength = Math.min(16, 24 - nodeBits);
        String clusterCidr = (clusterLength >= 14 ? "10.244.0.0/" : "10.128.0.0/") + clusterLength;
        StringBuilder y = new StringBuilder(200 * (s.pods() + s.services()) + 100 * s.nodes());
        y.append("# Synthetic cluster for benchmarks: io.skoop.bench.LargeSnapshot ").append(s).append('\n');
        y.append("name: ").append(NAME).append('\n');
        y.append("cni: {type: flannel, backend: vxlan}\n");
        y.append("clusterCIDR: ").append(clusterCidr).append('\n');
        y.append("serviceCIDR: ").append(s.services() < 65000 ? "10.96.0.0/16" : "10.96.0.0/12").append('\n');
        y.append("underlay: 172.18.0.0/16\n");
        y.append("nodes:\n");
        for (int i = 0; i < s.nodes(); i++) {
            y.append("  - {name: ").append(s.node(i)).append(", listeners: [{port: 10250}]}\n");
        }
        y.append("pods:\n");
        int k = s.podsPerService();
        for (int i = 0; i < s.services(); i++) {
            for (int j = 0; j < k; j++) {
                y.append("  - {name: ").append(s.service(i)).append('-').append(j).append(", namespace: ").append(s.namespace(i))
                        .append(", node: ").append(s.nodeOf(i, j)).append(", labels: {app: ").append(s.service(i))
                        .append("}, ports: [{name: http, port: 8080}").append(s.metrics(i) ? ", {name: metrics, port: 9100}" : "")
                        .append("]}\n");
            }
        }
        for (int g = s.services() * k; g < s.pods(); g++) {
            y.append("  - {name: client-").append(g).append(", namespace: ").append(s.namespace(g)).append(", node: ")
                    .append(s.node(g % s.nodes())).append("}\n");
        }
        y.append("services:\n");
        for (int i = 0; i < s.services(); i++) {
            y.append("  - {name: ").append(s.service(i)).append(", namespace: ").append(s.namespace(i))
                    .append(s.nodePort(i) ? ", type: NodePort" : "")
                    .append(", selector: {app: ").append(s.service(i)).append(s.hasEndpoints(i) ? "" : "-gone").append("}, ports: [")
                    .append(s.metrics(i) ? "{name: http, port: 80, targetPort: http}, {name: metrics, port: 9100}"
                            : "{name: http, port: 80, targetPort: http}")
                    .append("]}\n");
        }
        return y.toString();
    }

    /**
     * Writes the snapshot of {@code shape} into {@code out} (a new or empty folder).
     *
     * @throws IllegalArgumentException when {@code out} holds files
     */
    public static Generated generate(Shape shape, Path out) {
        requireEmpty(out);
        Map<String, Duration> phases = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        String yaml = topologyYaml(shape);
        ResolvedTopology t = TopologyLoader.parse("topology.yaml", yaml);
        long t1 = lap(phases, "topology", t0);

        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve("topology.yaml"), yaml);
            new SnapshotMeta(SnapshotMeta.FORMAT_VERSION, "lab", t.name(), t.cni().type(), Flannel.backend(t).text(), "iptables",
                    t.clusterCIDR().toString(), t.serviceCIDR().toString(), CREATED.toString(), "skoop-bench LargeSnapshot (synthetic)")
                    .write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ClusterObjects.write(t, CREATED, SnapshotLayout.k8s(out));
        long t2 = lap(phases, "k8s objects", t1);

        // kube-proxy writes the same rules on every node (no Local traffic policies): render and convert them once
        String kubeProxy = TopologyServices.iptablesRestoreText(t, t.nodes().get(0).name());
        if (!kubeProxy.equals(TopologyServices.iptablesRestoreText(t, t.nodes().get(t.nodes().size() - 1).name()))) {
            throw new IllegalStateException("kube-proxy's rules differ between nodes: render them per node");
        }
        IptablesSave.Ruleset base = IptablesSave.restore(kubeProxy);
        long t3 = lap(phases, "kube-proxy rules", t2);

        SyntheticDumps.Files2 files = new SyntheticDumps.Files2();
        SyntheticDumps dumps = new SyntheticDumps(t, CREATED, files);
        for (Node n : t.nodes()) {
            dumps.writeNode(out, n, f -> {
                IptablesSave.Ruleset rs = base.plus(IptablesSave.restore(Flannel.iptablesRestoreText(t, n)));
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
                    CountingStream c = new CountingStream(o);
                    rs.write(c, CREATED);
                    files.filesWritten++;
                    files.bytesWritten += c.count;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        long t4 = lap(phases, "node dumps", t3);
        for (Node n : t.nodes()) {
            List<Pod> pods = dumps.podsOn(n.name());
            for (int i = 0; i < pods.size(); i++) {
                dumps.writePod(out, n, pods.get(i), i);
            }
        }
        lap(phases, "pod dumps", t4);
        return new Generated(out, t, phases, files.filesWritten, files.linked, files.bytesWritten);
    }

    /**
     * {@code LargeSnapshot OUTDIR [NODES PODS SERVICES]}: writes the snapshot (default {@link Shape#LARGE}) and prints
     * the time per phase, the files and bytes written.
     */
    public static void main(String[] args) {
        if (args.length != 1 && args.length != 4) {
            System.err.println("usage: LargeSnapshot OUTDIR [NODES PODS SERVICES]");
            System.exit(64);
        }
        Shape shape = args.length == 4 ? new Shape(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3])) : Shape.LARGE;
        Generated g = generate(shape, Path.of(args[0]));
        g.phases().forEach((p, d) -> System.out.printf(Locale.ROOT, "%-18s %8.1f s%n", p, d.toMillis() / 1000.0));
        System.out.printf(Locale.ROOT, "%-18s %8.1f s%n", "total", g.elapsed().toMillis() / 1000.0);
        System.out.printf(Locale.ROOT, "%s: %d nodes, %d pods, %d services; %,d files (%,d MB) and %,d hard links%n", g.dir(),
                g.topology().nodes().size(), g.topology().pods().size(), g.topology().services().size(), g.files(),
                g.bytes() >> 20, g.links());
        System.out.println("query: " + shape.query());
    }

    private static long lap(Map<String, Duration> phases, String phase, long since) {
        long now = System.nanoTime();
        phases.put(phase, Duration.ofNanos(now - since));
        return now;
    }

    private static void requireEmpty(Path out) {
        if (!Files.exists(out)) {
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new IllegalArgumentException(out + " is not empty; give a new or empty folder");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts what passes through. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
