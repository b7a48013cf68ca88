package io.skoop.diagnose;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.ServiceEndpoint;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import io.skoop.model.Suspicion;
import io.skoop.plugin.Plugin;
import io.skoop.plugin.networkpolicy.PolicyEvaluator;
import io.skoop.plugin.networkpolicy.PolicyVerdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the cluster's policies intend for a diagnosed flow, beside what the data path did. The data path decides (a CNI
 * that enforces policies installed rules, and those are simulated like any other); this explains the outcome in
 * policy terms and cross-checks: intent and data path disagreeing is its own suspicion, and with a CNI that enforces
 * no policies (flannel) the policies that select the flow's pods are said to have no effect.
 *
 * <p>Pairs evaluated: for each request branch delivered (to a pod, a node or an outside host: a source pod's egress
 * policies apply to all of them), the packet as it arrived (its source after any SNAT, its destination after DNAT:
 * policies see pod addresses); for a flow no branch delivered, the destination (pod, node or address), or a Service's
 * endpoints from its EndpointSlices, from the client's address.
 */
final class PolicyIntent {
    private final IPCache ipCache;
    private final PolicyEvaluator evaluator;
    private final Plugin plugin;
    private final String cni;

    PolicyIntent(IPCache ipCache, Plugin plugin, String cni) {
        this.ipCache = ipCache;
        this.evaluator = new PolicyEvaluator(ipCache, plugin != null && plugin.policesEgressToOwnNode());
        this.plugin = plugin;
        this.cni = cni;
    }

    /** The evaluator over the snapshot's policies. */
    PolicyEvaluator evaluator() {
        return evaluator;
    }

    /** One line: whether the CNI enforces the snapshot's policies. */
    String enforcement(boolean collected) {
        if (!collected) {
            return "the snapshot has no k8s/networkpolicies.json: which policies exist is not known";
        }
        String who = plugin == null ? "CNI '" + cni + "' (no skoop plugin: whether it enforces policies is not known)"
                : plugin.enforcesNetworkPolicy() ? plugin.name() + " enforces them"
                : plugin.name() + " enforces none of them: they have no effect on the data path";
        return evaluator.policyCount() + " in the snapshot; " + who;
    }

    /**
     * The intent per evaluated pair; empty when the snapshot holds no policy and the CNI enforces none (with an
     * enforcing CNI the pairs are evaluated anyway: a drop in its policy rules is then checked against them).
     */
    List<PolicyVerdict> evaluate(Target src, Target dst, Protocol protocol, List<Outcome.End> requestEnds) {
        boolean enforcing = plugin != null && plugin.enforcesNetworkPolicy();
        if (!(evaluator.hasPolicies() || enforcing) || !protocol.hasPorts()) {
            return List.of();
        }
        Map<String, PolicyVerdict> out = new LinkedHashMap<>();
        for (Outcome.End e : requestEnds) {
            if (e.kind() == Outcome.End.Kind.DELIVERED) {
                add(out, e.packet().src(), e.packet().dst(), e.packet().dport(), protocol);
            }
        }
        if (out.isEmpty()) {
            if (dst.kind() != Target.Kind.SERVICE) {
                add(out, src.ip(), dst.ip(), dst.port(), protocol);
            } else if (dst.kind() == Target.Kind.SERVICE && dst.servicePort() != null) {
                for (ServiceEndpoint ep : ipCache.endpoints(dst.service(), String.valueOf(dst.servicePort().port()), protocol,
                        io.skoop.model.IpFamily.of(dst.ip()))) {
                    add(out, src.ip(), ep.ip(), ep.port(), protocol);
                }
            }
        }
        return List.copyOf(out.values());
    }

    private void add(Map<String, PolicyVerdict> out, Ip src, Ip dst, int port, Protocol protocol) {
        if (src == null || src.isAny() || dst == null) {
            return;
        }
        out.computeIfAbsent(src + ">" + dst + ":" + port, k -> evaluator.evaluate(src, dst, port, protocol));
    }

    /** iptables drops as the walk reports them: {@code dropped by TABLE/CHAIN#N}. */
    private static final java.util.regex.Pattern IPTABLES_DROP = java.util.regex.Pattern.compile("dropped by \\w+/(\\S+)#\\d+");

    /**
     * The suspicions the intent adds: per pair that some policy selects, what it intends — WARNING when the CNI
     * enforces none (the policies have no effect), when the data path delivered what the intent denies, or when it
     * dropped what the intent allows in a chain the CNI renders policies in ({@link Plugin#rendersPolicyIn}); else INFO.
     *
     * @param requestEnds how the request's branches ended (the walk's)
     */
    List<Suspicion> suspicions(List<PolicyVerdict> intent, List<Outcome.End> requestEnds, boolean collected) {
        boolean delivered = requestEnds.stream().anyMatch(e -> e.kind() == Outcome.End.Kind.DELIVERED);
        String policyDrop = null;
        if (plugin != null && plugin.enforcesNetworkPolicy() && !delivered) {
            for (Outcome.End e : requestEnds) {
                java.util.regex.Matcher m = e.kind() == Outcome.End.Kind.DROPPED && e.reason() != null ? IPTABLES_DROP.matcher(e.reason()) : null;
                if (m != null && m.find() && plugin.rendersPolicyIn(m.group(1))) {
                    policyDrop = m.group(1) + " on " + e.hop();
                    break;
                }
            }
        }
        List<Suspicion> out = new ArrayList<>();
        if (!collected) {
            out.add(Suspicion.info("NetworkPolicy: the snapshot has no k8s/networkpolicies.json: which policies apply is not known"));
            return out;
        }
        for (PolicyVerdict v : intent) {
            boolean selected = !v.egress().selectedBy().isEmpty() || !v.ingress().selectedBy().isEmpty();
            if (!selected && !(v.allowed() && policyDrop != null)) {
                continue;
            }
            String pair = v.source() + " -> " + v.destination() + ":" + v.port() + "/" + v.protocol() + ": ";
            if (plugin == null) {
                out.add(Suspicion.info("NetworkPolicy " + pair + v.explain() + " (skoop has no plugin for CNI '" + cni
                        + "': whether it enforces NetworkPolicies is not known)"));
            } else if (!plugin.enforcesNetworkPolicy()) {
                out.add(Suspicion.warning("NetworkPolicy " + pair + v.explain() + "; but " + plugin.name()
                        + " enforces no NetworkPolicy: the cluster's NetworkPolicies have no effect"
                        + (v.allowed() ? "" : " (this flow is not blocked by them)")));
            } else if (!v.allowed() && delivered) {
                out.add(Suspicion.warning("NetworkPolicy " + pair + v.explain() + "; but the data path delivers it: the rules "
                        + plugin.name() + " installed do not enforce this policy (stale rules, or a policy it does not render)"));
            } else if (v.allowed() && policyDrop != null) {
                out.add(Suspicion.warning("NetworkPolicy " + pair + v.explain() + "; but the data path drops it in " + policyDrop
                        + ": the rules " + plugin.name() + " installed deny what the policies allow (stale rules, or rules of a policy that is gone)"));
            } else {
                out.add(Suspicion.info("NetworkPolicy " + pair + v.explain()));
            }
        }
        return out;
    }
}
