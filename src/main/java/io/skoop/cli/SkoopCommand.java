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
        description = "Diagnose Kubernetes network connectivity by simulating the real Linux netstack.")
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

    /** The subcommands, by name, in the order --help lists them. */
    private static final java.util.Map<String, Class<?>> SUBCOMMANDS = new java.util.LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("diagnose", DiagnoseCommand.class);
        SUBCOMMANDS.put("policy", PolicyCommand.class);
        SUBCOMMANDS.put("run", RunCommand.class);
        SUBCOMMANDS.put("notebook", NotebookCommand.class);
        SUBCOMMANDS.put("netstack", NetstackCommand.class);
        SUBCOMMANDS.put("collect", CollectCommand.class);
        SUBCOMMANDS.put("lab", LabCommand.class);
        SUBCOMMANDS.put("completion", CompletionCommand.class);
        SUBCOMMANDS.put("help", CommandLine.HelpCommand.class);
    }

    /** Builds the configured command line with every subcommand (used by tests, help and completion). */
    public static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * Builds the configured command line. For a run whose first argument names a subcommand other than help and
     * completion, only that subcommand is built: picocli builds the model of every registered command up front
     * (reflection over each one's options, ~50 ms for all of them), and a one-shot command needs its own alone.
     *
     * @param first the first command-line argument, or null for the whole command line
     */
    public static CommandLine commandLine(String first) {
        // picocli's default factory loads groovy.lang.Closure (for closures in annotations, which skoop has none of):
        // with Groovy on the class path that initialises the Groovy runtime, ~0.25 s on every command, even --help
        System.setProperty("picocli.disable.closures", "true");
        CommandLine cl = new CommandLine(new SkoopCommand());
        boolean one = first != null && SUBCOMMANDS.containsKey(first) && !first.equals("help") && !first.equals("completion");
        SUBCOMMANDS.forEach((name, type) -> {
            if (!one || name.equals(first)) {
                cl.addSubcommand(name, type);
            }
        });
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
        System.exit(commandLine(args.length > 0 ? args[0] : null).execute(args));
    }
}
