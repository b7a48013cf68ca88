package io.skoop.service.iptables;

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
import io.skoop.service.ServiceProcessor;
import io.skoop.service.ServiceTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go): {@code KUBE-SERVICES} (nat,
 * PREROUTING and OUTPUT) jumps per Service port to {@code KUBE-SVC-*} (or {@code KUBE-EXT-*} for
 * node ports through {@code KUBE-NODEPORTS}), which picks one {@code KUBE-SEP-*} per endpoint with
 * {@code -m statistic --mode random --probability 1/n, 1/(n-1), …}; each {@code KUBE-SEP-*} DNATs to
 * its endpoint. A Service port without endpoints is rejected in filter {@code KUBE-SERVICES} /
 * {@code KUBE-EXTERNAL-SERVICES} ("has no endpoints").
 *
 * <p>The processor reads the trace of the node's real rules: every branch whose destination
 * changed is one backend with its probability (the {@code KUBE-SEP-*} chain named from the trace);
 * a rejected branch is a Service without endpoints; a Service packet that leaves the hooks
 * unchanged was not handled by kube-proxy at all. The backends are then compared with the ready
 * endpoints of the Service port's EndpointSlices (serving-and-terminating ones when none is
 * ready, as kube-proxy falls back to them).
 */
public final class KubeProxyIptablesProcessor implements ServiceProcessor {
    /** Registers the iptables mode with {@link io.skoop.network.Network#of} ({@code META-INF/services}). */
    public static final class Factory extends io.skoop.service.ProcessorFactory {
        /** The factory ServiceLoader instantiates. */
        public Factory() {
            super(KubeProxyIptablesProcessor::new);
        }
    }

    @Override
    public String mode() {
        return "iptables";
    }

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
                String ep = after.dst() + ":" + after.dport();
                backends.merge(ep, b.probability(), Double::sum);
                node.explain(what + " -> " + sepChain(b) + " DNAT to " + ep + String.format(Locale.ROOT, " (p=%.3f)", b.probability()));
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
            String why = trace.branches().stream().map(KubeProxyIptablesProcessor::whyUntranslated).filter(w -> w != null).findFirst()
                    .orElse("no kube-proxy rule in node " + node.id() + "'s nat table translates it (no KUBE-SERVICES entry: kube-proxy"
                            + " not running, or not synced)");
            node.addSuspicion(Suspicion.fatal(what + ": " + why + "; EndpointSlices list " + (sliceSet.isEmpty() ? "no usable endpoint" : sliceSet)));
        } else if (!backends.isEmpty() && unchanged > 0) {
            node.addSuspicion(Suspicion.critical(what + String.format(Locale.ROOT,
                    ": %.0f%% of new connections are not translated by node %s's rules", unchanged * 100, node.id())));
        }
        target.crossCheck(node, what, backends.keySet(), sliceSet, "rules DNAT to", "rules never DNAT to it");
        return true;
    }

    private static String sepChain(TraceBranch b) {
        String svc = null;
        String sep = null;
        for (TraceStep s : b.matchedRules()) {
            if (s.chain() != null && s.chain().startsWith("KUBE-SEP-")) {
                sep = s.chain();
            } else if (s.chain() != null && (s.chain().startsWith("KUBE-SVC-") || s.chain().startsWith("KUBE-SVL-")
                    || s.chain().startsWith("KUBE-EXT-"))) {
                svc = s.chain();
            }
        }
        return (svc == null ? "" : svc + " -> ") + (sep == null ? "(no KUBE-SEP chain)" : sep);
    }

    /**
     * Why a branch left a Service address untranslated, from its steps, when a rule says so: a NOTRACK in raw (the
     * nat table never sees untracked packets), a rule that ends nat PREROUTING/OUTPUT before kube-proxy's KUBE-SERVICES
     * jump, or a KUBE-SVC/KUBE-SEP chain entered without a DNAT (flushed or edited). Null when the steps name nothing.
     */
    static String whyUntranslated(TraceBranch b) {
        boolean sawServices = false;
        for (TraceStep s : b.steps()) {
            if (s.kind() == TraceStep.Kind.RULE && s.matched() && "raw".equals(s.table())
                    && ("NOTRACK".equals(s.target()) || (s.text() != null && s.text().contains("--notrack")))) {
                return "the raw table's rule " + s.chain() + "#" + s.rule() + " `" + s.text() + "` leaves it untracked, and the nat table,"
                        + " where kube-proxy's DNAT is, never sees untracked packets";
            }
            if (s.kind() == TraceStep.Kind.RULE && s.matched() && "nat".equals(s.table()) && s.chain() != null) {
                if (s.chain().startsWith("KUBE-SERVICES") || s.chain().startsWith("KUBE-SVC-") || s.chain().startsWith("KUBE-SEP-")
                        || "KUBE-SERVICES".equals(s.target())) {
                    sawServices = true;
                }
                boolean builtin = s.chain().equals("PREROUTING") || s.chain().equals("OUTPUT");
                if (builtin && !sawServices && ("ACCEPT".equals(s.target()) || "RETURN".equals(s.target()))) {
                    return "nat/" + s.chain() + "#" + s.rule() + " `" + s.text() + "` ends the chain before kube-proxy's KUBE-SERVICES jump";
                }
            }
        }
        List<String> entered = b.steps().stream().filter(s -> s.kind() == TraceStep.Kind.RULE && s.matched() && s.target() != null
                && (s.target().startsWith("KUBE-SVC-") || s.target().startsWith("KUBE-SVL-") || s.target().startsWith("KUBE-SEP-")))
                .map(TraceStep::target).toList();
        if (!entered.isEmpty()) {
            String last = entered.get(entered.size() - 1);
            return "kube-proxy's chain " + last + " was entered but no rule in it translated the packet (flushed or edited: compare"
                    + " iptables-save -t nat -S " + last + " with what kube-proxy writes)";
        }
        return null;
    }

    private static String ruleText(TraceBranch b) {
        List<TraceStep> m = b.matchedRules();
        return m.isEmpty() ? "" : " `" + m.get(m.size() - 1).text() + "`";
    }
}
