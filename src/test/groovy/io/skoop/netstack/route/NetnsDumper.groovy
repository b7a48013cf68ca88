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
            Files.writeString(dir.resolve(file), lab.exec(ns, cmd as String[]))
        }
        // sysctl -a exits non-zero on a few unreadable keys; keep what it printed
        def r = lab.run(ns, 'sysctl', '-a')
        Files.writeString(dir.resolve('sysctl.txt'), r[1] as String)
        return dir
    }
}
