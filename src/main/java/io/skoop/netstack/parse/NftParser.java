package io.skoop.netstack.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.netstack.netfilter.NftChain;
import io.skoop.netstack.netfilter.NftElement;
import io.skoop.netstack.netfilter.NftExpr;
import io.skoop.netstack.netfilter.NftRule;
import io.skoop.netstack.netfilter.NftRuleset;
import io.skoop.netstack.netfilter.NftSet;
import io.skoop.netstack.netfilter.NftStmt;
import io.skoop.netstack.netfilter.NftTable;
import io.skoop.netstack.netfilter.NftText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code nft -j list ruleset} (libnftables-json(5): a top-level {@code {"nftables": [
 * {"metainfo":…}, {"table":{family,name}}, {"set"|"map":…}, {"chain":{family,table,name,type?,hook?,
 * prio?,policy?}}, {"rule":{family,table,chain,handle,expr:[…],comment?}} ]}}) into the tables
 * ({@link #tables}) or the whole ruleset ({@link #ruleset}): chains, rules as typed statements,
 * sets and maps. Constructs it does not know become {@link NftExpr.Unknown} / {@link NftStmt.Unknown}
 * with their JSON (the simulator answers UNKNOWN naming the rule), never a parse error.
 */
public final class NftParser {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private NftParser() {
    }

    /**
     * The tables and their base chains' hooks.
     *
     * @param file name for error messages
     * @param text the whole {@code nft -j list ruleset} output (empty text: no tables)
     * @throws ParseException naming the file and line when the text is not that JSON
     */
    public static List<NftTable> tables(String file, String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return tables(items(file, text));
    }

    private static List<NftTable> tables(JsonNode list) {
        Map<String, String[]> order = new LinkedHashMap<>();
        Map<String, List<String>> hooks = new LinkedHashMap<>();
        for (JsonNode item : list) {
            JsonNode t = item.get("table");
            if (t != null) {
                String key = t.path("family").asText() + " " + t.path("name").asText();
                order.put(key, new String[] {t.path("family").asText(), t.path("name").asText()});
                hooks.putIfAbsent(key, new ArrayList<>());
            }
            JsonNode c = item.get("chain");
            if (c != null && c.hasNonNull("hook")) {
                hooks.computeIfAbsent(c.path("family").asText() + " " + c.path("table").asText(), k -> new ArrayList<>())
                        .add(c.get("hook").asText());
            }
        }
        List<NftTable> out = new ArrayList<>();
        order.forEach((k, fn) -> out.add(new NftTable(fn[0], fn[1], hooks.get(k))));
        return out;
    }

    private static JsonNode items(String file, String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ParseException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "malformed JSON (expected nft -j list ruleset output): " + e.getOriginalMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("nftables");
        if (list == null || !list.isArray()) {
            throw new ParseException(file, 0, null, "expected an object with an \"nftables\" array, as nft -j list ruleset prints");
        }
        return list;
    }

    /**
     * The whole ruleset: tables, and the chains, rules, sets and maps of every table iptables-nft does not own.
     *
     * @param file name for error messages
     * @param text the whole {@code nft -j list ruleset} output (empty text: {@link NftRuleset#EMPTY})
     * @throws ParseException naming the file and the item when the text is not that JSON or an item lacks a
     *                        required field (a chain without a name, a rule of a chain not listed)
     */
    public static NftRuleset ruleset(String file, String text) {
        return listing(file, text).ruleset();
    }

    /**
     * What one {@code nft -j list ruleset} output holds, read in one pass: the ruleset ({@link #ruleset}; its
     * {@link NftRuleset#tables()} are {@link #tables}') and the rule counts of iptables-nft's chains
     * ({@link #compatRuleCounts}).
     *
     * @param ruleset          the tables, and the chains, rules, sets and maps outside iptables-nft's tables
     * @param compatRuleCounts rules per chain of iptables-nft's tables, keyed {@code family table/chain}
     */
    public record Listing(NftRuleset ruleset, Map<String, Integer> compatRuleCounts) {
        /** Nothing listed (nft.json empty or not collected). */
        public static final Listing EMPTY = new Listing(NftRuleset.EMPTY, Map.of());
    }

    /**
     * Parses the listing once into the ruleset and the iptables-nft rule counts.
     *
     * @param file name for error messages
     * @param text the whole {@code nft -j list ruleset} output (empty text: {@link Listing#EMPTY})
     * @throws ParseException as {@link #ruleset}
     */
    public static Listing listing(String file, String text) {
        if (text == null || text.isBlank()) {
            return Listing.EMPTY;
        }
        JsonNode list = items(file, text);
        List<NftTable> tables = tables(list);
        Set<String> compat = new HashSet<>();
        for (NftTable t : tables) {
            if (t.isIptablesCompat()) {
                compat.add(t.family() + " " + t.name());
            }
        }
        Map<String, Integer> compatCounts = new LinkedHashMap<>();
        Map<String, JsonNode> chainNodes = new LinkedHashMap<>();
        Map<String, List<NftRule>> rules = new LinkedHashMap<>();
        List<NftSet> sets = new ArrayList<>();
        int index = 0;
        for (JsonNode item : list) {
            index++;
            Iterator<Map.Entry<String, JsonNode>> it = item.fields();
            if (!it.hasNext()) {
                continue;
            }
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = e.getValue();
            String where = "item " + index + " (" + e.getKey() + ")";
            switch (e.getKey()) {
                case "chain" -> {
                    String key = key(file, where, o, "table") + " " + required(file, where, o, "name");
                    if (compat.contains(tableKey(o, "table"))) {
                        compatCounts.merge(tableKey(o, "table") + "/" + o.path("name").asText(), 0, Integer::sum);
                    } else {
                        chainNodes.put(key, o);
                        rules.putIfAbsent(key, new ArrayList<>());
                    }
                }
                case "rule" -> {
                    if (compat.contains(tableKey(o, "table"))) {
                        compatCounts.merge(tableKey(o, "table") + "/" + o.path("chain").asText(), 1, Integer::sum);
                        continue;
                    }
                    String key = key(file, where, o, "table") + " " + required(file, where, o, "chain");
                    List<NftStmt> stmts = new ArrayList<>();
                    for (JsonNode s : o.path("expr")) {
                        stmts.add(stmt(s));
                    }
                    String comment = o.hasNonNull("comment") ? o.get("comment").asText() : null;
                    List<NftRule> chainRules = rules.get(key);
                    if (chainRules == null) {
                        throw new ParseException(file, 0, null, where + ": rule of chain " + key + ", which the listing does not declare");
                    }
                    chainRules.add(new NftRule(o.path("family").asText(), o.path("table").asText(), o.path("chain").asText(),
                            o.path("handle").asLong(), NftText.rule(stmts, comment), stmts));
                }
                case "set", "map" -> {
                    if (!compat.contains(tableKey(o, "table"))) {
                        sets.add(set(file, where, o));
                    }
                }
                default -> {
                }
            }
        }
        List<NftChain> chains = new ArrayList<>();
        chainNodes.forEach((key, o) -> chains.add(new NftChain(o.path("family").asText(), o.path("table").asText(),
                o.path("name").asText(), text(o, "type"), text(o, "hook"), o.path("prio").asInt(0), text(o, "policy"),
                rules.get(key))));
        return new Listing(new NftRuleset(tables, chains, sets), compatCounts);
    }

    private static String tableKey(JsonNode o, String field) {
        return o.path("family").asText() + " " + o.path(field).asText();
    }

    private static String key(String file, String where, JsonNode o, String tableField) {
        return required(file, where, o, "family") + " " + required(file, where, o, tableField);
    }

    private static String required(String file, String where, JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty()) {
            throw new ParseException(file, 0, null, where + ": no \"" + field + "\" (nft -j list ruleset always writes it)");
        }
        return v.asText();
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static NftSet set(String file, String where, JsonNode o) {
        List<String> keyType = new ArrayList<>();
        JsonNode t = o.path("type");
        if (t.isArray()) {
            t.forEach(x -> keyType.add(x.asText()));
        } else if (!t.isMissingNode()) {
            keyType.add(t.asText());
        }
        String dataType = null;
        JsonNode m = o.get("map");
        if (m != null && !m.isNull()) {
            dataType = m.isArray() ? String.join(" . ", iterable(m)) : m.asText();
        }
        List<String> flags = new ArrayList<>();
        JsonNode f = o.path("flags");
        if (f.isArray()) {
            f.forEach(x -> flags.add(x.asText()));
        } else if (f.isTextual()) {
            flags.add(f.asText());
        }
        List<NftElement> elements = new ArrayList<>();
        for (JsonNode el : o.path("elem")) {
            elements.add(element(el, dataType != null));
        }
        return new NftSet(required(file, where, o, "family"), required(file, where, o, "table"), required(file, where, o, "name"),
                keyType, dataType, flags, elements);
    }

    private static List<String> iterable(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** A set element: a key, or {@code [key, data]} for a map; {@code {"elem": {"val": …}}} wraps keys with options. */
    private static NftElement element(JsonNode el, boolean map) {
        if (map && el.isArray() && el.size() == 2) {
            JsonNode data = el.get(1);
            Object d = isVerdict(data) ? stmt(data) : expr(data);
            return new NftElement(expr(el.get(0)), d);
        }
        return new NftElement(expr(el), null);
    }

    private static boolean isVerdict(JsonNode n) {
        if (!n.isObject() || n.size() != 1) {
            return false;
        }
        String k = n.fieldNames().next();
        return List.of("accept", "drop", "continue", "return", "jump", "goto", "queue").contains(k);
    }

    /** An expression (libnftables-json(5) EXPRESSIONS). */
    static NftExpr expr(JsonNode n) {
        if (n == null || n.isNull()) {
            return new NftExpr.Unknown("null");
        }
        if (n.isTextual()) {
            String s = n.asText();
            return s.startsWith("@") ? new NftExpr.SetRef(s.substring(1)) : new NftExpr.Const(s);
        }
        if (n.isIntegralNumber()) {
            return new NftExpr.Const(n.asLong());
        }
        if (n.isBoolean()) {
            return new NftExpr.Const(n.asBoolean());
        }
        if (n.isArray()) {
            List<String> flags = new ArrayList<>();
            for (JsonNode x : n) {
                if (!x.isTextual()) {
                    return new NftExpr.Unknown(n.toString());
                }
                flags.add(x.asText());
            }
            return new NftExpr.Const(List.copyOf(flags));
        }
        if (!n.isObject() || n.size() != 1) {
            return new NftExpr.Unknown(n.toString());
        }
        String k = n.fieldNames().next();
        JsonNode v = n.get(k);
        return switch (k) {
            case "payload" -> v.has("protocol") && v.has("field") ? new NftExpr.Payload(v.get("protocol").asText(), v.get("field").asText())
                    : new NftExpr.Unknown(n.toString());
            case "meta" -> new NftExpr.Meta(v.path("key").asText());
            case "ct" -> new NftExpr.Ct(v.path("key").asText(), text(v, "dir"));
            case "fib" -> new NftExpr.Fib(v.path("result").asText(), v.path("flags").isArray() ? iterable(v.get("flags"))
                    : v.has("flags") ? List.of(v.get("flags").asText()) : List.of());
            case "numgen" -> new NftExpr.Numgen(v.path("mode").asText(), v.path("mod").asInt(), v.path("offset").asInt(0));
            case "concat" -> {
                List<NftExpr> parts = new ArrayList<>();
                v.forEach(x -> parts.add(expr(x)));
                yield new NftExpr.Concat(parts);
            }
            case "&", "|", "^", "<<", ">>" -> v.isArray() && v.size() == 2 ? new NftExpr.Binop(k, expr(v.get(0)), expr(v.get(1)))
                    : new NftExpr.Unknown(n.toString());
            case "map" -> new NftExpr.MapLookup(expr(v.get("key")), expr(v.get("data")));
            case "prefix" -> new NftExpr.Prefix(v.path("addr").asText(), v.path("len").asInt());
            case "range" -> v.isArray() && v.size() == 2 ? new NftExpr.Range(expr(v.get(0)), expr(v.get(1))) : new NftExpr.Unknown(n.toString());
            case "set" -> {
                List<NftElement> els = new ArrayList<>();
                JsonNode arr = v.isArray() ? v : null;
                if (arr == null) {
                    els.add(new NftElement(expr(v), null));
                } else {
                    for (JsonNode x : arr) {
                        els.add(element(x, x.isArray() && x.size() == 2));
                    }
                }
                yield new NftExpr.SetLiteral(els);
            }
            case "elem" -> expr(v.get("val"));
            default -> new NftExpr.Unknown(n.toString());
        };
    }

    /** A statement (libnftables-json(5) STATEMENTS). */
    static NftStmt stmt(JsonNode n) {
        if (!n.isObject() || n.size() != 1) {
            return new NftStmt.Unknown("?", n.toString());
        }
        String k = n.fieldNames().next();
        JsonNode v = n.get(k);
        return switch (k) {
            case "match" -> new NftStmt.Match(v.path("op").asText("=="), expr(v.get("left")), expr(v.get("right")));
            case "accept", "drop", "continue", "return" -> new NftStmt.Verdict(k, null);
            case "jump", "goto" -> new NftStmt.Verdict(k, v.path("target").asText());
            case "vmap" -> new NftStmt.Vmap(expr(v.get("key")), expr(v.get("data")));
            case "counter", "log" -> new NftStmt.Nop(k);
            case "ct helper" -> v == null ? new NftStmt.Unknown(k, n.toString()) : new NftStmt.CtHelper(expr(v));
            case "dnat", "snat", "masquerade", "redirect" -> {
                List<String> flags = new ArrayList<>();
                if (v != null && v.isObject()) {
                    for (String f : List.of("flags", "type_flags")) {
                        JsonNode x = v.get(f);
                        if (x != null && x.isArray()) {
                            x.forEach(y -> flags.add(y.asText()));
                        } else if (x != null && x.isTextual()) {
                            flags.add(x.asText());
                        }
                    }
                }
                boolean obj = v != null && v.isObject();
                yield new NftStmt.Nat(k, obj ? text(v, "family") : null, obj && v.has("addr") ? expr(v.get("addr")) : null,
                        obj && v.has("port") ? expr(v.get("port")) : null, flags);
            }
            case "mangle" -> new NftStmt.Mangle(expr(v.get("key")), expr(v.get("value")));
            case "notrack" -> new NftStmt.Notrack();
            case "reject" -> new NftStmt.Reject(v != null && v.isObject() ? text(v, "type") : null,
                    v != null && v.isObject() ? text(v, "expr") : null);
            case "limit", "quota", "ct count", "last", "meter", "connlimit" -> new NftStmt.Undecidable(k, n.toString());
            case "set", "map" -> v != null && v.has("op") ? new NftStmt.Nop(k + " " + v.get("op").asText()) : new NftStmt.Unknown(k, n.toString());
            default -> new NftStmt.Unknown(k, n.toString());
        };
    }

    /**
     * The number of rules per chain of the tables iptables-nft owns ({@link NftTable#isIptablesCompat()}), keyed
     * {@code family table/chain} ({@code ip nat/KUBE-SERVICES}): what the kernel holds of the rules iptables-save
     * printed, for a cross-check (empty text: no entry).
     *
     * @throws ParseException as {@link #ruleset}
     */
    public static Map<String, Integer> compatRuleCounts(String file, String text) {
        return listing(file, text).compatRuleCounts();
    }
}
