package io.skoop.render

import io.skoop.testsupport.Diagnoses
import spock.lang.Specification

/** {@link TextRenderer}: {@code --explain} groups each hop's decisions per branch instead of interleaving them. */
class TextRendererSpec extends Specification {

    /** The explanation lines of {@code hop} in the request section of {@code text}. */
    static List<String> explained(String text, String hop) {
        List<String> lines = text.readLines()
        int start = lines.findIndexOf { it == "  $hop" || it.startsWith("  $hop  ") }
        assert start >= 0: "no hop $hop in\n$text"
        lines.drop(start + 1).takeWhile { it.startsWith('      ') }.findAll { it.startsWith('      |') }
    }

    def "--explain: shared decisions first, then each branch under its label, its own lines indented beneath it"() {
        when:
        def lines = explained(new TextRenderer(true).render(Diagnoses.service()), 'node:node-1')
        def labels = lines.findIndexValues { it ==~ /      \| branch \d\/3 p=0\.333: .*/ }.collect { it as int }

        then: 'three labels, in order, each followed by its indented lines'
        labels.size() == 3
        lines[labels[0]] == '      | branch 1/3 p=0.333: tcp 10.244.0.2:40000 > 10.244.0.3:8080 FORWARDED via cni0'
        lines[labels[1]].endsWith('> 10.244.1.2:8080 FORWARDED via flannel.1')
        lines[labels[2]].endsWith('> 10.244.2.2:8081 FORWARDED via flannel.1')
        (labels[0] + 1..<lines.size()).every { it in labels || lines[it].startsWith('      |   ') }

        and: 'before the first label only shared lines, unindented; the DNAT of each backend only under its own label'
        lines.take(labels[0]).every { !it.startsWith('      |   ') }
        lines.take(labels[0]).any { it.contains('KUBE-SERVICES#1') }
        lines.findIndexOf { it.contains('--to-destination 10.244.1.2:8080') } in (labels[1]..<labels[2])
        lines.findIndexOf { it.contains('--to-destination 10.244.2.2:8081') } > labels[2]
    }

    def "without branches the explanation is one flat list, and without --explain there is none"() {
        expect:
        explained(new TextRenderer(true).render(Diagnoses.refused()), 'node:node-1').every { !it.contains('branch ') && !it.startsWith('      |   ') }
        explained(new TextRenderer(true).render(Diagnoses.refused()), 'node:node-1').size() > 5
        explained(new TextRenderer(false).render(Diagnoses.service()), 'node:node-1') == []
    }
}
