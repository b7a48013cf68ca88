package io.skoop.render;

import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.netfilter.TraceStep;
import java.util.Locale;

/**
 * A netfilter trace as text (what {@code skoop netstack trace} and the DSL's {@code trace} print): the request, then
 * per branch its probability, verdict and detail, assumptions, every step (hook, table, chain#rule, rule text, packet
 * before ⇒ after), the final packet and conntrack entry; then the overall verdict with the probability of each.
 */
public final class TraceTextRenderer {
    private TraceTextRenderer() {
    }

    /** The trace, lines ending in '\n'. */
    public static String render(TraceResult r) {
        StringBuilder out = new StringBuilder();
        TraceRequest q = r.request();
        out.append(String.format(Locale.ROOT, "trace %s (%s%s%s)%n", q.packet(), q.path().cliName(), q.iif() != null ? " iif " + q.iif() : "",
                q.oif() != null ? " oif " + q.oif() : ""));
        int i = 0;
        for (TraceBranch b : r.branches()) {
            i++;
            out.append(String.format(Locale.ROOT, "%nbranch %d/%d  p=%.6f  %s%s%s%n", i, r.branches().size(), b.probability(), b.verdict(),
                    b.verdict() == FinalVerdict.UNKNOWN && b.outcome() != FinalVerdict.UNKNOWN ? " (if assumed: " + b.outcome() + ")" : "",
                    b.detail() != null ? "  " + b.detail() : ""));
            for (String a : b.assumptions()) {
                out.append("  assumes ").append(a).append('\n');
            }
            for (TraceStep s : b.steps()) {
                out.append("  ").append(s).append('\n');
            }
            out.append("  packet    ").append(b.packet()).append('\n');
            if (b.conntrack() != null) {
                out.append("  conntrack ").append(b.conntrack()).append('\n');
            }
        }
        out.append('\n');
        FinalVerdict v = r.verdict();
        StringBuilder sb = new StringBuilder("verdict: ").append(v == null ? "depends on the branch" : v.name());
        r.verdictProbabilities().forEach((k, p) -> sb.append(String.format(Locale.ROOT, "  %s %.6f", k, p)));
        return out.append(sb).append('\n').toString();
    }
}
