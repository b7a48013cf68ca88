package io.skoop.cli

import io.skoop.testsupport.Cli
import io.skoop.shell.Tmux
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

/**
 * {@code skoop completion bash|zsh} completes in the real shells: bash through the generated completion function (as
 * bash calls it on TAB), zsh in a real terminal (tmux) pressing TAB. Both shells are installed by scripts/setup.
 */
class CompletionCommandSpec extends Specification {
    @TempDir Path tmp

    static List run(String... args) {
        Cli.run(args)
    }

    Path script(String shell) {
        def (code, out, err) = run('completion', shell)
        assert code == 0 && err == ''
        Path f = tmp.resolve("skoop.$shell")
        f.text = out
        f
    }

    /** What bash's completion function offers for the words (the last one being completed). */
    static List<String> bash(Path script, List<String> words) {
        String w = words.collect { "'$it'" }.join(' ')
        String cmd = "source '$script' 2>/dev/null; COMP_WORDS=($w); COMP_CWORD=${words.size() - 1}; COMP_LINE='${words.join(' ')}';" +
                " COMP_POINT=\${#COMP_LINE}; _complete_skoop 2>/dev/null; printf '%s\\n' \"\${COMPREPLY[@]}\""
        def p = ['bash', '--norc', '-c', cmd].execute()
        String out = p.text
        assert p.waitFor() == 0
        out.readLines().findAll { it }
    }

    def "bash completes #words.last() after #words.init()"() {
        expect:
        bash(script('bash'), words) == offered

        where:
        words                                               || offered
        ['skoop', 'dia']                                    || ['diagnose']
        ['scripts/skoop', 'net']                            || ['netstack']
        ['skoop', 'netstack', 'tr']                         || ['trace']
        ['skoop', 'diagnose', '--fail-on', '']              || ['unreachable', 'fatal', 'critical', 'warning']
        ['skoop', 'diagnose', '-o', 'y']                    || ['yaml']
        ['skoop', 'diagnose', '--protocol', '']             || ['tcp', 'udp']
        ['skoop', 'diagnose', '--output-f']                 || ['--output-file']
    }

    def "zsh completes on TAB in a real terminal"() {
        given:
        Path s = script('zsh')
        Tmux t = new Tmux('zsh -f', tmp)

        when:
        t.line("source '$s'")
        t.type('skoop diagnose --fail-on cri')
        t.keys('Tab')
        String screen = t.waitForText('--fail-on critical')
        t.keys('C-u')
        t.type('skoop netst')
        t.keys('Tab')
        String second = t.waitForText('skoop netstack')

        then:
        screen.contains('skoop diagnose --fail-on critical')
        second.contains('skoop netstack')

        cleanup:
        t?.close()
    }

    def "another shell is a usage error with the close match"() {
        expect:
        run('completion', 'bsh') == [2, '', "skoop: error: completion is generated for bash and zsh, not 'bsh'; did you mean 'bash'?\n"]
    }
}
