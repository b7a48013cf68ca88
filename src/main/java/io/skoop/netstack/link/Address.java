package io.skoop.netstack.link;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.Set;

/**
 * One address of an interface, as {@code ip -j addr show} prints it in {@code addr_info}.
 *
 * @param local     the local address ({@code local})
 * @param prefixlen the prefix length ({@code prefixlen})
 * @param peer      the peer address of a point-to-point address ({@code address} when it differs from local), or null
 * @param broadcast the broadcast address ({@code broadcast}), or null
 * @param scope     the address scope ({@code scope})
 * @param label     the label ({@code label}, IPv4 only), or null
 * @param flags     boolean flags such as {@code secondary}, {@code noprefixroute}, {@code tentative},
 *                  {@code dadfailed}, {@code deprecated}, {@code nodad}, {@code permanent}
 */
public record Address(Ip local, int prefixlen, Ip peer, Ip broadcast, Scope scope, String label, Set<String> flags) {

    public Address {
        flags = Set.copyOf(flags);
    }

    /** True for an IPv6 address. */
    public boolean isV6() {
        return local.isV6();
    }

    /** The connected prefix of this address (peer's prefix for point-to-point addresses). */
    public Prefix prefix() {
        return new Prefix(peer != null ? peer : local, prefixlen);
    }

    /** True when this address carries the {@code secondary} flag (IFA_F_SECONDARY; never chosen as source by inet_select_addr). */
    public boolean isSecondary() {
        return flags.contains("secondary");
    }

    /** True when the address may not be used as a source yet or any more (IPv6 {@code tentative}, {@code dadfailed}). */
    public boolean isTentative() {
        return flags.contains("tentative") || flags.contains("dadfailed");
    }

    @Override
    public String toString() {
        return local + "/" + prefixlen + (peer != null ? " peer " + peer : "") + " scope " + scope
                + (flags.isEmpty() ? "" : " " + String.join(" ", new java.util.TreeSet<>(flags)));
    }
}
