package io.skoop.lab.topology;

import io.skoop.netstack.parse.ParseException;
import java.util.Map;

/**
 * Where a part of a topology was written: the file (or script) name, the 1-based line of the
 * part, and the lines of its keys, so that semantic errors found while resolving (an
 * overlapping podCIDR, a duplicate name, an exhausted range) point at the line the user wrote.
 * Topologies built in code use {@link #NONE}.
 *
 * @param file     the file or source name
 * @param line     1-based line of the part, or 0 when unknown
 * @param keyLines 1-based line of each key written in the part
 */
public record Origin(String file, int line, Map<String, Integer> keyLines) {
    /** For parts built in code, with no file behind them. */
    public static final Origin NONE = new Origin("<topology>", 0, Map.of());

    public Origin {
        keyLines = Map.copyOf(keyLines);
    }

    /** The origin of one key of this part (the part's own line when the key was not written). */
    public Origin at(String key) {
        return new Origin(file, keyLines.getOrDefault(key, line), Map.of());
    }

    /** A {@link ParseException} at this place: {@code file:line: message (at 'token')}. */
    public ParseException error(String token, String message) {
        return new ParseException(file, line, token, message);
    }
}
