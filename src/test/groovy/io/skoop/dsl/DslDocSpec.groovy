package io.skoop.dsl

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.Unroll

/** Every example of docs/dsl.md (a groovy block followed by a text block) runs and prints exactly that text. */
class DslDocSpec extends Specification {

    static List<List<String>> examples() {
        String doc = Files.readString(Path.of('docs/dsl.md'))
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

    def "docs/dsl.md has examples"() {
        expect:
        examples().size() >= 4
    }

    @Unroll
    def "docs/dsl.md example #n prints what the doc shows"() {
        when:
        def r = Scripts.run(code)

        then:
        r.out == expected

        where:
        [code, expected] << examples()
        n = examples().collect { it[0] }.indexOf(code) + 1
    }
}
