package io.skoop.snapshot;

import io.skoop.netstack.NetNS;
import io.skoop.netstack.parse.ParseException;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KubeObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster snapshot (docs/snapshot.md) opened for reading: its metadata, its Kubernetes objects (read and typed when
 * the snapshot is opened) and the network namespace of every node and pod (opened when first asked for, then kept).
 * A namespace dump is itself parsed part by part on first use ({@link NetNS}), so a diagnosis reads only the
 * namespaces and the files on the packet's path.
 *
 * <pre>{@code
 * Snapshot s = Snapshot.example("flannel-vxlan");            // or Snapshot.open(Path.of("snap"))
 * KPod client = s.objects().pod("default", "client");
 * NetNS ns = s.pod("default", "client");                      // the pod's own network namespace
 * NetNS node = s.host(client.nodeName());                     // its node's
 * }</pre>
 *
 * <p>Not thread-safe (neither is {@link NetNS}).
 */
public final class Snapshot {
    private static final Embedded SNAPSHOTS = new Embedded("/io/skoop/snapshots/", "snapshot");
    private static final String WHAT_IT_IS = "a snapshot folder holds snapshot.json (its metadata), k8s/<kind>.json "
            + "('kubectl get <kind> -A -o json') and a netns dump per node (nodes/<node>/host/) and per pod "
            + "(nodes/<node>/pods/<namespace>_<pod>/); 'skoop lab snapshot' writes one (docs/snapshot.md)";

    private final Path dir;
    private final SnapshotMeta meta;
    private final KubeObjects objects;
    private final Map<Path, NetNS> opened = new LinkedHashMap<>();
    private List<MissingDump> missing;
    private NodeFetcher fetcher;
    private final Map<String, String> tried = new LinkedHashMap<>();

    /**
     * Dumps a node into this snapshot's folder when a diagnosis first reaches it (a live cluster's collector pod):
     * writes {@code nodes/NODE/host} and its pods' folders, or throws saying why it could not.
     */
    @FunctionalInterface
    public interface NodeFetcher {
        /** Dumps {@code node} into the snapshot folder; a RuntimeException says why it could not. */
        void fetch(String node);
    }

    private Snapshot(Path dir, SnapshotMeta meta, KubeObjects objects) {
        this.dir = dir;
        this.meta = meta;
        this.objects = objects;
    }

    /**
     * Opens a snapshot folder: reads snapshot.json and {@code k8s/*.json}; no network namespace is read yet.
     *
     * @throws IllegalArgumentException saying what a snapshot folder is when {@code dir} is not a folder or has no
     *                                  snapshot.json
     * @throws ParseException           naming the file (and line) when snapshot.json or a {@code k8s/} file is missing
     *                                  or malformed
     */
    public static Snapshot open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a cluster snapshot: " + dir + " is not a directory; " + WHAT_IT_IS);
        }
        if (!Files.isRegularFile(dir.resolve(SnapshotMeta.FILE))) {
            boolean dump = Files.isRegularFile(dir.resolve("meta.json")) || Files.isRegularFile(dir.resolve("link.json"));
            throw new IllegalArgumentException("not a cluster snapshot: " + dir + " has no " + SnapshotMeta.FILE
                    + (dump ? " (it looks like the netns dump of one namespace)" : "") + "; " + WHAT_IT_IS);
        }
        try {
            return new Snapshot(dir, SnapshotMeta.read(dir), KubeObjects.read(SnapshotLayout.k8s(dir)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(SnapshotMeta.FILE), e);
        }
    }

    /**
     * Opens a snapshot embedded in the jar (src/main/resources/io/skoop/snapshots/, listed in its index.txt).
     *
     * @throws IllegalArgumentException naming the embedded snapshots when {@code name} is not one
     */
    public static Snapshot example(String name) {
        return open(SNAPSHOTS.path(name));
    }

    /** The embedded snapshots' names with their one-line descriptions, in index order. */
    public static Map<String, String> examples() {
        return SNAPSHOTS.index();
    }

    /** The snapshot folder. */
    public Path dir() {
        return dir;
    }

    /** snapshot.json. */
    public SnapshotMeta meta() {
        return meta;
    }

    /** The Kubernetes objects. */
    public KubeObjects objects() {
        return objects;
    }

    /**
     * The network namespace of a node (its root namespace), opened on first call and kept.
     *
     * @throws IllegalArgumentException when there is no such node (naming the closest) or its dump is missing
     */
    public NetNS host(String node) {
        objects.node(node);
        return netns(SnapshotLayout.host(dir, node), "node " + node);
    }

    /**
     * The network namespace of a pod, opened on first call and kept: its own for an ordinary pod, its node's for a
     * {@code hostNetwork} pod (the same instance {@link #host} gives).
     *
     * @throws IllegalArgumentException when there is no such pod (naming the closest), it is not scheduled, or its
     *                                  dump is missing
     */
    public NetNS pod(String namespace, String name) {
        KPod pod = objects.pod(namespace, name);
        if (pod.nodeName() == null) {
            throw new IllegalArgumentException(pod + " is not scheduled (no spec.nodeName): it has no network namespace");
        }
        if (pod.hostNetwork()) {
            return host(pod.nodeName());
        }
        return netns(SnapshotLayout.pod(dir, pod.nodeName(), namespace, name), pod.toString());
    }

    /**
     * Makes this snapshot lazy: a node whose dump folder is absent is fetched by {@code fetcher} the first time {@link
     * #ensure} asks for it (KubeSkoop's way: only the nodes a diagnosis reaches are collected), and {@link #missingDumps}
     * then lists only what was asked for and could not be had.
     *
     * @return this snapshot
     */
    public Snapshot fetchingMissingNodesWith(NodeFetcher fetcher) {
        this.fetcher = fetcher;
        this.missing = null;
        return this;
    }

    /**
     * For a lazy snapshot ({@link #fetchingMissingNodesWith}): fetches node {@code node} now unless its dump is there or
     * was tried before; a failure is kept ({@link #fetchFailure}) and its dumps stay missing. Does nothing otherwise.
     */
    public void ensure(String node) {
        if (fetcher == null || tried.containsKey(node) || objects.findNode(node).isEmpty()) {
            return;
        }
        if (Files.isDirectory(SnapshotLayout.host(dir, node))) {
            tried.put(node, "");
            return;
        }
        String why = "";
        try {
            fetcher.fetch(node);
        } catch (RuntimeException e) {
            why = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        tried.put(node, why);
        missing = null;
    }

    /** Why fetching {@code node} failed, for a lazy snapshot; empty when it was not tried or worked. */
    public java.util.Optional<String> fetchFailure(String node) {
        String why = tried.get(node);
        return why == null || why.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(why);
    }

    /**
     * The dump folders opened so far by {@link #host} and {@link #pod}, relative to the snapshot folder
     * ({@code nodes/node-1/pods/default_client}), in the order they were first asked for.
     */
    public List<String> openedDumps() {
        return opened.keySet().stream().map(p -> dir.relativize(p).toString()).toList();
    }

    /**
     * Nodes and pods whose dump folder is absent: every node, and every pod with its own network namespace (not
     * {@code hostNetwork}, scheduled, phase neither Succeeded nor Failed). A diagnosis turns each into a suspicion
     * instead of failing. Looked up on the first call (one directory check per node and pod: 31,000 on a
     * 30,000-pod snapshot) and kept, like the namespaces: a snapshot folder does not change while it is open.
     */
    public List<MissingDump> missingDumps() {
        if (missing == null) {
            missing = findMissingDumps();
        }
        return missing;
    }

    private List<MissingDump> findMissingDumps() {
        List<MissingDump> out = new ArrayList<>();
        // a lazy snapshot misses only what a diagnosis asked for: the nodes not reached are not needed
        objects.nodes().stream().filter(n -> fetcher == null || tried.containsKey(n.name())).forEach(n -> {
            Path p = SnapshotLayout.host(dir, n.name());
            if (!Files.isDirectory(p)) {
                out.add(new MissingDump(n.name(), null, null, dir.relativize(p).toString()));
            }
        });
        for (KPod pod : objects.pods()) {
            if (pod.hostNetwork() || pod.nodeName() == null || "Succeeded".equals(pod.phase()) || "Failed".equals(pod.phase())
                    || fetcher != null && !tried.containsKey(pod.nodeName())) {
                continue;
            }
            Path p = SnapshotLayout.pod(dir, pod.nodeName(), pod.namespace(), pod.name());
            if (!Files.isDirectory(p)) {
                out.add(new MissingDump(pod.nodeName(), pod.namespace(), pod.name(), dir.relativize(p).toString()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * A node or pod whose network namespace was not dumped.
     *
     * @param node      the node (of the pod)
     * @param namespace the pod's namespace, null for a node
     * @param pod       the pod's name, null for a node
     * @param dir       the absent folder, relative to the snapshot folder
     */
    public record MissingDump(String node, String namespace, String pod, String dir) {
        /** True for a node's own namespace. */
        public boolean isNode() {
            return pod == null;
        }

        @Override
        public String toString() {
            return (isNode() ? "node " + node : "pod " + namespace + "/" + pod + " on " + node) + ": no " + dir + "/";
        }
    }

    private NetNS netns(Path dumpDir, String what) {
        NetNS ns = opened.get(dumpDir);
        if (ns == null) {
            if (!Files.isDirectory(dumpDir)) {
                throw new IllegalArgumentException("the snapshot holds no network namespace of " + what + ": "
                        + dir.relativize(dumpDir) + "/ is missing (see missingDumps())");
            }
            ns = NetNS.load(dumpDir);
            opened.put(dumpDir, ns);
        }
        return ns;
    }

    @Override
    public String toString() {
        return "snapshot " + meta.name() + " (" + dir + ")";
    }
}
