package io.skoop.lab.calico

import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.FinalVerdict
import io.skoop.netstack.netfilter.TraceResult
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
    static final List<List> PORTS = [[8080, Protocol.TCP], [8081, Protocol.TCP], [80, Protocol.TCP], [8000, Protocol.TCP],
                                     [53, Protocol.UDP], [9999, Protocol.UDP]]

    def "scenario '#name': the simulator on Felix's rules accepts exactly what the intent allows"() {
        given:
        def o = FelixFixtures.objects(policies)
        def sims = ['node-1', 'node-2'].collectEntries { [it, FelixFixtures.simulator(o, it)] }
        def intent = FelixFixtures.evaluator(o)
        def pods = FelixFixtures.workloads(o)
        List<String> disagree = []
        int allowed = 0, checked = 0

        when:
        pods.each { src ->
            pods.each { dst ->
                if (src == dst) return
                PORTS.each { port, proto ->
                    List<TraceResult> traces = FelixFixtures.traces(o, src, dst, port as int, proto as Protocol, sims)
                    def verdicts = traces.collect { it.verdict() }
                    boolean sim = verdicts.every { it == FinalVerdict.FORWARDED }
                    boolean want = intent.evaluate(src.podIPs()[0], dst.podIPs()[0], port as int, proto as Protocol).allowed()
                    checked++
                    allowed += want ? 1 : 0
                    if (verdicts.any { it != FinalVerdict.FORWARDED && it != FinalVerdict.DROP } || sim != want) {
                        disagree << "${src.key()} -> ${dst.key()} $proto/$port: simulator $verdicts, intent ${want ? 'allowed' : 'denied'}\n" +
                                traces.collect { t -> t.branches().collect { b -> b.steps().collect { '      ' + it }.join('\n') }.join('\n') }.join('\n----\n')
                    }
                }
            }
        }
        println "Felix differential '$name': ${checked - disagree.size()}/$checked agree ($allowed allowed)"

        then:
        disagree.isEmpty()

        where:
        name << FelixFixtures.SCENARIOS.keySet()
        policies = FelixFixtures.SCENARIOS[name]
    }
}
