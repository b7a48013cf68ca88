package io.skoop.cli;

import io.skoop.diagnose.Diagnosis;
import io.skoop.diagnose.Diagnostor;
import io.skoop.diagnose.Query;
import io.skoop.model.Level;
import io.skoop.model.Protocol;
import io.skoop.render.OutputFormat;
import io.skoop.snapshot.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code skoop diagnose}: does a new connection from SRC to DST:PORT/PROTO succeed on a snapshot,
 * and if not, why? Exit codes: 0 reachable, 1 unreachable or unknown, 2 usage error or bad input; with
 * {@code --fail-on LEVEL} also 1 when a suspicion of LEVEL or above is raised (a gate for CI pipelines: an MTU black
 * hole is REACHABLE with a CRITICAL).
 *
 * <p>As in kubectl, {@code -o/--output FORMAT} picks the renderer ({@link OutputFormat}: text, wide, json, yaml, dot, svg,
 * png, html; {@code --format} is the same option's older name) and {@code --output-file FILE} writes the result to FILE
 * instead of standard output ({@code -} is standard output); a file that is there is refused unless {@code --force};
 * png needs a file. The format and the file are checked before the diagnosis runs. With a file, standard output stays
 * empty and standard error gets one line naming the file and the verdict. {@code -n NAMESPACE} is the namespace of
 * bare names ({@code client}, {@code svc/web}; default {@code default}).
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = {"Simulate a new connection hop by hop on a cluster snapshot, or on a live cluster collected as the walk goes (--kubeconfig): the packet path, the suspicions, the verdict.",
                "Endpoints: NAMESPACE/POD, pod/NAMESPACE/POD, node/NAME, svc/NAMESPACE/NAME, a bare NAME (a pod of -n, else a"
                        + " node, else a Service of -n), NAMESPACE/NAME of a Service, or an IP.",
                "Exit: 0 reachable, 1 unreachable or unknown (or, with --fail-on, a suspicion of that level or above),"
                        + " 2 usage error or bad input."})
public class DiagnoseCommand implements Callable<Integer> {

    static class Source {
        @Option(names = "--example", paramLabel = "NAME", required = true,
                description = "An embedded snapshot (flannel-vxlan, flannel-vxlan-nftables, calico-bgp, dual-stack).")
        String example;

        @Option(names = "--snapshot", paramLabel = "DIR", required = true, description = "A snapshot folder (docs/snapshot.md).")
        Path snapshot;

        @Option(names = "--kubeconfig", paramLabel = "FILE", required = true, description = "A live cluster (docs/live.md): its "
                + "objects now, and each node the walk reaches dumped by a collector pod, into --keep DIR.")
        Path kubeconfig;
    }

    @Option(names = "--context", paramLabel = "NAME", description = "With --kubeconfig: the context (default: its current-context).")
    String context;

    @Option(names = "--keep", paramLabel = "DIR", description = "With --kubeconfig: the snapshot folder to collect into, new or empty "
            + "(default: a new folder under the temporary directory, named on stderr).")
    Path keep;

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = io.skoop.collect.CollectorPods.DEFAULT_IMAGE,
            description = "With --kubeconfig: the collector pods' image (default ${DEFAULT-VALUE}).")
    String image;

    @Option(names = "--namespace-for-collectors", paramLabel = "NS", defaultValue = "skoop",
            description = "With --kubeconfig: where collector pods run (default ${DEFAULT-VALUE}).")
    String collectorNamespace;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "With --kubeconfig: bound for each API call and for a collector pod to start (default ${DEFAULT-VALUE}).")
    double timeout;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = {"-s", "--source"}, required = true, paramLabel = "SRC", description = "The client.")
    String src;

    @Option(names = {"-d", "--destination"}, required = true, paramLabel = "DST", description = "The server.")
    String dst;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Destination port (a Service port number or name for svc/...; optional for a Service with one port).")
    String port;

    @Option(names = "--protocol", paramLabel = "PROTO", defaultValue = "tcp", completionCandidates = Protocols.class, description = "tcp or udp (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = {"-o", "--output", "--format"}, paramLabel = "FORMAT", defaultValue = "text", completionCandidates = Formats.class,
            description = "text, wide (text with every hop's decisions), json (docs/diagnose-json.md), yaml, dot (Graphviz"
                    + " source), svg, png or html (a page: summary, graph, decisions; default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--output-file", paramLabel = "FILE",
            description = "Write to FILE instead of standard output ('-': standard output; png needs a file).")
    String outputFile;

    @Option(names = "--force", description = "Replace --output-file when it exists (refused otherwise).")
    boolean force;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", defaultValue = "default",
            description = "The namespace of bare names: -s client -d svc/web (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--family", paramLabel = "4|6", description = "Reach a named DST (pod, node, Service of a dual-stack cluster) at "
            + "its IPv4 or IPv6 address (default: its primary address; an address written as DST is taken as it is).")
    String family;

    /** The names -o takes, for shell completion. */
    static final class Formats implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(OutputFormat.values()).map(OutputFormat::cliName).iterator();
        }
    }

    /** The levels --fail-on takes, for shell completion. */
    static final class FailOn implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.List.of("unreachable", "fatal", "critical", "warning").iterator();
        }
    }

    /** The protocols a query takes, for shell completion. */
    static final class Protocols implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.List.of("tcp", "udp").iterator();
        }
    }

    /** The file to write, or null for standard output. */
    private Path output;

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "unreachable", completionCandidates = FailOn.class,
            description = "When to exit 1: unreachable (the verdict is not REACHABLE; default), or also when a suspicion of"
                    + " fatal, critical or warning level or above is raised.")
    String failOn;

    @Option(names = "--no-color", description = "No colours in text on a terminal (NO_COLOR in the environment does the same).")
    boolean noColor;

    @Option(names = "--explain", description = "Text: also print every hop's decisions (routes, rules, lookups); json always has them.")
    boolean explain;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Level gate = failOnLevel(failOn);
        if (source.kubeconfig == null && (context != null || keep != null)) {
            throw new UserException((context != null ? "--context" : "--keep") + " goes with --kubeconfig (a live cluster)");
        }
        OutputFormat fmt = format();
        output = outputFile == null || outputFile.equals("-") ? null : Path.of(outputFile);
        checkOutput(fmt);
        Protocol proto = Protocol.parse(protocol);
        io.skoop.model.IpFamily fam;
        try {
            fam = family == null ? null : io.skoop.model.IpFamily.option(family);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        Diagnosis d;
        try (Progress progress = Progress.start("diagnose")) {
            progress.step("opening the snapshot");
            Snapshot snap = source.example != null ? Snapshot.example(source.example)
                    : source.snapshot != null ? Snapshot.open(source.snapshot) : live(progress);
            progress.step("reading the Kubernetes objects");
            Diagnostor diagnostor = new Diagnostor(snap);
            diagnostor.onProgress(progress::step);
            d = diagnostor.diagnose(new Query(src, dst, port, proto, namespace, fam));
        }
        byte[] rendered = fmt.render(d, explain, output == null ? Terminals.stdout(noColor) : io.skoop.render.TextRenderer.Screen.PLAIN);
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(new String(rendered, StandardCharsets.UTF_8));
            out.flush();
        } else {
            try {
                Files.write(output, rendered);
            } catch (IOException e) {
                throw new UserException("cannot write " + output + ": " + e);
            }
            spec.commandLine().getErr().printf("skoop: %s; wrote %s (%s, %d bytes)%n", d.verdict(), output, fmt.cliName(), rendered.length);
            spec.commandLine().getErr().flush();
        }
        boolean failed = !d.reachable() || gate != null && d.maxLevel() != null && d.maxLevel().compareTo(gate) >= 0;
        if (source.kubeconfig != null) {
            spec.commandLine().getErr().printf("skoop: collected %s into %s (skoop diagnose --snapshot %s … diagnoses it again)%n",
                    d.opened().stream().filter(o -> o.endsWith("/host")).map(o -> o.split("/")[1]).distinct().toList(), keep, keep);
            spec.commandLine().getErr().flush();
        }
        return failed ? 1 : 0;
    }

    /** A live cluster's snapshot in --keep (or a new temporary folder), its nodes collected as the walk reaches them. */
    private Snapshot live(Progress progress) {
        io.skoop.k8s.live.KubeConfigs.Cluster cluster = io.skoop.collect.LiveSnapshots.connect(source.kubeconfig, context, timeout);
        io.skoop.collect.CollectorPods.Options collectors = io.skoop.collect.CollectorPods.Options.of(collectorNamespace, image, timeout);
        Snapshot s = io.skoop.collect.LiveSnapshots.lazy(cluster, keep, collectors, f -> f, progress::step, "skoop " + SkoopCommand.VERSION);
        keep = s.dir();
        return s;
    }

    /** The level {@code --fail-on} names, or null for {@code unreachable} (the verdict alone decides). */
    static Level failOnLevel(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case "unreachable" -> null;
            case "fatal" -> Level.FATAL;
            case "critical" -> Level.CRITICAL;
            case "warning" -> Level.WARNING;
            default -> throw new UserException("--fail-on expects unreachable, fatal, critical or warning, got '" + text + "'"
                    + io.skoop.model.Names.didYouMean(t, java.util.List.of("unreachable", "fatal", "critical", "warning")));
        };
    }

    /** The format of -o; a file name there (the option's meaning before kubectl's habit) is told where it goes now. */
    private OutputFormat format() {
        try {
            return OutputFormat.parse(format);
        } catch (IllegalArgumentException e) {
            if (format.contains(".") || format.contains("/")) {
                throw new UserException("-o takes the output format, as in kubectl (" + String.join(", ", java.util.Arrays.stream(
                        OutputFormat.values()).map(OutputFormat::cliName).toList()) + "); write to a file with --output-file "
                        + format);
            }
            throw e;
        }
    }

    /** Fails before the diagnosis runs when the result could not be written. */
    private void checkOutput(OutputFormat fmt) {
        if (output == null) {
            if (fmt.binary()) {
                throw new UserException("-o " + fmt.cliName() + " is a binary image: give --output-file FILE");
            }
            return;
        }
        if (Files.isRegularFile(output) && !force) {
            throw new UserException("cannot write " + output + ": it exists; add --force to replace it");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new UserException("cannot write " + output + ": folder " + parent + " does not exist");
        }
        if (Files.isDirectory(output)) {
            throw new UserException("cannot write " + output + ": it is a folder; give a file name");
        }
    }
}
