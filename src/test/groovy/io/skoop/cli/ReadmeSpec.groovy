package io.skoop.cli

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification

/**
 * The README's run command (the first {@code scripts/skoop} line of its first sh block) works: it is run through the
 * same command line the launcher starts, on the embedded snapshot, and must say what the README says it says.
 */
class ReadmeSpec extends Specification {

    def "the README's run command diagnoses the embedded example: REACHABLE, exit 0, the three Service backends"() {
        given:
        String readme = Files.readString(Path.of('README.md'))
        String block = readme.substring(readme.indexOf('```sh\n') + 6)
        String line = block.readLines().find { it.startsWith('scripts/skoop ') }
        List<String> args = line.substring('scripts/skoop '.length()).trim().split(/\s+/) as List
        def out = new StringWriter()
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)

        when:
        int exit = cl.execute(args as String[])

        then:
        args.take(3) == ['diagnose', '--example', 'flannel-vxlan']
        exit == 0
        err.toString() == ''
        out.toString().contains('verdict: REACHABLE')
        ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3'].every { out.toString().contains("request DELIVERED p=0.333 at $it") }
        out.toString().contains('[vxlan eth0 -> eth0] udp 192.168.56.2:')
    }
}
