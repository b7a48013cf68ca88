package io.skoop.netstack.route;

/**
 * Routing table ids and their names as in /etc/iproute2/rt_tables: unspec 0, default 253,
 * main 254, local 255; other tables are numbers (custom names are resolved by ip only when
 * rt_tables lists them, so a dump may also carry a name, which we cannot map back).
 */
public final class Tables {
    /** RT_TABLE_UNSPEC. */
    public static final int UNSPEC = 0;
    /** RT_TABLE_DEFAULT. */
    public static final int DEFAULT = 253;
    /** RT_TABLE_MAIN. */
    public static final int MAIN = 254;
    /** RT_TABLE_LOCAL. */
    public static final int LOCAL = 255;

    /**
     * Tables that ip printed by name (named in the collecting host's /etc/iproute2/rt_tables, which the
     * dump does not carry) get stable synthetic ids from this base, so rules and routes naming the same
     * table still meet; {@link #name(int)} prints the name again.
     */
    private static final int NAMED_BASE = 0x7f000000;
    private static final java.util.Map<String, Integer> NAMED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Map<Integer, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    private Tables() {
    }

    /**
     * The id of a table name ({@code main}, {@code local}, {@code default}, {@code unspec}), number, or
     * other name (a synthetic id, see NAMED_BASE).
     *
     * @throws IllegalArgumentException for text that is neither a number nor a name
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
                    if (!s.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                        throw new IllegalArgumentException("bad routing table '" + s + "' (expected main, local, default, a number or a name)");
                    }
                    return NAMED.computeIfAbsent(s, k -> {
                        int id = NAMED_BASE + NAMED.size();
                        NAMES.put(id, k);
                        return id;
                    });
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
            default -> NAMES.getOrDefault(id, Integer.toUnsignedString(id));
        };
    }
}
