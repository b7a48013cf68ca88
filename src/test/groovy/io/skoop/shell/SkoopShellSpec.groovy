package io.skoop.shell

import io.skoop.lab.run.Labs
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * skoop-shell as a user runs it: {@code scripts/skoop-shell} (the packaged jar; run by failsafe after
 * {@code package}) in a real terminal (tmux), keys typed, the screen read back. HOME is a fresh folder so history is
 * this spec's own. Needs tmux (scripts/setup installs it).
 */
@Stepwise
class SkoopShellSpec extends Specification {
    static final Path ROOT = Path.of('.').toAbsolutePath().normalize()
    static final String SHELL = ROOT.resolve('scripts/skoop-shell').toString()

    @Shared Path home = Files.createTempDirectory('skoop-shell-home')
    @Shared Path work = Files.createTempDirectory('skoop-shell-work')
    @Shared Tmux term

    def setupSpec() {
        assert Files.isRegularFile(ROOT.resolve('target/skoop.jar')): 'run by failsafe after package'
        term = new Tmux("$SHELL --example flannel-vxlan", work, [HOME: home.toString()])
        term.waitForText('skoop>', 1, 90)
    }

    def cleanupSpec() {
        term?.close()
        home.toFile().deleteDir()
        work.toFile().deleteDir()
    }

    def "the banner says what the shell works on and how to get help"() {
        expect:
        with(term.screen()) {
            contains('working on snapshot vxlan')
            contains('/help lists the commands')
        }
    }

    def "a diagnosis typed at the prompt prints the verdict"() {
        when:
        term.line("diagnose(pod('default/client'), service('default/web', 80))")

        then:
        String s = term.waitForText('verdict: ')
        s.contains('verdict: REACHABLE')
        s.contains('delivered to tcp LISTEN 0.0.0.0:8080')
    }

    def "variables survive from line to line and members are values"() {
        when:
        term.line("d = diagnose(pod('default/client'), pod('default/sleeper', 80))")
        term.line('d.verdict')

        then:
        term.waitForText('UNREACHABLE').contains('UNREACHABLE')
    }

    def "tab completion offers DSL verbs"() {
        when:
        term.keys('C-l')
        term.type('diag')
        term.keys('Tab')

        then:
        term.waitFor(10, 'diag completed to diagnose') { it.contains('skoop> diagnose') }

        when: 'several verbs start alike: both are offered'
        term.keys('C-u')
        term.type('ne')
        term.keys('Tab')

        then:
        term.waitFor(10, 'netns and netnode offered') { it.contains('netns') && it.contains('netnode') }
        term.keys('C-u')
    }

    def "tab completion offers members of a value"() {
        when:
        term.keys('C-u', 'C-l')
        term.type('d.expl')
        term.keys('Tab')

        then:
        term.waitFor(10, 'd.expl completed to d.explain(') { it.contains('skoop> d.explain(') }
        term.keys('C-u')
    }

    def "/help lists the skoop commands"() {
        when:
        term.keys('C-u', 'C-l')
        term.line('/help')

        then:
        String s = term.waitForText('skoop commands:')
        ['/diagnose', '/explain', '/render', '/nodes', '/pods', '/services', '/verbs'].every { s.contains(it) }
    }

    def "/diagnose, then /explain and /render work on the latest diagnosis"() {
        when:
        term.keys('C-l')
        term.line('/diagnose default/client default/sleeper -p 80')

        then:
        String s = term.waitForText('verdict: UNREACHABLE')
        s =~ /FATAL\s+pod:default\/sleeper: no socket listens on 10\.244\.2\.4:80\/tcp/

        when:
        term.keys('C-l')
        term.line('/explain')

        then:
        term.waitForText('verdict: UNREACHABLE')

        when:
        term.line('/render')

        then:
        String r = term.waitForText('wrote ')
        Path svg = work.resolve('skoop-diagnosis.svg')
        r.contains("wrote $svg")
        Files.readString(svg).contains('<svg')

        when: 'a second render does not overwrite the first'
        term.line('/render')

        then:
        term.waitForText("wrote ${work.resolve('skoop-diagnosis-2.svg')}")
    }

    def "the session in docs/shell.md: every line typed, every output line shown appears in order"() {
        given:
        String doc = Files.readString(ROOT.resolve('docs/shell.md'))
        List<String> transcript = (doc =~ /(?s)```text\n(skoop> .*?)```/)[0][1].readLines()
        List<List> steps = []
        transcript.each { l -> l.startsWith('skoop> ') ? steps << [l.substring(7), []] : steps[-1][1] << l }

        Path dir = Files.createTempDirectory('skoop-shell-doc')
        Tmux fresh = new Tmux("$SHELL --example flannel-vxlan", dir, [HOME: home.toString()])
        fresh.waitForText('skoop>', 1, 60)

        expect:
        steps.size() >= 5
        steps.each { String input, List<String> expected ->
            fresh.line(input)
            String pattern = '(?s).*' + (["skoop> $input"] + expected).collect { String l ->
                l == '…' ? '' : '^' + l.split('…', -1).collect { java.util.regex.Pattern.quote(it) }.join('.*') + '\\s*$'
            }.findAll().join('.*') + '.*skoop> .*'
            fresh.waitFor(30, "the output of `$input` as docs/shell.md shows it:\n${expected.join('\n')}") { String s ->
                java.util.regex.Pattern.compile(pattern, java.util.regex.Pattern.MULTILINE).matcher(s).matches()
            }
        }
        Files.isRegularFile(dir.resolve('skoop-diagnosis.svg'))

        cleanup:
        fresh?.close()
        dir?.toFile()?.deleteDir()
    }

    def "/nodes and /pods list the snapshot's objects"() {
        when:
        term.keys('C-l')
        term.line('/nodes')
        term.line('/pods -n kube-system')

        then:
        String s = term.waitForText('coredns')
        s =~ /node-2\s+Ready\s+192\.168\.56\.3\s+10\.244\.1\.0\/24/
        !s.contains('default       client')
    }

    def "mistakes are one clear line: an unknown verb names the closest, an unknown pod lists the pods"() {
        when:
        term.keys('C-l')
        term.line("diagnoze(pod('default/client'), service('default/web', 80))")
        term.line('/diagnose default/nope svc/default/web')

        then:
        String s = term.waitForText('no pod default/nope')
        s.contains("unknown verb 'diagnoze'")
        s.contains("did you mean 'diagnose'?")
        s.contains('pods in namespace default: api-1, api-2, client')
        !s.contains('\tat ')
    }

    def "Ctrl-C stops a statement that would never end; the session and its variables stay"() {
        when:
        term.keys('C-l')
        term.line('kept = 42')
        term.line('long spins = 0; while (true) { spins++ }')
        Thread.sleep(1500)
        term.keys('C-c')

        then:
        String s = term.waitForText('interrupted: the cell was interrupted')
        // JLine closes the brace as it is typed, so the echoed line may lose the blank before it
        s =~ /interrupted: the cell was interrupted \(input \d+, line 1: long spins = 0; while \(true\) \{ spins\+\+ ?\}\); the session is kept/

        when:
        term.keys('C-l')
        term.line('kept + 1')

        then:
        term.waitForText('43').contains('43')
    }

    def "an assignment shows its value, as groovysh does; clear clears the screen"() {
        when:
        term.keys('C-l')
        term.line('answer = 6 * 7')

        then:
        term.waitFor('the value 42 under the assignment') { String t -> t =~ /answer = 6 \* 7\s*\n42\b/ }

        when:
        term.line('clear')
        Thread.sleep(500)

        then:
        !term.visible().contains('answer = 6 * 7')
        !term.screen().contains('MissingPropertyException')
    }

    def "#word leaves the shell, as groovysh users expect"() {
        given:
        Tmux t = new Tmux("$SHELL --example flannel-vxlan; echo shell-ended-\$?; sleep 60", work, [HOME: home.toString()])
        t.waitForText('skoop>', 1, 90)

        when:
        t.line(word)

        then:
        t.waitForText('shell-ended-0').contains('shell-ended-0')

        cleanup:
        t?.close()

        where:
        word << ['exit', 'quit']
    }

    def "a failing statement shows what went wrong at its line, no Java frames"() {
        when:
        term.keys('C-l')
        term.line('def half(n) { if (n == 0) { throw new ArithmeticException("nothing to halve") }; n / 2 }')
        term.line('half(0)')

        then:
        String s = term.waitForText('ArithmeticException: nothing to halve')
        s =~ /input \d+, line 1: half\(0\)/
        !s.contains('\tat ')
        !s.contains('java.base')
    }

    def "history persists across sessions"() {
        when:
        term.line('/exit')
        term.waitFor(20, 'the shell to exit') { !term.alive() }
        term.close()
        term = new Tmux("$SHELL --example flannel-vxlan", work, [HOME: home.toString()])
        term.waitForText('skoop>', 1, 60)
        term.keys('Up')

        then:
        term.waitFor(10, 'the previous session\'s last line') { it.contains('skoop> /exit') }
        Files.readString(home.resolve('.skoop/shell_history')).contains('/diagnose default/client default/sleeper -p 80')
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root for a lab (CI runs it as root)')
    def "--lab NAME works on a lab that is up: diagnoses its snapshot, and cluster.exec injects a fault"() {
        given: 'a lab up, in a private lab state folder'
        String name = 'ssh' + Long.toString(System.nanoTime() % 1_000_000L, 36)
        Path state = Files.createTempDirectory('skoop-shell-labs')
        Map<String, String> env = [HOME: home.toString(), SKOOP_LAB_STATE_DIR: state.toString()]
        assert cli(env, 'lab', 'up', '--example', 'flannel-vxlan', '--name', name)[0] == 0
        Tmux t = new Tmux("$SHELL --lab $name", work, env)

        when:
        String banner = t.waitForText('skoop>', 1, 90)
        t.line("diagnose(pod('default/client'), node('node-2', 10250)).verdict")

        then:
        banner.contains("working on lab $name")
        banner.contains('the lab is the variable cluster')
        t.waitForText('REACHABLE')

        when:
        t.keys('C-l')
        t.line("cluster.exec('node-2', 'iptables -I INPUT -j DROP')")
        t.line("/diagnose default/client node/node-2 -p 10250")

        then:
        String s = t.waitForText('verdict: ')
        s.contains('verdict: UNREACHABLE')
        s =~ /FATAL\s+node:node-2: iptables: dropped by filter\/INPUT#1/

        cleanup:
        t?.close()
        cli(env, 'lab', 'down', name)
        state?.toFile()?.deleteDir()
        assert !Labs.netnsList().any { it.startsWith(name) }: 'lab namespaces left behind'
    }

    /** Runs scripts/skoop with extra environment; returns [exit code, output]. */
    static List cli(Map<String, String> env, String... args) {
        run([ROOT.resolve('scripts/skoop').toString()] + (args as List), env)
    }

    /**
     * Runs a command without a terminal (stdin /dev/null), with extra environment ({@code null} values remove a
     * variable); returns [exit code, output (stdout and stderr)].
     */
    static List run(List<String> cmd, Map<String, String> env) {
        def pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        env.each { k, v -> v == null ? pb.environment().remove(k) : pb.environment().put(k, v) }
        Process p = pb.start()
        String out = p.inputStream.text
        assert p.waitFor(120, TimeUnit.SECONDS)
        [p.exitValue(), out]
    }

    def "--jshell opens JShell with skoop's classes and a session"() {
        given:
        term.keys('C-u')
        term.line('/exit')
        term.close()
        term = new Tmux("$SHELL --jshell --example flannel-vxlan", work, [HOME: home.toString()])
        term.waitForText('jshell>', 1, 60)

        when:
        term.line('session.diagnose(Query.tcp("default/client", "svc/default/web", 80)).getVerdict()')

        then:
        String s = term.waitForText('REACHABLE')
        s.contains('==> REACHABLE')
        s.contains('skoop in JShell: io.skoop.dsl.*')
    }

    def "--console without a display says so"() {
        when:
        def (int exit, String out) = run([SHELL, '--console', '--example', 'flannel-vxlan'], [DISPLAY: null, HOME: home.toString()])

        then:
        exit == 2
        out.contains('--console needs a graphical display')
    }

    def "an empty settings file left by a crashed start does not break the next start"() {
        given:
        Path fresh = Files.createTempDirectory('skoop-shell-home')
        Files.createDirectories(fresh.resolve('.skoop'))
        Files.createFile(fresh.resolve('.skoop/aliases.json'))

        when:
        def (int exit, String out) = run([SHELL, '-q', '--example', 'flannel-vxlan', '-e', '/nodes', '-e', '/exit'], [HOME: fresh.toString()])

        then:
        exit == 0
        out.contains('node-2   Ready')

        cleanup:
        fresh.toFile().deleteDir()
    }

    def "a bad source is a usage error"() {
        when:
        def (int exit, String out) = run([SHELL, '--example', 'flannel-vxlam'], [HOME: home.toString()])

        then:
        exit == 2
        out.contains("did you mean 'flannel-vxlan'?")
    }
}
