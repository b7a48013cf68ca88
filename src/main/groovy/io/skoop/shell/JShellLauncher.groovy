package io.skoop.shell

import jdk.jshell.tool.JavaShellToolBuilder

import java.nio.file.Files
import java.nio.file.Path

/**
 * {@code skoop-shell --jshell}: JShell (JDK's {@code jdk.jshell.tool}) for Java users, with skoop's class path, its
 * packages imported and a {@code session} ({@link io.skoop.dsl.Session}) ready, e.g.
 * {@code session.diagnose(Query.tcp("default/client", "svc/default/web", 80))}.
 */
class JShellLauncher {
    /**
     * Starts JShell in this terminal and returns its exit code.
     *
     * @param imports  packages to import ({@code io.skoop.dsl.*} ...)
     * @param loadLine a Java statement choosing the snapshot, or null
     */
    static int start(List<String> imports, String loadLine) {
        Path startup = Files.createTempFile('skoop-jshell', '.jsh')
        try {
            List<String> lines = imports.collect { "import ${it};".toString() }
            lines << 'var session = new Session();'
            if (loadLine) {
                lines << loadLine
            }
            Files.write(startup, lines)
            // JShell runs its start-up scripts silently: say what is ready before it starts
            println 'skoop in JShell: ' + imports.join(', ') + ' imported; session = new Session()' + (loadLine ? ' with the snapshot' : '') +
                    '; e.g. session.diagnose(Query.tcp("default/client", "svc/default/web", 80)); /exit leaves'
            return JavaShellToolBuilder.builder().start('--class-path', System.getProperty('java.class.path'),
                    '--startup', 'DEFAULT', '--startup', startup.toString(), '--execution', 'local')
        } finally {
            Files.deleteIfExists(startup)
        }
    }
}
