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

    /**
     * The family a user option names: {@code 4}, {@code 6}, {@code IPv4}, {@code IPv6} (any case), as
     * {@code skoop diagnose --family} and the notebook's {@code %diagnose --family} take it.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static IpFamily option(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "4", "ipv4" -> IPv4;
            case "6", "ipv6" -> IPv6;
            default -> throw new IllegalArgumentException("--family must be 4 or 6, got '" + text + "'");
        };
    }

    /** Address bits: 32 or 128. */
    public int bits() {
        return this == IPv4 ? 32 : 128;
    }
}
