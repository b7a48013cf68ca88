package io.skoop.snapshot;

import io.skoop.model.Ip;
import io.skoop.model.Names;
import io.skoop.netstack.NetNS;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KubeObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Puts a node's dump as {@code scripts/collect-node.sh} wrote it ({@code host/}, {@code netns/ID/} per namespace found)
 * into a snapshot's layout: {@code host/} as {@code nodes/NODE/host}, and each namespace that holds the address of one
 * of the node's pods ({@code status.podIPs}; {@code hostNetwork} pods share the host's) as {@code
 * nodes/NODE/pods/NAMESPACE_POD}. No container runtime is trusted to say which namespace is whose: the kernel's
 * addresses decide. A namespace holding no pod's address (another node's in a lab, a runtime's sandbox, a pod that is
 * gone) is left out and listed; a pod no namespace holds, or two namespaces claim, is listed and gets no folder (a
 * diagnosis reaching it names the missing dump).
 */
public final class NodeDumps {
    private NodeDumps() {
    }

    /**
     * What {@link #arrange} did.
     *
     * @param pods      {@code NAMESPACE/POD} of each pod whose namespace was found
     * @param missing   pods of the node (not hostNetwork, with an address) no namespace holds
     * @param ambiguous pods two or more namespaces hold the address of (none copied)
     * @param others    namespace IDs that hold no pod's address of the node, or could not be read (with why)
     */
    public record Arranged(List<String> pods, List<String> missing, List<String> ambiguous, List<String> others) {
        public Arranged {
            pods = List.copyOf(pods);
            missing = List.copyOf(missing);
            ambiguous = List.copyOf(ambiguous);
            others = List.copyOf(others);
        }
    }

    /**
     * Refuses a folder that is not what {@code scripts/collect-node.sh} writes (it has no {@code host/}).
     *
     * @throws IllegalArgumentException naming the node, the folder and what is missing
     */
    public static void requireDump(String node, Path nodeDump) {
        if (!Files.isDirectory(nodeDump.resolve("host"))) {
            throw new IllegalArgumentException("--node-dump " + node + "=" + nodeDump + ": not what scripts/collect-node.sh writes (no "
                    + nodeDump.resolve("host") + ")");
        }
    }

    /**
     * Copies {@code nodeDump} of node {@code node} into {@code snapshot}.
     *
     * @param objects the snapshot's objects (the node's pods and their addresses)
     * @throws IllegalArgumentException when {@code node} is no node of the objects (with close matches), or {@code
     *                                  nodeDump} is not what collect-node.sh writes (no {@code host/})
     * @throws UncheckedIOException     when a file cannot be copied
     */
    public static Arranged arrange(Path nodeDump, String node, KubeObjects objects, Path snapshot) {
        if (objects.findNode(node).isEmpty()) {
            throw new IllegalArgumentException("--node-dump " + node + "=" + nodeDump + ": the cluster has no node " + node
                    + Names.didYouMean(node, objects.nodes().stream().map(KNode::name).toList()));
        }
        requireDump(node, nodeDump);
        List<Path> namespaces = new ArrayList<>();
        Path netns = nodeDump.resolve("netns");
        if (Files.isDirectory(netns)) {
            try (Stream<Path> s = Files.list(netns)) {
                s.filter(Files::isDirectory).sorted().forEach(namespaces::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<String> others = new ArrayList<>();
        List<NetNS> opened = new ArrayList<>();
        List<Path> readable = new ArrayList<>();
        for (Path d : namespaces) {
            try {
                NetNS ns = NetNS.load(d);
                ns.interfaces(); // parsed here: a namespace whose addresses cannot be read matches nothing
                opened.add(ns);
                readable.add(d);
            } catch (RuntimeException e) {
                others.add(d.getFileName() + " (unreadable: " + e.getMessage() + ")");
            }
        }
        copy(nodeDump.resolve("host"), SnapshotLayout.host(snapshot, node));
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> ambiguous = new ArrayList<>();
        boolean[] used = new boolean[readable.size()];
        NetNS host = NetNS.load(nodeDump.resolve("host")); // read only when two namespaces claim one address
        for (KPod p : objects.pods()) {
            if (!node.equals(p.nodeName()) || p.hostNetwork() || p.podIPs().isEmpty()) {
                continue;
            }
            List<Integer> holders = new ArrayList<>();
            for (int i = 0; i < opened.size(); i++) {
                NetNS ns = opened.get(i);
                if (p.podIPs().stream().anyMatch((Ip ip) -> ns.interfaces().withAddress(ip).isPresent())) {
                    holders.add(i);
                }
            }
            if (holders.size() > 1) {
                // a stale sandbox, or another node's namespace on one machine, may hold the address too: the pod's own is the
                // one whose interface is the peer of a veth of the node (each side names the other's ifindex)
                List<Integer> paired = holders.stream().filter(i -> pairedWithHost(host, opened.get(i), p.podIPs())).toList();
                if (paired.size() == 1) {
                    holders.forEach(i -> used[i] = true);
                    holders = paired;
                }
            }
            if (holders.size() == 1) {
                used[holders.get(0)] = true;
                copy(readable.get(holders.get(0)), SnapshotLayout.pod(snapshot, node, p.namespace(), p.name()));
                found.add(p.namespace() + "/" + p.name());
            } else if (holders.isEmpty()) {
                missing.add(p.namespace() + "/" + p.name());
            } else {
                holders.forEach(i -> used[i] = true);
                ambiguous.add(p.namespace() + "/" + p.name() + " (" + String.join(", ", holders.stream()
                        .map(i -> readable.get(i).getFileName().toString()).toList()) + ")");
            }
        }
        for (int i = 0; i < readable.size(); i++) {
            if (!used[i]) {
                others.add(readable.get(i).getFileName().toString());
            }
        }
        return new Arranged(found, missing, ambiguous, others);
    }

    /** True when an interface of {@code ns} holding one of {@code ips} and a veth of {@code host} name each other as peers. */
    private static boolean pairedWithHost(NetNS host, NetNS ns, List<Ip> ips) {
        try {
            for (Ip ip : ips) {
                io.skoop.netstack.link.Interface c = ns.interfaces().withAddress(ip).orElse(null);
                if (c == null || c.peer() == null) {
                    continue;
                }
                for (io.skoop.netstack.link.Interface h : host.interfaces().all()) {
                    if (h.peer() != null && h.peer().ifindex() == c.ifindex() && c.peer().ifindex() == h.ifindex()) {
                        return true;
                    }
                }
            }
        } catch (RuntimeException unreadable) {
            // a host dump whose links cannot be read pairs nothing: the pod stays ambiguous
        }
        return false;
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
