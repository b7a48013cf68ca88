package io.skoop.netstack.netfilter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The iptables (or ip6tables) ruleset of one network namespace: what
 * {@code iptables-save -c} printed, parsed by {@link io.skoop.netstack.parse.IptablesSaveParser}.
 *
 * @param ipv6   true for ip6tables
 * @param tables tables by name in dump order
 */
public record Ruleset(boolean ipv6, Map<String, Table> tables) {
    public Ruleset {
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    /** An empty ruleset (no table loaded: every hook accepts). */
    public static Ruleset empty(boolean ipv6) {
        return new Ruleset(ipv6, Map.of());
    }

    /** The table, or null when the dump has none of that name. */
    public Table table(String name) {
        return tables.get(name);
    }

    /** The rule {@code table/chain#number}, or null. */
    public Rule rule(String table, String chain, int number) {
        Table t = tables.get(table);
        Chain c = t == null ? null : t.chain(chain);
        return c == null || number < 1 || number > c.rules().size() ? null : c.rule(number);
    }

    /** Total number of rules. */
    public int ruleCount() {
        int n = 0;
        for (Table t : tables.values()) {
            n += t.ruleCount();
        }
        return n;
    }

    /** A summary ({@code iptables: raw 2 rules, nat 25 rules}), not the whole ruleset. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(ipv6 ? "ip6tables:" : "iptables:");
        tables.values().forEach(t -> sb.append(' ').append(t.name()).append(' ').append(t.ruleCount()).append(" rules,"));
        return sb.charAt(sb.length() - 1) == ',' ? sb.substring(0, sb.length() - 1) : sb.toString();
    }
}
