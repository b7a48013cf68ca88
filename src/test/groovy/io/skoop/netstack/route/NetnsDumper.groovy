package io.skoop.netstack.route

import io.skoop.testsupport.KernelLab
import java.nio.file.Files
import java.nio.file.Path

/**
 * Writes the routing part of the netns dump format for one lab namespace, with exactly the
 * commands and file names of the format (see common docs / scripts/collect-netns.sh, which
 * can replace this helper once it exists): link.json, addr.json, route.json, route6.json,
 * rule.json, rule6.json, sysctl.txt.
 */
class NetnsDumper {
    static final Map<String, List<String>> COMMANDS = [
            'link.json'  : ['ip', '-j', '-d', 'link', 'show'],
            'addr.json'  : ['ip', '-j', 'addr', 'show'],
            'route.json' : ['ip', '-j', '-d', 'route', 'show', 'table', 'all'],
            'route6.json': ['ip', '-6', '-j', '-d', 'route', 'show', 'table', 'all'],
            'rule.json'  : ['ip', '-j', 'rule', 'show'],
            'rule6.json' : ['ip', '-6', '-j', 'rule', 'show'],
    ]

    /** Dumps namespace {@code ns} into {@code dir} (created if needed); returns dir. */
    static Path dump(KernelLab lab, String ns, Path dir) {
        Files.createDirectories(dir)
        COMMANDS.each { file, cmd ->
            int rc = toFile(ns, cmd, dir.resolve(file))
            assert rc == 0: "${cmd.join(' ')} in $ns failed: ${Files.readString(dir.resolve(file + '.err'))}"
            Files.delete(dir.resolve(file + '.err'))
        }
        // sysctl -a exits non-zero on a few unreadable keys; keep what it printed
        toFile(ns, ['sysctl', '-a'], dir.resolve('sysctl.txt'))
        Files.delete(dir.resolve('sysctl.txt.err'))
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
