package io.skoop.netstack.route;

import java.util.Locale;

/**
 * Route types ({@code rtm_type}, ip-route(8) "TYPE"), with the lookup error the kernel
 * returns when a lookup hits a route of this type ({@code fib_props[]} in
 * net/ipv4/fib_semantics.c): blackhole EINVAL, unreachable EHOSTUNREACH, prohibit EACCES,
 * throw "continue with the next rule" (EAGAIN internally). UNKNOWN keeps a type we do not model.
 */
public enum RouteType {
    UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE, UNKNOWN;

    /** The name ip prints ({@code unicast}, {@code local}, …). */
    public String ipName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The lookup error of this type, or null when a lookup hitting it succeeds (or, for THROW, continues). */
    public Errno error() {
        return switch (this) {
            case BLACKHOLE -> Errno.EINVAL;
            case UNREACHABLE -> Errno.EHOSTUNREACH;
            case PROHIBIT -> Errno.EACCES;
            case NAT, XRESOLVE -> Errno.EINVAL;
            default -> null;
        };
    }

    /** Parses the name ip prints; unknown names give {@link #UNKNOWN} (the caller keeps the text). */
    public static RouteType parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
