package io.skoop.cli.terminal

import io.skoop.shell.Tmux
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * {@code scripts/skoop diagnose} as a person sees it in a real terminal (tmux, 80 columns; the packaged jar, run by
 * failsafe after {@code package}): every line fits, levels and the verdict are coloured; NO_COLOR and --no-color turn
 * the colours off; a pipe gets the plain, unwrapped lines; a long run shows a progress bar on stderr.
 */
class TerminalOutputSpec extends Specification {
    static final Path ROOT = Path.of('.').toAbsolutePath().normalize()
    static final String DIAGNOSE = "${ROOT.resolve('scripts/skoop')} diagnose --example flannel-vxlan -s default/client -d default/sleeper -p 80 --explain"
    static final String ESC = '\u001b['

    @Shared Path work = Files.createTempDirectory('skoop-terminal')

    def cleanupSpec() {
        work.toFile().deleteDir()
    }

    /** Runs {@code command} in a fresh 80-column terminal; returns the screen with its escape codes. */
    String screen(String command) {
        Tmux t = new Tmux("bash --norc", work, [TERM: 'xterm-256color'], 80)
        try {
            t.line("unset COLUMNS; $command; echo skoop-\"\"ended")
            t.waitForText('skoop-ended', 1, 90) // the typed line has skoop-""ended
            return t.escaped()
        } finally {
            t.close()
        }
    }

    /** The screen's lines without escape codes, from the command's output on (not the typed command line). */
    static List<String> lines(String screen) {
        List<String> all = screen.readLines().collect { it.replaceAll(/\u001b\[[0-9;]*m/, '') }
        // the typed line may fill the last column, and tmux then joins (-J) the first output line to it
        int first = all.findIndexOf { it.contains('diagnosis: ') }
        assert first >= 0: "no diagnosis on the screen:\n$screen"
        List<String> out = new ArrayList<>(all.subList(first, all.size()))
        out[0] = out[0].substring(out[0].indexOf('diagnosis: '))
        out
    }

    def "on a terminal: every line fits 80 columns, FATAL and UNREACHABLE in red"() {
        when:
        String s = screen(DIAGNOSE)

        then:
        lines(s).every { it.length() <= 80 }
        lines(s).any { it.startsWith('verdict: UNREACHABLE') }
        s.contains("${ESC}1m${ESC}31mFATAL") || s =~ /\u001b\[[0-9;]*31[0-9;]*mFATAL/
        s =~ /\u001b\[[0-9;]*31[0-9;]*mUNREACHABLE/
    }

    def "#how: no colours"() {
        when:
        String s = screen(command)

        then:
        !s.contains(ESC + '31m') && !(s =~ /\u001b\[[0-9;]*31[0-9;]*m/)
        lines(s).any { it.startsWith('verdict: UNREACHABLE') }

        where:
        how          | command
        'NO_COLOR=1' | "NO_COLOR=1 $DIAGNOSE"
        '--no-color' | "$DIAGNOSE --no-color"
    }

    def "work that runs long shows a progress bar on stderr, with the steps, cleared when done; quick work shows none"() {
        given:
        Path err = work.resolve('progress.txt')

        when: 'the bar is asked for at once (SKOOP_PROGRESS=always), as for a walk past its second'
        String s = screen("SKOOP_PROGRESS=always $DIAGNOSE 2>$err >/dev/null")
        String bar = err.text

        then:
        bar.contains('diagnose')
        bar =~ /\d+\/\? \(/                          // steps done of an unknown number
        bar =~ /opening the snapshot|reading the Kubernetes objects|request: |reply: /  // the latest step (rendered every 100 ms)

        when: 'on the terminal itself'
        String shown = screen("SKOOP_PROGRESS=always $DIAGNOSE")

        then: 'the bar is gone when the result is printed'
        !lines(shown).any { it.contains('? % [') || it.contains('opening the snapshot') }
        lines(shown).any { it.startsWith('verdict: UNREACHABLE') }

        when: 'the same quick diagnosis with the default delay'
        String quick = screen(DIAGNOSE)

        then:
        !quick.contains('opening the snapshot')
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'lab up needs root')
    def "lab up and lab snapshot show a bar of known length: every step of the plan, every dump (needs root: runs in CI)"() {
        given:
        String skoop = "SKOOP_LAB_STATE_DIR=${work.resolve('labs')} SKOOP_PROGRESS=always ${ROOT.resolve('scripts/skoop')}"
        String name = 'pb' + Long.toString(System.nanoTime() % 1_000_000L, 36)
        Path upErr = work.resolve('up.txt')
        Path snapErr = work.resolve('snap.txt')

        when:
        screen("$skoop lab up --example flannel-host-gw --name $name 2>$upErr >/dev/null; echo diagnosis: done")
        screen("$skoop lab snapshot $name ${work.resolve('snap')} 2>$snapErr >/dev/null; echo diagnosis: done")
        List<String> up = upErr.text.split('\r').collect { it.strip() }.findAll()
        List<String> snap = snapErr.text.split('\r').collect { it.strip() }.findAll()

        then: 'a percentage of the steps of the plan, the latest step named, 100% at the end'
        up.any { it =~ /^lab up $name +\d+% \[.*\] +\d+\/\d+ / }
        up.any { it.contains('100%') }
        up.any { it =~ /\(\d+:\d\d:\d\d\) (namespace $name\.|pod |node-|external )/ }  // rendered every 100 ms: some step

        and: 'one step per namespace dumped (3 nodes and their pods)'
        snap.any { it =~ /^lab snapshot $name +100% \[.*\] +(\d+)\/\1 / }
        snap.any { it.contains("${name}.pod.") }

        cleanup:
        screen("$skoop lab down $name; echo diagnosis: done")
    }

    def "through a pipe: plain lines, not wrapped"() {
        when:
        String s = screen("$DIAGNOSE | cat")

        then:
        !(s =~ /\u001b\[[0-9;]*31[0-9;]*m/)
        lines(s).any { it.length() > 80 && it.contains('no socket listens on 10.244.2.4:80/tcp') }
    }
}
