package io.skoop.cli;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import io.skoop.dsl.DiagnosisView;
import io.skoop.dsl.Runbook;
import io.skoop.dsl.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skoop run RUNBOOK.groovy [--param name=value]... [--example NAME | --snapshot DIR]}: runs a runbook, a skoop
 * DSL script (docs/dsl.md) with declared parameters. {@code --help} after the runbook lists its parameters. Exit: 0,
 * or 1 when the runbook's last value is an unreachable diagnosis or {@code false}; 2 for a usage error, a missing or
 * malformed parameter, or a script that does not compile (file and line named).
 */
@Command(name = "run", description = {"Run a runbook: a skoop DSL script with declared parameters (docs/dsl.md).",
        "Shipped runbooks: scripts/runbooks/. 'skoop run RUNBOOK --help' lists a runbook's parameters."})
public class RunCommand implements Callable<Integer> {
    /** The base script class of runbooks (Groovy, src/main/groovy; named, not referenced: Java compiles first). */
    static final String BASE_SCRIPT = "io.skoop.dsl.SkoopScript";

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
        binding.setVariable("skoopSession", session);
        binding.setVariable("out", out);
        CompilerConfiguration cc = new CompilerConfiguration();
        cc.setScriptBaseClass(BASE_SCRIPT);
        GroovyShell shell = new GroovyShell(RunCommand.class.getClassLoader(), binding, cc);
        Object result;
        try {
            result = shell.evaluate(runbook.toFile());
        } catch (Runbook.Described d) {
            out.println("runbook " + runbook + " parameters:");
            out.print(d.help());
            out.flush();
            return 0;
        } catch (MultipleCompilationErrorsException e) {
            throw new IllegalArgumentException("runbook does not compile: " + e.getMessage().strip());
        }
        if (help) {
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
