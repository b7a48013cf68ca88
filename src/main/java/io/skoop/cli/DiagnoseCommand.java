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
 * <p>{@code --format} picks the renderer ({@link OutputFormat}: text, json, dot, svg, png, html); {@code -o FILE} writes the
 * result to FILE (replacing a file that is there) instead of standard output, and is required for png. The format and
 * the output folder are checked before the diagnosis runs. With {@code -o}, standard output stays empty and standard
 * error gets one line naming the file and the verdict.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = {"Simulate a new connection hop by hop on a cluster snapshot: the packet path, the suspicions, the verdict.",
                "Endpoints: NAMESPACE/POD, pod/NAMESPACE/POD, node/NAME, svc/NAMESPACE/NAME, or an IP.",
                "Exit: 0 reachable, 1 unreachable or unknown (or, with --fail-on, a suspicion of that level or above),"
                        + " 2 usage error or bad input."})
public class DiagnoseCommand implements Callable<Integer> {

    static class Source {
        @Option(names = "--example", paramLabel = "NAME", required = true,
                description = "An embedded snapshot (flannel-vxlan).")
        String example;

        @Option(names = "--snapshot", paramLabel = "DIR", required = true, description = "A snapshot folder (docs/snapshot.md).")
        Path snapshot;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = {"-s", "--source"}, required = true, paramLabel = "SRC", description = "The client.")
    String src;

    @Option(names = {"-d", "--destination"}, required = true, paramLabel = "DST", description = "The server.")
    String dst;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Destination port (a Service port number or name for svc/...; optional for a Service with one port).")
    String port;

    @Option(names = "--protocol", paramLabel = "PROTO", defaultValue = "tcp", description = "tcp or udp (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, json (docs/diagnose-json.md), dot (Graphviz source), svg, png or html (a page: summary, graph, decisions; default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write to FILE instead of standard output (required for png; an existing FILE is replaced).")
    Path output;

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "unreachable",
            description = "When to exit 1: unreachable (the verdict is not REACHABLE; default), or also when a suspicion of"
                    + " fatal, critical or warning level or above is raised.")
    String failOn;

    @Option(names = "--explain", description = "Text: also print every hop's decisions (routes, rules, lookups); json always has them.")
    boolean explain;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Level gate = failOnLevel(failOn);
        OutputFormat fmt = OutputFormat.parse(format);
        checkOutput(fmt);
        Protocol proto = Protocol.parse(protocol);
        Snapshot snap = source.example != null ? Snapshot.example(source.example) : Snapshot.open(source.snapshot);
        Diagnosis d = new Diagnostor(snap).diagnose(new Query(src, dst, port, proto));
        byte[] rendered = fmt.render(d, explain);
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
        return failed ? 1 : 0;
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

    /** Fails before the diagnosis runs when the result could not be written. */
    private void checkOutput(OutputFormat fmt) {
        if (output == null) {
            if (fmt.binary()) {
                throw new UserException("--format " + fmt.cliName() + " is a binary image: give -o FILE");
            }
            return;
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
