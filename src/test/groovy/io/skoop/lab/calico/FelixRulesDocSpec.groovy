package io.skoop.lab.calico

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification

/** docs/calico.md's example is FelixRules' output, and its scenario list is the spec's. */
class FelixRulesDocSpec extends Specification {
    static final String DOC = Files.readString(Path.of('docs/calico.md'))

    def "every line of the example is in the rendering of node-1 with the two ingress policies it names"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.SCENARIOS['allow from pod selector'] + '---\n' + FelixFixtures.SCENARIOS['ipBlock with except'])
        def r = FelixRules.render(FelixFixtures.input(o, 'node-1'))
        def section = DOC.substring(DOC.indexOf('## Example'), DOC.indexOf('## Exact vs simplified'))
        def block = (section =~ /(?s)```text\n(.*?)```/)[0][1].readLines()
        Set<String> rendered = (r.iptablesSave().readLines() + r.ipsetRestore().readLines()) as Set

        expect:
        block.size() > 10
        block.findAll { !rendered.contains(it) } == []
    }

    def "the tests table counts the spec's scenarios"() {
        expect:
        DOC.contains("| `FelixRulesPolicySpec` | ${FelixFixtures.SCENARIOS.size()} NetworkPolicy scenarios")
    }
}
