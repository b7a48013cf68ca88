package io.skoop.lab.calico

import groovy.json.JsonOutput
import spock.lang.Specification

/**
 * The differential of {@link FelixRulesPolicySpec} on random NetworkPolicies: per seed 1-3 policies in random
 * namespaces with random pod selectors (matchLabels, matchExpressions, {}), policyTypes (absent, Ingress, Egress,
 * both), rules, peers (pod, namespace, both, ipBlock with 0-2 excepts) and ports (numeric, endPort ranges, named,
 * protocol only, TCP/UDP). Seeds {@code skoop.felix.seeds} (default 1-60).
 */
class FelixRulesRandomPolicySpec extends Specification {
    def "random policies: the simulator on Felix's rules accepts exactly what the intent allows"() {
        given:
        List<Integer> seeds = (System.getProperty('skoop.felix.seeds') ?: '1-60').with { s -> def p = s.split('-'); (p[0] as int)..(p[-1] as int) }
        List<String> disagree = []
        int checked = 0, allowed = 0

        when:
        seeds.each { seed ->
            String yaml = policies(new Random(seed))
            def c = FelixFixtures.compare(FelixFixtures.objects(yaml), "seed $seed")
            checked += c.checked
            allowed += c.allowed
            disagree.addAll(c.disagree.collect { it + '\n' + yaml })
        }
        println "Felix random differential, seeds ${seeds.first()}-${seeds.last()}: ${checked - disagree.size()}/$checked agree ($allowed allowed)"

        then:
        disagree.take(3).join('\n') == ''
    }

    static String policies(Random rnd) {
        int n = 1 + rnd.nextInt(3)
        (0..<n).collect { i ->
            String ns = pick(rnd, ['default', 'default', 'team-a', 'team-b'])
            Map spec = [podSelector: selector(rnd, true)]
            def types = pick(rnd, [null, ['Ingress'], ['Egress'], ['Ingress', 'Egress']])
            if (types != null) spec.policyTypes = types
            if (rnd.nextInt(4) > 0) spec.ingress = (0..<rnd.nextInt(3)).collect { rule(rnd, 'from') }
            if (rnd.nextInt(3) > 0) spec.egress = (0..<rnd.nextInt(3)).collect { rule(rnd, 'to') }
            JsonOutput.toJson([apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: [name: "p$i".toString(), namespace: ns], spec: spec])
        }.join('\n---\n')
    }

    static Map rule(Random rnd, String dir) {
        Map r = [:]
        int peers = rnd.nextInt(3)
        if (peers > 0) r[dir] = (0..<peers).collect { peer(rnd) }
        int ports = rnd.nextInt(4)
        if (ports > 0) r.ports = (0..<ports).collect { port(rnd) }
        r
    }

    static Map peer(Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0: return [podSelector: selector(rnd, false)]
            case 1: return [namespaceSelector: nsSelector(rnd)]
            case 2: return [podSelector: selector(rnd, false), namespaceSelector: nsSelector(rnd)]
            default:
                String cidr = pick(rnd, ['10.244.0.0/16', '10.244.1.0/24', '10.244.2.0/24', '10.244.1.2/32', '0.0.0.0/0'])
                List except = (0..<rnd.nextInt(3)).collect { pick(rnd, ['10.244.1.3/32', '10.244.2.0/29', '10.244.1.4/31', '10.244.2.3/32']) }
                        .findAll { e -> io.skoop.model.Prefix.parse(cidr).contains(io.skoop.model.Prefix.parse(e).address()) && e != cidr }.unique()
                return [ipBlock: except ? [cidr: cidr, except: except] : [cidr: cidr]]
        }
    }

    static Map selector(Random rnd, boolean subject) {
        switch (rnd.nextInt(subject ? 5 : 6)) {
            case 0: return [:]
            case 1: return [matchLabels: [app: pick(rnd, ['web', 'client', 'a1', 'b1'])]]
            case 2: return [matchLabels: [tier: 'front']]
            case 3: return [matchExpressions: [[key: 'app', operator: pick(rnd, ['In', 'NotIn']), values: [pick(rnd, ['web', 'client', 'a1']), 'b1']]]]
            case 4: return [matchExpressions: [[key: 'tier', operator: pick(rnd, ['Exists', 'DoesNotExist'])]]]
            default: return [matchLabels: [app: 'web'], matchExpressions: [[key: 'tier', operator: 'Exists']]]
        }
    }

    static Map nsSelector(Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0: return [:]
            case 1: return [matchLabels: [team: pick(rnd, ['a', 'b'])]]
            case 2: return [matchLabels: ['kubernetes.io/metadata.name': pick(rnd, ['default', 'team-a', 'team-b'])]]
            default: return [matchExpressions: [[key: 'team', operator: pick(rnd, ['Exists', 'DoesNotExist'])]]]
        }
    }

    static Map port(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0: return [port: pick(rnd, [80, 8080, 8081, 53])]
            case 1: return [port: pick(rnd, [80, 8000]), endPort: pick(rnd, [8080, 8100])]
            case 2: return [port: 'http']
            case 3: return [port: 'dns', protocol: 'UDP']
            case 4: return [protocol: pick(rnd, ['TCP', 'UDP'])]
            default: return [port: pick(rnd, [53, 9999]), protocol: 'UDP']
        }
    }

    static <T> T pick(Random rnd, List<T> xs) {
        xs[rnd.nextInt(xs.size())]
    }
}
