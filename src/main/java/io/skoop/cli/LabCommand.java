package io.skoop.cli;

import io.skoop.lab.calico.Calico;
import io.skoop.lab.plan.LabNetns;
import io.skoop.lab.plan.LabPlanner;
import io.skoop.lab.plan.Step;
import io.skoop.lab.run.Lab;
import io.skoop.lab.run.LabSnapshot;
import io.skoop.lab.run.LabStore;
import io.skoop.lab.run.Labs;
import io.skoop.lab.run.Probe;
import io.skoop.model.IpFamily;
import io.skoop.lab.topology.ExternalHost;
import io.skoop.lab.topology.LabExamples;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedService;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.TopologyLoader;
import io.skoop.model.EndpointSpecs;
import io.skoop.model.Protocol;
import io.skoop.render.ClusterTables;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code skoop lab …}: a Kubernetes data plane built out of network namespaces on this machine (docs/lab.md). Every
 * subcommand but {@code up --dry-run} needs root.
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Build a cluster's data plane out of network namespaces, break it, probe it (needs root).",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.ListLabs.class, LabCommand.Exec.class,
                LabCommand.ProbeCmd.class, LabCommand.Snapshot.class})
public class LabCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Labs labs() {
        return new Labs(LabStore.fromEnvironment());
    }

    /** {@code skoop lab up (FILE | --example NAME) [--name NAME] [--dry-run] [--verbose]}. */
    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Build a lab from a topology file (docs/lab.md) or a bundled example and print what it made.")
    public static class Up implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A topology YAML file (or use --example).")
        Path file;

        @Option(names = "--example", paramLabel = "NAME", description = "A bundled topology: ${COMPLETION-CANDIDATES}.",
                completionCandidates = ExampleNames.class)
        String example;

        @Option(names = "--name", paramLabel = "NAME", description = "Name the lab (default: the topology's name); prefixes its namespaces.")
        String name;

        @Option(names = "--dry-run", description = "Print the commands that would build the lab (as a shell script) and stop; needs no root.")
        boolean dryRun;

        @Option(names = {"-v", "--verbose"}, description = "Print every command as it runs.")
        boolean verbose;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if ((file == null) == (example == null)) {
                throw new UserException("give either FILE or --example NAME (bundled: " + String.join(", ", LabExamples.names()) + ")");
            }
            String fileName;
            String yaml;
            String source;
            if (example != null) {
                yaml = LabExamples.text(example);
                fileName = example + ".yaml";
                source = "example " + example;
            } else {
                yaml = Files.readString(file, StandardCharsets.UTF_8);
                fileName = file.toString();
                source = file.toAbsolutePath().normalize().toString();
            }
            ResolvedTopology t = TopologyLoader.parse(fileName, yaml);
            if (name != null) {
                t = t.withName(name);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (dryRun) {
                out.println("# skoop lab up " + source + ": lab " + t.name() + " (run as root; skoop lab down " + t.name() + " removes it)");
                out.println("set -e");
                for (Step s : LabPlanner.plan(t).steps()) {
                    out.println("# " + s.what());
                    out.println(s.shell());
                }
                return 0;
            }
            Labs.Built b;
            // --verbose prints every step already: no bar between its lines
            try (Progress progress = verbose ? null : Progress.start("lab up " + t.name(), LabPlanner.plan(t).steps().size())) {
                b = labs().up(t, source, fileName, yaml, verbose ? out::println : null, progress == null ? null : progress::step);
            }
            printLab(out, b.lab());
            out.printf("%nlab %s is up: %d namespaces, %d listeners, built in %.1f s%n", t.name(), b.plan().namespaces().size(),
                    b.plan().listeners().size(), b.elapsed().toMillis() / 1000.0);
            out.println("  skoop lab probe " + t.name() + " SRC DST PORT    # e.g. a pod to a Service: "
                    + exampleProbe(t));
            out.println("  skoop lab down " + t.name());
            return 0;
        }

        private static String exampleProbe(ResolvedTopology t) {
            if (t.pods().isEmpty() || t.services().isEmpty()) {
                return "skoop lab probe " + t.name() + " " + t.nodes().get(0).name() + " " + t.nodes().get(t.nodes().size() - 1).name() + " 22";
            }
            ResolvedService s = t.services().get(0);
            return "skoop lab probe " + t.name() + " " + t.pods().get(0).key() + " svc/" + s.service().key() + " "
                    + s.ports().get(0).port().port() + (s.ports().get(0).port().protocol() == Protocol.UDP ? " --protocol udp" : "");
        }
    }

    /** Prints a lab's nodes, pods, Services and external hosts with their namespaces and addresses. */
    static void printLab(PrintWriter out, Lab lab) {
        ResolvedTopology t = lab.topology();
        String l = t.name();
        // kube-proxy's mode only when it is not the default (iptables), so iptables-mode output stays as it was
        out.printf("lab %s (%s, %s %s%s)%n", l, lab.entry().source(), t.cni().type(), t.cni().modeText(),
                t.proxyMode() == io.skoop.lab.topology.ProxyMode.IPTABLES ? "" : ", kube-proxy " + t.proxyMode().text());
        if (t.dualStack()) {
            out.printf("%nunderlay %s,%s  router %s,%s  namespace %s%n", t.underlay(), t.ipv6().underlay(), t.underlayGateway(),
                    t.underlayGatewayV6(), LabNetns.underlay(l));
        } else {
            out.printf("%nunderlay %s  router %s  namespace %s%n", t.underlay(), t.underlayGateway(), LabNetns.underlay(l));
        }
        // a TUNNEL column only where the CNI gives nodes a tunnel address from their podCIDR (calico vxlan)
        boolean tunnels = t.nodes().stream().anyMatch(n -> n.tunnelAddress() != null);
        List<List<String>> nodes = new ArrayList<>();
        nodes.add(tunnels ? List.of("NODE", "ADDRESS", "PODCIDR", "TUNNEL", "NAMESPACE") : List.of("NODE", "ADDRESS", "PODCIDR", "NAMESPACE"));
        for (Node n : t.nodes()) {
            String address = joined(n.addresses());
            String podCIDRs = joined(n.podCIDRs());
            // calico vxlan dual-stack: vxlan-v6.calico's tunnel address too
            String tunnel = n.tunnelAddress() == null ? "-" : n.podCIDRv6() == null ? n.tunnelAddress().toString()
                    : joined(List.of(n.tunnelAddress(), Calico.tunnelAddressV6(n)));
            nodes.add(tunnels ? List.of(n.name(), address, podCIDRs, tunnel, LabNetns.node(l, n))
                    : List.of(n.name(), address, podCIDRs, LabNetns.node(l, n)));
        }
        out.println();
        table(out, "nodes", nodes);
        if (!t.pods().isEmpty()) {
            List<List<String>> pods = new ArrayList<>();
            pods.add(List.of("POD", "NODE", "IP", "LISTENS", "NAMESPACE"));
            for (Pod p : t.pods()) {
                String listens = p.listeners().stream().map(x -> x.port() + "/" + x.protocol().ianaName()).collect(Collectors.joining(","));
                pods.add(List.of(p.key(), p.node(), joined(p.ips()), listens.isEmpty() ? "-" : listens, LabNetns.pod(l, p)));
            }
            out.println();
            table(out, "pods", pods);
        }
        if (!t.services().isEmpty()) {
            List<List<String>> services = new ArrayList<>();
            services.add(List.of("SERVICE", "TYPE", "CLUSTER-IP", "PORTS -> ENDPOINTS"));
            for (ResolvedService s : t.services()) {
                String ports = s.ports().stream().map(p -> p.port().port() + (p.port().nodePort() > 0 ? ":" + p.port().nodePort() : "") + "/"
                        + p.port().protocol().ianaName() + " -> " + (p.endpoints().isEmpty() ? "(none)"
                        : p.endpoints().stream().flatMap(e -> s.service().ipFamilies().stream().map(f -> e.ip(f)).filter(java.util.Objects::nonNull)
                                .map(ip -> ip.withPort(e.port()))).collect(Collectors.joining(","))))
                        .collect(Collectors.joining("; "));
                services.add(List.of(s.service().key(), s.service().type().toString(), joined(s.service().clusterIPs()), ports));
            }
            out.println();
            table(out, "services", services);
        }
        if (!t.externalHosts().isEmpty()) {
            List<List<String>> hosts = new ArrayList<>();
            hosts.add(List.of("EXTERNAL", "ADDRESS", "NAMESPACE"));
            for (ExternalHost h : t.externalHosts()) {
                hosts.add(List.of(h.name(), joined(h.addresses()), LabNetns.external(l, h)));
            }
            out.println();
            table(out, "external hosts", hosts);
        }
    }

    /** The first row as headers and the rest as rows, aligned as every skoop table is ({@link ClusterTables.Table#text}). */
    private static void table(PrintWriter out, String kind, List<List<String>> rows) {
        out.print(new ClusterTables.Table(kind, rows.get(0), rows.subList(1, rows.size())).text());
    }

    /** {@code skoop lab down NAME}. */
    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove a lab: its listeners, every namespace it made (also after a half-finished up), its state.")
    public static class Down implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The lab's name (skoop lab list).")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> removed = labs().down(name);
            spec.commandLine().getOut().println("lab " + name + " is down: removed " + removed.size() + " namespaces");
            return 0;
        }
    }

    /** {@code skoop lab list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the labs on this machine.")
    public static class ListLabs implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<Labs.Listed> all = labs().list();
            if (all.isEmpty()) {
                out.println("no labs (start one with: skoop lab up --example flannel-vxlan)");
                return 0;
            }
            out.printf("%-16s %-9s %-11s %-20s %s%n", "NAME", "STATUS", "NAMESPACES", "CREATED", "SOURCE");
            for (Labs.Listed x : all) {
                if (x.entry() == null) {
                    out.printf("%-16s %-9s %-11s %-20s %s%n", x.name(), "orphaned", x.present(), "-",
                            "namespaces without lab state; remove with: skoop lab down " + x.name());
                } else {
                    LabStore.Entry e = x.entry();
                    out.printf("%-16s %-9s %-11s %-20s %s%n", e.name(), e.status(), x.present() + "/" + e.namespaces().size(), e.createdAt(),
                            e.source());
                }
            }
            return 0;
        }
    }

    /** {@code skoop lab exec NAME TARGET -- CMD…}. */
    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = "Run a command inside a node's, pod's or external host's network namespace (inject faults this way).")
    public static class Exec implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The lab's name.")
        String name;

        @Parameters(index = "1", paramLabel = "TARGET", description = "A node, an external host, or namespace/pod.")
        String target;

        @Parameters(index = "2..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
        List<String> command;

        @Override
        public Integer call() {
            return labs().exec(name, target, command);
        }
    }

    /** The items as kubectl prints lists of addresses: joined by commas. */
    private static String joined(List<?> items) {
        return items.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** {@code skoop lab probe NAME SRC DST PORT [-6] [--protocol tcp|udp] [--timeout S]}. */
    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Try a real connection through the kernel; exit 0 when it connects, 1 when not (and how it failed).")
    public static class ProbeCmd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The lab's name.")
        String name;

        @Parameters(index = "1", paramLabel = "SRC", description = "A node or external host (NAME, node/NAME), a pod "
                + "(NAMESPACE/POD, pod/NAMESPACE/POD), or a bare NAME: a pod of -n, else a node or external host.")
        String source;

        @Parameters(index = "2", paramLabel = "DST", description = "As SRC, or a Service (svc/NAMESPACE/NAME, svc/NAME of -n, "
                + "NAMESPACE/NAME when no pod has it, a bare NAME when no pod or node has it), or an IPv4 or IPv6 address "
                + "(fd00::1 or '[fd00::1]').")
        String destination;

        @Option(names = "-6", description = "Probe a named DST at its IPv6 address (a dual-stack lab's pod, node or Service).")
        boolean ipv6;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", defaultValue = "default",
                description = "The namespace of bare names (default: default).")
        String namespace;

        @Parameters(index = "3", paramLabel = "PORT", description = "The destination port (a Service's port for svc/…).")
        int port;

        @Option(names = "--protocol", paramLabel = "tcp|udp", defaultValue = "tcp", description = "tcp (default) or udp.")
        String protocol;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "2", description = "Bound for connect and answer (default 2).")
        double timeout;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (timeout <= 0 || timeout > 60) {
                throw new UserException("--timeout must be in (0, 60] seconds, got " + timeout);
            }
            Protocol p = Protocol.parse(protocol);
            Lab lab = labs().open(name);
            String src = Lab.unkinded(EndpointSpecs.qualified(source, namespace, true, lab.catalog()));
            String dst = Lab.unkinded(EndpointSpecs.qualified(destination, namespace, false, lab.catalog()));
            Probe.Result r = Probe.run(lab, src, dst, ipv6 ? IpFamily.IPv6 : IpFamily.IPv4, port, p, Duration.ofMillis((long) (timeout * 1000)));
            spec.commandLine().getOut().println(r.summary());
            return r.connected() ? 0 : 1;
        }
    }

    /** {@code skoop lab snapshot NAME OUTDIR}. */
    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Write the cluster snapshot a live cluster would give: k8s/*.json, every node's and pod's netns dump "
                    + "(docs/snapshot.md).")
    public static class Snapshot implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The lab's name.")
        String name;

        @Parameters(index = "1", paramLabel = "OUTDIR", description = "A new or empty folder.")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Labs labs = labs();
            Lab lab = labs.open(name);
            LabSnapshot.Taken s;
            ResolvedTopology t = lab.topology();
            try (Progress progress = Progress.start("lab snapshot " + name, t.nodes().size() + t.pods().size())) {
                s = LabSnapshot.take(lab, labs.store().topologyText(lab.entry()), out, SkoopCommand.VERSION, progress::step);
            }
            spec.commandLine().getOut().printf("snapshot of lab %s in %s: %d namespace dumps, k8s/*.json, snapshot.json (%.1f s)%n", name,
                    s.dir(), s.dumps().size(), s.elapsed().toMillis() / 1000.0);
            return 0;
        }
    }

    /** Completion candidates for {@code --example}. */
    static final class ExampleNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return LabExamples.names().iterator();
        }
    }
}
