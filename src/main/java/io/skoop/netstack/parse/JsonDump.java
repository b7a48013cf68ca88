package io.skoop.netstack.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one reader of the netns dump's JSON files: {@code ip -j} (link, addr, route, rule, neigh),
 * {@code bridge -j} (fdb) and meta.json. An instance is bound to one file name and turns every
 * problem into a {@link ParseException} that names the file, where in it (Jackson's line for
 * malformed JSON, else the entry index and key) and what was expected:
 * {@code ns1/route.json: entry 3 key 'metric': expected a number (at '"high"')}.
 *
 * <p>Rules the parsers rely on:
 * <ul>
 *   <li>empty or blank text reads as {@code []}: iproute2 prints nothing at all for an empty
 *       table in some versions;</li>
 *   <li>{@link #entries} wants a top-level array of objects (what {@code ip -j} and
 *       {@code bridge -j} print); {@link #tree} takes any JSON value (meta.json is an object);</li>
 *   <li>the typed getters read an absent key or a JSON {@code null} as "absent" (null or the
 *       default); {@code entry} is the index in the top-level array, or {@link #TOP} for a key of
 *       the top-level object.</li>
 * </ul>
 * Package-private: a helper of the parsers in this package, not an API.
 */
final class JsonDump {
    /** The {@code entry} to pass for a key of the top-level object (meta.json's {@code format}). */
    static final int TOP = -1;

    /** Refuses anything after the one JSON value (a file with garbage appended is malformed, not its first value). */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The file name used in messages (e.g. {@code ns1/route.json}). */
    final String file;

    JsonDump(String file) {
        this.file = file;
    }

    /**
     * Reads a whole dump file as UTF-8 (the text parsers of this package use it too).
     *
     * @throws ParseException naming the path when it cannot be read or is not UTF-8
     */
    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw ParseException.unreadable(path, e);
        }
    }

    /**
     * Parses the text as any JSON value; empty or blank text is an empty array.
     *
     * @throws ParseException with Jackson's line when the text is not JSON
     */
    JsonNode tree(String text) {
        if (text == null || text.isBlank()) {
            return MAPPER.createArrayNode();
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String why = e.getOriginalMessage().startsWith("Trailing token")
                    ? "more follows the JSON value (garbage appended, or two outputs in one file?)" : e.getOriginalMessage();
            throw new ParseException(file, line, null, "malformed JSON: " + why, e);
        }
    }

    /**
     * Parses the text as a JSON array of objects (empty or blank text = no entries).
     *
     * @throws ParseException for malformed JSON, a top-level value that is not an array, or an
     *                        element that is not an object
     */
    List<JsonNode> entries(String text) {
        JsonNode root = tree(text);
        if (!root.isArray()) {
            throw new ParseException(file, 0, root.getNodeType().toString(), "expected a JSON array of objects");
        }
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isObject()) {
                throw new ParseException(file, 0, root.get(i).toString(), where(i, null) + ": expected a JSON object, got "
                        + root.get(i).getNodeType());
            }
            out.add(root.get(i));
        }
        return out;
    }

    /**
     * The error for a bad or missing key: {@code entry 3 key 'dst': expected <expected>}, with the
     * offending value as the token (none when the key is absent).
     */
    ParseException error(int entry, String key, JsonNode value, String expected) {
        return new ParseException(file, 0, value == null ? null : value.toString(), where(entry, key) + ": expected " + expected);
    }

    private static String where(int entry, String key) {
        String e = entry == TOP ? "" : "entry " + entry;
        String k = key == null ? "" : "key '" + key + "'";
        return e.isEmpty() || k.isEmpty() ? e + k : e + " " + k;
    }

    /** A scalar rendered as text ({@code "table": 254} reads as "254"); null when absent and not required. */
    String text(JsonNode o, int entry, String key, boolean required) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw error(entry, key, null, "to be present");
            }
            return null;
        }
        if (!v.isValueNode()) {
            throw error(entry, key, v, "a string");
        }
        return v.asText();
    }

    /** A required key whose value must be a JSON string (no number or boolean rendered as text). */
    String string(JsonNode o, int entry, String key) {
        String s = text(o, entry, key, true);
        if (!o.get(key).isTextual()) {
            throw error(entry, key, o.get(key), "a string");
        }
        return s;
    }

    /** A number, given as a JSON integer or as text ({@code "0x10"} or decimal); {@code dflt} when absent. */
    long number(JsonNode o, int entry, String key, long dflt) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            String s = v.asText();
            try {
                return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error(entry, key, v, "a number");
            }
        }
        throw error(entry, key, v, "a number");
    }

    /** An optional JSON integer that fits an int (text such as {@code "10"} is refused); null when absent. */
    Integer integer(JsonNode o, int entry, String key) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(entry, key, v, "an integer");
        }
        return v.intValue();
    }

    /** An address parsed with {@link Ip#parse}; null when absent and not required. */
    Ip ip(JsonNode o, int entry, String key, boolean required) {
        String s = text(o, entry, key, required);
        if (s == null) {
            return null;
        }
        try {
            return Ip.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(entry, key, o.get(key), "an IPv4 or IPv6 address");
        }
    }

    /** A prefix from an address key and an optional length key (absent length = host prefix; absent or {@code all} = null). */
    Prefix prefix(JsonNode o, int entry, String key, String lenKey) {
        String s = text(o, entry, key, false);
        if (s == null || s.equals("all")) {
            return null;
        }
        try {
            Ip ip = Ip.parse(s);
            int len = (int) number(o, entry, lenKey, ip.bitLength());
            return new Prefix(ip, len);
        } catch (IllegalArgumentException e) {
            throw error(entry, key, o.get(key), "an address and a length 0..32/0..128");
        }
    }

    /** The strings of an array key ({@code flags}), empty when absent. */
    Set<String> strings(JsonNode o, int entry, String key) {
        JsonNode v = o.get(key);
        Set<String> out = new LinkedHashSet<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw error(entry, key, v, "an array of strings");
        }
        for (JsonNode s : v) {
            if (!s.isTextual()) {
                throw error(entry, key, v, "an array of strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    /** True when the key is present (ip prints boolean flags such as {@code "not": null} or {@code "secondary": true}). */
    static boolean present(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v != null && !(v.isBoolean() && !v.asBoolean());
    }
}
