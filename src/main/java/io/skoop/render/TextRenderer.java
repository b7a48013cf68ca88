package io.skoop.render;

import io.skoop.diagnose.Diagnosis;
import io.skoop.diagnose.Verdict;
import io.skoop.model.Action;
import io.skoop.model.Level;
import io.skoop.model.Link;
import io.skoop.model.NetNode;
import io.skoop.model.PacketPath;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;

/**
 * A diagnosis as text for a terminal: the request path hop by hop (each hop's actions and
 * explanation lines, then the links it sends on), the reply path the same way, the suspicions by
 * level (worst first, each with the hop it is on), then the verdict.
 *
 * <p>For a terminal ({@link Screen}), lines longer than its width wrap at word boundaries with a hanging indent (picocli's
 * {@link TextTable}), and levels and the verdict are coloured (ANSI SGR through picocli's {@link Ansi}: FATAL bold red,
 * CRITICAL red, WARNING yellow, REACHABLE green, UNREACHABLE bold red, UNKNOWN yellow). {@link Screen#PLAIN}: one line
 * per item, no escape codes (files, pipes, notebooks, the DSL).
 */
public final class TextRenderer {
    private final boolean explain;
    private final Screen screen;
    private final Ansi ansi;

    /**
     * Where the text goes.
     *
     * @param width  the columns to fit in; 0 for no wrapping
     * @param colour true for ANSI colours
     */
    public record Screen(int width, boolean colour) {
        /** No wrapping, no colour. */
        public static final Screen PLAIN = new Screen(0, false);

        public Screen {
            if (width < 0 || width > 0 && width < 40) {
                throw new IllegalArgumentException("a screen of " + width + " columns: 0 (no wrapping) or at least 40 expected");
            }
        }
    }

    /** @param explain true to print every hop's explanation lines (routing decisions, rules, lookups) */
    public TextRenderer(boolean explain) {
        this(explain, Screen.PLAIN);
    }

    /**
     * @param explain true to print every hop's explanation lines
     * @param screen  the terminal's width and whether it takes colours
     */
    public TextRenderer(boolean explain, Screen screen) {
        this.explain = explain;
        this.screen = screen;
        this.ansi = screen.colour() ? Ansi.ON : Ansi.OFF;
    }

    /** The whole diagnosis, lines ending in '\n'. */
    public String render(Diagnosis d) {
        StringBuilder sb = new StringBuilder();
        emit(sb, 2, text("diagnosis: " + title(d) + "  (snapshot " + d.snapshot() + ")"));
        section(sb, "request", d.request());
        if (!d.reply().nodes().isEmpty()) {
            section(sb, "reply", d.reply());
        }
        sb.append("\nbranches:\n");
        for (Diagnosis.Branch b : d.branches()) {
            emit(sb, 4, text(String.format(Locale.ROOT, "  %-7s %-9s p=%.3f at %s: %s", b.direction().name().toLowerCase(Locale.ROOT),
                    b.kind(), b.probability(), b.hop(), b.reason())));
        }
        List<Located> sus = Located.of(d);
        sb.append("\nsuspicions:").append(sus.isEmpty() ? " none\n" : "\n");
        for (Located r : sus) {
            Level l = r.level();
            emit(sb, 11, text("  ").concat(text(String.format(Locale.ROOT, "%-8s", l.name()), styles(l)))
                    .concat(text(" " + r.on() + ": " + r.suspicion().message())));
        }
        sb.append('\n');
        Ansi.Text verdict = text("verdict: ").concat(text(d.verdict().name(), styles(d.verdict())));
        if (d.successProbability() > 0 && d.successProbability() < 1 - 1e-9) {
            verdict = verdict.concat(text(String.format(Locale.ROOT, " (%.0f%% of new connections complete)", d.successProbability() * 100)));
        }
        emit(sb, 2, verdict);
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
            Ansi.Text hop = text("  " + n.hop());
            List<String> acts = n.actions().stream().map(Action::type).map(t -> t.name().toLowerCase(Locale.ROOT)).distinct().toList();
            if (!acts.isEmpty()) {
                hop = hop.concat(text("  [" + String.join(", ", acts) + "]"));
            }
            if (n.maxLevel() != null && n.maxLevel().breaksFlow()) {
                hop = hop.concat(text("  <-- ")).concat(text(n.maxLevel().name(), styles(n.maxLevel())));
            }
            emit(sb, 6, hop);
            if (explain) {
                for (NetNode.ExplanationGroup g : n.explanationByBranch()) {
                    String indent = "      | ";
                    if (g.branch() != null) {
                        emit(sb, 10, text(indent + g.branch()));
                        indent = "      |   ";
                    }
                    for (String l : g.lines()) {
                        emit(sb, indent.length() + 2, text(indent + l));
                    }
                }
            }
            for (Link l : path.linksFrom(n.hop())) {
                emit(sb, 11, text("      -> " + l.destination() + " [" + l.type().name().toLowerCase(Locale.ROOT) + " "
                        + DotRenderer.end(l.sourceAttribute()) + " -> " + DotRenderer.end(l.destinationAttribute()) + "] " + l.packet()));
            }
        }
    }

    /** {@code s} as text (never parsed for picocli's {@code @|…|@} markup: messages are data), with styles. */
    private Ansi.Text text(String s, Ansi.IStyle... styles) {
        return ansi.apply(s, List.of(styles));
    }

    /** One logical line: as it is, or wrapped to the screen's width with wrapped lines indented by {@code hang}. */
    private void emit(StringBuilder sb, int hang, Ansi.Text line) {
        if (screen.width() == 0 || line.getCJKAdjustedLength() <= screen.width()) {
            sb.append(line).append('\n');
            return;
        }
        TextTable t = TextTable.forColumns(ansi, new Column(screen.width(), 0, Column.Overflow.WRAP));
        t.indentWrappedLines = hang;
        t.addRowValues(line);
        sb.append(t.toString().replace(System.lineSeparator(), "\n"));
    }

    private static Ansi.IStyle[] styles(Level l) {
        return switch (l) {
            case FATAL -> new Ansi.IStyle[] {Ansi.Style.bold, Ansi.Style.fg_red};
            case CRITICAL -> new Ansi.IStyle[] {Ansi.Style.fg_red};
            case WARNING -> new Ansi.IStyle[] {Ansi.Style.fg_yellow};
            case INFO -> new Ansi.IStyle[0];
        };
    }

    private static Ansi.IStyle[] styles(Verdict v) {
        return switch (v) {
            case REACHABLE -> new Ansi.IStyle[] {Ansi.Style.bold, Ansi.Style.fg_green};
            case UNREACHABLE -> new Ansi.IStyle[] {Ansi.Style.bold, Ansi.Style.fg_red};
            case UNKNOWN -> new Ansi.IStyle[] {Ansi.Style.bold, Ansi.Style.fg_yellow};
        };
    }
}
