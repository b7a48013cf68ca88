package io.skoop.notebook;

import io.skoop.diagnose.Query;
import io.skoop.dsl.Session;
import io.skoop.dsl.Verbs;
import io.skoop.model.Names;
import io.skoop.model.Protocol;
import io.skoop.render.ClusterTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The notebook's magics: what a notebook user does all the time, one line each. A line {@code %name args} (or
 * {@code x = %name args}) runs a line magic and gives its value; a cell whose first line is {@code %%name} runs a cell
 * magic on the rest. Each magic is a picocli command, so {@code %name --help} prints its usage and a bad argument is
 * a one-line error naming it.
 *
 * <ul>
 * <li>{@code %example NAME}, {@code %snapshot DIR}, {@code %lab NAME|FILE [--name LAB]}: choose what the session works
 *     on (the DSL's {@code example}, {@code snapshot} and {@code lab} verbs);</li>
 * <li>{@code %diagnose SRC DST [-p PORT] [-u]}: a diagnosis, endpoints written as {@code skoop diagnose} takes them;
 *     {@code %explain}: the latest one with every hop's decisions; {@code %render [-f] [FILE|DIR]}: write its graph;</li>
 * <li>{@code %nodes}, {@code %pods [-n NS]}, {@code %services}: the snapshot's objects; {@code %verbs [VERB]}: the DSL;</li>
 * <li>{@code %time CODE} and {@code %%time}: run code and print how long it took ({@code time: 12.3 ms});</li>
 * <li>{@code %help}: the magics.</li>
 * </ul>
 */
public final class Magics {
    private final CellEvaluator evaluator;
    private final Map<String, Function<Magics, Callable<Object>>> line = new LinkedHashMap<>();
    private String label = "cell";

    Magics(CellEvaluator evaluator) {
        this.evaluator = evaluator;
        line.put("example", ExampleMagic::new);
        line.put("snapshot", SnapshotMagic::new);
        line.put("lab", LabMagic::new);
        line.put("diagnose", DiagnoseMagic::new);
        line.put("explain", ExplainMagic::new);
        line.put("render", RenderMagic::new);
        line.put("nodes", NodesMagic::new);
        line.put("pods", PodsMagic::new);
        line.put("services", ServicesMagic::new);
        line.put("verbs", VerbsMagic::new);
        line.put("time", m -> null);
        line.put("help", HelpMagic::new);
    }

    /** The names of the line magics, in {@code %help}'s order. */
    public List<String> lineNames() {
        return List.copyOf(line.keySet());
    }

    /** The names of the cell magics. */
    public List<String> cellNames() {
        return List.of("time");
    }

    private Session session() {
        return evaluator.session();
    }

    /**
     * Runs the line magic {@code name} (a cell's {@code %name args} on line {@code lineNo}).
     *
     * @return the magic's value (a diagnosis, a table, a message)
     * @throws IllegalArgumentException for an unknown magic (naming the magics and the closest), or a bad argument
     */
    public Object line(String name, String args, int lineNo) throws Exception {
        if (name.equals("time")) {
            return time(() -> evaluator.evalGroovy(args, label, lineNo - 1).value());
        }
        Function<Magics, Callable<Object>> make = line.get(name);
        if (make == null) {
            throw unknown("%" + name, lineNames(), "%");
        }
        return run(name, make.apply(this), split(args));
    }

    /**
     * Runs the cell magic {@code name} on {@code body} (the cell's lines after the {@code %%name} line).
     *
     * @throws IllegalArgumentException for an unknown cell magic
     */
    CellEvaluator.Result cell(String name, String args, String body, String cellLabel) {
        if (!name.equals("time")) {
            throw unknown("%%" + name, cellNames(), "%%");
        }
        if (!args.isBlank()) {
            throw new IllegalArgumentException("%%time takes no arguments, only the cell's code after its line (got '" + args + "')");
        }
        String before = label;
        label = cellLabel;
        try {
            CellEvaluator.Result[] r = new CellEvaluator.Result[1];
            time(() -> r[0] = evaluator.evalGroovy(body, cellLabel, 1));
            return r[0];
        } finally {
            label = before;
        }
    }

    /** Tells the magics which cell they run in (for the line numbers of {@code %time}'s code). */
    void cellLabel(String cellLabel) {
        this.label = cellLabel;
    }

    private static IllegalArgumentException unknown(String what, List<String> names, String prefix) {
        List<String> shown = names.stream().map(n -> prefix + n).toList();
        return new IllegalArgumentException("unknown magic " + what + "; magics: " + String.join(" ", shown)
                + Names.didYouMean(what, shown));
    }

    /** Runs {@code body}, prints {@code time: N ms} (wall clock), returns its value. */
    private static Object time(java.util.function.Supplier<Object> body) {
        long start = System.nanoTime();
        try {
            return body.get();
        } finally {
            System.out.printf(Locale.ROOT, "time: %.1f ms%n", (System.nanoTime() - start) / 1e6);
            System.out.flush();
        }
    }

    private Object run(String name, Callable<Object> magic, List<String> args) throws Exception {
        CommandLine cl = new CommandLine(magic);
        cl.setCommandName("%" + name);
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("%" + name + ": " + e.getMessage() + " (%" + name + " --help shows the usage)");
        }
        if (cl.isUsageHelpRequested()) {
            return new Usage(cl.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing() + "\n");
        }
        return magic.call();
    }

    /** A magic's usage: printed as it is (text/plain). */
    public record Usage(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** Splits a magic's arguments as a shell would: blanks separate, quotes group ('...' or "..."), backslash escapes. */
    static List<String> split(String args) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean any = false;
        char quote = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (c == '\\' && i + 1 < args.length() && quote != '\'') {
                cur.append(args.charAt(++i));
                any = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed " + quote + " in magic arguments: " + args);
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }

    // ---- the magics -----------------------------------------------------------------------------------------------

    private static final Verbs VERBS = Verbs.standard();

    /** The embedded examples' names, for {@code %example}'s help. */
    static final class ExampleNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return io.skoop.snapshot.Snapshot.examples().keySet().iterator();
        }
    }

    /** A magic over the session. */
    private abstract static class Base implements Callable<Object> {
        final Magics magics;

        Base(Magics magics) {
            this.magics = magics;
        }

        Object verb(String name, Object... args) {
            return VERBS.invoke(magics.session(), name, args);
        }
    }

    @Command(name = "example", mixinStandardHelpOptions = true, description = "Work on an embedded example snapshot (as example('NAME')).")
    static final class ExampleMagic extends Base {
        @Parameters(paramLabel = "NAME", description = "the example: ${COMPLETION-CANDIDATES}", completionCandidates = ExampleNames.class)
        String name;

        ExampleMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return verb("example", name);
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Work on a snapshot folder (as snapshot('DIR'); docs/snapshot.md).")
    static final class SnapshotMagic extends Base {
        @Parameters(paramLabel = "DIR", description = "the snapshot folder")
        String dir;

        SnapshotMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return verb("snapshot", dir);
        }
    }

    @Command(name = "lab", mixinStandardHelpOptions = true,
            description = {"Bring up a lab (an example's name or a topology file) or take one that is up, and work on its snapshot",
                    "(as lab('NAME')); needs root. Its value is the lab: exec, probe, check, down."})
    static final class LabMagic extends Base {
        @Parameters(paramLabel = "NAME|FILE", description = "an example (flannel-vxlan, flannel-host-gw, calico-bgp, calico-vxlan, flannel-vxlan-nftables, dual-stack, calico-dual-stack), a topology file, or a lab that is up")
        String what;

        @Option(names = "--name", paramLabel = "LAB", description = "the lab's name (default: the topology's)")
        String name;

        LabMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return name == null ? verb("lab", what) : verb("lab", Map.of("name", name), what);
        }
    }

    @Command(name = "diagnose", mixinStandardHelpOptions = true,
            description = "Does a new connection from SRC to DST succeed? The path, the suspicions and the verdict (as skoop diagnose).")
    static final class DiagnoseMagic extends Base {
        @Parameters(index = "0", paramLabel = "SRC", description = "namespace/pod, node/NAME or an IP")
        String src;
        @Parameters(index = "1", paramLabel = "DST", description = "namespace/pod, node/NAME, svc/namespace/name or an IP")
        String dst;
        @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "the destination port (a number, or a Service port name)")
        String port;
        @Option(names = {"-u", "--udp"}, description = "UDP instead of TCP")
        boolean udp;
        @Option(names = "--family", paramLabel = "4|6", description = "a named DST at its IPv4 or IPv6 address (dual-stack; default: its primary one)")
        String family;

        DiagnoseMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return magics.session().diagnose(new Query(src, dst, port, udp ? Protocol.UDP : Protocol.TCP, null,
                    family == null ? null : io.skoop.model.IpFamily.option(family)));
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true, description = "The latest diagnosis with every hop's decisions (routes, rules, lookups).")
    static final class ExplainMagic extends Base {
        ExplainMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return new Usage(magics.session().last().explain());
        }
    }

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = {"Write the latest diagnosis to FILE (svg, png, dot, json, txt or html by extension) and say where.",
                    "Without FILE: skoop-diagnosis.svg in DIR or the working directory (then -2, -3, ...: nothing is overwritten)."})
    static final class RenderMagic extends Base {
        @Parameters(paramLabel = "FILE|DIR", arity = "0..1", description = "where to write")
        String target;
        @Option(names = {"-f", "--force"}, description = "overwrite FILE when it exists")
        boolean force;

        RenderMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            Path wd = Path.of(System.getProperty("user.dir"));
            return magics.session().last().render(target == null ? wd : wd.resolve(target), force, "%render --force");
        }
    }

    @Command(name = "nodes", mixinStandardHelpOptions = true, description = "The snapshot's nodes: status, address, podCIDR.")
    static final class NodesMagic extends Base {
        NodesMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return ClusterTables.nodeTable(magics.session().snapshot().objects());
        }
    }

    @Command(name = "pods", mixinStandardHelpOptions = true, description = "The snapshot's pods: ready, phase, IP, node.")
    static final class PodsMagic extends Base {
        @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "only this namespace")
        String namespace;

        PodsMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return ClusterTables.podTable(magics.session().snapshot().objects(), namespace);
        }
    }

    @Command(name = "services", mixinStandardHelpOptions = true, description = "The snapshot's Services: type, cluster IP, ports.")
    static final class ServicesMagic extends Base {
        ServicesMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return ClusterTables.serviceTable(magics.session().snapshot().objects());
        }
    }

    @Command(name = "verbs", mixinStandardHelpOptions = true, description = "The DSL's verbs with their parameters (as help() in a cell).")
    static final class VerbsMagic extends Base {
        @Parameters(paramLabel = "VERB", arity = "0..1", description = "one verb")
        String verb;

        VerbsMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            return new Usage(verb == null ? VERBS.help() : VERBS.help(verb));
        }
    }

    @Command(name = "help", mixinStandardHelpOptions = true, description = "The magics, one line each.")
    static final class HelpMagic extends Base {
        HelpMagic(Magics m) {
            super(m);
        }

        @Override
        public Object call() {
            StringWriter w = new StringWriter();
            PrintWriter out = new PrintWriter(w);
            out.println("magics (%NAME --help for one):");
            for (String n : magics.lineNames()) {
                out.printf(Locale.ROOT, "  %%%-10s %s%n", n, magics.summary(n));
            }
            out.printf(Locale.ROOT, "  %%%%%-9s %s%n", "time", "(first line of a cell) run the cell and print how long it took");
            out.println("help() lists the DSL verbs; display(x) shows x as a rich output of its own.");
            out.flush();
            return new Usage(w.toString());
        }
    }

    /** A line magic's one-line description. */
    String summary(String name) {
        if (name.equals("time")) {
            return "CODE: run CODE and print how long it took";
        }
        Callable<Object> c = line.get(name).apply(this);
        CommandLine cl = new CommandLine(c);
        String[] d = cl.getCommandSpec().usageMessage().description();
        return d.length == 0 ? "" : d[0];
    }

    /** The usage of a line magic (what {@code %name --help} prints), for inspection. */
    String usage(String name) {
        if (name.equals("time")) {
            return "Usage: %time CODE\nRuns CODE (the rest of the line) and prints how long it took; its value is CODE's.\n"
                    + "%%time as a cell's first line times the whole cell.\n";
        }
        Function<Magics, Callable<Object>> make = line.get(name);
        return make == null ? null : new CommandLine(make.apply(this)).setCommandName("%" + name).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }
}
