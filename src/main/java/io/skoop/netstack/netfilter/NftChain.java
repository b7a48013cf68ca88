package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * One nftables chain: a base chain (attached to a hook with a type and priority) or a
 * regular chain (reached only by jump/goto).
 *
 * @param family   the table's family
 * @param table    the table's name
 * @param name     the chain's name
 * @param type     {@code filter}, {@code nat} or {@code route} for a base chain, else null
 * @param hook     the hook ({@code prerouting}, {@code input}, {@code forward}, {@code output}, {@code postrouting},
 *                 {@code ingress}, …) for a base chain, else null
 * @param priority the base chain's priority (lower runs first), 0 for a regular chain
 * @param policy   {@code accept} or {@code drop} for a base chain, else null
 * @param rules    the rules in order
 */
public record NftChain(String family, String table, String name, String type, String hook, int priority, String policy,
                       List<NftRule> rules) {
    public NftChain {
        rules = List.copyOf(rules);
    }

    /** True when attached to a hook. */
    public boolean base() {
        return hook != null;
    }

    /** {@code inet kube-proxy}. */
    public String tableRef() {
        return family + " " + table;
    }

    /** True when packets of this address family ({@code v6}) traverse the chain's table (ip, ip6 or inet). */
    public boolean appliesTo(boolean v6) {
        return "inet".equals(family) || (v6 ? "ip6" : "ip").equals(family);
    }

    /** The netfilter IP hook of a base chain of the ip/ip6/inet families, or null (ingress, other families). */
    public Hook ipHook() {
        if (hook == null || !("ip".equals(family) || "ip6".equals(family) || "inet".equals(family))) {
            return null;
        }
        return switch (hook) {
            case "prerouting" -> Hook.PREROUTING;
            case "input" -> Hook.INPUT;
            case "forward" -> Hook.FORWARD;
            case "output" -> Hook.OUTPUT;
            case "postrouting" -> Hook.POSTROUTING;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return tableRef() + " " + name + (base() ? " (type " + type + " hook " + hook + " priority " + priority + " policy " + policy + ")" : "");
    }
}
