package io.skoop.lab.calico

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.FinalVerdict
import io.skoop.netstack.netfilter.Path
import io.skoop.netstack.netfilter.TraceRequest
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

    def "admin scenario '#name': the simulator on Felix v3.29's admin tier accepts exactly what the intent allows (ANP → NP)"() {
        when:
        def c = FelixFixtures.compare(FelixFixtures.objects(policies), name)
        println "Felix differential '$name': ${c.checked - c.disagree.size()}/${c.checked} agree (${c.allowed} allowed)"

        then: 'every pair agrees, and the scenario both allows and denies'
        c.disagree.isEmpty()
        c.allowed > 0
        c.allowed < c.checked

        where:
        name << FelixFixtures.ADMIN_SCENARIOS.keySet()
        policies = FelixFixtures.ADMIN_SCENARIOS[name]
    }

    def "where Calico and the intent differ: traffic between a pod and its own node"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.SCENARIOS['egress deny + egress allow'] + '---\n' + FelixFixtures.SCENARIOS['default deny ingress'])
        def sim = FelixFixtures.simulator(o, 'node-1')
        def intent = FelixFixtures.evaluator(o)
        def node = Ip.parse(FelixFixtures.NODE_IP['node-1'])
        def a1 = o.pod('team-a', 'a1')
        def web = o.pod('default', 'web')

        when: 'a1, isolated for egress, opens a connection to its node (the kubelet, a hostNetwork pod)'
        def toNode = sim.trace(TraceRequest.of(Packet.of(a1.podIPs()[0], 40000, node, 10250, Protocol.TCP), Path.LOCAL_IN)
                .withIif(Calico.vethName('team-a', 'a1')))
        and: 'the node opens a connection to web, isolated for ingress'
        def fromNode = sim.trace(TraceRequest.of(Packet.of(node, 40000, web.podIPs()[0], 8080, Protocol.TCP), Path.LOCAL_OUT))

        then: 'Felix runs the pod\'s egress policies on pod-to-host traffic (cali-INPUT -> cali-wl-to-host -> cali-fw-): dropped, where the intent says "always allowed"'
        intent.evaluate(a1.podIPs()[0], node, 10250, Protocol.TCP).allowed()
        toNode.verdict() == FinalVerdict.DROP
        toNode.branches()[0].matchedRules().last().chain() == 'cali-fw-' + Calico.vethName('team-a', 'a1')

        and: 'the evaluator as Calico\'s plugin configures it (egress to the own node policed) agrees: denied, the node an ordinary peer'
        def calico = FelixFixtures.evaluator(o, true)
        !calico.evaluate(a1.podIPs()[0], node, 10250, Protocol.TCP).allowed()
        calico.evaluate(a1.podIPs()[0], node, 10250, Protocol.TCP).explain().contains('denied by the egress of')
        calico.evaluate(node, web.podIPs()[0], 8080, Protocol.TCP).allowed()

        and: 'host-to-pod traffic is not policed (cali-OUTPUT: -o cali+ -j RETURN): both allow it'
        intent.evaluate(node, web.podIPs()[0], 8080, Protocol.TCP).allowed()
        fromNode.verdict() == FinalVerdict.SENT
    }
}
