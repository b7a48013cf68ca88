package io.skoop.netstack

import java.util.concurrent.TimeUnit

/** Fixtures of the netns dump (src/test/resources/netstack/dump, on the test classpath) and a safe way to read a command's output in a namespace. */
class DumpFixtures {
    /** The text of the resource at {@code path} (relative to the classpath root, no leading slash). */
    static String text(String path) {
        URL u = DumpFixtures.getResource('/' + path)
        if (u == null) {
            throw new IllegalArgumentException("no fixture $path")
        }
        return u.getText('UTF-8')
    }

    /**
     * Runs {@code cmd} inside network namespace {@code ns} and returns its stdout, failing with
     * its stderr on a non-zero exit. Stdout is read to the end before waiting and stderr goes
     * to a file, so no output is lost (KernelLab.exec's stream pumping can drop it).
     */
    static String netnsOut(String ns, String... cmd) {
        File err = File.createTempFile('skoop-err', '.txt')
        try {
            def p = new ProcessBuilder((['ip', 'netns', 'exec', ns] + (cmd as List)) as String[]).redirectError(err).start()
            String out = p.inputStream.getText('UTF-8')
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly()
                throw new IllegalStateException("timeout: ${cmd.join(' ')}")
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("${cmd.join(' ')} in $ns failed (${p.exitValue()}): ${err.getText('UTF-8')}")
            }
            return out
        } finally {
            err.delete()
        }
    }
}
