package io.skoop.netstack.route

import io.skoop.testsupport.KernelLab
import java.nio.file.Files
import java.nio.file.Path

/**
 * Dumps a lab namespace with scripts/collect-netns.sh (docs/netns-dump.md), the script a real
 * node runs, and runs commands inside namespaces with output redirected by the OS.
 */
class NetnsDumper {
    /** The collector every node runs (the tests use the real script, so they check it too). */
    static final Path COLLECT = Path.of('scripts/collect-netns.sh').toAbsolutePath()

    /**
     * Dumps namespace {@code ns} into {@code dir} with scripts/collect-netns.sh run inside it;
     * returns dir. Fails when a routing file was not collected.
     */
    static Path dump(KernelLab lab, String ns, Path dir) {
        Path log = Files.createTempFile('collect', '.log')
        int rc = toFile(ns, ['bash', COLLECT.toString(), dir.toString()], log)
        assert rc == 0: "collect-netns.sh in $ns failed: ${Files.readString(Path.of(log.toString() + '.err'))}"
        ['link.json', 'addr.json', 'route.json', 'route6.json', 'rule.json', 'rule6.json', 'sysctl.txt'].each {
            assert Files.size(dir.resolve(it)) > 0: "collect-netns.sh did not write $it in $ns (see ${dir.resolve('meta.json')})"
        }
        Files.delete(log)
        Files.delete(Path.of(log.toString() + '.err'))
        return dir
    }

    /**
     * Runs {@code cmd} inside {@code ns} with stdout redirected to {@code out} (stderr to out.err) by
     * the OS, so no output can be lost to stream-reader races; returns the exit code.
     */
    static int toFile(String ns, List<String> cmd, Path out) {
        def p = new ProcessBuilder((['ip', 'netns', 'exec', ns] + cmd) as String[])
                .redirectOutput(out.toFile()).redirectError(Path.of(out.toString() + '.err').toFile()).start()
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new IllegalStateException("timeout: ${cmd.join(' ')} in $ns")
        }
        return p.exitValue()
    }
}
