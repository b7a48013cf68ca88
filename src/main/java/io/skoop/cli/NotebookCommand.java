package io.skoop.cli;

import io.skoop.dsl.Session;
import io.skoop.notebook.KernelLauncher;
import io.skoop.notebook.KernelSpec;
import io.skoop.notebook.NotebookRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skoop notebook install | kernel | run}: skoop's Jupyter kernel (docs/notebooks.md). {@code install} writes the
 * kernelspec Jupyter, JupyterLab and VS Code find; {@code kernel CONNECTION_FILE} is what the kernelspec runs;
 * {@code run NB.ipynb} executes a notebook in this process, without Jupyter.
 */
@Command(name = "notebook", mixinStandardHelpOptions = true,
        description = {"skoop in Jupyter notebooks: the kernel, its kernelspec, and running notebooks headless (docs/notebooks.md).",
                "", "  skoop notebook install", "  jupyter notebook notebooks/01-first-diagnosis.ipynb",
                "  skoop notebook run NB.ipynb -o OUT.ipynb --param port=8080"},
        subcommands = {NotebookCommand.Install.class, NotebookCommand.Kernel.class, NotebookCommand.Run.class})
public class NotebookCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The command that starts the kernel: the launcher script that started this JVM ({@code -Dskoop.launcher}, set by
     * {@code scripts/skoop}: it rebuilds the jar when sources change and uses the start-up archive), else this JVM's
     * java with its class path.
     */
    static List<String> kernelArgv() {
        List<String> argv = new ArrayList<>();
        String launcher = System.getProperty("skoop.launcher");
        if (launcher != null && Files.isExecutable(Path.of(launcher))) {
            argv.add(Path.of(launcher).toAbsolutePath().normalize().toString());
        } else {
            argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            argv.add("-cp");
            List<String> cp = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                cp.add(Path.of(e).toAbsolutePath().normalize().toString());
            }
            argv.add(String.join(java.io.File.pathSeparator, cp));
            argv.add(SkoopCommand.class.getName());
        }
        argv.addAll(List.of("notebook", "kernel", "{connection_file}"));
        return argv;
    }

    /** {@code skoop notebook install [--user | --prefix DIR]}. */
    @Command(name = "install", mixinStandardHelpOptions = true, description = "Write the kernelspec \"skoop (Groovy)\" where Jupyter finds "
            + "it (kernels/skoop: kernel.json and the logo). Replaces an earlier skoop kernelspec there.")
    static class Install implements Callable<Integer> {
        static class Where {
            @Option(names = "--user", description = "for this user: $JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels (the default)")
            boolean user;
            @Option(names = "--prefix", paramLabel = "DIR", description = "under DIR/share/jupyter/kernels (a virtualenv's or conda's prefix, or a folder you put on JUPYTER_PATH)")
            Path prefix;
        }

        @ArgGroup(exclusive = true)
        Where where;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Path kernels = where != null && where.prefix != null ? KernelSpec.prefixKernels(where.prefix) : KernelSpec.userKernels();
            Path dir = KernelSpec.install(kernels, kernelArgv());
            PrintWriter out = spec.commandLine().getOut();
            out.println("installed the Jupyter kernel \"" + KernelSpec.DISPLAY_NAME + "\" in " + dir.toAbsolutePath().normalize());
            if (where != null && where.prefix != null) {
                out.println("Jupyter finds it when " + where.prefix.resolve("share/jupyter").toAbsolutePath().normalize()
                        + " is on JUPYTER_PATH (or is the prefix Jupyter runs from)");
            }
            out.println("start a notebook: jupyter notebook notebooks/01-first-diagnosis.ipynb (or open a notebook in JupyterLab or VS Code "
                    + "and choose the kernel \"" + KernelSpec.DISPLAY_NAME + "\")");
            out.flush();
            return 0;
        }
    }

    /** {@code skoop notebook kernel CONNECTION_FILE}: what the kernelspec runs. */
    @Command(name = "kernel", mixinStandardHelpOptions = true, description = "Serve the skoop kernel on a Jupyter connection file (Jupyter "
            + "runs this; see install). Listens on loopback only unless --allow-remote.")
    static class Kernel implements Callable<Integer> {
        @Parameters(paramLabel = "CONNECTION_FILE", arity = "0..1", description = "the connection file Jupyter wrote")
        Path connectionFile;

        @Option(names = "--allow-remote", description = "listen on the address the connection file names even when it is not loopback")
        boolean allowRemote;

        @Option(names = "--warm-up", hidden = true, description = "start on free loopback ports, run a few cells, stop (makes the start-up archive)")
        boolean warmUp;

        @Override
        public Integer call() throws IOException {
            if (warmUp) {
                KernelLauncher.warmUp(System.err);
                return 0;
            }
            if (connectionFile == null) {
                throw new IllegalArgumentException("give the connection file: skoop notebook kernel CONNECTION_FILE (Jupyter passes it; "
                        + "install the kernel with skoop notebook install)");
            }
            KernelLauncher.serve(connectionFile, allowRemote, System.err);
            return 0;
        }
    }

    /**
     * {@code skoop notebook run NB.ipynb [--param k=v]... [--output-file FILE [--force] | --in-place] [-o ipynb] [--example NAME |
     * --snapshot DIR]}: {@code -o} is the format as in kubectl (and {@code skoop diagnose}), the file is {@code --output-file}.
     */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Execute a notebook in this process (no Jupyter, no Python): "
            + "every code cell in order, outputs as the kernel gives them; --param values are injected after the cell tagged 'parameters'. "
            + "Exit 0 when every cell ran, 1 naming the first cell that failed (cells tagged 'teardown' still run), 2 for a usage error.")
    static class Run implements Callable<Integer> {
        @Parameters(paramLabel = "NB.ipynb", description = "the notebook")
        Path notebook;

        @Option(names = "--param", paramLabel = "NAME=VALUE", description = "a parameter (repeatable), typed as the parameters cell's default")
        List<String> params = List.of();

        static class Output {
            @Option(names = "--output-file", paramLabel = "FILE", description = "write the executed notebook to FILE ('-': standard "
                    + "output; an existing file only with --force)")
            Path output;
            @Option(names = "--in-place", description = "write the executed notebook over NB.ipynb")
            boolean inPlace;
        }

        @ArgGroup(exclusive = true)
        Output output;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "the output format, as kubectl's -o: ipynb (the "
                + "only one; the file is --output-file)")
        String format;

        @Option(names = "--force", description = "replace --output-file when it exists (refused otherwise)")
        boolean force;

        static class Source {
            @Option(names = "--example", paramLabel = "NAME", description = "start on an embedded example snapshot")
            String example;
            @Option(names = "--snapshot", paramLabel = "DIR", description = "start on a snapshot folder")
            Path snapshot;
        }

        @ArgGroup(exclusive = true)
        Source source;

        @Option(names = {"-q", "--quiet"}, description = "no line per cell")
        boolean quiet;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(notebook)) {
                throw new NoSuchFileException(notebook + " (no such notebook)");
            }
            Map<String, String> given = ScriptOptions.params(params);
            if (format != null && !format.equals("ipynb")) {
                throw new UserException("-o takes the output format, as in kubectl (ipynb); write to a file with --output-file " + format);
            }
            Path target = output == null ? null : output.inPlace ? notebook : output.output;
            boolean stdout = target != null && target.toString().equals("-");
            if (!stdout && output != null && output.output != null && Files.exists(output.output)) {
                if (Files.isSameFile(output.output, notebook)) {
                    throw new UserException("--output-file " + output.output + " is the notebook itself: give --in-place to write over it");
                }
                if (!force) {
                    throw new UserException("cannot write " + output.output + ": it exists; add --force to replace it");
                }
            }
            Session session = new Session();
            ScriptOptions.start(session, source == null ? null : source.example, source == null ? null : source.snapshot);
            PrintWriter err = spec.commandLine().getErr();
            NotebookRunner.Run r = new NotebookRunner(session, quiet ? null : err).run(NotebookRunner.read(notebook), given);
            if (stdout) {
                PrintWriter out = spec.commandLine().getOut();
                out.print(NotebookRunner.validText(r.notebook()));
                out.flush();
            } else if (target != null) {
                NotebookRunner.write(r.notebook(), target);
                if (!quiet) {
                    err.println("wrote " + target.toAbsolutePath().normalize());
                }
            }
            if (!r.ok()) {
                err.println("skoop notebook run: cell " + r.failedCell() + " of " + notebook + " failed:");
                err.println(r.failure());
                err.flush();
                return 1;
            }
            err.flush();
            return 0;
        }
    }
}
