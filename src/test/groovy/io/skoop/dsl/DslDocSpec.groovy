package io.skoop.dsl

import io.skoop.lab.run.LabStore
import io.skoop.lab.run.Labs
import io.skoop.testsupport.KernelLab
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.Unroll

/**
 * Every example of docs/dsl.md (a groovy block followed by a text block) runs and prints exactly that text. A block
 * whose first line is {@value #NEEDS_ROOT}… builds a lab: it runs as root (CI; without root there it fails, see
 * KernelLab), in a lab store of its own, and every lab it leaves up is taken down afterwards. The scenario listings
 * ({@code class X extends SkoopSpecification}) are excerpts of the specs that run them.
 */
class DslDocSpec extends Specification {

    static final String NEEDS_ROOT = '// needs root'

    static String doc() {
        Files.readString(Path.of('docs/dsl.md'))
    }

    /** [code, text] of every groovy block followed by a text block. */
    static List<List<String>> examples() {
        String doc = doc()
        List<List<String>> out = []
        int i = 0
        while ((i = doc.indexOf('```groovy\n', i)) >= 0) {
            int end = doc.indexOf('```\n', i + 10)
            String code = doc.substring(i + 10, end)
            int next = doc.indexOf('```', end + 4)
            if (next < 0 || !doc.startsWith('```text\n', next)) {
                i = end // a listing, not an example: no output block follows
                continue
            }
            int tEnd = doc.indexOf('```\n', next + 8)
            out << [code, doc.substring(next + 8, tEnd)]
            i = tEnd
        }
        out
    }

    static List<List<String>> examples(boolean root) {
        examples().findAll { it[0].startsWith(NEEDS_ROOT) == root }
    }

    def "docs/dsl.md has examples, and lab examples"() {
        expect:
        examples(false).size() >= 4
        examples(true).size() >= 1
    }

    @Unroll
    def "docs/dsl.md example #n prints what the doc shows"() {
        when:
        def r = Scripts.run(code)

        then:
        r.out == expected

        where:
        [code, expected] << examples(false)
        n = examples(false).collect { it[0] }.indexOf(code) + 1
    }

    @Unroll
    @IgnoreIf(value = { !KernelLab.available() }, reason = 'the lab examples of docs/dsl.md build labs: needs root')
    def "docs/dsl.md lab example #n builds its lab and prints what the doc shows"() {
        given: 'a lab store of its own, so that every lab the example leaves up is known'
        Path state = Files.createTempDirectory('skoop-dsl-doc')
        System.setProperty(LabStore.PROPERTY, state.toString())

        when:
        def r = Scripts.run(code)

        then:
        r.out == expected

        cleanup:
        List<String> labs = new LabStore(state).all()*.name()
        labs.each { new Labs(new LabStore(state)).down(it) }
        System.clearProperty(LabStore.PROPERTY)
        state.toFile().deleteDir()
        assert labs.collectMany { Labs.namespaces(it) } == []

        where:
        [code, expected] << examples(true)
        n = examples(true).collect { it[0] }.indexOf(code) + 1
    }

    def "every scenario listing is an excerpt of the spec it names: its lines, in order"() {
        given:
        List<String> listings = []
        String doc = doc()
        for (int i = 0; (i = doc.indexOf('```groovy\nclass ', i)) >= 0; i += 10) {
            listings << doc.substring(i + 10, doc.indexOf('```\n', i + 10))
        }

        expect:
        listings.size() >= 2
        listings.every { String listing ->
            String name = (listing =~ /^class (\w+) extends SkoopSpecification/)[0][1]
            List<String> spec = Files.readAllLines(Path.of("src/test/groovy/io/skoop/scenarios/${name}.groovy"))*.stripTrailing()
            int at = 0
            List<String> missing = listing.readLines()*.stripTrailing().findAll { it }.findAll { line ->
                int found = spec.subList(at, spec.size()).indexOf(line)
                found < 0 ? true : { at += found + 1; false }()
            }
            assert missing == [], "docs/dsl.md's listing of $name has lines that are not in the spec (in this order)"
            true
        }
    }
}
