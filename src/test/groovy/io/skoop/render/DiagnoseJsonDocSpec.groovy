package io.skoop.render

import groovy.json.JsonSlurper
import io.skoop.diagnose.Diagnosis
import io.skoop.model.Suspicion
import io.skoop.testsupport.Diagnoses
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * docs/diagnose-json.md cannot rot: its example has exactly the fields, in the same order, that {@link JsonRenderer}
 * writes for the same query today, and its field tables describe every field the renderer writes and no other.
 */
class DiagnoseJsonDocSpec extends Specification {
    @Shared String doc = Files.readString(Path.of('docs/diagnose-json.md'))

    /** Every field path of a JSON value, arrays as {@code []}, in document order, each once: {@code request.nodes[].id}. */
    static List<String> paths(value, String prefix = '') {
        Set<String> out = new LinkedHashSet<>()
        if (value instanceof Map) {
            value.each { k, v ->
                String p = prefix ? "$prefix.$k" : k
                out << p
                out.addAll(paths(v, p))
            }
        } else if (value instanceof List) {
            value.each { out.addAll(paths(it, prefix + '[]')) }
        }
        out as List
    }

    static json(Diagnosis d) {
        new JsonSlurper().parseText(new JsonRenderer().render(d))
    }

    /** The doc's rules of sameness: reply is like request, encap and a branch's packet like a link's packet, both attributes alike. */
    static String documentedAs(String path) {
        path.replaceFirst(/^reply\./, 'request.')
                .replaceAll(/\.encap\./, '.')
                .replaceFirst(/^branches\[\]\.packet\./, 'request.links[].packet.')
                .replace('.destinationAttribute.', '.sourceAttribute.')
    }

    def "the example is the JSON the renderer writes for the documented command, field for field in the same order"() {
        given:
        String example = (doc =~ /(?s)## Example.*?```json\n(.*?)\n```/)[0][1]

        expect:
        doc.contains('skoop diagnose --example flannel-vxlan -s default/client -d default/sleeper -p 80 -o json')
        paths(new JsonSlurper().parseText(example)) == paths(json(Diagnoses.refused()))
    }

    def "the field tables name every field the renderer writes, and only those"() {
        given:
        Set<String> documented = (doc =~ /(?m)^\| `([^`]+)` \|/).collect { it[1] } as Set
        def d = Diagnoses.refused()
        def withClusterSuspicion = new Diagnosis(d.query(), d.source(), d.destination(), d.verdict(), d.successProbability(),
                d.request(), d.reply(), d.branches(), [Suspicion.warning('node node-3: no dump')], d.snapshot(), d.opened())
        def verdict = new io.skoop.plugin.networkpolicy.PolicyVerdict(io.skoop.model.Ip.parse('10.244.0.2'), io.skoop.model.Ip.parse('10.244.2.4'), 80,
                io.skoop.model.Protocol.TCP,
                new io.skoop.plugin.networkpolicy.PolicyVerdict.Side('Egress', 'default/client', io.skoop.plugin.networkpolicy.PolicyVerdict.Decision.NOT_ISOLATED,
                        [], null, 'not isolated', []),
                new io.skoop.plugin.networkpolicy.PolicyVerdict.Side('Ingress', 'default/sleeper', io.skoop.plugin.networkpolicy.PolicyVerdict.Decision.DENIED,
                        ['NetworkPolicy default/deny'], null, 'denied by the ingress of default/deny', ['NetworkPolicy default/deny ingress: no rules']))
        def withPolicies = new Diagnosis(d.query(), d.source(), d.destination(), d.verdict(), d.successProbability(),
                d.request(), d.reply(), d.branches(), d.suspicions(), d.snapshot(), d.opened(), [verdict])
        Set<String> written = [d, Diagnoses.service(), withClusterSuspicion, withPolicies]
                .collectMany { paths(json(it)) }
                .collect { documentedAs(it) }
                .collect { it.replaceFirst(/^policies\[\]\.ingress/, 'policies[].egress') } as Set

        expect:
        written - documented == [] as Set
        documented - written == [] as Set
    }
}
