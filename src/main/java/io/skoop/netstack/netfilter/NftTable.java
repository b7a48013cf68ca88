package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * An nftables table as {@code nft -j list ruleset} lists it, with the hooks its base chains
 * attach to. skoop simulates netfilter through the iptables model; tables that iptables-nft
 * did not create (e.g. kube-proxy's nftables mode {@code inet kube-proxy}) are not simulated
 * and must be reported, never silently ignored.
 *
 * @param family {@code ip}, {@code ip6}, {@code inet}, {@code bridge}, {@code arp}, {@code netdev}
 * @param name   the table's name
 * @param hooks  hooks of its base chains ({@code prerouting}, {@code forward}, …), in file order; empty when it has none
 */
public record NftTable(String family, String name, List<String> hooks) {
    private static final List<String> IPTABLES_TABLES = List.of("filter", "nat", "mangle", "raw", "security");

    public NftTable {
        hooks = List.copyOf(hooks);
    }

    /**
     * True when iptables-nft owns the table ({@code ip}/{@code ip6} family, one of iptables'
     * table names): its rules are what iptables-save printed, so the iptables model covers them.
     */
    public boolean isIptablesCompat() {
        return ("ip".equals(family) || "ip6".equals(family)) && IPTABLES_TABLES.contains(name);
    }

    /** True when packets traverse it: it has at least one base chain (a chain with a hook). */
    public boolean isHooked() {
        return !hooks.isEmpty();
    }

    @Override
    public String toString() {
        return family + " " + name + (hooks.isEmpty() ? "" : " (hooks " + String.join(", ", hooks) + ")");
    }
}
