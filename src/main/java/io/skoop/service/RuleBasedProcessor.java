package io.skoop.service;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.ServiceEndpoint;
import io.skoop.model.Action;
import io.skoop.model.ActionType;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.Suspicion;
import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.netfilter.TraceStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the kube-proxy modes that resolve Services with netfilter rules (iptables, nftables) share: the node's trace of
 * a packet to a Service port is read branch by branch — a branch whose destination changed is one backend with its
 * probability (the mode names the chains that chose it), a rejected or dropped branch is a Service port without
 * endpoints, a branch that leaves the hooks unchanged was not handled by kube-proxy (the mode says why when its rules
 * tell) — and the backends are compared with the usable endpoints of the EndpointSlices ({@link ServiceTarget}).
 */
public abstract class RuleBasedProcessor implements ServiceProcessor {

    /** The chains that sent branch {@code b} to its backend, in the mode's terms ({@code KUBE-SVC-X -> KUBE-SEP-Y}). */
    protected abstract String route(TraceBranch b);

    /** Why branch {@code b} left the Service address untranslated, when its steps say; null otherwise. */
    protected abstract String whyUntranslated(TraceBranch b);

    /** The reason given when no branch names one: kube-proxy's rules for it are missing on node {@code node}. */
    protected abstract String notTranslated(String node);

    @Override
    public boolean process(NetNode node, Packet before, TraceResult trace, IPCache ipCache) {
        ServiceTarget target = ServiceTarget.of(before, ipCache, node.id());
        if (target == null) {
            return false;
        }
        String what = target.describe(before);
        Map<String, Double> backends = new LinkedHashMap<>();
        List<String> rejected = new ArrayList<>();
        double unchanged = 0;
        for (TraceBranch b : trace.branches()) {
            Packet after = b.packet();
            if (!after.dst().equals(before.dst()) || after.dport() != before.dport()) {
                String ep = after.dst().withPort(after.dport());
                backends.merge(ep, b.probability(), Double::sum);
                node.explain(what + " -> " + route(b) + " DNAT to " + ep + String.format(Locale.ROOT, " (p=%.3f)", b.probability()));
            } else if (b.verdict() == FinalVerdict.REJECT || b.verdict() == FinalVerdict.DROP) {
                rejected.add(b.detail() + ruleText(b));
            } else if (b.verdict() != FinalVerdict.UNKNOWN) {
                unchanged += b.probability();
            }
        }
        List<ServiceEndpoint> eps = target.endpoints(ipCache);
        List<ServiceEndpoint> usable = ServiceTarget.usable(eps);
        TreeSet<String> sliceSet = ServiceTarget.addresses(usable);
        if (!backends.isEmpty()) {
            node.addAction(new Action(ActionType.SERVICE, null, List.of()));
        }
        if (backends.isEmpty() && !rejected.isEmpty()) {
            node.addSuspicion(Suspicion.fatal(what + " has no endpoints in node " + node.id() + "'s rules: "
                    + String.join("; ", rejected) + (eps.isEmpty() ? "; its EndpointSlices list no endpoint"
                    : "; EndpointSlices: " + eps.size() + " endpoint(s), " + usable.size() + " usable")));
        } else if (backends.isEmpty() && unchanged > 0) {
            String why = trace.branches().stream().map(this::whyUntranslated).filter(w -> w != null).findFirst()
                    .orElse(notTranslated(node.id()));
            node.addSuspicion(Suspicion.fatal(what + ": " + why + "; EndpointSlices list " + (sliceSet.isEmpty() ? "no usable endpoint" : sliceSet)));
        } else if (!backends.isEmpty() && unchanged > 0) {
            node.addSuspicion(Suspicion.critical(what + String.format(Locale.ROOT,
                    ": %.0f%% of new connections are not translated by node %s's rules", unchanged * 100, node.id())));
        }
        target.crossCheck(node, what, backends.keySet(), sliceSet, "rules DNAT to", "rules never DNAT to it");
        return true;
    }

    private static String ruleText(TraceBranch b) {
        List<TraceStep.RuleEvaluated> m = b.matchedRules();
        return m.isEmpty() ? "" : " `" + m.get(m.size() - 1).text() + "`";
    }
}
