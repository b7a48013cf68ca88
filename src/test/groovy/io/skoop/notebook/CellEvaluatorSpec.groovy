package io.skoop.notebook

import io.skoop.diagnose.Verdict
import io.skoop.dsl.DiagnosisView
import io.skoop.dsl.Session
import io.skoop.render.ClusterTables
import spock.lang.Specification

import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/** Cells as a notebook runs them: a session's memory across cells, magics, errors at the cell's lines, interrupts. */
class CellEvaluatorSpec extends Specification {
    ByteArrayOutputStream logged = new ByteArrayOutputStream()
    CellEvaluator ev = new CellEvaluator(new Session(), new PrintStream(logged, true))
    int n = 0

    CellEvaluator.Result cell(String code) {
        ev.eval(code, "In [${++n}]")
    }

    CellError fails(String code) {
        try {
            cell(code)
        } catch (CellError e) {
            return e
        }
        throw new AssertionError("the cell did not fail: $code")
    }

    def "def and typed variables, multiple assignment and plain assignments survive from cell to cell"() {
        when:
        cell('def a = 40\nint b = 2\ndef (c, d) = [1, 2]\ne = "x"\ndef f')

        then:
        cell('a + b + c + d').value() == 45
        cell('e * 2').value() == 'xx'
        cell('f == null').value() == true
        ev.userVariables().containsAll(['a', 'b', 'c', 'd', 'e', 'f'])

        when: 'a typed declaration keeps its cast'
        cell('int g = 3.9')

        then:
        cell('g').value() == 3
    }

    def "a declaration inside a block stays local, an @Field is a field of its cell"() {
        when:
        cell('if (true) { def inner = 1 }\n[1, 2].each { def x2 = it }')

        then:
        fails('inner').evalue() == "'inner' is not defined: no variable of that name in this session, and no verb"
    }

    def "imports (plain, aliased, static, star) survive"() {
        when:
        cell('import java.util.concurrent.TimeUnit\nimport java.time.Duration as D\nimport static java.lang.Math.max\nimport java.util.function.*\nnull')

        then:
        cell('TimeUnit.SECONDS.toMillis(1)').value() == 1000L
        cell('D.ofSeconds(2).toMillis()').value() == 2000L
        cell('max(3, 4)').value() == 4
        cell('Supplier s = { 5 }; s.get()').value() == 5
    }

    def "classes and methods a cell defines are there in the next cells, and a method can be redefined"() {
        when:
        cell('class Hop2 { String name; String toString() { "hop $name" } }\ndef twice(x) { x * 2 }\ndef greet(String s) { "hi $s" }')

        then:
        cell('new Hop2(name: "a").toString()').value() == 'hop a'
        cell('twice(21)').value() == 42
        cell('greet("you")').value() == 'hi you'

        when:
        cell('def twice(x) { x * 3 }')

        then:
        cell('twice(2)').value() == 6
    }

    def "the DSL: verbs by name, the session bound, display() handed to the host"() {
        given:
        List shown = []
        ev.onDisplay({ shown << it } as java.util.function.Consumer)

        when:
        cell("example('flannel-vxlan')")
        def d = cell("d = diagnose(pod('default/client'), service('default/web', 80))\nd").value()

        then:
        d instanceof DiagnosisView
        d.verdict == Verdict.REACHABLE
        cell('d.verdict').value() == Verdict.REACHABLE
        ev.binding().getVariable('skoopSession').last().is(d)

        when:
        def r = cell("display(nodes())\ndisplay('two')")

        then:
        shown.size() == 2
        shown[0] instanceof ClusterTables.Table
        shown[1] == 'two'
        !r.shown()
    }

    def "a cell ending in an assignment or a semicolon shows nothing; one ending in a value shows it"() {
        expect:
        !cell('x = 1').shown()
        !cell('def y = 2').shown()
        !cell('x + y;').shown()
        cell('x + y').shown()
        !cell('println "hello"').shown()
    }

    def "a syntax error names the cell's line and column and points at it"() {
        when:
        CellError e = fails('def a = 1\nfoo(}')

        then:
        e.ename() == 'SyntaxError'
        e.evalue().startsWith('line 2, column 5: ')
        e.traceback()[1] == '  In [1], line 2:'
        e.traceback()[2] == '    foo(}'
        e.traceback()[3] == '        ^'
    }

    def "a runtime error names the cell lines it went through, no internal frames"() {
        when:
        cell("def check(x) {\n    if (x > 1) {\n        throw new IllegalStateException('too big: ' + x)\n    }\n}")
        CellError e = fails('def a = 1\ncheck(a)\ncheck(a + 1)')

        then:
        e.ename() == 'IllegalStateException'
        e.evalue() == 'too big: 2'
        e.traceback() == ['IllegalStateException: too big: 2',
                          '  In [2], line 3: check(a + 1)',
                          "  In [1], line 3: throw new IllegalStateException('too big: ' + x)"]
        logged.size() == 0

        and: 'what ran before the failing line stays'
        cell('a').value() == 1
    }

    def "a user's mistake in a verb is its message at the cell's line; an unknown verb lists the verbs"() {
        given:
        cell("example('flannel-vxlan')")

        when:
        CellError e = fails("\ndiagnose(pod('default/nope'), service('default/web', 80))")

        then:
        e.ename() == 'IllegalArgumentException'
        e.evalue().contains("default/nope")
        e.traceback()[1].startsWith('  In [2], line 2: diagnose(')

        when:
        e = fails("diagnoze(pod('default/client'), service('default/web', 80))")

        then:
        e.evalue().startsWith("unknown verb 'diagnoze'; verbs: example, snapshot")
        e.evalue().contains("did you mean 'diagnose'?")
    }

    def "magics: choose a snapshot, diagnose, list objects, explain, usage, unknown ones"() {
        when:
        def snap = cell('%example flannel-vxlan').value()
        def d = cell('d = %diagnose default/client default/sleeper -p 80\nd').value()

        then:
        snap.toString().contains('vxlan')
        d instanceof DiagnosisView
        d.verdict == Verdict.UNREACHABLE
        cell('%pods -n kube-system').value().rows().size() == 4
        cell('%services').value() instanceof ClusterTables.Table
        cell('%explain').value().toString().contains('no socket listens on 10.244.2.4:80/tcp')
        cell('%diagnose --help').value().toString().contains('Usage: %diagnose')
        fails('%diagnose default/client').evalue().contains("Missing required parameter: 'DST'")
        fails('%diagnos x y').evalue() == "unknown magic %diagnos; magics: %example %snapshot %lab %diagnose %explain %render %nodes %pods %services %verbs %time %help; did you mean '%diagnose'?"
        cell('%help').value().toString().contains('%%time')
    }

    def "%diagnose --family 6 on the embedded dual-stack snapshot reaches the Service at its IPv6 cluster IP; a bad family is the user's mistake"() {
        when:
        cell('%example dual-stack')
        def d = cell('%diagnose default/client svc/default/web -p 80 --family 6').value()

        then:
        d instanceof DiagnosisView
        d.verdict == Verdict.REACHABLE
        d.toString().contains('svc/default/web (fd00:10:96::1)')
        fails('%diagnose default/client svc/default/web -p 80 --family 5').evalue() == "--family must be 4 or 6, got '5'"
    }

    def "%time and %%time print how long the code took and give its value; variables of %%time survive"() {
        given:
        def out = new ByteArrayOutputStream()
        def old = System.out
        System.out = new PrintStream(out, true)

        when:
        def a = cell('%time 6 * 7').value()
        def b = cell('%%time\ndef z = 5\nz + 1').value()

        then:
        a == 42
        b == 6
        cell('z').value() == 5
        out.toString().readLines().findAll { it ==~ /time: \d+\.\d ms/ }.size() == 2

        cleanup:
        System.out = old
    }

    def "an error inside %%time's body is at the cell's own line (the magic line is line 1)"() {
        when:
        CellError e = fails('%%time\ndef q = 1\nthrow new IllegalStateException("boom")')

        then:
        e.traceback()[1] == '  In [1], line 3: throw new IllegalStateException("boom")'
    }

    /**
     * Runs {@code code} (which counts {@code started} down before its endless part) on a thread of its own, interrupts
     * it from here and gives the error it ended with; fails when the cell does not stop.
     */
    CellError interruptedWhileRunning(String code, String label) {
        CountDownLatch started = new CountDownLatch(1)
        ev.binding().setVariable('started', started)
        CellError error = null
        Thread t = Thread.start {
            try {
                ev.eval(code, label)
            } catch (CellError e) {
                error = e
            }
        }
        assert started.await(10, TimeUnit.SECONDS): 'the cell did not start'
        Thread.sleep(100)
        assert ev.interrupt(): 'no cell was running'
        t.join(10_000)
        assert !t.alive: 'the cell did not stop when interrupted'
        error
    }

    def "a long cell is interrupted from another thread; the session survives and the next cell runs"() {
        given:
        cell('def kept = "still here"')

        when:
        CellError error = interruptedWhileRunning('started.countDown()\nlong i = 0\nwhile (true) { i++ }', 'In [9]')

        then:
        error.ename() == 'Interrupted'
        error.evalue().startsWith('the cell was interrupted (In [9], line 3: while (true) { i++ })')
        cell('kept').value() == 'still here'
        !Thread.currentThread().interrupted
        !ev.interrupt()
    }

    def "a cell that ran %time before its long loop is still interrupted"() {
        given:
        def out = System.out
        System.out = new PrintStream(new ByteArrayOutputStream(), true)

        when:
        CellError error = interruptedWhileRunning('%time 1 + 1\nstarted.countDown()\nwhile (true) { }', 'In [5]')

        then:
        error.ename() == 'Interrupted'

        cleanup:
        System.out = out
    }

    def "a cell started on an interrupted thread stops at once; so does a diagnosis (between hops)"() {
        given:
        cell("example('flannel-vxlan')")

        when:
        Thread.currentThread().interrupt()
        CellError e = fails("diagnose(pod('default/client'), service('default/web', 80))")

        then:
        e.ename() == 'Interrupted'

        when: 'the Java API, no cell: the Diagnostor checks before every hop'
        Thread.currentThread().interrupt()
        ev.session().diagnostor().diagnose(new io.skoop.diagnose.Query('default/client', 'svc/default/web', '80', io.skoop.model.Protocol.TCP))

        then:
        def c = thrown(java.util.concurrent.CancellationException)
        c.message.startsWith('interrupted: the diagnosis stopped after ')

        cleanup:
        Thread.interrupted()
    }
}
