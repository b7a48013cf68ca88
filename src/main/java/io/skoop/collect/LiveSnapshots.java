package io.skoop.collect;

import io.skoop.k8s.live.ClusterFacts;
import io.skoop.k8s.live.KubeConfigs;
import io.skoop.k8s.live.LiveObjects;
import io.skoop.snapshot.NodeDumps;
import io.skoop.snapshot.Snapshot;
import io.skoop.snapshot.SnapshotLayout;
import io.skoop.snapshot.SnapshotMeta;
import io.skoop.snapshot.k8s.KubeObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Snapshots of a live cluster (docs/live.md), snapshot first (DESIGN.md §1): the objects and {@code snapshot.json} are
 * written to a folder, each node's dump is added to it — all at once ({@code skoop collect}) or when a diagnosis first
 * reaches the node ({@link #lazy}, KubeSkoop's way) — and the diagnosis reads that folder like any other.
 */
public final class LiveSnapshots {
    private LiveSnapshots() {
    }

    /**
     * The cluster of {@code kubeconfig}/{@code context} ({@link KubeConfigs#resolve}: kubectl's rules; null for the
     * defaults), with {@code timeoutSeconds} on connecting and on every API call.
     *
     * @throws IllegalArgumentException for a timeout outside (0, 3600]
     * @throws io.skoop.k8s.live.LiveClusterException as {@link KubeConfigs#resolve}
     */
    public static KubeConfigs.Cluster connect(Path kubeconfig, String context, double timeoutSeconds) {
        int ms = (int) millis(timeoutSeconds);
        KubeConfigs.Cluster cluster = KubeConfigs.resolve(kubeconfig, context, System::getenv);
        cluster.api().setConnectTimeout(ms);
        cluster.api().setReadTimeout(ms);
        return cluster;
    }

    /** {@code seconds} in milliseconds, checked to be in (0, 3600] (--timeout). */
    static long millis(double seconds) {
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new IllegalArgumentException("--timeout must be in (0, 3600] seconds, got " + seconds);
        }
        return Math.max(1, (long) (seconds * 1000));
    }

    /**
     * What {@link #writeObjects} wrote.
     *
     * @param counts items per kind file
     * @param facts  what the cluster runs, with how each was decided
     */
    public record Written(Map<String, Integer> counts, ClusterFacts facts) {
    }

    /**
     * Writes {@code out/k8s/*.json} ({@link LiveObjects}) and {@code out/snapshot.json} ({@link ClusterFacts}, then
     * {@code overrides}).
     *
     * @param done told after each kind ({@code "pods: 40"}), or null
     * @param tool what writes it ({@code skoop 0.1.0})
     * @throws io.skoop.k8s.live.LiveClusterException as {@link LiveObjects#collect}
     */
    public static Written writeObjects(KubeConfigs.Cluster cluster, Path out, UnaryOperator<ClusterFacts> overrides,
                                       Consumer<String> done, String tool) {
        Map<String, Integer> counts = LiveObjects.collect(cluster, SnapshotLayout.k8s(out), done);
        ClusterFacts facts = overrides.apply(ClusterFacts.detect(SnapshotLayout.k8s(out)));
        try {
            new SnapshotMeta(SnapshotMeta.FORMAT_VERSION, "cluster", cluster.context(), facts.cni(), facts.cniBackend(), facts.proxyMode(),
                    facts.clusterCIDR(), facts.serviceCIDR(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), tool,
                    facts.decidedBy()).write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(SnapshotMeta.FILE), e);
        }
        return new Written(counts, facts);
    }

    /**
     * Fills in {@code out/snapshot.json} what the objects did not say, from what node {@code node}'s own namespace
     * shows ({@link ClusterFacts#refinedBy}); the fields decided already stay.
     *
     * @return the facts now in snapshot.json
     */
    public static ClusterFacts refine(Path out, ClusterFacts facts, String node) {
        ClusterFacts refined = facts.refinedBy(SnapshotLayout.host(out, node), node);
        if (refined.equals(facts)) {
            return facts;
        }
        try {
            SnapshotMeta m = SnapshotMeta.read(out);
            new SnapshotMeta(m.formatVersion(), m.source(), m.name(), refined.cni(), refined.cniBackend(), refined.proxyMode(),
                    refined.clusterCIDR(), refined.serviceCIDR(), m.createdAt(), m.tool(), refined.decidedBy()).write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + out.resolve(SnapshotMeta.FILE), e);
        }
        return refined;
    }

    /**
     * Dumps node {@code node} with a collector pod and lays it out in {@code out} ({@link NodeDumps#arrange}).
     *
     * @throws io.skoop.k8s.live.LiveClusterException as {@link CollectorPods#collect}
     */
    public static NodeDumps.Arranged collectNode(KubeConfigs.Cluster cluster, String node, CollectorPods.Options o, KubeObjects objects,
                                                 Path out) {
        Path work;
        try {
            work = Files.createTempDirectory("skoop-collect-" + node.replaceAll("[^A-Za-z0-9.-]", "_"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for node " + node, e);
        }
        try {
            CollectorPods.collect(cluster, node, o, work.resolve("dump"));
            return NodeDumps.arrange(work.resolve("dump"), node, objects, out);
        } finally {
            remove(work, false);
        }
    }

    /**
     * A snapshot of the cluster in {@code out} (new or empty) holding its objects now, whose nodes are collected when a
     * diagnosis first reaches them; a node that cannot be collected stays missing, its suspicion saying why. Diagnoses on
     * the same snapshot reuse what was collected.
     *
     * @param out  the snapshot folder, or null for a new one under the temporary directory ({@link Snapshot#dir()} says
     *             where)
     * @param done told what happens ({@code "objects: pods: 40"}, {@code "collecting node-2"}), or null
     */
    public static Snapshot lazy(KubeConfigs.Cluster cluster, Path out, CollectorPods.Options o, UnaryOperator<ClusterFacts> overrides,
                                Consumer<String> done, String tool) {
        if (out == null) {
            try {
                out = Files.createTempDirectory("skoop-live-" + cluster.context().replaceAll("[^A-Za-z0-9.-]", "_") + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a folder for the live snapshot", e);
            }
        }
        SnapshotLayout.requireNewOrEmpty(out);
        Consumer<String> tell = done == null ? s -> { } : done;
        writeObjects(cluster, out, overrides, c -> tell.accept("objects: " + c), tool);
        Snapshot s = Snapshot.open(out);
        return s.fetchingMissingNodesWith(node -> {
            tell.accept("collecting " + node);
            collectNode(cluster, node, o, s.objects(), s.dir());
        });
    }

    /**
     * Removes {@code dir} and everything in it ({@code keepRoot}: the folder itself stays, empty) — a temporary folder,
     * or a snapshot whose collection failed. Best effort: what cannot be removed stays.
     */
    public static void remove(Path dir, boolean keepRoot) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!keepRoot || !p.equals(dir)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException ignored) {
            // the error that ended the work is what the user must see; a temporary folder the OS cleans
        }
    }
}
