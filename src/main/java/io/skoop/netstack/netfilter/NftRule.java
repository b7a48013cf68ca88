package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * One nftables rule.
 *
 * @param family  the table's family (ip, ip6, inet, bridge, arp, netdev)
 * @param table   the table's name
 * @param chain   the chain's name
 * @param handle  the rule's handle ({@code nft -a list ruleset} prints it as {@code # handle N})
 * @param text    the rule as nft would print it (rendered by {@link NftText}), with its comment
 * @param stmts   the statements, in evaluation order
 */
public record NftRule(String family, String table, String chain, long handle, String text, List<NftStmt> stmts) {
    public NftRule {
        stmts = List.copyOf(stmts);
    }

    /** {@code inet kube-proxy}: the table as nft names it. */
    public String tableRef() {
        return family + " " + table;
    }

    /**
     * The rule as the iptables trace records rules: table {@code "family name"}, the chain, the handle as its number
     * ({@link Rule#ref()} then reads {@code inet kube-proxy/services handle 12}).
     */
    Rule asTraceRule() {
        return new Rule(tableRef(), chain, (int) handle, 0, text, Counters.NONE, List.of(), new Target.None());
    }

    @Override
    public String toString() {
        return tableRef() + " " + chain + " handle " + handle + ": " + text;
    }
}
