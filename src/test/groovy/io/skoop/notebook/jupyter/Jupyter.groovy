package io.skoop.notebook.jupyter

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The real Jupyter around the packaged kernel, for the specs of this package (run by failsafe after {@code package}):
 * the kernelspec installed by {@code scripts/skoop notebook install --prefix} into a folder of the spec's own, Debian's
 * Python 3 with jupyter_client, nbconvert and nbformat ({@code scripts/setup} installs them) as the client.
 */
class Jupyter implements AutoCloseable {
    static final Path ROOT = Path.of('.').toAbsolutePath().normalize()
    static final String SKOOP = ROOT.resolve('scripts/skoop').toString()
    /** Debian's interpreter, whatever python3 is first on the PATH (pyenv's has no Jupyter). */
    static final String PYTHON = '/usr/bin/python3'

    final Path home = Files.createTempDirectory('skoop-jupyter')
    final Path prefix = home.resolve('prefix')

    /** Installs the kernelspec under a fresh prefix; fails when the jar is not packaged or Jupyter is missing. */
    Jupyter() {
        assert Files.isRegularFile(ROOT.resolve('target/skoop.jar')): 'run by failsafe after package'
        assert Files.isExecutable(Path.of('/usr/bin/jupyter')): 'Jupyter is missing: scripts/setup installs jupyter-nbconvert, jupyter-client, python3-nbclient'
        def (int code, String out) = run([SKOOP, 'notebook', 'install', '--prefix', prefix.toString()])
        assert code == 0: out
    }

    /** JUPYTER_PATH (finds the kernelspec), HOME and the runtime folder inside {@link #home}. */
    Map<String, String> env() {
        [JUPYTER_PATH: prefix.resolve('share/jupyter').toString(), HOME: home.toString(), JUPYTER_RUNTIME_DIR: home.resolve('runtime').toString(),
         JUPYTER_CONFIG_DIR: home.resolve('config').toString(), PYTHONWARNINGS: 'ignore']
    }

    /**
     * Runs a command with {@link #env()} and {@code extra} (a null value removes the variable): [exit code,
     * stdout+stderr]; fails when it runs longer than {@code seconds}.
     */
    List run(List<String> cmd, long seconds = 300, Map<String, String> extra = [:]) {
        def pb = new ProcessBuilder(cmd.collect { it.toString() }).redirectErrorStream(true).directory(ROOT.toFile())
        (env() + extra).each { k, v -> v == null ? pb.environment().remove(k) : pb.environment().put(k, v) }
        pb.redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        Process p = pb.start()
        def out = new StringBuilder()
        Thread reader = Thread.start { out << p.inputStream.getText('UTF-8') }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach { it.destroyForcibly() }
            p.destroyForcibly()
            throw new AssertionError("${cmd.join(' ')} ran longer than ${seconds}s:\n$out")
        }
        reader.join(10_000)
        [p.exitValue(), out.toString()]
    }

    @Override
    void close() {
        home.toFile().deleteDir()
    }
}
