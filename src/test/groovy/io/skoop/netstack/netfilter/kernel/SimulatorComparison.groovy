package io.skoop.netstack.netfilter.kernel

import io.skoop.model.Packet
import io.skoop.netstack.NetNS
import io.skoop.netstack.netfilter.FinalVerdict
import io.skoop.netstack.netfilter.NetfilterSimulator
import io.skoop.netstack.netfilter.NftChain
import io.skoop.netstack.netfilter.NftRuleset
import io.skoop.netstack.netfilter.NftStmt
import io.skoop.netstack.netfilter.Path
import io.skoop.netstack.netfilter.Rule
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.netfilter.Table
import io.skoop.netstack.netfilter.Target
import io.skoop.netstack.netfilter.TraceBranch
import io.skoop.netstack.netfilter.TraceRequest
import io.skoop.netstack.netfilter.TraceResult
import io.skoop.netstack.netfilter.TraceStep
import io.skoop.netstack.netfilter.kernel.KernelObservation.Verdict
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement

/**
 * Puts the netfilter simulator's trace next to the kernel's observation of the same packet.
 *
 * <p>Both sides are reduced to a {@link View}: the set of rules hit ({@code table/CHAIN#n}), the
 * base-chain policies applied ({@code table/CHAIN}, only for the hooks the probe crosses in the
 * ruleset's namespace: locally generated REJECT replies also cross OUTPUT and POSTROUTING, so
 * POSTROUTING policies are not compared for a rejected forward packet, nor, for a rejected
 * packet, the kernel's hits in chains only reachable from OUTPUT or POSTROUTING), the verdict
 * (FORWARDED/SENT/DELIVERED = ACCEPTED, DROP = DROPPED, REJECT = REJECTED, anything else by
 * its own name) and, when accepted, the packet after NAT (source port left out only when a
 * matched rule of the branch chose ports randomly: {@code --random}, {@code --random-fully}).
 *
 * <p>A packet agrees when the kernel's view equals the view of one simulated branch; without
 * {@code statistic} rules the simulator must produce exactly one branch.
 */
class SimulatorComparison {
    /** What both sides are compared on. */
    static class View {
        Set<String> hits
        Set<String> policies
        String verdict
        String translated

        @Override
        boolean equals(Object o) {
            o instanceof View && hits == o.hits && policies == o.policies && verdict == o.verdict && translated == o.translated
        }

        @Override
        int hashCode() {
            Objects.hash(hits, policies, verdict, translated)
        }

        @Override
        String toString() {
            "$verdict${translated ? ' as ' + translated : ''}\n      hits     ${hits.sort()}\n      policies ${policies.sort()}"
        }
    }

    final Placement placement
    final String savedRuleset
    final NetfilterSimulator simulator
    /**
     * Chains (table/CHAIN) reachable only from OUTPUT or POSTROUTING, where the host's own REJECT
     * reply goes: it carries the rejected packet's conntrack entry, and since that entry's source
     * NAT was never set up, the reply even runs through nat POSTROUTING (nf_nat_inet_fn treats
     * RELATED like NEW while the manip is not initialized). REJECT happens in INPUT or FORWARD,
     * so on the rejected packet's own path these chains were never reached.
     */
    final Set<String> replyOnlyChains

    /**
     * The real engine of the namespace that holds {@code savedRuleset} (iptables-save text, kept
     * for reports): {@code ns} is that namespace's dump (scripts/collect-netns.sh), and the
     * simulator is {@link NetNS#netfilter()}: its iptables, its Router (policy routing over the
     * dumped links, addresses, routes, rules and sysctls) and its ipsets.
     */
    SimulatorComparison(Placement placement, String savedRuleset, NetNS ns) {
        this.placement = placement
        this.savedRuleset = savedRuleset
        Ruleset rs = ns.iptables()
        this.simulator = ns.netfilter()
        NftRuleset nft = ns.nftRuleset()
        this.replyOnlyChains = placement == Placement.LOCAL_OUT ? [] as Set
                : (reachable(rs, ['OUTPUT', 'POSTROUTING']) + reachable(nft, ['output', 'postrouting'])) -
                (reachable(rs, ['PREROUTING', 'FORWARD', 'INPUT']) + reachable(nft, ['prerouting', 'forward', 'input']))
    }

    /** {@code family table/chain} of every nft chain reachable (jump, goto, verdict maps) from the base chains at {@code hooks}. */
    private static Set<String> reachable(NftRuleset nft, List<String> hooks) {
        Set<String> seen = [] as Set
        Deque<NftChain> todo = new ArrayDeque<>(nft.chains().findAll { it.base() && hooks.contains(it.hook()) })
        while (todo) {
            NftChain c = todo.pop()
            if (seen.add("${c.tableRef()}/${c.name()}".toString())) {
                // every chain name the rules mention: jumps, gotos, verdict map elements (anonymous or named)
                Set<String> named = (c.rules()*.text().join(' ') =~ /(?:jump|goto) (\S+?)(?=[ ,}]|$)/).collect { it[1] } as Set
                nft.sets().findAll { it.table() == c.table() && it.family() == c.family() }.each { s ->
                    s.elements()*.data().findAll { it instanceof NftStmt.Verdict && it.target() }.each { named << it.target() }
                }
                named.each { n -> NftChain t = nft.chain(c.family(), c.table(), n); if (t) { todo.push(t) } }
            }
        }
        seen
    }

    /** table/CHAIN of every chain reachable (jumps, gotos) from the built-in chains {@code hooks}. */
    private static Set<String> reachable(Ruleset rs, List<String> hooks) {
        Set<String> seen = [] as Set
        rs.tables().values().each { Table t ->
            Deque<String> todo = new ArrayDeque<>(hooks.findAll { t.chain(it) != null })
            while (todo) {
                String c = todo.pop()
                if (seen.add("${t.name()}/$c".toString())) {
                    t.chain(c).rules().each { Rule r ->
                        if (r.target() instanceof Target.Jump && t.chain(((Target.Jump) r.target()).chain()) != null) {
                            todo.push(((Target.Jump) r.target()).chain())
                        }
                    }
                }
            }
        }
        seen
    }

    /** The simulator's request for a probe of this placement (input device as the lab wires it). */
    TraceRequest request(Packet p) {
        switch (placement) {
            case Placement.FORWARD: return TraceRequest.of(p, Path.FORWARD).withIif(LabTopology.ROUTER_CLIENT_DEV)
            case Placement.LOCAL_IN: return TraceRequest.of(p, Path.LOCAL_IN).withIif(LabTopology.SERVER1_DEV)
            default: return TraceRequest.of(p, Path.LOCAL_OUT)
        }
    }

    TraceResult trace(Packet p) {
        simulator.trace(request(p))
    }

    private List<String> comparedHooks(boolean rejected) {
        switch (placement) {
            case Placement.FORWARD: return rejected ? ['PREROUTING', 'FORWARD', 'INPUT'] : ['PREROUTING', 'FORWARD', 'POSTROUTING', 'INPUT']
            case Placement.LOCAL_OUT: return ['OUTPUT', 'POSTROUTING']
            default: return ['PREROUTING', 'INPUT']
        }
    }

    private static String tuple(Packet p, boolean withSport) {
        "${p.protocol().ianaName()} ${p.src()}${withSport ? ':' + p.sport() : ''} > ${p.dst()}:${p.dport()}"
    }

    private static boolean randomPorts(TraceBranch b) {
        b.matchedRules().any { it.text != null && it.text =~ /--random(-fully)?\b|\b(masquerade|snat).*\b(random|fully-random)\b/ }
    }

    /** The kernel's view; {@code randomPorts} leaves the NAT'd source port out. */
    View kernelView(KernelObservation o, boolean randomPorts) {
        boolean rejected = o.verdict() == Verdict.REJECTED
        def hooks = comparedHooks(rejected)
        // a REJECT makes the host send an ICMP error / TCP reset through OUTPUT and POSTROUTING: those hits are not the probe's
        Set<String> hits = o.hits().keySet().findAll { !(rejected && replyOnlyChains.contains(it.substring(0, it.indexOf('#')))) } as Set
        new View(hits: hits,
                policies: o.policyHits().keySet().findAll { hooks.contains(it.substring(it.indexOf('/') + 1)) } as Set,
                verdict: o.verdict().name(),
                translated: o.translated() == null ? null : tuple(o.translated(), !randomPorts))
    }

    /** The view of one simulated branch. */
    View simView(TraceBranch b) {
        String v = b.verdict().passes() ? 'ACCEPTED' : b.verdict() == FinalVerdict.DROP ? 'DROPPED'
                : b.verdict() == FinalVerdict.REJECT ? 'REJECTED' : b.verdict().name()
        def hooks = comparedHooks(v == 'REJECTED')
        new View(hits: b.matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() } as Set,
                policies: b.steps().findAll { it instanceof TraceStep.PolicyApplied && hooks.contains(it.chain().chain()) }
                        .collect { it.chain().ref() } as Set,
                verdict: v,
                translated: v == 'ACCEPTED' ? tuple(b.packet(), !randomPorts(b)) : null)
    }

    /**
     * The branch of {@code result} whose view equals the kernel's, or null.
     */
    TraceBranch agreeingBranch(KernelObservation o, TraceResult result) {
        result.branches().find { b -> simView(b) == kernelView(o, randomPorts(b)) }
    }

    /** A disagreement report: ruleset, packet, kernel view, every simulated branch with its steps. */
    String report(KernelObservation o, TraceResult result, String title) {
        StringBuilder sb = new StringBuilder()
        sb << "==== DISAGREEMENT $title: ${o.packet()} (${placement})\n"
        sb << "  kernel:    ${kernelView(o, false)}\n"
        sb << "  kernel raw: ${o.reasonText()}\n"
        result.branches().eachWithIndex { TraceBranch b, int i ->
            sb << "  simulator branch ${i + 1}/${result.branches().size()} p=${b.probability()}: ${simView(b)}\n"
            sb << "      detail: ${b.detail()}${b.assumptions() ? ' assumptions ' + b.assumptions() : ''}\n"
            b.steps().each { sb << "        $it\n" }
        }
        sb << "  ruleset (iptables-save):\n" << savedRuleset.readLines().collect { '    ' + it }.join('\n') << '\n'
        sb.toString()
    }

    /**
     * Observes each packet in the lab (which holds this comparison's ruleset) and compares: a packet agrees when the
     * simulator gives exactly one branch and its view equals the kernel's. Counts into {@code totals} (packets,
     * agreeing, simulatorErrors); prints a full report per disagreement.
     *
     * @return one line per disagreeing packet (empty when all agree)
     */
    List<String> compareEach(NetfilterLab lab, List<Packet> packets, String title, Map<String, Integer> totals) {
        List<String> disagreements = []
        for (Packet p : packets) {
            def o = lab.observe(p)
            totals.packets++
            TraceResult r
            try {
                r = trace(p)
            } catch (Exception e) {
                println "==== SIMULATOR FAILED $title: ${p} (${placement}): $e\n  ${o}\n  ruleset:\n$savedRuleset"
                disagreements << "${p}: kernel ${kernelView(o, false)} / simulator threw ${e}".toString()
                totals.simulatorErrors++
                continue
            }
            if (r.branches().size() == 1 && agreeingBranch(o, r) != null) {
                totals.agreeing++
            } else {
                println report(o, r, title)
                disagreements << "${p}: kernel ${kernelView(o, false)} / simulator ${r.branches().collect { simView(it) }}".toString()
            }
        }
        disagreements
    }
}
