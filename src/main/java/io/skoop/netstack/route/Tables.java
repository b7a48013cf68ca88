package io.skoop.netstack.route;

/**
 * Routing table ids and their names as in /etc/iproute2/rt_tables: unspec 0, default 253,
 * main 254, local 255; other tables are numbers (custom names are resolved by ip only when
 * rt_tables lists them, so a dump may also carry a name, which we cannot map back).
 */
public final class Tables {
    public static final int UNSPEC = 0;
    public static final int DEFAULT = 253;
    public static final int MAIN = 254;
    public static final int LOCAL = 255;

    private Tables() {
    }

    /**
     * The id of a table name ({@code main}, {@code local}, {@code default}, {@code unspec}) or number.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static int parse(String s) {
        switch (s) {
            case "main": return MAIN;
            case "local": return LOCAL;
            case "default": return DEFAULT;
            case "unspec": return UNSPEC;
            default:
                try {
                    long v = Long.parseLong(s);
                    if (v < 0 || v > 0xffffffffL) {
                        throw new NumberFormatException();
                    }
                    return (int) v;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unknown routing table '" + s + "' (expected main, local, default or a number 0..4294967295)");
                }
        }
    }

    /** The name ip prints for a table id. */
    public static String name(int id) {
        return switch (id) {
            case MAIN -> "main";
            case LOCAL -> "local";
            case DEFAULT -> "default";
            case UNSPEC -> "unspec";
            default -> Integer.toUnsignedString(id);
        };
    }
}
