package io.skoop.render;

import io.skoop.model.Level;
import java.util.List;
import java.util.Locale;

/**
 * Small HTML pieces the HTML renderers share: escaping, a table, a coloured badge for a suspicion level or a verdict.
 * Styles are inline attributes (no {@code <style>} element, no script), so a fragment keeps its look wherever it is
 * pasted: a Jupyter output (whose sanitizer drops style sheets of untrusted notebooks), a page, an e-mail.
 */
public final class Html {
    private Html() {
    }

    /** A table cell: its text (escaped when written) and an optional inline style. */
    public record Cell(String text, String style) {
        /** A plain cell. */
        public static Cell of(Object text) {
            return new Cell(text == null ? "" : String.valueOf(text), null);
        }

        /** A cell with an inline style ({@code background:#f00;color:#fff}). */
        public static Cell styled(Object text, String style) {
            return new Cell(text == null ? "" : String.valueOf(text), style);
        }
    }

    /** {@code s} with {@code & < > " '} escaped, safe as element text and as a quoted attribute value. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The fill used for a worst level, as the graph's nodes have it ({@link DotRenderer}); null: no suspicion. */
    public static String levelColour(Level level) {
        if (level == null) {
            return "#98fb98";
        }
        return switch (level) {
            case FATAL -> "#ff0000";
            case CRITICAL -> "#ffa500";
            case WARNING -> "#ffff00";
            case INFO -> "#98fb98";
        };
    }

    /** The inline style of a cell that shows {@code level} (white text on red for FATAL, black otherwise). */
    public static String levelStyle(Level level) {
        return "background:" + levelColour(level) + ";color:" + (level == Level.FATAL ? "#fff" : "#000") + ";font-weight:bold";
    }

    /** A coloured label: {@code <span style="...">TEXT</span>}. */
    public static String badge(String text, String style) {
        return "<span style=\"" + escape(style) + ";padding:1px 6px;border-radius:3px\">" + escape(text) + "</span>";
    }

    /**
     * A table with a header row. Every cell is escaped; {@code caption} (escaped too) is shown above it when not null.
     *
     * @param headers the column names
     * @param rows    the rows; each as long as {@code headers}
     */
    public static String table(String caption, List<String> headers, List<List<Cell>> rows) {
        StringBuilder sb = new StringBuilder("<table style=\"border-collapse:collapse;font-size:90%;margin:4px 0\">\n");
        if (caption != null) {
            sb.append("<caption style=\"text-align:left;font-weight:bold;padding:2px 0\">").append(escape(caption)).append("</caption>\n");
        }
        sb.append("<thead><tr>");
        for (String h : headers) {
            sb.append("<th style=\"").append(CELL).append(";text-align:left;background:#eee\">").append(escape(h)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<Cell> r : rows) {
            sb.append("<tr>");
            for (Cell c : r) {
                sb.append("<td style=\"").append(CELL).append(c.style() == null ? "" : ";" + escape(c.style())).append("\">")
                        .append(escape(c.text())).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody></table>\n").toString();
    }

    /** A table of plain-text cells. */
    public static String plainTable(String caption, List<String> headers, List<List<String>> rows) {
        return table(caption, headers, rows.stream().map(r -> r.stream().map(Cell::of).toList()).toList());
    }

    private static final String CELL = "border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left;font-family:monospace";

    /** {@code RuleSkipped} → {@code rule skipped}: a record's type name as words, for a table's "step" column. */
    public static String words(String typeName) {
        return typeName.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /**
     * An SVG document ready to sit inside HTML: without its XML declaration and DOCTYPE (which HTML does not take),
     * scaled down to the width of the page when wider.
     */
    public static String inlineSvg(String svg) {
        int start = svg.indexOf("<svg");
        String body = start < 0 ? svg : svg.substring(start);
        return body.replaceFirst("<svg", "<svg style=\"max-width:100%;height:auto\"");
    }
}
