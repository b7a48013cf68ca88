package io.skoop.netstack.netfilter

import io.skoop.model.Ip
import io.skoop.model.Packet
import spock.lang.Specification

class NetfilterSimulatorSpec extends Specification {

    /** A node: eth0 192.168.1.10/24 (default via 192.168.1.1), cni0 10.244.1.1/24 (pods), lo. */
    static FakeRouting node() {
        new FakeRouting().addr('eth0', '192.168.1.10/24').addr('cni0', '10.244.1.1/24').addr('lo', '127.0.0.1/8')
                .route('0.0.0.0/0', 'eth0', '192.168.1.1')
    }

    /** Traces with conntrack active in the namespace (as on any node running kube-proxy); see the spec of needsConntrack. */
    static TraceResult trace(Map<String, List<String>> rules, TraceRequest req, FakeRouting routing = node(), SetMembership sets = SetMembership.NONE) {
        new NetfilterSimulator(Rules.parse(rules), Ruleset.empty(true), routing, sets).withConntrackActive(true).trace(req)
    }

    static TraceRequest out(String packet) {
        TraceRequest.of(Packet.parse(packet), Path.LOCAL_OUT)
    }

    static TraceRequest inOn(String dev, String packet, Path path = Path.FORWARD) {
        TraceRequest.of(Packet.parse(packet), path).withIif(dev)
    }

    /** "table/CHAIN#n" of every matched rule, in order. */
    static List<String> matched(TraceBranch b) {
        b.matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }
    }

    /** A comment rule in every built-in chain of every table: the matched list shows the order of traversal. */
    static Map<String, List<String>> everyChain() {
        Rules.BUILTIN.collectEntries { t, chains -> [t, chains.collect { "-A $it -m comment --comment \"$t $it\"".toString() }] }
    }

    static List<String> seen(TraceResult r) {
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}".toString() }
    }

    def "hook and table order on the #path path"() {
        when:
        TraceResult r = trace(everyChain(), req)

        then:
        r.branches().size() == 1
        seen(r) == order.split(' ') as List
        r.branches()[0].verdict() == verdict
        r.branches()[0].device() == device

        where:
        path               | req                                                                    || verdict                  | device | order
        'local-out'        | out('tcp 192.168.1.10:40000 > 8.8.8.8:53')                             || FinalVerdict.SENT        | 'eth0' | 'raw/OUTPUT mangle/OUTPUT nat/OUTPUT filter/OUTPUT security/OUTPUT mangle/POSTROUTING nat/POSTROUTING'
        'forward'          | inOn('eth0', 'tcp 8.8.8.8:53 > 10.244.1.5:80')                         || FinalVerdict.FORWARDED   | 'cni0' | 'raw/PREROUTING mangle/PREROUTING nat/PREROUTING mangle/FORWARD filter/FORWARD security/FORWARD mangle/POSTROUTING nat/POSTROUTING'
        'local-in'         | inOn('eth0', 'tcp 8.8.8.8:53 > 192.168.1.10:22', Path.LOCAL_IN)        || FinalVerdict.DELIVERED   | 'eth0' | 'raw/PREROUTING mangle/PREROUTING nat/PREROUTING mangle/INPUT filter/INPUT security/INPUT nat/INPUT'
        'local-out via lo' | out('udp 127.0.0.1:40000 > 127.0.0.1:9')                               || FinalVerdict.DELIVERED   | 'lo'   | 'raw/OUTPUT mangle/OUTPUT nat/OUTPUT filter/OUTPUT security/OUTPUT mangle/POSTROUTING nat/POSTROUTING raw/PREROUTING mangle/PREROUTING mangle/INPUT filter/INPUT security/INPUT'
        'bridge'           | TraceRequest.of(Packet.parse('tcp 10.244.1.5:1 > 10.244.1.6:2'), Path.BRIDGE).withIif('cni0').withPhysdev('veth1', 'veth2') || FinalVerdict.FORWARDED | 'veth2' | 'raw/PREROUTING mangle/PREROUTING nat/PREROUTING mangle/FORWARD filter/FORWARD security/FORWARD mangle/POSTROUTING nat/POSTROUTING'
    }

    def "conntrack is active only when a rule needs it (#rule): otherwise the nat table is never traversed"() {
        given:
        Ruleset rules = Rules.parse([nat: ['-A PREROUTING -p tcp -m comment --comment count'], filter: rule ? [rule] : []])

        when:
        TraceBranch b = new NetfilterSimulator(rules, Ruleset.empty(true), node(), SetMembership.NONE).trace(inOn('eth0', 'tcp 8.8.8.8:1 > 10.244.1.5:80')).branches()[0]

        then:
        NetfilterSimulator.needsConntrack(rules) == active
        matched(b).contains('nat/PREROUTING#1') == active
        (b.conntrack() != null) == active

        where:
        rule                                                    || active
        null                                                    || false
        '-A FORWARD -p udp -j ACCEPT'                           || false
        '-A FORWARD -m state --state INVALID -j DROP'           || true
        '-A FORWARD -m conntrack --ctstate INVALID -j DROP'     || true
        '-A FORWARD -m connmark --mark 0x1 -j DROP'             || true
        '-A FORWARD -m connlimit --connlimit-above 5 -j DROP'   || true
        '-A FORWARD -j CONNMARK --set-xmark 0x1/0x1'            || true
    }

    def "chain traversal: #what"() {
        when:
        TraceResult r = trace([filter: rules], inOn('eth0', 'tcp 8.8.8.8:1000 > 192.168.1.10:22', Path.LOCAL_IN))

        then:
        matched(r.branches()[0]) == expected
        r.branches()[0].verdict() == verdict

        where:
        what                                        | rules                                                                                                                  || expected                                                             | verdict
        'jump and RETURN come back after the jump'  | ['-A INPUT -j A', '-A INPUT -j DROP', '-A A -j RETURN', '-A A -j ACCEPT']                                              || ['filter/INPUT#1', 'filter/A#1', 'filter/INPUT#2']                  | FinalVerdict.DROP
        'user chain fall-through returns'           | ['-A INPUT -j A', '-A INPUT -j DROP', '-A A -p udp -j ACCEPT']                                                         || ['filter/INPUT#1', 'filter/INPUT#2']                                | FinalVerdict.DROP
        'nested jumps return one level at a time'   | ['-A INPUT -j A', '-A INPUT -j ACCEPT', '-A A -j B', '-A A -j DROP', '-A B -j RETURN']                                 || ['filter/INPUT#1', 'filter/A#1', 'filter/B#1', 'filter/A#2']        | FinalVerdict.DROP
        'goto: RETURN goes to the caller of the chain that did the goto' | ['-A INPUT -j A', '-A INPUT -j ACCEPT', '-A A -g B', '-A A -j DROP', '-A B -j RETURN'] || ['filter/INPUT#1', 'filter/A#1', 'filter/B#1', 'filter/INPUT#2'] | FinalVerdict.DELIVERED
        'goto: fall-through also returns past the goto' | ['-A INPUT -j A', '-A INPUT -j DROP', '-A A -g B', '-A A -j ACCEPT', '-A B -p udp']                              || ['filter/INPUT#1', 'filter/A#1', 'filter/INPUT#2']                  | FinalVerdict.DROP
        'goto from a built-in chain: RETURN applies the policy' | [':INPUT DROP', '-A INPUT -g B', '-A INPUT -j ACCEPT', '-A B -j RETURN']                                   || ['filter/INPUT#1', 'filter/B#1']                                    | FinalVerdict.DROP
        'RETURN in a built-in chain applies the policy' | [':INPUT DROP', '-A INPUT -j RETURN', '-A INPUT -j ACCEPT']                                                        || ['filter/INPUT#1']                                                   | FinalVerdict.DROP
        'policy ACCEPT at the end'                  | ['-A INPUT -p udp -j DROP']                                                                                            || []                                                                   | FinalVerdict.DELIVERED
        'policy DROP at the end'                    | [':INPUT DROP', '-A INPUT -p udp -j ACCEPT']                                                                           || []                                                                   | FinalVerdict.DROP
        'rule without target counts and continues'  | ['-A INPUT -p tcp', '-A INPUT -j REJECT --reject-with tcp-reset']                                                      || ['filter/INPUT#1', 'filter/INPUT#2']                                | FinalVerdict.REJECT
        'LOG continues'                             | ['-A INPUT -j LOG --log-prefix "x: "', '-A INPUT -j DROP']                                                             || ['filter/INPUT#1', 'filter/INPUT#2']                                | FinalVerdict.DROP
        'ACCEPT ends the table, not the hook'       | ['-A INPUT -j ACCEPT', '-A INPUT -j DROP']                                                                             || ['filter/INPUT#1']                                                   | FinalVerdict.DELIVERED
    }

    def "MARK applies value/mask and later matches see it; a mark change reroutes locally generated packets"() {
        given:
        def routing = node().route('0.0.0.0/0', 'cni0', null, 0x4010L)

        when:
        TraceResult r = trace([mangle: ['-A OUTPUT -j MARK --set-xmark 0x10/0xff', '-A OUTPUT -m mark --mark 0x10/0xff -j MARK --or-mark 0x4000']],
                out('tcp 192.168.1.10:40000 > 8.8.8.8:53'), routing)
        TraceBranch b = r.branches()[0]

        then:
        b.packet().mark() == 0x4010
        matched(b) == ['mangle/OUTPUT#1', 'mangle/OUTPUT#2']
        b.steps().find { it instanceof TraceStep.RoutingDecision && it.detail().startsWith('reroute') }
        b.device() == 'cni0'
        routing.asked.size() == 2
    }

    def "a reroute that fails after mangle OUTPUT ends the branch there (no later table runs)"() {
        given:
        def routing = new FakeRouting().addr('eth0', '192.168.1.10/24').route('0.0.0.0/0', 'eth0', '192.168.1.1', 0L)

        when:
        TraceResult r = trace([mangle: ['-A OUTPUT -j MARK --set-xmark 0x1/0x1'], filter: ['-A OUTPUT -j ACCEPT']], out('tcp 192.168.1.10:1 > 8.8.8.8:53'), routing)

        then:
        r.branches().size() == 1
        r.branches()[0].verdict() == FinalVerdict.ROUTE_ERROR
        matched(r.branches()[0]) == ['mangle/OUTPUT#1']
        r.branches()[0].steps().last() instanceof TraceStep.VerdictReached
    }

    def "CONNMARK saves the mark into the connection and restores it"() {
        when:
        TraceResult r = trace([mangle: ['-A PREROUTING -j MARK --set-xmark 0x100/0xff00', '-A PREROUTING -j CONNMARK --save-mark --nfmask 0xff00 --ctmask 0xff00',
                                        '-A PREROUTING -j MARK --set-xmark 0x0/0xffffffff', '-A PREROUTING -m connmark --mark 0x100/0xff00 -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff']],
                inOn('eth0', 'tcp 8.8.8.8:1 > 10.244.1.5:80'))
        TraceBranch b = r.branches()[0]

        then:
        b.conntrack().mark() == 0x100
        b.packet().mark() == 0x100
        matched(b) == ['mangle/PREROUTING#1', 'mangle/PREROUTING#2', 'mangle/PREROUTING#3', 'mangle/PREROUTING#4']
    }

    static final Map<String, List<String>> KUBE = [
            nat: ['-A PREROUTING -j KUBE-SERVICES', '-A OUTPUT -j KUBE-SERVICES', '-A POSTROUTING -j KUBE-POSTROUTING',
                  '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
                  '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
                  '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
                  '-A KUBE-POSTROUTING -j MASQUERADE --random-fully',
                  '-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-WEB',
                  '-A KUBE-SVC-WEB ! -s 10.244.0.0/16 -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ',
                  '-A KUBE-SVC-WEB -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A1',
                  '-A KUBE-SVC-WEB -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A2',
                  '-A KUBE-SVC-WEB -j KUBE-SEP-A3',
                  '-A KUBE-SEP-A1 -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080',
                  '-A KUBE-SEP-A2 -p tcp -m tcp -j DNAT --to-destination 10.244.1.6:8080',
                  '-A KUBE-SEP-A3 -p tcp -m tcp -j DNAT --to-destination 10.244.1.7:8080']]

    def "a ClusterIP service fans out over its endpoints with kube-proxy's probabilities, then MASQUERADE"() {
        when:
        TraceResult r = trace(KUBE, out('tcp 192.168.1.10:40000 > 10.96.0.20:80'))

        then:
        r.branches().size() == 3
        r.branches()*.packet()*.dst()*.toString() as Set == ['10.244.1.5', '10.244.1.6', '10.244.1.7'] as Set
        r.branches().every { it.packet().dport() == 8080 && it.verdict() == FinalVerdict.SENT && it.device() == 'cni0' }
        Math.abs(r.branches().find { it.packet().dst() == Ip.parse('10.244.1.5') }.probability() - 0.33333333349d) < 1e-9
        Math.abs(r.branches().find { it.packet().dst() == Ip.parse('10.244.1.6') }.probability() - (1 - 0.33333333349d) * 0.5) < 1e-9
        Math.abs(r.branches()*.probability().sum() - 1.0d) < 1e-9
        // not from the pod CIDR: marked for masquerade, source becomes cni0's address
        r.branches().every { it.packet().src() == Ip.parse('10.244.1.1') && it.packet().mark() == 0 }
        r.verdict() == FinalVerdict.SENT
        with(r.branches().find { it.packet().dst() == Ip.parse('10.244.1.5') }.conntrack()) {
            original().toString() == 'tcp 192.168.1.10:40000 > 10.96.0.20:80'
            reply().toString() == 'tcp 10.244.1.5:8080 > 10.244.1.1:40000'
            dnat() && snat() && confirmed()
        }
    }

    def "a pod-to-service packet is not masqueraded (KUBE-MARK-MASQ skipped, KUBE-POSTROUTING returns)"() {
        when:
        TraceResult r = trace(KUBE, inOn('cni0', 'tcp 10.244.1.9:40000 > 10.96.0.20:80'))
        TraceBranch b = r.branches().find { it.packet().dst() == Ip.parse('10.244.1.6') }

        then:
        b.verdict() == FinalVerdict.FORWARDED
        b.packet().toString() == 'tcp 10.244.1.9:40000 > 10.244.1.6:8080'
        matched(b) == ['nat/PREROUTING#1', 'nat/KUBE-SERVICES#1', 'nat/KUBE-SVC-WEB#3', 'nat/KUBE-SEP-A2#1', 'nat/POSTROUTING#1', 'nat/KUBE-POSTROUTING#1']
        b.steps().count { it instanceof TraceStep.BranchTaken } == 2
    }

    def "the reply of a NATed connection is de-NATed from the conntrack entry; the nat table is not consulted (ESTABLISHED)"() {
        given:
        TraceBranch first = trace(KUBE, out('tcp 192.168.1.10:40000 > 10.96.0.20:80')).branches().find { it.packet().dst() == Ip.parse('10.244.1.7') }
        def rules = KUBE + [filter: ['-A INPUT -m conntrack --ctstate ESTABLISHED -m conntrack --ctstate DNAT -j ACCEPT', '-A INPUT -j DROP']]

        when:
        TraceResult r = trace(rules, inOn('cni0', 'tcp 10.244.1.7:8080 > 10.244.1.1:40000', Path.LOCAL_IN).withConntrack(first.conntrack()))
        TraceBranch b = r.branches()[0]

        then:
        r.branches().size() == 1
        b.verdict() == FinalVerdict.DELIVERED
        b.packet().toString() == 'tcp 10.96.0.20:80 > 192.168.1.10:40000'
        matched(b) == ['filter/INPUT#1']
        b.steps().findAll { it instanceof TraceStep.NatBinding }*.detail() == ['destination translated by the conntrack entry (reply direction)',
                                                                            'source translated by the conntrack entry (reply direction)']
        b.steps().find { it instanceof TraceStep.ConntrackLookup }.detail().startsWith('existing connection, reply direction: ESTABLISHED')
    }

    def "traceReply: the reply of each ClusterIP branch comes back de-NATed, ESTABLISHED"() {
        given:
        def sim = new NetfilterSimulator(Rules.parse(KUBE + [filter: ['-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -j DROP']]),
                Ruleset.empty(true), node(), SetMembership.NONE)
        TraceRequest req = out('tcp 192.168.1.10:40000 > 10.96.0.20:80')
        TraceResult first = sim.trace(req)

        when:
        List<TraceResult> replies = first.branches().collect { sim.traceReply(req, it) }

        then:
        replies.size() == 3
        replies.every { it.branches().size() == 1 && it.branches()[0].verdict() == FinalVerdict.DELIVERED }
        replies*.request()*.packet()*.toString() as Set == ['tcp 10.244.1.5:8080 > 10.244.1.1:40000', 'tcp 10.244.1.6:8080 > 10.244.1.1:40000',
                                                          'tcp 10.244.1.7:8080 > 10.244.1.1:40000'] as Set
        replies.every { it.request().iif() == 'cni0' && it.request().path() == Path.LOCAL_IN }
        replies.every { it.branches()[0].packet().toString() == 'tcp 10.96.0.20:80 > 192.168.1.10:40000' }
    }

    def "traceReply refuses a branch that did not pass"() {
        given:
        def sim = new NetfilterSimulator(Rules.parse([filter: ['-A OUTPUT -j DROP']]), Ruleset.empty(true), node(), SetMembership.NONE)
        TraceRequest req = out('tcp 192.168.1.10:40000 > 8.8.8.8:53')

        when:
        sim.traceReply(req, sim.trace(req).branches()[0])

        then:
        IllegalArgumentException e = thrown()
        e.message == 'no reply to trace: the branch ended DROP'
    }

    def "NOTRACK in raw: the packet is UNTRACKED, the nat table is skipped, state UNTRACKED matches"() {
        when:
        TraceResult r = trace([raw   : ['-A PREROUTING -p udp -m udp --dport 4789 -j NOTRACK'],
                               nat   : ['-A PREROUTING -p udp -j DNAT --to-destination 10.244.1.5:4789'],
                               filter: ['-A INPUT -m state --state UNTRACKED -j ACCEPT', '-A INPUT -j DROP']],
                inOn('eth0', 'udp 192.168.1.20:4789 > 192.168.1.10:4789', Path.LOCAL_IN))
        TraceBranch b = r.branches()[0]

        then:
        b.verdict() == FinalVerdict.DELIVERED
        b.packet().dst() == Ip.parse('192.168.1.10')
        b.conntrack() == null
        matched(b) == ['raw/PREROUTING#1', 'filter/INPUT#1']
        b.steps().findAll { it instanceof TraceStep.NatBinding }*.detail() == ['nat table not consulted: packet is UNTRACKED'] * 2
    }

    def "CT --notrack works like NOTRACK, and in raw before conntrack the state is INVALID"() {
        when:
        TraceResult r = trace([raw: ['-A OUTPUT -m state --state INVALID -j CT --notrack'], filter: ['-A OUTPUT -m conntrack --ctstate UNTRACKED -j DROP']],
                out('udp 192.168.1.10:5 > 8.8.8.8:53'))

        then:
        matched(r.branches()[0]) == ['raw/OUTPUT#1', 'filter/OUTPUT#1']
        r.branches()[0].verdict() == FinalVerdict.DROP
    }

    def "a nat rule matches only the first packet: an ESTABLISHED original-direction packet reuses the binding"() {
        given:
        TraceBranch first = trace(KUBE, inOn('cni0', 'tcp 10.244.1.9:40000 > 10.96.0.20:80')).branches()[0]

        when:
        TraceBranch b = trace(KUBE, inOn('cni0', 'tcp 10.244.1.9:40000 > 10.96.0.20:80').withConntrack(first.conntrack())).branches()[0]

        then:
        b.packet() == first.packet()
        matched(b) == []
        b.steps().count { it instanceof TraceStep.BranchTaken } == 0
    }

    def "statistic nth branches 1/N and (N-1)/N, negation swaps them"() {
        when:
        TraceResult r = trace([filter: ["-A INPUT -m statistic --mode nth $neg--every 4 --packet 0 -j DROP".toString()]],
                inOn('eth0', 'udp 8.8.8.8:53 > 192.168.1.10:5353', Path.LOCAL_IN))

        then:
        r.verdictProbabilities() == [(FinalVerdict.DELIVERED): delivered, (FinalVerdict.DROP): dropped]

        where:
        neg  || dropped | delivered
        ''   || 0.25d   | 0.75d
        '! ' || 0.75d   | 0.25d
    }

    def "an UNKNOWN match forks into assumed-matched and assumed-not-matched branches, both UNKNOWN"() {
        when:
        TraceResult r = trace([filter: ['-A OUTPUT -m owner --uid-owner 0 -j DROP']], out('tcp 192.168.1.10:40000 > 8.8.8.8:53'))

        then:
        r.branches().size() == 2
        r.branches()*.verdict() == [FinalVerdict.UNKNOWN, FinalVerdict.UNKNOWN]
        r.branches()*.outcome() as Set == [FinalVerdict.DROP, FinalVerdict.SENT] as Set
        r.branches()*.assumptions().flatten() as Set == ['filter/OUTPUT#1 assumed to match', 'filter/OUTPUT#1 assumed not to match'] as Set
        r.verdict() == FinalVerdict.UNKNOWN
        r.verdictProbabilities() == [(FinalVerdict.UNKNOWN): 1.0d]
    }

    def "on the assumed-to-match branch the rule's step is UNKNOWN, carries the target's effect, and is not counted as matched"() {
        when:
        TraceResult r = trace([mangle: ['-A OUTPUT -m owner --uid-owner 0 -j MARK --set-xmark 0x7/0xff']], out('tcp 192.168.1.10:40000 > 8.8.8.8:53'))
        TraceBranch yes = r.branches().find { it.assumptions() == ['mangle/OUTPUT#1 assumed to match'] }
        TraceBranch no = r.branches().find { it.assumptions() == ['mangle/OUTPUT#1 assumed not to match'] }
        TraceStep.RuleEvaluated s = yes.steps().find { it instanceof TraceStep.RuleEvaluated }

        then:
        s.result() == Tri.UNKNOWN
        s.detail() == 'cannot decide this match: assumed to match on this branch'
        s.after().mark() == 7
        yes.packet().mark() == 7
        no.packet().mark() == 0
        yes.matchedRules().isEmpty()
        no.steps().find { it instanceof TraceStep.RuleEvaluated }.detail() == 'cannot decide this match: assumed NOT to match on this branch'
    }

    def "an UNKNOWN match that does not change the outcome still leaves the outcome visible"() {
        when:
        TraceResult r = trace([filter: ['-A OUTPUT -m owner --uid-owner 0 -j LOG']], out('tcp 192.168.1.10:40000 > 8.8.8.8:53'))

        then:
        r.branches()*.outcome() == [FinalVerdict.SENT, FinalVerdict.SENT]
        r.verdict() == FinalVerdict.SENT
    }

    def "a NO_MATCH after an UNKNOWN in the same rule decides: no fork"() {
        when:
        TraceResult r = trace([filter: ['-A OUTPUT -m owner --uid-owner 0 -p udp -j DROP']], out('tcp 192.168.1.10:40000 > 8.8.8.8:53'))

        then:
        r.branches().size() == 1
        r.branches()[0].verdict() == FinalVerdict.SENT
    }

    def "an unknown target stops the branch with UNKNOWN naming the rule"() {
        when:
        TraceResult r = trace([filter: ['-A OUTPUT -p tcp -j FOO --x 1']], out('tcp 192.168.1.10:40000 > 8.8.8.8:53'))

        then:
        r.branches()[0].verdict() == FinalVerdict.UNKNOWN
        r.branches()[0].detail() == "target FOO of filter/OUTPUT#1 is not modelled: 'FOO' is neither a declared chain nor a modelled target"
    }

    def "DNAT to an address range fans out one branch per address; the port is kept when in range"() {
        when:
        TraceResult r = trace([nat: ['-A OUTPUT -p tcp -j DNAT --to-destination 10.244.1.20-10.244.1.22:8000-9000']], out('tcp 192.168.1.10:40000 > 203.0.113.5:8443'))

        then:
        r.branches()*.packet()*.toString() == ['tcp 192.168.1.10:40000 > 10.244.1.20:8443', 'tcp 192.168.1.10:40000 > 10.244.1.21:8443', 'tcp 192.168.1.10:40000 > 10.244.1.22:8443']
        r.branches().every { Math.abs(it.probability() - 1 / 3d) < 1e-12 }
    }

    def "SNAT --to-source sets the source and the reply tuple"() {
        when:
        TraceBranch b = trace([nat: ['-A POSTROUTING -s 10.244.0.0/16 -o eth0 -j SNAT --to-source 192.168.1.10']], inOn('cni0', 'udp 10.244.1.5:5000 > 8.8.8.8:53')).branches()[0]

        then:
        b.packet().toString() == 'udp 192.168.1.10:5000 > 8.8.8.8:53'
        b.conntrack().reply().toString() == 'udp 8.8.8.8:53 > 192.168.1.10:5000'
        b.verdict() == FinalVerdict.FORWARDED
    }

    def "REDIRECT: to the input device's primary address, or 127.0.0.1 when locally generated"() {
        expect:
        trace([nat: [rule]], req).branches()[0].with { it.packet().toString() == packet && it.verdict() == verdict }

        where:
        rule                                                             | req                                                                  || packet                                       | verdict
        '-A PREROUTING -p tcp --dport 15001 -j REDIRECT --to-ports 15006' | inOn('eth0', 'tcp 192.168.1.20:1 > 10.1.2.3:15001')                 || 'tcp 192.168.1.20:1 > 192.168.1.10:15006'    | FinalVerdict.DELIVERED
        '-A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports 8080'         | out('tcp 192.168.1.10:40000 > 8.8.8.8:80')                          || 'tcp 192.168.1.10:40000 > 127.0.0.1:8080'    | FinalVerdict.DELIVERED
        '-A PREROUTING -p tcp -j REDIRECT'                                | inOn('eth0', 'tcp 192.168.1.20:1 > 10.1.2.3:99')                     || 'tcp 192.168.1.20:1 > 192.168.1.10:99'       | FinalVerdict.DELIVERED
    }

    def "MASQUERADE without an address on the output device drops; a routing failure ends with ROUTE_ERROR"() {
        given:
        def routing = new FakeRouting().addr('eth0', '192.168.1.10/24').route('10.9.0.0/16', 'tun0')

        expect:
        trace([nat: ['-A POSTROUTING -j MASQUERADE']], out('tcp 192.168.1.10:1 > 10.9.0.1:80'), routing).branches()[0].verdict() == FinalVerdict.DROP
        trace([:], out('tcp 192.168.1.10:1 > 8.8.8.8:80'), routing).branches()[0].with { it.verdict() == FinalVerdict.ROUTE_ERROR && it.detail() == 'ENETUNREACH (no route to 8.8.8.8)' }
    }

    def "addrtype and ipset matches ask the namespace's interfaces"() {
        given:
        def sets = { String name, List<SetDimension> dims -> name == 'allowed' ? Tri.of(dims[0].address() == Ip.parse('8.8.8.8')) : Tri.UNKNOWN } as SetMembership

        when:
        TraceResult r = trace([nat   : ['-A PREROUTING -m addrtype --dst-type LOCAL -j MARK --set-xmark 0x1/0x1'],
                               filter: ['-A INPUT -m set --match-set allowed src -j ACCEPT', '-A INPUT -j DROP']],
                inOn('eth0', "tcp $src:1000 > 192.168.1.10:22", Path.LOCAL_IN), node(), sets)

        then:
        r.branches()[0].verdict() == verdict
        r.branches()[0].packet().mark() == 1

        where:
        src         || verdict
        '8.8.8.8'   || FinalVerdict.DELIVERED
        '9.9.9.9'   || FinalVerdict.DROP
    }
}
