package io.skoop.cli;

import groovy.lang.Binding;
import io.skoop.dsl.DiagnosisView;
import io.skoop.dsl.Runbook;
import io.skoop.dsl.Session;
import io.skoop.notebook.CellError;
import io.skoop.notebook.CellEvaluator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skoop run RUNBOOK.groovy [--param name=value]... [--example NAME | --snapshot DIR]}: runs a runbook, a skoop
 * DSL script (docs/dsl.md) with declared parameters. {@code --help} after the runbook lists its parameters. Exit: 0,
 * or 1 when the runbook's last value is an unreachable diagnosis or {@code false}; 2 for a usage error, a missing or
 * malformed parameter, a script that does not compile (line and column named), a mistake in a verb's use (an unknown
 * pod, a file that cannot be written: its message and the runbook's line), or an exception of the runbook's own (its
 * type, message and the runbook's lines); 3 for an error inside skoop. The runbook runs in the notebooks' evaluator
 * ({@link CellEvaluator}).
 */
@Command(name = "run", description = {"Run a runbook: a skoop DSL script with declared parameters (docs/dsl.md).",
        "Shipped runbooks: scripts/runbooks/. 'skoop run RUNBOOK --help' lists a runbook's parameters."})
public class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUNBOOK", arity = "0..1", description = "The runbook (a .groovy file).")
    Path runbook;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A runbook parameter (repeatable).")
    List<String> params = List.of();

    @Option(names = "--example", paramLabel = "NAME", description = "Start on an embedded snapshot (the runbook may choose another).")
    String example;

    @Option(names = "--snapshot", paramLabel = "DIR", description = "Start on a snapshot folder.")
    Path snapshot;

    @Option(names = {"-h", "--help"}, description = "With a runbook: its parameters; without: this help.")
    boolean help;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * What a failed runbook reports: a syntax error with its line and column, a skoop mistake (a bad parameter, an
     * unknown pod) as its message and the runbook's line, the runbook's own exception as its type, message and lines —
     * all user errors (exit 2); an error inside skoop as itself (an internal error, exit 3).
     */
    static RuntimeException failure(CellError e) {
        List<String> where = e.traceback().subList(1, e.traceback().size());
        if (e.ename().equals("SyntaxError")) {
            return new UserException("runbook does not compile: " + e.evalue() + (where.isEmpty() ? "" : "\n" + String.join("\n", where)));
        }
        if (e.internal() && e.getCause() instanceof RuntimeException r) {
            return r;
        }
        String line = where.isEmpty() ? "" : " (" + where.get(where.size() - 1).strip() + ")";
        if (e.mistake()) {
            return new UserException(e.evalue() + line);
        }
        return new UserException("the runbook failed: " + String.join("\n", e.traceback()));
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (runbook == null) {
            if (help) {
                spec.commandLine().usage(out);
                return 0;
            }
            throw new IllegalArgumentException("give a runbook: skoop run RUNBOOK.groovy [--param NAME=VALUE]... (see scripts/runbooks/)");
        }
        if (!Files.isRegularFile(runbook)) {
            throw new NoSuchFileException(runbook + " (no such runbook)");
        }
        Session session = Session.forRunbook(ScriptOptions.params(params), help);
        ScriptOptions.start(session, example, snapshot);
        Binding binding = new Binding();
        binding.setVariable("out", out);
        // the notebooks' evaluator (one evaluator for shell, runbooks and notebooks): the runbook's own failures are
        // reported at its own lines; an internal error's trace is printed once, by the command line's handler
        CellEvaluator evaluator = new CellEvaluator(session, new PrintStream(OutputStream.nullOutputStream()), binding);
        String label = runbook.getFileName().toString();
        Object result;
        try {
            result = evaluator.eval(Files.readString(runbook), label).value();
        } catch (CellError e) {
            if (e.getCause() instanceof Runbook.Described d) {
                String about = Runbook.description(Files.readString(runbook));
                if (!about.isEmpty()) {
                    out.println(about);
                    out.println();
                }
                out.println("runbook " + runbook + " parameters:");
                out.print(d.help());
                out.flush();
                return 0;
            }
            throw failure(e);
        }
        if (help) {
            String about = Runbook.description(Files.readString(runbook));
            if (!about.isEmpty()) {
                out.println(about);
                out.println();
            }
            out.println("runbook " + runbook + " declares no parameters (params(...))");
            out.flush();
            return 0;
        }
        out.flush();
        if (result instanceof DiagnosisView d) {
            return d.isReachable() ? 0 : 1;
        }
        return Boolean.FALSE.equals(result) ? 1 : 0;
    }
}
