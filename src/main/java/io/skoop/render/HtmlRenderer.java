package io.skoop.render;

import io.skoop.diagnose.Diagnosis;
import io.skoop.diagnose.Verdict;
import io.skoop.model.Level;
import io.skoop.model.NetNode;
import io.skoop.model.PacketPath;
import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.netfilter.TraceStep;
import io.skoop.netstack.netfilter.Tri;
import io.skoop.netstack.route.RouteResult;
import io.skoop.netstack.route.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Diagnoses, route lookups and netfilter traces as HTML, for notebooks ({@code text/html} outputs) and
 * {@code skoop diagnose --format html}. Everything the user or a dump wrote is escaped ({@link Html#escape}); styles
 * are inline. A fragment is a {@code <div>} to put inside a page; {@link #page} is a whole document.
 *
 * <p>A diagnosis shows: what was asked, the verdict on a coloured badge with the share of new connections that
 * complete, the suspicions worst first (the level on the graph's colour: FATAL red, CRITICAL orange, WARNING yellow,
 * INFO pale green), how every branch ended, and the packet-path graph when an SVG of it is given.
 */
public final class HtmlRenderer {
    private HtmlRenderer() {
    }

    /** The badge colour of a verdict: REACHABLE pale green, UNREACHABLE red, UNKNOWN yellow. */
    static String verdictStyle(Verdict v) {
        return switch (v) {
            case REACHABLE -> Html.levelStyle(null);
            case UNREACHABLE -> Html.levelStyle(Level.FATAL);
            case UNKNOWN -> Html.levelStyle(Level.WARNING);
        };
    }

    /**
     * The diagnosis as an HTML fragment.
     *
     * @param d   the diagnosis
     * @param svg its graph as SVG ({@link ImageRenderer#svg}), drawn inline after the tables; null for none
     */
    public static String diagnosis(Diagnosis d, String svg) {
        StringBuilder sb = new StringBuilder("<div class=\"skoop-diagnosis\" style=\"font-family:sans-serif\">\n");
        sb.append("<p style=\"margin:2px 0\"><b>").append(Html.escape(TextRenderer.title(d))).append("</b> <span style=\"color:#666\">(snapshot ")
                .append(Html.escape(d.snapshot())).append(")</span></p>\n");
        sb.append("<p style=\"margin:4px 0\">verdict: ").append(Html.badge(d.verdict().name(), verdictStyle(d.verdict())))
                .append(' ').append(Html.escape(share(d))).append("</p>\n");
        sb.append(suspicions(d));
        List<List<Html.Cell>> rows = new ArrayList<>();
        for (Diagnosis.Branch b : d.branches()) {
            rows.add(List.of(Html.Cell.of(b.direction().name().toLowerCase(Locale.ROOT)),
                    Html.Cell.styled(b.kind().name(), b.kind().name().equals("DELIVERED") ? Html.levelStyle(null) : Html.levelStyle(Level.FATAL)),
                    Html.Cell.of(String.format(Locale.ROOT, "%.3f", b.probability())), Html.Cell.of(b.hop()), Html.Cell.of(b.reason())));
        }
        sb.append(Html.table("branches", List.of("direction", "end", "p", "at", "why"), rows));
        if (svg != null) {
            sb.append("<div class=\"skoop-graph\">\n").append(Html.inlineSvg(svg)).append("\n</div>\n");
        }
        return sb.append("</div>\n").toString();
    }

    /** "— 67% of new connections complete" when some but not all do; empty otherwise. */
    static String share(Diagnosis d) {
        double p = d.successProbability();
        return p > 0 && p < 1 - 1e-9 ? String.format(Locale.ROOT, "— %.0f%% of new connections complete", p * 100) : "";
    }

    /** The suspicions table (level, hop, message), worst first; "suspicions: none" when there are none. */
    static String suspicions(Diagnosis d) {
        List<Located> all = Located.of(d);
        if (all.isEmpty()) {
            return "<p style=\"margin:4px 0\">suspicions: none</p>\n";
        }
        List<List<Html.Cell>> rows = new ArrayList<>();
        for (Located r : all) {
            rows.add(List.of(Html.Cell.styled(r.level().name(), Html.levelStyle(r.level())), Html.Cell.of(r.on()),
                    Html.Cell.of(r.suspicion().message())));
        }
        return Html.table("suspicions", List.of("level", "on", "message"), rows);
    }

    /**
     * A whole HTML document for {@code skoop diagnose --format html}: the fragment of {@link #diagnosis}, then every
     * hop's decisions (the explanation the text report prints with {@code --explain}).
     */
    public static String page(Diagnosis d, String svg) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(Html.escape("skoop: " + TextRenderer.title(d) + ": " + d.verdict())).append("</title></head>\n<body>\n");
        sb.append(diagnosis(d, svg));
        for (String[] part : new String[][] {{"request", "request"}, {"reply", "reply"}}) {
            PacketPath p = part[0].equals("request") ? d.request() : d.reply();
            List<List<Html.Cell>> rows = new ArrayList<>();
            for (NetNode n : p.nodes()) {
                for (NetNode.ExplanationGroup g : n.explanationByBranch()) {
                    for (String line : g.lines()) {
                        rows.add(List.of(Html.Cell.of(n.hop()), Html.Cell.of(g.branch() == null ? "all" : g.branch()),
                                Html.Cell.of(line)));
                    }
                }
            }
            if (!rows.isEmpty()) {
                sb.append(Html.table("decisions on the " + part[1], List.of("hop", "branch", "decision"), rows));
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    /**
     * A route lookup: the answer as {@code ip route get} prints it (or the error), then every decision in order — policy
     * rules skipped or matched, tables searched, nexthop, source selection and validation.
     */
    public static String route(RouteResult r) {
        StringBuilder sb = new StringBuilder("<div class=\"skoop-route\" style=\"font-family:sans-serif\">\n");
        sb.append("<p style=\"margin:2px 0\">").append(Html.badge(r.ok() ? "route" : "error", r.ok() ? Html.levelStyle(null)
                : Html.levelStyle(Level.FATAL))).append(" <code>").append(Html.escape(r.summary())).append("</code></p>\n");
        List<List<Html.Cell>> rows = new ArrayList<>();
        int i = 1;
        for (Step s : r.steps()) {
            String style = s instanceof Step.Failed ? Html.levelStyle(Level.FATAL)
                    : s instanceof Step.RuleMatched || s instanceof Step.TableLookup t && t.route() != null ? "background:#e8f5e9" : null;
            rows.add(List.of(Html.Cell.of(i++), Html.Cell.of(Html.words(s.getClass().getSimpleName())), Html.Cell.styled(s.describe(), style)));
        }
        sb.append(Html.table("decisions", List.of("#", "step", "decision"), rows));
        return sb.append("</div>\n").toString();
    }

    /**
     * A netfilter trace: per branch its probability and verdict, then a row per step — hook, table, chain#rule, the
     * rule as dumped, its result (MATCH / NO_MATCH / UNKNOWN, or the step's kind), the target, and the packet before →
     * after when the step changed it; then the verdict's probabilities.
     */
    public static String trace(TraceResult r) {
        TraceRequest q = r.request();
        StringBuilder sb = new StringBuilder("<div class=\"skoop-trace\" style=\"font-family:sans-serif\">\n");
        sb.append("<p style=\"margin:2px 0\"><b>trace</b> <code>").append(Html.escape(q.packet().toString())).append("</code> (")
                .append(Html.escape(q.path().cliName() + (q.iif() != null ? " iif " + q.iif() : "") + (q.oif() != null ? " oif " + q.oif() : "")))
                .append(")</p>\n");
        int i = 0;
        for (TraceBranch b : r.branches()) {
            i++;
            List<List<Html.Cell>> rows = new ArrayList<>();
            for (TraceStep s : b.steps()) {
                rows.add(row(s));
            }
            String caption = String.format(Locale.ROOT, "branch %d/%d  p=%.6f  %s%s  → %s", i, r.branches().size(), b.probability(), b.verdict(),
                    b.detail() != null ? "  " + b.detail() : "", b.packet());
            sb.append(Html.table(caption, List.of("hook", "table", "chain", "rule", "result", "target", "packet before → after"), rows));
            for (String a : b.assumptions()) {
                sb.append("<p style=\"margin:2px 0\">").append(Html.badge("assumes", Html.levelStyle(Level.WARNING))).append(' ')
                        .append(Html.escape(a)).append("</p>\n");
            }
        }
        FinalVerdict v = r.verdict();
        StringBuilder verdict = new StringBuilder(v == null ? "depends on the branch" : v.name());
        r.verdictProbabilities().forEach((k, p) -> verdict.append(String.format(Locale.ROOT, "  %s %.6f", k, p)));
        sb.append("<p style=\"margin:2px 0\">verdict: <code>").append(Html.escape(verdict.toString())).append("</code></p>\n");
        return sb.append("</div>\n").toString();
    }

    /** One row of a trace table: hook, table, chain (with the rule's position), rule text, result, target, NAT. */
    private static List<Html.Cell> row(TraceStep s) {
        String table = "";
        String chain = "";
        String text = "";
        String target = "";
        String change = "";
        String style = null;
        if (s instanceof TraceStep.RuleEvaluated r) {
            table = r.table();
            chain = r.origin().at();
            text = withDetail(r.text(), r.detail());
            target = r.target();
            change = change(r.before(), r.after());
            style = r.result() == Tri.MATCH ? "background:#e8f5e9;font-weight:bold"
                    : r.result() == Tri.UNKNOWN ? Html.levelStyle(Level.WARNING) : "color:#888";
        } else if (s instanceof TraceStep.BranchTaken b) {
            table = b.origin().table();
            chain = b.origin().at();
            text = withDetail(b.text(), b.detail());
            target = b.target();
        } else if (s instanceof TraceStep.PolicyApplied p) {
            table = p.chain().table();
            chain = p.chain().chain();
            target = p.policy();
            style = fatalIfDropped(p.policy());
        } else if (s instanceof TraceStep.NatBinding n) {
            table = "nat";
            text = n.detail();
            change = change(n.before(), n.after());
        } else if (s instanceof TraceStep.IpvsScheduled v) {
            table = "ipvs";
            chain = v.virtualService() == null ? "" : v.virtualService() + (v.realServer() > 0 ? "#" + v.realServer() : "");
            text = withDetail(v.text(), v.detail());
            target = v.method();
            change = change(v.before(), v.after());
        } else if (s instanceof TraceStep.VerdictReached v) {
            text = v.detail();
            target = v.verdict();
            style = fatalIfDropped(v.verdict());
        } else if (s instanceof TraceStep.ConntrackLookup c) {
            text = c.detail();
        } else if (s instanceof TraceStep.ConntrackConfirmed c) {
            text = c.detail();
        } else if (s instanceof TraceStep.RoutingDecision d) {
            text = d.detail();
        }
        return List.of(Html.Cell.of(s.hook()), Html.Cell.of(table), Html.Cell.of(chain), Html.Cell.of(text == null ? "" : text),
                Html.Cell.styled(s.label(), style), Html.Cell.of(target), Html.Cell.of(change));
    }

    private static String withDetail(String text, String detail) {
        return text == null ? detail : detail == null ? text : text + "  (" + detail + ")";
    }

    private static String change(io.skoop.model.Packet before, io.skoop.model.Packet after) {
        return before != null && after != null && !before.equals(after) ? before + " → " + after : "";
    }

    private static String fatalIfDropped(String verdict) {
        return "DROP".equals(verdict) || "REJECT".equals(verdict) ? Html.levelStyle(Level.FATAL) : null;
    }
}
