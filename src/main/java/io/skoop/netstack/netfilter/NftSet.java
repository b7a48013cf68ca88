package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * A named nftables set or map.
 *
 * @param family   the table's family
 * @param table    the table's name
 * @param name     the set's name (rules refer to it as {@code @name})
 * @param keyType  the key's data types, one per part of a concatenation ({@code [ipv4_addr, inet_proto, inet_service]})
 * @param dataType the map's data type ({@code verdict}, {@code ipv4_addr}, …), null for a set
 * @param flags    flags ({@code interval}, {@code timeout}, {@code dynamic}, …)
 * @param elements the elements as listed
 */
public record NftSet(String family, String table, String name, List<String> keyType, String dataType, List<String> flags,
                     List<NftElement> elements) {
    public NftSet {
        keyType = List.copyOf(keyType);
        flags = List.copyOf(flags);
        elements = List.copyOf(elements);
    }

    /** True for a map (elements carry data). */
    public boolean isMap() {
        return dataType != null;
    }

    /**
     * True when the set's contents change at run time (flags {@code dynamic} or {@code timeout}: rules add
     * elements to it, so the listing is only a moment's view).
     */
    public boolean dynamic() {
        return flags.contains("dynamic") || flags.contains("timeout");
    }
}
