package io.skoop.notebook

import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.ObjectNode
import io.skoop.cli.SkoopCommand
import io.skoop.dsl.Session
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** skoop notebook run: a notebook executed in-process, parameters injected, failures named, the result valid nbformat. */
class NotebookRunnerSpec extends Specification {
    @TempDir Path dir
    static final ObjectMapper JSON = new ObjectMapper()

    static Map cell(String source, List tags = null) {
        [cell_type: 'code', execution_count: null, metadata: tags ? [tags: tags] : [:], outputs: [], source: source]
    }

    static Map markdown(String text) {
        [cell_type: 'markdown', metadata: [:], source: text]
    }

    Path notebook(List cells, String name = 'nb.ipynb') {
        Path p = dir.resolve(name)
        Files.writeString(p, JSON.writeValueAsString([cells: cells, metadata: [:], nbformat: 4, nbformat_minor: 4]))
        p
    }

    /** Runs {@code skoop ARGS} in this JVM: [exit code, stdout, stderr]. */
    static List skoop(String... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(out, true)
        cl.err = new PrintWriter(err, true)
        int code = cl.execute(args)
        [code, out.toString(), err.toString()]
    }

    static String text(node) {
        node.isArray() ? node.collect { it.asText() }.join('') : node.asText()
    }

    def "every code cell runs in order: streams, displays, results and their counts; markdown is left alone"() {
        given:
        Path nb = notebook([markdown('# title'), cell("example('flannel-vxlan')\nprintln 'a'\nSystem.err.println 'e'\nprint 'b'\n1 + 1"),
                            cell("display(nodes())\ndef x = 3"), cell('x * 2')])

        when:
        def r = new NotebookRunner(new Session(), null).run(NotebookRunner.read(nb), [:])
        def cells = r.notebook().get('cells')

        then:
        r.ok()
        r.cellsRun() == 3
        cells[0].get('cell_type').asText() == 'markdown'
        cells[1].get('execution_count').asInt() == 1
        cells[1].get('outputs').collect { it.get('output_type').asText() + ':' + (it.get('name')?.asText() ?: '') } ==
                ['stream:stdout', 'stream:stderr', 'stream:stdout', 'execute_result:']
        text(cells[1].get('outputs')[0].get('text')) == 'a\n'
        text(cells[1].get('outputs')[2].get('text')) == 'b'
        text(cells[1].get('outputs')[3].get('data').get('text/plain')) == '2'
        cells[1].get('outputs')[3].get('execution_count').asInt() == 1
        cells[2].get('outputs')[0].get('output_type').asText() == 'display_data'
        cells[2].get('outputs')[0].get('data').has('text/html')
        cells[2].get('outputs').size() == 1
        text(cells[3].get('outputs')[0].get('data').get('text/plain')) == '6'
        cells[3].get('execution_count').asInt() == 3

        and: 'written as nbformat 4.5: cell ids, multi-line text as lines, the kernelspec named; the schema accepts it'
        r.notebook().get('nbformat_minor').asInt() == 5
        cells.every { it.has('id') }
        cells[1].get('source').isArray() && cells[1].get('source')[0].asText() == "example('flannel-vxlan')\n"
        r.notebook().get('metadata').get('kernelspec').get('name').asText() == 'skoop'
        NotebookRunner.validate(r.notebook()) == []
    }

    def "the schema check can fail: a notebook that breaks nbformat is named"() {
        given:
        ObjectNode bad = (ObjectNode) JSON.readTree('{"cells": [{"cell_type": "code", "source": "1", "outputs": [{"output_type": "nonsense"}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')

        expect:
        !NotebookRunner.validate(bad).isEmpty()
    }

    def "parameters: injected after the parameters cell, typed as its defaults; the injected cell of an earlier run is replaced"() {
        given:
        Path nb = notebook([cell("name = 'x'\nport = 80\nfast = false\nratio = 0.5", ['parameters']), cell('"$name:${port + 1}:${!fast}:${ratio * 2}"')])
        Path out = dir.resolve('out.ipynb')

        when:
        def (code, stdout, stderr) = skoop('notebook', 'run', nb.toString(), '--param', 'name=web', '--param', 'port=8080',
                '--param', 'fast=true', '--param', 'ratio=2', '--output-file', out.toString())
        def cells = JSON.readTree(out.toFile()).get('cells')

        then:
        code == 0
        stderr.contains('cell 1 [1]: ok')
        cells.size() == 3
        NotebookRunner.tags(cells[1]) == ['injected-parameters']
        text(cells[1].get('source')) == "// parameters given to skoop notebook run\nname = 'web'\nport = 8080\nfast = true\nratio = 2.0"
        text(cells[2].get('outputs')[0].get('data').get('text/plain')) == 'web:8081:false:4.0'

        when: 'run again on its own output: one injected cell, the new values'
        def again = skoop('notebook', 'run', out.toString(), '--param', 'port=9', '--in-place')
        cells = JSON.readTree(out.toFile()).get('cells')

        then:
        again[0] == 0
        cells.size() == 3
        text(cells[1].get('source')) == "// parameters given to skoop notebook run\nport = 9"
        text(cells[2].get('outputs')[0].get('data').get('text/plain')) == 'x:10:true:1.0'
    }

    def "parameter mistakes are named: no parameters cell, an undeclared name, a value not of the default's type"() {
        expect:
        skoop('notebook', 'run', notebook([cell('1')]).toString(), '--param', 'a=1')[2].contains("skoop: error: the notebook has no cell tagged 'parameters'")
        skoop('notebook', 'run', notebook([cell('port = 1', ['parameters'])]).toString(), '--param', 'prot=2')[2]
                .contains("skoop: error: the parameters cell sets no 'prot'; it sets: port; did you mean 'port'?")
        skoop('notebook', 'run', notebook([cell('port = 1', ['parameters'])]).toString(), '--param', 'port=eighty')[2]
                .contains('skoop: error: --param port=eighty: not a number, as its default 1 is')
        skoop('notebook', 'run', notebook([cell('port = 1', ['parameters'])]).toString(), '--param', 'port=eighty')[0] == 2
    }

    def "a failing cell: exit 1 naming it, later cells not run, except those tagged teardown"() {
        given:
        Path nb = notebook([cell('a = 1'), cell('a = 2\nthrow new IllegalStateException("broken")'), cell('a = 3'), cell('a = a * 10\na', ['teardown'])])
        Path out = dir.resolve('failed.ipynb')

        when:
        def (code, stdout, stderr) = skoop('notebook', 'run', nb.toString(), '--output-file', out.toString())
        def cells = JSON.readTree(out.toFile()).get('cells')

        then:
        code == 1
        stderr.contains("skoop notebook run: cell 2 of ${nb} failed:\nIllegalStateException: broken\n  In [2], line 2: throw new IllegalStateException(\"broken\")")
        cells[1].get('outputs')[0].get('output_type').asText() == 'error'
        cells[2].get('execution_count').isNull()
        cells[2].get('outputs').size() == 0
        text(cells[3].get('outputs')[0].get('data').get('text/plain')) == '20'
        NotebookRunner.validate(JSON.readTree(out.toFile())) == []
    }

    def "usage: a missing notebook, something that is not one, --output-file onto the notebook itself, -o as kubectl's format"() {
        given:
        Path notJson = dir.resolve('x.ipynb')
        Files.writeString(notJson, '{"cells": [')
        Path nb = notebook([cell('1')])

        expect:
        skoop('notebook', 'run', dir.resolve('none.ipynb').toString())[2].contains('no such notebook')
        skoop('notebook', 'run', notJson.toString())[2] =~ /x\.ipynb is not a notebook: not JSON \(.* at line 1\)/
        skoop('notebook', 'run', nb.toString(), '--output-file', nb.toString())[2].contains('is the notebook itself: give --in-place to write over it')
        skoop('notebook', 'run', nb.toString(), '--output-file', nb.toString())[0] == 2
        skoop('notebook', 'run', nb.toString(), '-o', 'out.ipynb')[2].trim() ==
                'skoop: error: -o takes the output format, as in kubectl (ipynb); write to a file with --output-file out.ipynb'
        skoop('notebook', 'run', nb.toString(), '-o', 'out.ipynb')[0] == 2
    }

    def "--output-file: never replaces a file without --force; '-' is standard output; -o ipynb is the one format"() {
        given:
        Path nb = notebook([cell('6 * 7')])
        Path kept = dir.resolve('kept.ipynb')
        Files.writeString(kept, 'mine')

        when:
        def refused = skoop('notebook', 'run', nb.toString(), '--output-file', kept.toString())

        then:
        refused[0] == 2
        refused[2].trim() == "skoop: error: cannot write $kept: it exists; add --force to replace it"
        kept.text == 'mine'

        when:
        def forced = skoop('notebook', 'run', nb.toString(), '-o', 'ipynb', '--output-file', kept.toString(), '--force')
        def piped = skoop('notebook', 'run', nb.toString(), '--output-file', '-', '-q')

        then:
        forced[0] == 0
        text(JSON.readTree(kept.toFile()).get('cells')[0].get('outputs')[0].get('data').get('text/plain')) == '42'
        piped[0] == 0
        text(JSON.readTree(piped[1]).get('cells')[0].get('outputs')[0].get('data').get('text/plain')) == '42'
        !Files.exists(dir.resolve('-'))
    }

    def "--help: the usage, exit 0"() {
        when:
        def (code, out, err) = skoop('notebook', 'run', '--help')

        then:
        code == 0
        out.startsWith('Usage: skoop notebook run')
        out.replaceAll(/\s+/, ' ').contains("--param values are injected after the cell tagged 'parameters'")
    }

    def "--example starts the session on a snapshot; the notebook's own cells need not choose one"() {
        given:
        Path nb = notebook([cell("diagnose(pod('default/client'), service('default/web', 80)).verdict")])

        expect:
        skoop('notebook', 'run', nb.toString(), '--example', 'flannel-vxlan')[0] == 0
        skoop('notebook', 'run', nb.toString())[2].contains("IllegalStateException: no snapshot yet: start with example('flannel-vxlan')")
    }

    def "the file layout is Jupyter's: sorted keys, one blank of indent, empty lists as []"() {
        given:
        ObjectNode nb = NotebookRunner.read(notebook([cell('1')]))
        new NotebookRunner(new Session(), null).run(nb, [:])

        expect:
        NotebookRunner.text(nb).startsWith('{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": 1,\n   "id": "cell-1",\n   "metadata": {},\n')
    }
}
