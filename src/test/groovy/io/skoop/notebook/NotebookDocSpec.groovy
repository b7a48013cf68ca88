package io.skoop.notebook

import io.skoop.dsl.Session
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/** docs/notebooks.md says what is true: its renderer example runs and shows what it says; its magic table is the magics. */
class NotebookDocSpec extends Specification {
    static final String DOC = Files.readString(Path.of('docs/notebooks.md'))

    def "the renderer example, run as a notebook cell, gives the bundle the doc shows"() {
        given:
        def blocks = (DOC =~ /(?s)```groovy\n(.*?)```\n\n```text\n(.*?)```/).collect { [it[1], it[2]] }
        def ev = new CellEvaluator(new Session(), System.err)
        def displays = new Displays()
        ev.bind('displays', displays)

        when:
        def (code, expected) = blocks[0]
        def data = displays.render(ev.eval(code, 'doc').value())
        String shown = ['text/plain', 'text/html'].collect { "$it: ${data.getData(MIMEType.parse(it))}" }.join('\n') + '\n'

        then:
        blocks.size() == 1
        shown == expected
    }

    def "the magic table names every magic, and only those"() {
        given:
        String table = DOC.substring(DOC.indexOf('| magic | does |'), DOC.indexOf('A magic may be assigned'))
        Set<String> documented = (table =~ /`%%?(\w+)/).collect { it[1] } as Set
        def magics = new CellEvaluator(new Session(), System.err).magics()

        expect:
        documented == (magics.lineNames() + magics.cellNames()) as Set
    }
}
