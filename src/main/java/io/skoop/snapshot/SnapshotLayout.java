package io.skoop.snapshot;

import java.nio.file.Path;

/**
 * Where things are in a cluster snapshot folder (docs/snapshot.md):
 * <pre>
 * SNAPSHOT/snapshot.json                                  {@link SnapshotMeta}
 * SNAPSHOT/k8s/&lt;kind&gt;.json                              kubectl get &lt;kind&gt; -A -o json
 * SNAPSHOT/nodes/&lt;node&gt;/host/                            the node's root namespace, by scripts/collect-netns.sh
 * SNAPSHOT/nodes/&lt;node&gt;/pods/&lt;namespace&gt;_&lt;pod&gt;/         each pod's namespace, by scripts/collect-netns.sh
 * </pre>
 * Kubernetes names hold no {@code _}, so {@code <namespace>_<pod>} is unambiguous.
 */
public final class SnapshotLayout {

    private SnapshotLayout() {
    }

    /** {@code SNAPSHOT/k8s}. */
    public static Path k8s(Path snapshot) {
        return snapshot.resolve("k8s");
    }

    /** {@code SNAPSHOT/nodes/NODE/host}. */
    public static Path host(Path snapshot, String node) {
        return snapshot.resolve("nodes").resolve(node).resolve("host");
    }

    /** {@code SNAPSHOT/nodes/NODE/pods/NAMESPACE_POD}. */
    public static Path pod(Path snapshot, String node, String namespace, String pod) {
        return snapshot.resolve("nodes").resolve(node).resolve("pods").resolve(namespace + "_" + pod);
    }

    /**
     * Refuses to write a snapshot into {@code out} unless it is new or an empty folder: a snapshot never overwrites
     * files.
     *
     * @throws IllegalArgumentException saying what is in the way
     */
    public static void requireNewOrEmpty(Path out) {
        if (!java.nio.file.Files.exists(out)) {
            return;
        }
        if (!java.nio.file.Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " exists and is not a folder; give a new folder for the snapshot");
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new IllegalArgumentException(out + " is not empty; give a new or empty folder (a snapshot never overwrites files)");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
