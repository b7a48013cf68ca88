package io.skoop.netstack.ipset;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which header field a set dimension is taken from: {@code src} or {@code dst}, as in
 * iptables' {@code -m set --match-set NAME src,dst} (iptables-extensions(8) "set").
 */
public enum Direction {
    SRC, DST;

    /**
     * Parses {@code "src,dst"}.
     *
     * @throws IllegalArgumentException for anything but a comma-separated list of src/dst
     */
    public static List<Direction> parseList(String text) {
        List<Direction> out = new ArrayList<>();
        for (String s : text.split(",")) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "src" -> out.add(SRC);
                case "dst" -> out.add(DST);
                default -> throw new IllegalArgumentException("expected src or dst in '" + text + "', got '" + s + "'");
            }
        }
        return List.copyOf(out);
    }
}
