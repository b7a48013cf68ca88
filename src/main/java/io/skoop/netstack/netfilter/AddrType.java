package io.skoop.netstack.netfilter;

import java.util.Locale;

/**
 * Address (route) types as the {@code addrtype} match names them (xt_addrtype.c; the values
 * are the kernel's RTN_* route types, {@code man iptables-extensions} "addrtype"). The type
 * of an address is what {@code inet_dev_addr_type()} answers from the namespace's
 * {@code local} routing table: LOCAL for the namespace's own addresses, BROADCAST for
 * broadcast addresses, MULTICAST for 224.0.0.0/4, UNICAST for anything else.
 */
public enum AddrType {
    UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE;

    /**
     * Parses a type name (case-insensitive).
     *
     * @throws IllegalArgumentException listing the known types
     */
    public static AddrType parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown address type '" + s + "' (expected one of UNSPEC, UNICAST, LOCAL, "
                    + "BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE)");
        }
    }
}
