package io.skoop.netstack.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Shared reading of the JSON that iproute2 prints with {@code -j}: a top-level array of
 * objects; typed getters that fail with a {@link ParseException} naming the file, the entry
 * index and the key ({@code route.json: entry 3 key 'dst': …}).
 */
final class JsonDump {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    final String file;

    JsonDump(String file) {
        this.file = file;
    }

    /** Parses the text as a JSON array of objects (empty text = empty array, as some tools print nothing). */
    List<JsonNode> entries(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ParseException(file, line, null, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new ParseException(file, 0, root == null ? null : root.getNodeType().toString(), "expected a JSON array of objects as ip -j prints");
        }
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isObject()) {
                throw new ParseException(file, 0, "entry " + i, "expected an object, got " + root.get(i).getNodeType());
            }
            out.add(root.get(i));
        }
        return out;
    }

    ParseException error(int entry, String key, JsonNode value, String expected) {
        return new ParseException(file, 0, "entry " + entry + " key '" + key + "'" + (value == null ? "" : " = " + value),
                "expected " + expected);
    }

    String text(JsonNode o, int entry, String key, boolean required) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw error(entry, key, null, "key '" + key + "' to be present");
            }
            return null;
        }
        if (!v.isValueNode()) {
            throw error(entry, key, v, "a string");
        }
        return v.asText();
    }

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

    /** A prefix from an address key and an optional length key (absent length = host prefix). */
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
