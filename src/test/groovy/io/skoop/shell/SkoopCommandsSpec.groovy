package io.skoop.shell

import io.skoop.dsl.Session
import io.skoop.snapshot.Snapshot
import org.jline.console.CommandRegistry
import org.jline.terminal.Terminal
import org.jline.terminal.TerminalBuilder
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Path
import java.util.function.Supplier

/** skoop's shell commands called as the shell calls them, without a terminal around them (SkoopShellSpec types them). */
class SkoopCommandsSpec extends Specification {
    @Shared @AutoCleanup Terminal terminal = TerminalBuilder.builder().dumb(true).build()
    @Shared Session session = new Session()
    @Shared SkoopCommands commands = new SkoopCommands(session, { Path.of('.') } as Supplier<Path>)

    def setupSpec() {
        session.use(Snapshot.example('dual-stack'))
    }

    String diagnose(String... args) {
        commands.invoke(new CommandRegistry.CommandSession(terminal), '/diagnose', args as Object[])
    }

    def "/diagnose --family 4|6 reaches a dual-stack Service at that address, as skoop diagnose --family (embedded dual-stack snapshot)"() {
        expect: 'api is RequireDualStack with IPv6 first: its primary address without --family'
        diagnose('default/client', 'svc/default/api', '-p', '8080').startsWith(
                'diagnosis: default/client (fd00:10:244::2) -> svc/default/api (fd00:10:96::3) port 8080/tcp')
        diagnose('default/client', 'svc/default/api', '-p', '8080', '--family', '4').startsWith(
                'diagnosis: default/client (10.244.0.2) -> svc/default/api (10.96.0.3) port 8080/tcp')
        diagnose('default/client', 'svc/default/web', '-p', '80', '--family=IPv6').startsWith(
                'diagnosis: default/client (fd00:10:244::2) -> svc/default/web (fd00:10:96::1) port 80/tcp')
    }

    def "/diagnose --family: a bad value and a Service without that family are one-line mistakes: #args"() {
        when:
        diagnose(*args)

        then:
        IllegalArgumentException e = thrown()
        e.message == message

        where:
        args                                                                   || message
        ['default/client', 'svc/default/web6', '-p', '80', '--family', '4']    || 'Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)'
        ['default/client', 'svc/default/web', '-p', '80', '--family', '5']     || "--family must be 4 or 6, got '5'"
    }
}
