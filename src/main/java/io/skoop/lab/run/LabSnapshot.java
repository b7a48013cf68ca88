package io.skoop.lab.run;

import io.skoop.lab.k8s.ClusterObjects;
import io.skoop.lab.plan.LabNetns;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.snapshot.SnapshotLayout;
import io.skoop.snapshot.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code skoop lab snapshot}: the snapshot a live cluster would give (docs/snapshot.md) — every node's and pod's
 * network namespace dumped by {@code scripts/collect-netns.sh} run inside it (the very script a real node runs,
 * carried in the jar), the Kubernetes objects as {@code kubectl get -A -o json} prints them
 * ({@link ClusterObjects}), the metadata ({@link SnapshotMeta}) and the lab topology it came from
 * ({@code topology.yaml}). The underlay and the external hosts are not part of the cluster and are not dumped.
 */
public final class LabSnapshot {

    /** The collect script inside the jar. */
    static final String SCRIPT = "/io/skoop/scripts/collect-netns.sh";
    private static final Duration COLLECT_TIMEOUT = Duration.ofSeconds(60);

    private LabSnapshot() {
    }

    /**
     * What a snapshot holds.
     *
     * @param dir     the snapshot folder
     * @param dumps   the namespace dumps written (node hosts, then pods)
     * @param elapsed wall time
     */
    public record Taken(Path dir, List<Path> dumps, Duration elapsed) {
    }

    /**
     * Takes a snapshot of {@code lab} into {@code out}, which must not exist or be an empty folder (nothing is
     * overwritten).
     *
     * @param tool what writes it, e.g. {@code skoop 0.1.0}
     * @throws LabException when not root, when {@code out} holds files, or when a dump fails (naming the namespace
     *                      and the script's message)
     */
    public static Taken take(Lab lab, String topologyYaml, Path out, String tool) {
        return take(lab, topologyYaml, out, tool, null);
    }

    /**
     * {@link #take(Lab, String, Path, String)}, telling {@code done} (when not null) the network namespace of each
     * dump once it is written: one call per node and pod, for a progress display.
     */
    public static Taken take(Lab lab, String topologyYaml, Path out, String tool, Consumer<String> done) {
        Labs.requireRoot("lab snapshot");
        try {
            SnapshotLayout.requireNewOrEmpty(out);
        } catch (IllegalArgumentException e) {
            throw new LabException(e.getMessage());
        }
        long start = System.nanoTime();
        ResolvedTopology t = lab.topology();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Path> dumps = new ArrayList<>();
        Path script = null;
        try {
            Files.createDirectories(out);
            script = extractScript();
            for (Node n : t.nodes()) {
                dumps.add(collect(script, LabNetns.node(lab.name(), n), SnapshotLayout.host(out, n.name()), done));
            }
            for (Pod p : t.pods()) {
                dumps.add(collect(script, LabNetns.pod(lab.name(), p), SnapshotLayout.pod(out, p.node(), p.namespace(), p.name()), done));
            }
            ClusterObjects.write(t, now, SnapshotLayout.k8s(out));
            Files.writeString(out.resolve("topology.yaml"), topologyYaml);
            new SnapshotMeta(SnapshotMeta.FORMAT_VERSION, "lab", t.name(), t.cni().type(), t.cni().modeText(), t.proxyMode().text(),
                    t.clusterCIDR() + (t.dualStack() ? "," + t.ipv6().clusterCIDR() : ""),
                    t.serviceCIDR() + (t.dualStack() ? "," + t.ipv6().serviceCIDR() : ""), now.toString(), tool).write(out);
        } catch (IOException e) {
            throw new LabException("cannot write the snapshot in " + out + ": " + e.getMessage());
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a temp file; the OS cleans /tmp
                }
            }
        }
        return new Taken(out, dumps, Duration.ofNanos(System.nanoTime() - start));
    }

    private static Path collect(Path script, String netns, Path dir, Consumer<String> done) {
        Proc.Result r = Proc.run(List.of("ip", "netns", "exec", netns, "bash", script.toString(), dir.toString()), null, COLLECT_TIMEOUT);
        if (!r.ok()) {
            throw new LabException("collect-netns.sh failed in " + netns + " (" + (r.timedOut() ? "timed out" : "exit " + r.exit()) + "): "
                    + r.err().strip());
        }
        if (done != null) {
            done.accept(netns);
        }
        return dir;
    }

    private static Path extractScript() throws IOException {
        try (InputStream in = LabSnapshot.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("collect-netns.sh is missing from the jar (" + SCRIPT + ")");
            }
            Path f = Files.createTempFile("skoop-collect-netns", ".sh");
            Files.write(f, in.readAllBytes());
            return f;
        }
    }
}
