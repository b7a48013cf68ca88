package io.skoop.netstack.link;

import java.util.Locale;

/**
 * An address or route scope as the kernel numbers it ({@code enum rt_scope_t} in
 * include/uapi/linux/rtnetlink.h, names from /etc/iproute2/rt_scopes): a larger number is a
 * narrower scope. {@code inet_select_addr} skips addresses whose scope is greater than the
 * scope asked for.
 *
 * @param value the numeric scope 0..255 (universe/global 0, site 200, link 253, host 254, nowhere 255)
 */
public record Scope(int value) implements Comparable<Scope> {
    /** RT_SCOPE_UNIVERSE (0), printed {@code global}. */
    public static final Scope GLOBAL = new Scope(0);
    /** RT_SCOPE_SITE (200). */
    public static final Scope SITE = new Scope(200);
    /** RT_SCOPE_LINK (253). */
    public static final Scope LINK = new Scope(253);
    /** RT_SCOPE_HOST (254). */
    public static final Scope HOST = new Scope(254);
    /** RT_SCOPE_NOWHERE (255). */
    public static final Scope NOWHERE = new Scope(255);

    public Scope {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("scope " + value + " out of range 0..255");
        }
    }

    /**
     * Parses the name iproute2 prints ({@code global}, {@code universe}, {@code site},
     * {@code link}, {@code host}, {@code nowhere}) or a number.
     *
     * @throws IllegalArgumentException naming the text otherwise
     */
    public static Scope parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "global", "universe": return GLOBAL;
            case "site": return SITE;
            case "link": return LINK;
            case "host": return HOST;
            case "nowhere": return NOWHERE;
            default:
                try {
                    return new Scope(Integer.parseInt(s));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unknown scope '" + s + "' (expected global, site, link, host, nowhere or a number)");
                }
        }
    }

    @Override
    public int compareTo(Scope o) {
        return Integer.compare(value, o.value);
    }

    @Override
    public String toString() {
        return switch (value) {
            case 0 -> "global";
            case 200 -> "site";
            case 253 -> "link";
            case 254 -> "host";
            case 255 -> "nowhere";
            default -> Integer.toString(value);
        };
    }
}
