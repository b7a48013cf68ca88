package io.skoop.model;

/**
 * An IP family as the Kubernetes API names it ({@code spec.ipFamilies} of a Service, {@code addressType} of an
 * EndpointSlice): {@code IPv4} or {@code IPv6}.
 */
public enum IpFamily {
    /** 32-bit addresses. */
    IPv4,
    /** 128-bit addresses. */
    IPv6;

    /** The family of an address. */
    public static IpFamily of(Ip ip) {
        return ip.isV6() ? IPv6 : IPv4;
    }

    /** The family of a CIDR. */
    public static IpFamily of(Prefix p) {
        return p.isV6() ? IPv6 : IPv4;
    }

    /** The family named {@code text} exactly as the API spells it, or null. */
    public static IpFamily parse(String text) {
        for (IpFamily f : values()) {
            if (f.name().equals(text)) {
                return f;
            }
        }
        return null;
    }

    /** Address bits: 32 or 128. */
    public int bits() {
        return this == IPv4 ? 32 : 128;
    }
}
