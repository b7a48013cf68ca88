package io.skoop.netstack.netfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders parsed nftables statements and expressions back into nft's own syntax
 * ({@code ip daddr . meta l4proto . th dport vmap @service-ips}), close to what {@code nft list ruleset}
 * prints, for trace steps and messages. The JSON listing carries no rule text, so this is the text skoop
 * shows for an nft rule.
 */
public final class NftText {
    private NftText() {
    }

    /** The rule's statements separated by spaces, then {@code comment "…"} when it has one. */
    public static String rule(List<NftStmt> stmts, String comment) {
        List<String> parts = new ArrayList<>();
        for (NftStmt s : stmts) {
            parts.add(stmt(s));
        }
        if (comment != null) {
            parts.add("comment \"" + comment + "\"");
        }
        return String.join(" ", parts);
    }

    /** One statement. */
    public static String stmt(NftStmt s) {
        if (s instanceof NftStmt.Match m) {
            return match(m);
        }
        if (s instanceof NftStmt.Verdict v) {
            return v.target() == null ? v.kind() : v.kind() + " " + v.target();
        }
        if (s instanceof NftStmt.Vmap v) {
            return expr(v.key()) + " vmap " + expr(v.data());
        }
        if (s instanceof NftStmt.Nop n) {
            return n.name();
        }
        if (s instanceof NftStmt.CtHelper h) {
            return "ct helper set " + (h.helper() instanceof NftExpr.Const c && c.value() instanceof String name ? "\"" + name + "\""
                    : expr(h.helper()));
        }
        if (s instanceof NftStmt.Nat n) {
            return nat(n);
        }
        if (s instanceof NftStmt.Mangle m) {
            String v = m.value() instanceof NftExpr.Const c && c.value() instanceof Long n ? String.format("0x%08x", n) : expr(m.value());
            return expr(m.key()) + " set " + v;
        }
        if (s instanceof NftStmt.Notrack) {
            return "notrack";
        }
        if (s instanceof NftStmt.Reject r) {
            return "reject" + (r.type() != null ? " with " + r.type() + (r.code() != null ? " " + r.code() : "") : "");
        }
        if (s instanceof NftStmt.Undecidable u) {
            String json = u.json();
            String inner = json.startsWith("{\"" + u.name() + "\":") ? json.substring(u.name().length() + 4, json.length() - 1) : json;
            return u.name() + " " + inner;
        }
        NftStmt.Unknown u = (NftStmt.Unknown) s;
        return u.name() + " " + u.json();
    }

    private static String match(NftStmt.Match m) {
        String l = expr(m.left());
        String r = l.contains("mark") && m.right() instanceof NftExpr.Const c && c.value() instanceof Long n
                ? String.format("0x%08x", n) : expr(m.right());
        if (m.op().equals("in") || m.op().equals("==") && !(m.left() instanceof NftExpr.Binop)) {
            return l + " " + r;
        }
        return l + " " + m.op() + " " + r;
    }

    private static String nat(NftStmt.Nat n) {
        StringBuilder sb = new StringBuilder(n.kind());
        if (n.addr() != null || n.port() != null) {
            sb.append(n.kind().equals("redirect") || n.kind().equals("masquerade") ? " to" : (n.family() != null ? " " + n.family() + " to" : " to"));
            sb.append(' ');
            if (n.addr() != null) {
                sb.append(expr(n.addr()));
            }
            if (n.port() != null) {
                sb.append(':').append(expr(n.port()));
            }
        }
        if (!n.flags().isEmpty()) {
            sb.append(' ').append(String.join(",", n.flags()));
        }
        return sb.toString();
    }

    /** One expression. */
    public static String expr(NftExpr e) {
        if (e instanceof NftExpr.Payload p) {
            return p.protocol() + " " + p.field();
        }
        if (e instanceof NftExpr.Meta m) {
            return List.of("iif", "oif", "iifname", "oifname").contains(m.key()) ? m.key() : "meta " + m.key();
        }
        if (e instanceof NftExpr.Ct c) {
            return "ct " + (c.dir() != null ? c.dir() + " " : "") + c.key();
        }
        if (e instanceof NftExpr.Fib f) {
            return "fib " + String.join(" . ", f.flags()) + " " + f.result();
        }
        if (e instanceof NftExpr.Numgen n) {
            return "numgen " + n.mode() + " mod " + n.mod() + (n.offset() != 0 ? " offset " + n.offset() : "");
        }
        if (e instanceof NftExpr.Concat c) {
            return String.join(" . ", c.parts().stream().map(NftText::expr).toList());
        }
        if (e instanceof NftExpr.Binop b) {
            String l = expr(b.left());
            String r = l.contains("mark") && b.right() instanceof NftExpr.Const c && c.value() instanceof Long n
                    ? String.format("0x%08x", n)
                    : b.right() instanceof NftExpr.Const c && c.value() instanceof List<?> flags
                    ? "(" + String.join(" | ", flags.stream().map(String::valueOf).toList()) + ")" : expr(b.right());
            return l + " " + b.op() + " " + r;
        }
        if (e instanceof NftExpr.MapLookup m) {
            return expr(m.key()) + " map " + expr(m.map());
        }
        if (e instanceof NftExpr.Const c) {
            return constant(c.value());
        }
        if (e instanceof NftExpr.Prefix p) {
            return p.addr() + "/" + p.len();
        }
        if (e instanceof NftExpr.Range r) {
            return expr(r.lo()) + "-" + expr(r.hi());
        }
        if (e instanceof NftExpr.SetLiteral s) {
            return "{ " + String.join(", ", s.elements().stream().map(NftText::element).toList()) + " }";
        }
        if (e instanceof NftExpr.SetRef r) {
            return "@" + r.name();
        }
        return ((NftExpr.Unknown) e).json();
    }

    private static String element(NftElement el) {
        String k = expr(el.key());
        if (el.data() == null) {
            return k;
        }
        return k + " : " + (el.data() instanceof NftStmt s ? stmt(s) : expr((NftExpr) el.data()));
    }

    private static String constant(Object v) {
        if (v instanceof List<?> l) {
            return String.join(",", l.stream().map(String::valueOf).toList());
        }
        if (v instanceof String s && (s.isEmpty() || s.contains(" ") || s.contains("*"))) {
            return "\"" + s + "\"";
        }
        return String.valueOf(v);
    }
}
