package io.skoop.netstack.netfilter

import com.fasterxml.jackson.databind.ObjectMapper
import io.skoop.model.Packet
import io.skoop.netstack.parse.NftParser
import spock.lang.Specification

/**
 * The netfilter trace as one sealed family shared by iptables and nftables: a trace through both worlds gives typed
 * steps whose origin says which world decided, one text line per step in the same form for both, and JSON that names
 * each step's kind and each origin's world.
 */
class TraceStepSpec extends Specification {

    /** iptables: filter FORWARD accepts from cni0; nftables: inet fw forward drops TCP to port 23 (handle 7), policy accept. */
    static TraceResult mixed(String packet) {
        def nft = NftParser.ruleset('nft.json', '{"nftables": [' + [
                '{"table": {"family": "inet", "name": "fw", "handle": 1}}',
                NftSimulatorSpec.chain('inet', 'fw', 'fwd', 'forward', 10),
                NftSimulatorSpec.rule('inet', 'fw', 'fwd', 7, '{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 23}}, {"drop": null}'),
        ].join(',') + ']}')
        def ipt = Rules.parse([filter: ['-A FORWARD -i cni0 -j ACCEPT']])
        new NetfilterSimulator(ipt, Ruleset.empty(true), nft, NetfilterSimulatorSpec.node(), SetMembership.NONE).withConntrackActive(true)
                .trace(NetfilterSimulatorSpec.inOn('cni0', packet))
    }

    def "a packet through iptables and nftables: each rule step's origin names its world, table, chain and position"() {
        when:
        TraceBranch passed = mixed('tcp 10.244.1.5:40000 > 8.8.8.8:80').branches()[0]
        TraceBranch dropped = mixed('tcp 10.244.1.5:40000 > 8.8.8.8:23').branches()[0]

        then:
        passed.verdict() == FinalVerdict.FORWARDED
        passed.matchedRules()*.origin() == [new TraceStep.Origin.Iptables('filter', 'FORWARD', 1)]
        passed.steps().findAll { it instanceof TraceStep.PolicyApplied }*.chain()*.ref() == ['inet fw/fwd']
        passed.steps().last() instanceof TraceStep.VerdictReached
        passed.steps().findAll { it instanceof TraceStep.ConntrackLookup }.size() == 1
        passed.steps().findAll { it instanceof TraceStep.ConntrackConfirmed }.size() == 1

        dropped.verdict() == FinalVerdict.DROP
        dropped.detail() == 'dropped by inet fw/fwd handle 7'
        TraceStep.RuleEvaluated drop = dropped.matchedRules().last()
        drop.origin() == new TraceStep.Origin.Nftables('inet', 'fw', 'fwd', 7)
        drop.table() == 'inet fw'
        drop.origin().position() == 7
        drop.target() == 'drop'
        drop.toString() == 'MATCH       FORWARD inet fw fwd handle 7  tcp dport 23 drop'
        // the iptables rule ran first (filter, priority 0, before the nft chain at 10) and matched
        dropped.matchedRules()*.origin()*.ref() == ['filter/FORWARD#1', 'inet fw/fwd handle 7']
    }

    def "one text line per step, the same form in both worlds: #line"() {
        expect:
        step.toString() == line

        where:
        step                                                                                                                   || line
        new TraceStep.RuleEvaluated(Hook.PREROUTING, new TraceStep.Origin.Iptables('nat', 'PREROUTING', 1), '-A PREROUTING -j KUBE-SERVICES', Tri.MATCH, 'KUBE-SERVICES', null, null, null) || 'MATCH       PREROUTING nat PREROUTING#1  -A PREROUTING -j KUBE-SERVICES'
        new TraceStep.RuleEvaluated(Hook.OUTPUT, new TraceStep.Origin.Nftables('ip', 'kube-proxy', 'endpoint-1', 9), 'dnat to 10.244.1.2:8080', Tri.MATCH, 'dnat', Packet.parse('tcp 10.244.0.2:1 > 10.96.0.1:80'), Packet.parse('tcp 10.244.0.2:1 > 10.244.1.2:8080'), null) || 'MATCH       OUTPUT ip kube-proxy endpoint-1 handle 9  dnat to 10.244.1.2:8080  [tcp 10.244.0.2:1 > 10.96.0.1:80 => tcp 10.244.0.2:1 > 10.244.1.2:8080]'
        new TraceStep.BranchTaken(Hook.PREROUTING, new TraceStep.Origin.Nftables('ip', 'kube-proxy', 'service-x', 4), 'numgen random mod 2 vmap { 0 : goto a, 1 : goto b }', Tri.MATCH, null, 'numgen random mod 2 = 1 (p=0.500000)') || 'BRANCH      PREROUTING ip kube-proxy service-x handle 4  numgen random mod 2 vmap { 0 : goto a, 1 : goto b }  (numgen random mod 2 = 1 (p=0.500000))'
        new TraceStep.PolicyApplied(Hook.FORWARD, new TraceStep.Origin.Iptables('filter', 'FORWARD', 0), 'DROP')                  || 'POLICY      FORWARD filter FORWARD -> DROP'
        new TraceStep.PolicyApplied(Hook.INPUT, new TraceStep.Origin.Nftables('inet', 'fw', 'in', 0), 'ACCEPT')                    || 'POLICY      INPUT inet fw in -> ACCEPT'
        new TraceStep.ConntrackLookup(Hook.PREROUTING, 'new connection: state NEW')                                              || 'CONNTRACK   PREROUTING  (new connection: state NEW)'
        new TraceStep.NatBinding(Hook.POSTROUTING, null, null, 'nat table not consulted: packet is UNTRACKED')                   || 'NAT         POSTROUTING nat  (nat table not consulted: packet is UNTRACKED)'
        new TraceStep.RoutingDecision(null, 'input route: forward via eth0')                                                     || 'ROUTING      (input route: forward via eth0)'
        new TraceStep.IpvsScheduled(Hook.INPUT, '-t 10.96.0.10:53', 2, '-a -t 10.96.0.10:53 -r 10.244.1.7:53 -m -w 1', Tri.MATCH, 'MASQUERADING', null, null, 'share 1/2') || 'IPVS        INPUT ipvs -t 10.96.0.10:53#2  -a -t 10.96.0.10:53 -r 10.244.1.7:53 -m -w 1  (share 1/2)'
        new TraceStep.VerdictReached(Hook.FORWARD, 'DROP', 'dropped by filter/FORWARD#3')                                      || 'VERDICT     FORWARD -> DROP  (dropped by filter/FORWARD#3)'
    }

    def "as JSON every step names its kind and every origin its world"() {
        when:
        def json = new ObjectMapper().readValue(new ObjectMapper().writeValueAsString(mixed('tcp 10.244.1.5:40000 > 8.8.8.8:23')), Map)
        def steps = json.branches[0].steps

        then:
        steps*.step.containsAll(['routing', 'conntrack', 'rule', 'verdict'])
        steps.find { it.step == 'rule' && it.origin.world == 'nftables' }.origin == [world: 'nftables', family: 'inet', name: 'fw', chain: 'fwd', handle: 7]
        steps.find { it.step == 'rule' && it.origin.world == 'iptables' }.origin == [world: 'iptables', table: 'filter', chain: 'FORWARD', rule: 1]
        steps.find { it.step == 'verdict' }.verdict == 'DROP'
    }
}
