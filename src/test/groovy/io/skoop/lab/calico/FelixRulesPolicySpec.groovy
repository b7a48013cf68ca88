package io.skoop.lab.calico

import spock.lang.Specification

/**
 * Differential: skoop's netfilter simulator on FelixRules' rendering against skoop's intent evaluator. For every
 * scenario and every ordered pair of pods (on the same node or not) and a few ports, the first packet of a new
 * connection is traced through FORWARD: same node, {@code -i caliSRC}, routed out {@code caliDST} (fw chain of the
 * source then tw chain of the destination); different nodes, {@code -i caliSRC} out {@code eth0} on the source's node
 * (egress) and {@code -i eth0} out {@code caliDST} on the destination's node (ingress), each node with its own
 * rendering. The connection is accepted when every node forwards it; that must equal
 * {@code PolicyEvaluator.evaluate(...).allowed()}. No trace may end UNKNOWN.
 */
class FelixRulesPolicySpec extends Specification {

    def "scenario '#name': the simulator on Felix's rules accepts exactly what the intent allows"() {
        when:
        def c = FelixFixtures.compare(FelixFixtures.objects(policies), name)
        println "Felix differential '$name': ${c.checked - c.disagree.size()}/${c.checked} agree (${c.allowed} allowed)"

        then:
        c.disagree.isEmpty()

        where:
        name << FelixFixtures.SCENARIOS.keySet()
        policies = FelixFixtures.SCENARIOS[name]
    }
}
