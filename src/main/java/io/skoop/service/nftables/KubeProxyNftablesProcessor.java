package io.skoop.service.nftables;

import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceStep;
import io.skoop.service.RuleBasedProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go): the table {@code ip kube-proxy} (or {@code ip6}) holds,
 * from its nat-prerouting / nat-output chains, the {@code services} chain whose {@code service-ips} verdict map
 * ({@code ip daddr . meta l4proto . th dport}) and {@code service-nodeports} map ({@code meta l4proto . th dport}) send a
 * Service port to {@code service-<HASH>-ns/name/proto/port} (through {@code external-<HASH>-…} for node ports and
 * external addresses), which picks one {@code endpoint-<HASH>-…__ip/port} chain with
 * {@code numgen random mod N vmap { 0 : goto …, … }}; each endpoint chain {@code dnat to} its endpoint. A Service port
 * without endpoints is in the {@code no-endpoint-services} / {@code no-endpoint-nodeports} maps: {@code goto reject-chain}.
 *
 * <p>The processor reads the trace of the node's real rules (the nftables evaluator runs kube-proxy's table beside
 * iptables: {@link io.skoop.netstack.netfilter.NetfilterSimulator}) as the iptables one does
 * ({@link RuleBasedProcessor}), naming the chains in nftables mode's terms.
 */
public final class KubeProxyNftablesProcessor extends RuleBasedProcessor {
    /** Registers the nftables mode with {@link io.skoop.network.Network#of} ({@code META-INF/services}). */
    public static final class Factory extends io.skoop.service.ProcessorFactory {
        /** The factory ServiceLoader instantiates. */
        public Factory() {
            super(KubeProxyNftablesProcessor::new);
        }
    }

    @Override
    public String mode() {
        return "nftables";
    }

    /** True for a rule of kube-proxy's own table ({@code ip kube-proxy}, {@code ip6 kube-proxy}). */
    private static boolean kubeProxy(TraceStep.Origin o) {
        return o instanceof TraceStep.Origin.Nftables n && n.name().equals("kube-proxy");
    }

    /** {@code external-… -> service-… (numgen random mod 3 = 1) -> endpoint-…}. */
    @Override
    protected String route(TraceBranch b) {
        List<String> parts = new ArrayList<>();
        String numgen = null;
        for (TraceStep s : b.steps()) {
            if (s instanceof TraceStep.BranchTaken f && kubeProxy(f.origin()) && f.detail() != null && f.detail().startsWith("numgen")) {
                numgen = f.detail().replaceAll(" \\(p=.*\\)$", ""); // the service chain's rule: shown with that chain
            } else if (s instanceof TraceStep.RuleEvaluated r && r.matched() && kubeProxy(r.origin())
                    && (r.chain().startsWith("service-") || r.chain().startsWith("external-") || r.chain().startsWith("endpoint-"))
                    && (parts.isEmpty() || !parts.get(parts.size() - 1).startsWith(r.chain()))) {
                parts.add(r.chain() + (numgen != null && r.chain().startsWith("service-") ? " (" + numgen + ")" : ""));
            }
        }
        return parts.isEmpty() ? "(no endpoint chain of kube-proxy's table)" : String.join(" -> ", parts);
    }

    /**
     * From the steps: a notrack before conntrack (kube-proxy's DNAT is in nat chains, which never see untracked
     * packets), or a kube-proxy service chain entered without a DNAT (flushed or edited).
     */
    @Override
    protected String whyUntranslated(TraceBranch b) {
        String entered = null;
        for (TraceStep.RuleEvaluated s : b.matchedRules()) {
            if ("NOTRACK".equals(s.target()) || s.text() != null && s.text().toLowerCase(java.util.Locale.ROOT).contains("notrack")) {
                return "the rule " + s.origin().ref() + " `" + s.text()
                        + "` leaves it untracked, and the nat chains, where kube-proxy's DNAT is, never see untracked packets";
            }
            if (kubeProxy(s.origin()) && (s.chain().startsWith("service-") || s.chain().startsWith("endpoint-"))) {
                entered = s.table() + " " + s.chain();
            }
        }
        return entered == null ? null : "kube-proxy's chain " + entered + " was entered but no rule in it translated the packet (flushed or"
                + " edited: compare nft list chain " + entered + " with what kube-proxy writes)";
    }

    @Override
    protected String notTranslated(String node) {
        return "node " + node + "'s nftables rules do not translate it: no element for it in kube-proxy's service-ips /"
                + " service-nodeports maps (kube-proxy not running in nftables mode there, or not synced: nft list map ip kube-proxy"
                + " service-ips)";
    }
}
