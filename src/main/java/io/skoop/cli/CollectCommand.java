package io.skoop.cli;

import io.skoop.k8s.live.ClusterFacts;
import io.skoop.k8s.live.KubeConfigs;
import io.skoop.k8s.live.LiveObjects;
import io.skoop.k8s.live.Rbac;
import io.skoop.snapshot.NodeDumps;
import io.skoop.snapshot.SnapshotLayout;
import io.skoop.snapshot.k8s.KubeObjects;
import io.skoop.snapshot.SnapshotMeta;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skoop collect}: a snapshot of a live cluster (docs/live.md). It writes the cluster's objects ({@code k8s/}),
 * {@code snapshot.json} with the CNI, kube-proxy mode and CIDRs decided from them, and the node dumps given with {@code
 * --node-dump} ({@link NodeDumps}: what {@code scripts/collect-node.sh} wrote on each node) in the snapshot's layout.
 * Until collector pods land the node dumps are made by hand; {@code --objects-only} writes the objects alone.
 */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = {"Write a snapshot of a live cluster (docs/live.md): its objects as kubectl prints them (k8s/*.json) and "
                + "snapshot.json with the CNI, kube-proxy mode and CIDRs decided from them, each with how.",
                "The cluster is found as kubectl finds it: --kubeconfig, $KUBECONFIG (files merged), ~/.kube/config, the in-cluster "
                        + "service account.",
                "Collector pods do not run yet: dump each node with scripts/collect-node.sh and give the dumps with --node-dump "
                        + "NODE=DIR, or write the objects alone with --objects-only (docs/live.md)."},
        footer = "Exit: 0 written, 2 usage error or a cluster that cannot be used as asked (no kubeconfig, unknown context, "
                + "a refused permission naming its role, rejected credentials, no answer).")
public class CollectCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "OUTDIR", description = "A new or empty folder.")
    Path out;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig (default: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context (default: its current-context).")
    String context;

    @Option(names = "--objects-only", description = "Write the objects and snapshot.json only (without --node-dump it is required "
            + "today: see above).")
    boolean objectsOnly;

    @Option(names = "--node-dump", paramLabel = "NODE=DIR", description = "A node's dump as scripts/collect-node.sh wrote it "
            + "(repeatable): its host namespace and every pod namespace, matched to the node's pods by their addresses.")
    Map<String, Path> nodeDumps = new java.util.LinkedHashMap<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Bound for each API call (default 30).")
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
            if (!io.skoop.model.Names.isDnsLabel(collectorNamespace)) {
                throw new UserException("--namespace-for-collectors " + collectorNamespace + " is not a namespace name (a DNS label)");
            }
            o.print(Rbac.yaml(collectorNamespace));
            o.flush();
            return 0;
        }
        if (out == null) {
            throw new UserException("give OUTDIR, a new or empty folder for the snapshot (or --print-rbac)");
        }
        if (!objectsOnly && nodeDumps.isEmpty()) {
            throw new UserException("collecting the nodes' network namespaces needs collector pods, which this skoop does not run yet;"
                    + " dump each node with scripts/collect-node.sh and give the dumps with --node-dump NODE=DIR, or add --objects-only"
                    + " to write the objects and snapshot.json alone (docs/live.md)");
        }
        for (Map.Entry<String, Path> d : nodeDumps.entrySet()) {
            if (!java.nio.file.Files.isDirectory(d.getValue().resolve("host"))) {
                throw new UserException("--node-dump " + d.getKey() + "=" + d.getValue() + ": not what scripts/collect-node.sh writes (no "
                        + d.getValue().resolve("host") + ")");
            }
        }
        if (timeout <= 0 || timeout > 3600) {
            throw new UserException("--timeout must be in (0, 3600] seconds, got " + timeout);
        }
        SnapshotLayout.requireNewOrEmpty(out);
        KubeConfigs.Cluster cluster = KubeConfigs.resolve(kubeconfig, context, System::getenv);
        int ms = (int) Math.max(1, timeout * 1000);
        cluster.api().setConnectTimeout(ms);
        cluster.api().setReadTimeout(ms);
        long start = System.nanoTime();
        boolean existed = java.nio.file.Files.exists(out);
        Map<String, Integer> counts;
        try (Progress progress = Progress.start("collect " + cluster.context(), LiveObjects.KINDS.size())) {
            counts = LiveObjects.collect(cluster, SnapshotLayout.k8s(out), progress::step);
        } catch (RuntimeException e) {
            // half a snapshot is no snapshot: remove what this run wrote (the folder was new or empty)
            removeWritten(existed);
            throw e;
        }
        java.util.Map<String, NodeDumps.Arranged> arranged = new java.util.LinkedHashMap<>();
        try {
            KubeObjects objects = KubeObjects.read(SnapshotLayout.k8s(out));
            for (Map.Entry<String, Path> d : nodeDumps.entrySet()) {
                arranged.put(d.getKey(), NodeDumps.arrange(d.getValue(), d.getKey(), objects, out));
            }
        } catch (RuntimeException e) {
            removeWritten(existed);
            throw e;
        }
        ClusterFacts facts = ClusterFacts.detect(SnapshotLayout.k8s(out)).overriddenBy(cni, cniBackend, proxyMode, clusterCIDR, serviceCIDR);
        new SnapshotMeta(SnapshotMeta.FORMAT_VERSION, "cluster", cluster.context(), facts.cni(), facts.cniBackend(), facts.proxyMode(),
                facts.clusterCIDR(), facts.serviceCIDR(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                "skoop " + SkoopCommand.VERSION, facts.decidedBy()).write(out);
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
        List<String> without = KubeObjects.read(SnapshotLayout.k8s(out)).nodes().stream().map(io.skoop.snapshot.k8s.KNode::name)
                .filter(n -> !arranged.containsKey(n)).toList();
        if (!without.isEmpty()) {
            o.println("  nodes without a dump: " + String.join(", ", without) + " (scripts/collect-node.sh on each, then --node-dump;"
                    + " a diagnosis names every dump it lacks)");
        }
        return 0;
    }

    private void removeWritten(boolean keepFolder) {
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(out)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!keepFolder || !p.equals(out)) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        } catch (IOException ignored) {
            // best effort: the error that ended the collection is what the user must see
        }
    }
}
