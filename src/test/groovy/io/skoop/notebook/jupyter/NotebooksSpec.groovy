package io.skoop.notebook.jupyter

import io.skoop.lab.run.Labs
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * Every notebook in notebooks/ runs twice — by real Jupyter (jupyter nbconvert --execute, driving the installed kernel
 * over ZeroMQ) and by {@code skoop notebook run} (in-process) — and both runs give the outputs committed with it
 * ({@link NotebookOutputs}), with sequential execution counts and no error: a notebook cannot rot. Both results are
 * valid nbformat (nbformat's own validator). A notebook whose first markdown cell says "needs root" runs as root
 * (CI); elsewhere it prints a SKIPPED line (and fails under CI=true).
 */
class NotebooksSpec extends Specification {
    @Shared Jupyter jupyter = new Jupyter()
    @Shared Path out = jupyter.home.resolve('out')

    static List<Path> notebooks() {
        Files.list(Jupyter.ROOT.resolve('notebooks')).withCloseable { s -> s.filter { it.toString().endsWith('.ipynb') }.sorted().toList() }
    }

    static boolean needsRoot(Path nb) {
        NotebookOutputs.read(nb).cells.find { it.cell_type == 'markdown' }?.with { NotebookOutputs.text(it.source).contains('needs root') } ?: false
    }

    def setupSpec() {
        Files.createDirectories(out)
    }

    def cleanupSpec() {
        // a lab a notebook brought up stays up when a cell failed under nbconvert (which has no teardown cells)
        if ('id -u'.execute().text.trim() == '0') {
            Labs.namespaces('nb04') && 'scripts/skoop lab down nb04'.execute(null, Jupyter.ROOT.toFile()).waitFor()
        }
        jupyter.close()
    }

    def "notebooks/ holds the tutorials the README names, each with a parameters cell"() {
        expect:
        notebooks()*.fileName*.toString() == ['01-first-diagnosis.ipynb', '02-send-receive-step-by-step.ipynb', '03-iptables-and-routes.ipynb',
                                             '04-lab-faults.ipynb']
        notebooks().every { nb -> NotebookOutputs.read(nb).cells.find { 'parameters' in (it.metadata?.tags ?: []) } }
    }

    def "the README's notebook lines work: install for the user (Jupyter lists the kernel), the notebook it opens, the headless run"() {
        given:
        String readme = Files.readString(Jupyter.ROOT.resolve('README.md'))
        String section = readme.substring(readme.indexOf('## What works today: notebooks'))
        section = section.substring(0, section.indexOf('\n## ', 5))
        List<String> lines = (section =~ /(?s)```sh\n(.*?)```/).collect { it[1] }.join('').readLines().collect { it.replaceAll(/\s+#.*/, '').trim() }
        String install = lines.find { it.startsWith('scripts/skoop notebook install') }
        String open = lines.find { it.startsWith('jupyter notebook ') }
        String run = lines.find { it.startsWith('scripts/skoop notebook run ') }
        assert run.contains('--output-file out.ipynb'): "the README's run line writes elsewhere: $run"

        when: 'the install line, as a user (HOME is the spec\'s own)'
        def (int icode, String iout) = jupyter.run(['bash', '-c', install], 120, [JUPYTER_PATH: null, JUPYTER_DATA_DIR: null, XDG_DATA_HOME: null])
        def (int lcode, String list) = jupyter.run(['jupyter', 'kernelspec', 'list'], 60, [JUPYTER_PATH: null, JUPYTER_DATA_DIR: null, XDG_DATA_HOME: null])

        then:
        icode == 0
        lcode == 0
        list =~ /(?m)^\s*skoop\s+${java.util.regex.Pattern.quote(jupyter.home.toString())}\/\.local\/share\/jupyter\/kernels\/skoop$/

        and: 'the notebook it opens is there'
        Files.isRegularFile(Jupyter.ROOT.resolve(open.split(/\s+/)[2]))

        when: 'the headless run line (its output in the spec\'s folder)'
        def (int rcode, String rout) = jupyter.run(['bash', '-c', run.replace('--output-file out.ipynb', "--output-file ${out.resolve('readme.ipynb')}")], 300)

        then:
        rcode == 0
        Files.isRegularFile(out.resolve('readme.ipynb'))
    }

    @IgnoreIf(value = { data.root && !KernelLab.available() }, reason = 'the notebook builds a lab: needs root (CI runs it as root)')
    def "#name: run by Jupyter and by skoop notebook run, the outputs are the committed ones"() {
        given:
        Map committed = NotebookOutputs.of(NotebookOutputs.read(nb))
        Path byJupyter = out.resolve('jupyter-' + name)
        Path bySkoop = out.resolve('skoop-' + name)

        when:
        def (int jcode, String jlog) = jupyter.run(['jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300',
                                                    '--output', byJupyter.toString(), nb.toString()])
        def (int scode, String slog) = jupyter.run([Jupyter.SKOOP, 'notebook', 'run', nb.toString(), '--output-file', bySkoop.toString()])

        then:
        jcode == 0
        scode == 0

        and: 'no error output; counts 1, 2, 3... in both'
        [byJupyter, bySkoop].every { f ->
            def cells = NotebookOutputs.of(NotebookOutputs.read(f))
            cells.values()*.count == (1..cells.size()).toList() && cells.values().every { c -> c.outputs.every { it.type != 'error' } }
        }

        and: 'every cell has the committed outputs'
        Map jupyterOutputs = NotebookOutputs.of(NotebookOutputs.read(byJupyter))
        Map skoopOutputs = NotebookOutputs.of(NotebookOutputs.read(bySkoop))
        committed.each { id, c ->
            assert jupyterOutputs[id] == c: "cell $id run by Jupyter differs from the committed one"
            assert skoopOutputs[id] == c: "cell $id run by skoop notebook run differs from the committed one"
        }
        jupyterOutputs.keySet() == committed.keySet()

        and: "nbformat's validator accepts both"
        jupyter.run([Jupyter.PYTHON, '-c', 'import sys, nbformat\nfor f in sys.argv[1:]: nbformat.validate(nbformat.read(f, 4))',
                     byJupyter.toString(), bySkoop.toString()])[0] == 0

        where:
        nb << notebooks()
        name = nb.fileName.toString()
        root = needsRoot(nb)
    }
}
