package io.skoop.service.iptables;

import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceStep;
import io.skoop.service.RuleBasedProcessor;
import java.util.List;

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
public final class KubeProxyIptablesProcessor extends RuleBasedProcessor {
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
    protected String route(TraceBranch b) {
        return sepChain(b);
    }

    @Override
    protected String whyUntranslated(TraceBranch b) {
        return whyUntranslatedBy(b);
    }

    @Override
    protected String notTranslated(String node) {
        return "no kube-proxy rule in node " + node + "'s nat table translates it (no KUBE-SERVICES entry: kube-proxy not running,"
                + " or not synced)";
    }

    private static String sepChain(TraceBranch b) {
        String svc = null;
        String sep = null;
        for (TraceStep.RuleEvaluated s : b.matchedRules()) {
            if (s.chain().startsWith("KUBE-SEP-")) {
                sep = s.chain();
            } else if ((s.chain().startsWith("KUBE-SVC-") || s.chain().startsWith("KUBE-SVL-")
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
    static String whyUntranslatedBy(TraceBranch b) {
        boolean sawServices = false;
        List<TraceStep.RuleEvaluated> matched = b.matchedRules().stream().filter(s -> s.origin() instanceof TraceStep.Origin.Iptables).toList();
        for (TraceStep.RuleEvaluated s : matched) {
            if ("raw".equals(s.table()) && ("NOTRACK".equals(s.target()) || (s.text() != null && s.text().contains("--notrack")))) {
                return "the raw table's rule " + s.origin().at() + " `" + s.text() + "` leaves it untracked, and the nat table,"
                        + " where kube-proxy's DNAT is, never sees untracked packets";
            }
            if ("nat".equals(s.table())) {
                if (s.chain().startsWith("KUBE-SERVICES") || s.chain().startsWith("KUBE-SVC-") || s.chain().startsWith("KUBE-SEP-")
                        || "KUBE-SERVICES".equals(s.target())) {
                    sawServices = true;
                }
                boolean builtin = s.chain().equals("PREROUTING") || s.chain().equals("OUTPUT");
                if (builtin && !sawServices && ("ACCEPT".equals(s.target()) || "RETURN".equals(s.target()))) {
                    return s.origin().ref() + " `" + s.text() + "` ends the chain before kube-proxy's KUBE-SERVICES jump";
                }
            }
        }
        List<String> entered = matched.stream().map(TraceStep.RuleEvaluated::target).filter(t -> t != null
                && (t.startsWith("KUBE-SVC-") || t.startsWith("KUBE-SVL-") || t.startsWith("KUBE-SEP-"))).toList();
        if (!entered.isEmpty()) {
            String last = entered.get(entered.size() - 1);
            return "kube-proxy's chain " + last + " was entered but no rule in it translated the packet (flushed or edited: compare"
                    + " iptables-save -t nat -S " + last + " with what kube-proxy writes)";
        }
        return null;
    }
}
