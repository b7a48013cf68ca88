package io.skoop.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code skoop} command line. Subcommands are thin: they parse arguments, call the
 * library and print.
 *
 * <p>Exit codes: 0 success; 1 a negative answer (e.g. unreachable, a lookup that failed as
 * the kernel would fail it); 2 usage error or bad input (the message names file, line and
 * what was expected; no stack trace); 3 internal error (a bug: stack trace printed).
 */
@Command(name = "skoop", mixinStandardHelpOptions = true, version = SkoopCommand.VERSION,
        description = "Diagnose Kubernetes network connectivity by simulating the real Linux netstack.",
        subcommands = {DiagnoseCommand.class, RunCommand.class, NotebookCommand.class, NetstackCommand.class, LabCommand.class,
                CommandLine.HelpCommand.class})
public class SkoopCommand implements Runnable {

    /** The version, as {@code --version} prints it and snapshots record it. */
    public static final String VERSION = "skoop 0.1.0";
    /** Exit code for a user mistake or bad input. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for an internal error. */
    public static final int EXIT_INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the configured command line (used by main and by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SkoopCommand());
        cl.setExitCodeExceptionMapper(t -> isUserError(t) ? EXIT_USAGE : EXIT_INTERNAL);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (isUserError(ex)) {
                err.println("skoop: error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            err.println("skoop: internal error (please report): " + ex);
            ex.printStackTrace(err);
            return EXIT_INTERNAL;
        });
        return cl;
    }

    /** User mistakes: bad arguments and malformed input files (printed as one line, exit 2): {@link io.skoop.dsl.Mistakes#isUserError}. */
    public static boolean isUserError(Throwable t) {
        return io.skoop.dsl.Mistakes.isUserError(t);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
