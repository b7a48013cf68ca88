package io.skoop.render;

import io.skoop.diagnose.Diagnosis;
import io.skoop.model.Action;
import io.skoop.model.Level;
import io.skoop.model.Link;
import io.skoop.model.NetNode;
import io.skoop.model.PacketPath;
import java.util.List;
import java.util.Locale;

/**
 * A diagnosis as text for a terminal: the request path hop by hop (each hop's actions and
 * explanation lines, then the links it sends on), the reply path the same way, the suspicions by
 * level (worst first, each with the hop it is on), then the verdict.
 */
public final class TextRenderer {
    private final boolean explain;

    /** @param explain true to print every hop's explanation lines (routing decisions, rules, lookups) */
    public TextRenderer(boolean explain) {
        this.explain = explain;
    }

    /** The whole diagnosis, lines ending in '\n'. */
    public String render(Diagnosis d) {
        StringBuilder sb = new StringBuilder();
        sb.append("diagnosis: ").append(title(d)).append("  (snapshot ").append(d.snapshot()).append(")\n");
        section(sb, "request", d.request());
        if (!d.reply().nodes().isEmpty()) {
            section(sb, "reply", d.reply());
        }
        sb.append("\nbranches:\n");
        for (Diagnosis.Branch b : d.branches()) {
            sb.append(String.format(Locale.ROOT, "  %-7s %-9s p=%.3f at %s: %s%n", b.direction().name().toLowerCase(Locale.ROOT),
                    b.kind(), b.probability(), b.hop(), b.reason()));
        }
        List<Located> sus = Located.of(d);
        sb.append("\nsuspicions:").append(sus.isEmpty() ? " none\n" : "\n");
        for (Located r : sus) {
            sb.append(String.format(Locale.ROOT, "  %-8s %s: %s%n", r.level().name(), r.on(), r.suspicion().message()));
        }
        sb.append(String.format(Locale.ROOT, "%nverdict: %s", d.verdict()));
        if (d.successProbability() > 0 && d.successProbability() < 1 - 1e-9) {
            sb.append(String.format(Locale.ROOT, " (%.0f%% of new connections complete)", d.successProbability() * 100));
        }
        sb.append('\n');
        return sb.toString();
    }

    /** What was asked: {@code default/client (10.244.0.2) -> svc/default/web (10.96.0.2) port 80/tcp}. */
    static String title(Diagnosis d) {
        return d.source() + " -> " + d.destination() + (d.destination().port() == 0 ? "" : " port " + d.destination().port())
                + "/" + d.query().protocol().ianaName();
    }

    private void section(StringBuilder sb, String title, PacketPath path) {
        sb.append('\n').append(title).append(":\n");
        for (NetNode n : path.nodes()) {
            sb.append("  ").append(n.hop());
            List<String> acts = n.actions().stream().map(Action::type).map(t -> t.name().toLowerCase(Locale.ROOT)).distinct().toList();
            if (!acts.isEmpty()) {
                sb.append("  [").append(String.join(", ", acts)).append(']');
            }
            if (n.maxLevel() != null && n.maxLevel().breaksFlow()) {
                sb.append("  <-- ").append(n.maxLevel());
            }
            sb.append('\n');
            if (explain) {
                n.explanation().forEach(l -> sb.append("      | ").append(l).append('\n'));
            }
            for (Link l : path.linksFrom(n.hop())) {
                sb.append("      -> ").append(l.destination()).append(" [").append(l.type().name().toLowerCase(Locale.ROOT)).append(' ')
                        .append(DotRenderer.end(l.sourceAttribute())).append(" -> ")
                        .append(DotRenderer.end(l.destinationAttribute())).append("] ")
                        .append(l.packet()).append('\n');
            }
        }
    }
}
