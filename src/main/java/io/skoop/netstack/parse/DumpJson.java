package io.skoop.netstack.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.model.Ip;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shared reading of the netns dump's JSON files ({@code ip -j}, {@code bridge -j}, meta.json):
 * a Jackson tree with errors turned into {@link ParseException}s naming the file and line.
 */
final class DumpJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DumpJson() {
    }

    /** Reads a whole file as UTF-8, failing with a ParseException naming it. */
    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * Parses {@code text} as JSON; an empty or blank text is read as {@code []} (iproute2 prints
     * nothing at all for an empty table in some versions).
     *
     * @throws ParseException with Jackson's line when the text is not JSON
     */
    static JsonNode tree(String file, String text) {
        if (text == null || text.isBlank()) {
            return MAPPER.createArrayNode();
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ParseException(file, line, null, "not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The top-level array of a tool's JSON output, or a ParseException saying an array was expected. */
    static JsonNode array(String file, String text) {
        JsonNode n = tree(file, text);
        if (!n.isArray()) {
            throw new ParseException(file, 1, n.getNodeType().name(), "expected a JSON array of objects");
        }
        return n;
    }

    /** Object number {@code index} of the array, or a ParseException. */
    static JsonNode object(String file, JsonNode array, int index) {
        JsonNode o = array.get(index);
        if (!o.isObject()) {
            throw new ParseException(file, 0, o.toString(), "element " + index + ": expected a JSON object");
        }
        return o;
    }

    /** A required string field. */
    static String text(String file, JsonNode o, int index, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new ParseException(file, 0, o.toString(), "element " + index + ": expected a string field '" + field + "'");
        }
        return v.asText();
    }

    /** An optional string field, null when absent. */
    static String optText(String file, JsonNode o, int index, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new ParseException(file, 0, v.toString(), "element " + index + ": expected a scalar in field '" + field + "'");
        }
        return v.asText();
    }

    /** An optional non-negative integer field, null when absent. */
    static Integer optInt(String file, JsonNode o, int index, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new ParseException(file, 0, v.toString(), "element " + index + ": expected an integer in field '" + field + "'");
        }
        return v.intValue();
    }

    /** An address field parsed with {@link Ip#parse}. */
    static Ip ip(String file, int index, String field, String value) {
        try {
            return Ip.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ParseException(file, 0, value, "element " + index + ": expected an IPv4 or IPv6 address in field '" + field + "'", e);
        }
    }
}
