package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * The five netfilter IPv4/IPv6 hooks, each with what runs there in kernel priority order
 * (include/uapi/linux/netfilter_ipv4.h {@code nf_ip_hook_priorities}): tables, plus the
 * pseudo-stations {@link #CONNTRACK} (conntrack lookup, -200) and {@link #CONFIRM}
 * (conntrack confirmation, INT_MAX). The nat table is a DNAT (destination manip) station in
 * PREROUTING/OUTPUT and an SNAT (source manip) station in INPUT/POSTROUTING.
 */
public enum Hook {
    /** raw(-300) → conntrack(-200) → mangle(-150) → nat DNAT(-100). */
    PREROUTING(List.of("raw", Hook.CONNTRACK, "mangle", "nat")),
    /** mangle(-150) → filter(0) → security(50) → nat SNAT(100) → confirm. */
    INPUT(List.of("mangle", "filter", "security", "nat", Hook.CONFIRM)),
    /** mangle(-150) → filter(0) → security(50). */
    FORWARD(List.of("mangle", "filter", "security")),
    /** raw(-300) → conntrack(-200) → mangle(-150) → nat DNAT(-100) → filter(0) → security(50). */
    OUTPUT(List.of("raw", Hook.CONNTRACK, "mangle", "nat", "filter", "security")),
    /** mangle(-150) → nat SNAT(100) → confirm. */
    POSTROUTING(List.of("mangle", "nat", Hook.CONFIRM));

    /** Pseudo-station: conntrack lookup ({@code nf_conntrack_in}). */
    public static final String CONNTRACK = "(conntrack)";
    /** Pseudo-station: conntrack confirmation ({@code nf_conntrack_confirm}). */
    public static final String CONFIRM = "(confirm)";

    private final List<String> stations;

    Hook(List<String> stations) {
        this.stations = stations;
    }

    /** Tables and pseudo-stations in the order the kernel runs them at this hook. */
    public List<String> stations() {
        return stations;
    }

    /** True when the nat table at this hook translates destinations (PREROUTING, OUTPUT). */
    public boolean destinationNat() {
        return this == PREROUTING || this == OUTPUT;
    }
}
