package io.skoop.cli;

import io.skoop.collect.CollectorPods;
import io.skoop.collect.LiveSnapshots;
import io.skoop.k8s.live.ClusterFacts;
import io.skoop.k8s.live.KubeConfigs;
import io.skoop.k8s.live.LiveObjects;
import io.skoop.k8s.live.Rbac;
import io.skoop.snapshot.NodeDumps;
import io.skoop.snapshot.SnapshotLayout;
import io.skoop.snapshot.k8s.KubeObjects;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skoop collect}: a snapshot of a live cluster (docs/live.md). It writes the cluster's objects ({@code k8s/}),
 * {@code snapshot.json} with the CNI, kube-proxy mode and CIDRs decided from them, and every node's network namespaces:
 * dumped by a collector pod per node ({@link CollectorPods}), or given as {@code scripts/collect-node.sh} wrote them
 * ({@code --node-dump}), laid out by {@link NodeDumps}; {@code --objects-only} writes the objects alone.
 */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = {"Write a snapshot of a live cluster (docs/live.md): its objects as kubectl prints them (k8s/*.json), "
                + "snapshot.json with the CNI, kube-proxy mode and CIDRs decided from them, each with how, and every node's network "
                + "namespaces, dumped by a collector pod on each node (hostNetwork, hostPID, privileged; deleted when done).",
                "The cluster is found as kubectl finds it: --kubeconfig, $KUBECONFIG (files merged), ~/.kube/config, the in-cluster "
                        + "service account.",
                "Without pods: dump each node with scripts/collect-node.sh and give the dumps with --node-dump NODE=DIR, or write "
                        + "the objects alone with --objects-only."},
        footer = "Exit: 0 written, 1 written but some nodes could not be collected (named), 2 usage error or a cluster that cannot "
                + "be used as asked (no kubeconfig, unknown context, a refused permission naming its role, rejected credentials, no "
                + "answer).")
public class CollectCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "OUTDIR", description = "A new or empty folder.")
    Path out;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig (default: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context (default: its current-context).")
    String context;

    @Option(names = "--objects-only", description = "Write the objects and snapshot.json only: no collector pods.")
    boolean objectsOnly;

    @Option(names = "--node-dump", paramLabel = "NODE=DIR", description = "A node's dump as scripts/collect-node.sh wrote it "
            + "(repeatable): its host namespace and every pod namespace, matched to the node's pods by their addresses.")
    Map<String, Path> nodeDumps = new java.util.LinkedHashMap<>();

    @Option(names = "--nodes", paramLabel = "NODE", split = ",", description = "The nodes collector pods dump (default: every node).")
    List<String> nodes = new java.util.ArrayList<>();

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = CollectorPods.DEFAULT_IMAGE,
            description = "The collector pods' image (default " + CollectorPods.DEFAULT_IMAGE + "): bash, iproute2, iptables, ipset, nft, "
                    + "ss, sysctl, nsenter, tar.")
    String image;

    @Option(names = "--cleanup", description = "Delete collector pods a killed skoop left in --namespace-for-collectors, and exit.")
    boolean cleanup;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Bound for each API call and for a "
            + "collector pod to start (default 30; a node's dump itself may take up to 5 minutes, or this when longer).")
    double timeout;

    @Option(names = "--print-rbac", description = "Print the roles skoop needs (ClusterRole " + Rbac.READER + ", Role "
            + Rbac.COLLECTOR + ") and exit.")
    boolean printRbac;

    @Option(names = "--namespace-for-collectors", paramLabel = "NS", defaultValue = "skoop",
            description = "Where collector pods run (default skoop): the Role of --print-rbac is in it.")
    String collectorNamespace;

    @Option(names = "--cni", paramLabel = "NAME", description = "The CNI plugin, instead of detecting it (flannel, calico, ...).")
    String cni;

    @Option(names = "--cni-backend", paramLabel = "MODE", description = "The CNI's mode, instead of detecting it (flannel: vxlan, host-gw).")
    String cniBackend;

    @Option(names = "--proxy-mode", paramLabel = "MODE", description = "kube-proxy's mode, instead of detecting it (iptables, ipvs, nftables).")
    String proxyMode;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", description = "The pods' range, instead of detecting it.")
    String clusterCIDR;

    @Option(names = "--service-cidr", paramLabel = "CIDR", description = "The Services' range, instead of detecting it.")
    String serviceCIDR;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        if (printRbac) {
            CollectorPods.Options.of(collectorNamespace, image, timeout); // checks the namespace's name
            o.print(Rbac.yaml(collectorNamespace));
            o.flush();
            return 0;
        }
        if (out == null && !cleanup) {
            throw new UserException("give OUTDIR, a new or empty folder for the snapshot (or --print-rbac, --cleanup)");
        }
        if (cleanup) {
            KubeConfigs.Cluster cluster = connect();
            List<String> gone = CollectorPods.cleanup(cluster, collectorNamespace);
            o.println(gone.isEmpty() ? "no collector pods in namespace " + collectorNamespace
                    : "deleted " + gone.size() + " collector pods in namespace " + collectorNamespace + ": " + String.join(", ", gone));
            return 0;
        }
        if (objectsOnly && !nodes.isEmpty()) {
            throw new UserException("--nodes chooses the nodes collector pods dump; --objects-only dumps none");
        }
        boolean collectors = !objectsOnly && nodeDumps.isEmpty();
        nodeDumps.forEach(NodeDumps::requireDump); // before the cluster is asked anything
        SnapshotLayout.requireNewOrEmpty(out);
        KubeConfigs.Cluster cluster = connect();
        long start = System.nanoTime();
        boolean existed = java.nio.file.Files.exists(out);
        LiveSnapshots.Written written;
        KubeObjects objects;
        java.util.Map<String, NodeDumps.Arranged> arranged = new java.util.LinkedHashMap<>();
        Map<String, String> failed = new java.util.LinkedHashMap<>();
        try {
            try (Progress progress = Progress.start("collect " + cluster.context(), LiveObjects.KINDS.size())) {
                written = LiveSnapshots.writeObjects(cluster, out, this::overridden, progress::step, "skoop " + SkoopCommand.VERSION);
            }
            objects = KubeObjects.read(SnapshotLayout.k8s(out));
            for (Map.Entry<String, Path> d : nodeDumps.entrySet()) {
                arranged.put(d.getKey(), NodeDumps.arrange(d.getValue(), d.getKey(), objects, out));
            }
            if (collectors) {
                List<String> targets = nodes.isEmpty() ? objects.nodes().stream().map(io.skoop.snapshot.k8s.KNode::name).toList() : nodes;
                for (String n : targets) {
                    if (objects.findNode(n).isEmpty()) {
                        throw new UserException("--nodes " + n + ": the cluster has no node " + n + io.skoop.model.Names.didYouMean(n,
                                objects.nodes().stream().map(io.skoop.snapshot.k8s.KNode::name).toList()));
                    }
                }
                try (Progress progress = Progress.start("collect nodes", targets.size())) {
                    for (String n : targets) {
                        try {
                            arranged.put(n, LiveSnapshots.collectNode(cluster, n, collectorOptions(), objects, out));
                        } catch (io.skoop.k8s.live.LiveClusterException e) {
                            failed.put(n, e.getMessage()); // the other nodes are still worth having
                        }
                        progress.step(n);
                    }
                }
            }
        } catch (RuntimeException e) {
            // half a snapshot is no snapshot: remove what this run wrote (the folder was new or empty)
            LiveSnapshots.remove(out, existed);
            throw e;
        }
        Map<String, Integer> counts = written.counts();
        ClusterFacts facts = written.facts();
        if (!arranged.isEmpty()) {
            // what the objects did not say, the first node's own namespace may (its devices, kube-proxy's rules)
            facts = LiveSnapshots.refine(out, facts, arranged.keySet().iterator().next());
        }
        o.printf("snapshot of cluster %s (%s, from %s) in %s (%.1f s)%n", cluster.context(), cluster.server(), cluster.source(), out,
                (System.nanoTime() - start) / 1e9);
        o.println("  objects: " + String.join(", ", counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()));
        for (String[] f : new String[][] {{"cni", facts.cni()}, {"cniBackend", facts.cniBackend()}, {"proxyMode", facts.proxyMode()},
                {"clusterCIDR", facts.clusterCIDR()}, {"serviceCIDR", facts.serviceCIDR()}}) {
            o.printf("  %-12s %s  (%s)%n", f[0], f[1] == null ? "unknown" : f[1], facts.decidedBy().getOrDefault(f[0], "-"));
        }
        arranged.forEach((node, a) -> {
            o.println("  nodes/" + node + ": host, " + a.pods().size() + " pod namespaces" + (a.pods().isEmpty() ? "" : " ("
                    + String.join(", ", a.pods()) + ")"));
            if (!a.missing().isEmpty()) {
                o.println("    no namespace holds the address of: " + String.join(", ", a.missing()));
            }
            if (!a.ambiguous().isEmpty()) {
                o.println("    claimed by several namespaces (left out): " + String.join(", ", a.ambiguous()));
            }
            if (!a.others().isEmpty()) {
                o.println("    " + a.others().size() + " other namespaces hold no address of a pod of " + node + " (left out)");
            }
        });
        failed.forEach((node, why) -> o.println("  nodes/" + node + ": NOT collected: " + why));
        List<String> without = objects.nodes().stream().map(io.skoop.snapshot.k8s.KNode::name)
                .filter(n -> !arranged.containsKey(n) && !failed.containsKey(n)).toList();
        if (!without.isEmpty()) {
            o.println("  nodes without a dump: " + String.join(", ", without) + (collectors ? " (not in --nodes)"
                    : " (scripts/collect-node.sh on each, then --node-dump, or collector pods without --objects-only)")
                    + "; a diagnosis names every dump it lacks");
        }
        return failed.isEmpty() ? 0 : 1;
    }

    private KubeConfigs.Cluster connect() {
        return LiveSnapshots.connect(kubeconfig, context, timeout);
    }

    private CollectorPods.Options collectorOptions() {
        return CollectorPods.Options.of(collectorNamespace, image, timeout);
    }

    private ClusterFacts overridden(ClusterFacts detected) {
        return detected.overriddenBy(cni, cniBackend, proxyMode, clusterCIDR, serviceCIDR);
    }
}
