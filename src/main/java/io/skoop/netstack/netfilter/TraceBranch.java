package io.skoop.netstack.netfilter;

import io.skoop.model.Packet;
import java.util.List;

/**
 * One outcome of a trace. Branches come from {@code statistic} matches (probabilities
 * multiply along the path), NAT ranges (one branch per address) and UNKNOWN matches (a
 * "matched" and a "not matched" branch, each carrying the assumption).
 *
 * @param probability the branch's probability (for branches with assumptions: conditional on them)
 * @param verdict     the final verdict; UNKNOWN when {@code assumptions} is not empty or a target was not modelled
 * @param outcome     what happens on this branch if its assumptions hold (== verdict when there are none)
 * @param detail      why it ended there (the rule, the policy, the routing error, the device)
 * @param device      the output device for SENT/FORWARDED, the local device for DELIVERED, else null
 * @param packet      the packet as it ends (after NAT and MARK)
 * @param conntrack   the conntrack entry (original and reply tuples), or null when untracked
 * @param assumptions rules whose UNKNOWN result was assumed ("nat/X#3 assumed to match")
 * @param steps       the typed steps
 * @param route       the last routing decision of the branch (output route, input route or reroute: its device,
 *                    gateway and prefsrc say where the packet goes next), or null when it ended before routing
 * @param bridgedFrom the bridge port the frame came in on when br_netfilter bridges it back out of the same bridge
 *                    after PREROUTING changed its destination (a FORWARDED branch, {@code br_nf_pre_routing_finish}'s
 *                    bridged DNAT: the bridge, not the IP stack, takes it to the new destination's port, so a frame for
 *                    the port it came in on needs hairpin mode), else null
 */
public record TraceBranch(double probability, FinalVerdict verdict, FinalVerdict outcome, String detail, String device,
                          Packet packet, ConntrackEntry conntrack, List<String> assumptions, List<TraceStep> steps,
                          RouteDecision route, String bridgedFrom) {
    public TraceBranch {
        assumptions = List.copyOf(assumptions);
        steps = List.copyOf(steps);
    }

    /** The steps of rules that matched (what the kernel's rule counters would count). */
    public List<TraceStep.RuleEvaluated> matchedRules() {
        List<TraceStep.RuleEvaluated> out = new java.util.ArrayList<>();
        for (TraceStep s : steps) {
            if (s instanceof TraceStep.RuleEvaluated r && r.matched()) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The next hop's address for a branch that leaves the namespace (SENT or FORWARDED): the route's gateway, else
     * the packet's destination (on-link); null when the branch did not leave by a route.
     */
    public io.skoop.model.Ip nexthop() {
        if (route == null || route.kind() != RouteDecision.Kind.UNICAST) {
            return null;
        }
        return route.gateway() != null ? route.gateway() : packet.dst();
    }
}
