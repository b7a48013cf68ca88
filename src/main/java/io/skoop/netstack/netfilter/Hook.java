package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * The five netfilter IPv4/IPv6 hooks, each with what runs there in kernel priority order
 * (include/uapi/linux/netfilter_ipv4.h {@code nf_ip_hook_priorities}): tables, plus the
 * pseudo-stations {@link #CONNTRACK} (conntrack lookup, -200) and {@link #CONFIRM}
 * (conntrack confirmation, INT_MAX), and {@link #IPVS} (IPVS's request hooks, when the namespace has virtual services:
 * {@link IpvsHook}). The nat table is a DNAT (destination manip) station in
 * PREROUTING/OUTPUT and an SNAT (source manip) station in INPUT/POSTROUTING.
 */
public enum Hook {
    /** raw(-300) → conntrack(-200) → mangle(-150) → nat DNAT(-100). */
    PREROUTING(List.of("raw", Hook.CONNTRACK, "mangle", "nat")),
    /** mangle(-150) → filter(0) → security(50) → IPVS(99) → nat SNAT(100) → confirm. */
    INPUT(List.of("mangle", "filter", "security", Hook.IPVS, "nat", Hook.CONFIRM)),
    /** mangle(-150) → filter(0) → security(50). */
    FORWARD(List.of("mangle", "filter", "security")),
    /** raw(-300) → conntrack(-200) → mangle(-150) → nat DNAT(-100) → IPVS(-98) → filter(0) → security(50). */
    OUTPUT(List.of("raw", Hook.CONNTRACK, "mangle", "nat", Hook.IPVS, "filter", "security")),
    /** mangle(-150) → nat SNAT(100) → confirm. */
    POSTROUTING(List.of("mangle", "nat", Hook.CONFIRM));

    /** Pseudo-station: conntrack lookup ({@code nf_conntrack_in}). */
    public static final String CONNTRACK = "(conntrack)";
    /** Pseudo-station: conntrack confirmation ({@code nf_conntrack_confirm}). */
    public static final String CONFIRM = "(confirm)";
    /**
     * Pseudo-station: IPVS's request hooks (ip_vs_core.c: {@code ip_vs_remote_request4} at LOCAL_IN
     * {@code NF_IP_PRI_NAT_SRC - 1}, {@code ip_vs_local_request4} at LOCAL_OUT {@code NF_IP_PRI_NAT_DST + 2}); a no-op
     * in a namespace without virtual services.
     */
    public static final String IPVS = "(ipvs)";

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
