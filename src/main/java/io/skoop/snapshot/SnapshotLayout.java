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
}
