package io.skoop.lab.topology;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.skoop.netstack.parse.ParseException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A YAML document as a tree that remembers the line of every key and value (Jackson's
 * {@link JsonLocation}), so that the loader can report {@code file:line} for any mistake.
 */
sealed interface YamlNode {
    /** SnakeYAML's position line, e.g. {@code  in 'reader', line 6, column 8:}. */
    Pattern MARK = Pattern.compile("\\s*in '[^']*', line (\\d+), column (\\d+):");

    /** 1-based line where the node starts. */
    int line();

    /** What the node is, for messages: "a mapping", "a list", "'text'". */
    String describe();

    /**
     * The node as a JSON tree (a Kubernetes manifest written in the topology): integers and booleans as YAML typed
     * them, other scalars as text, a YAML null as JSON null.
     */
    default com.fasterxml.jackson.databind.JsonNode toJson() {
        com.fasterxml.jackson.databind.node.JsonNodeFactory f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        if (this instanceof Mapping m) {
            com.fasterxml.jackson.databind.node.ObjectNode o = f.objectNode();
            m.entries().forEach((k, v) -> o.set(k, v.toJson()));
            return o;
        }
        if (this instanceof Sequence s) {
            com.fasterxml.jackson.databind.node.ArrayNode a = f.arrayNode();
            s.items().forEach(i -> a.add(i.toJson()));
            return a;
        }
        Scalar s = (Scalar) this;
        if (s.text() == null) {
            return f.nullNode();
        }
        if (s.kind() == JsonToken.VALUE_NUMBER_INT) {
            return f.numberNode(new java.math.BigInteger(s.text().replace("_", "")).longValue());
        }
        if (s.kind() == JsonToken.VALUE_TRUE || s.kind() == JsonToken.VALUE_FALSE) {
            return f.booleanNode(s.kind() == JsonToken.VALUE_TRUE);
        }
        return f.textNode(s.text());
    }

    /** A mapping; {@code keyLines} holds the line of each key. */
    record Mapping(int line, Map<String, YamlNode> entries, Map<String, Integer> keyLines) implements YamlNode {
        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** A sequence. */
    record Sequence(int line, List<YamlNode> items) implements YamlNode {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar with its source text; {@code kind} tells how YAML typed it.
     *
     * @param text the scalar as written (null for a YAML null)
     */
    record Scalar(int line, String text, JsonToken kind) implements YamlNode {
        @Override
        public String describe() {
            return text == null ? "nothing" : "'" + text + "'";
        }
    }

    /**
     * The largest document read, in code points. SnakeYAML's default, 3 MiB, is less than the topology of a
     * 30,000-pod cluster (about 5 MB: the benchmarks' synthetic snapshot, io.skoop.bench.LargeSnapshot).
     */
    static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

    /**
     * Reads one YAML document.
     *
     * @throws ParseException with the line Jackson reports for a syntax error, a duplicate key,
     *         an empty file or a second document
     */
    static YamlNode read(String file, String yaml) {
        LoaderOptions limits = new LoaderOptions();
        limits.setCodePointLimit(MAX_CODE_POINTS);
        try (JsonParser p = YAMLFactory.builder().loaderOptions(limits).build().createParser(yaml)) {
            if (p.nextToken() == null) {
                throw new ParseException(file, 1, null, "empty file: expected a topology mapping");
            }
            YamlNode root = readValue(file, p);
            if (p.nextToken() != null) {
                throw new ParseException(file, line(p), null, "a second YAML document: expected one topology per file");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ParseException(file, at == null ? 0 : at.getLineNr(), null, "malformed YAML: " + summary(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ParseException(file, 0, null, "cannot read YAML: " + e.getMessage(), e);
        }
    }

    private static YamlNode readValue(String file, JsonParser p) throws IOException {
        int line = line(p);
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, YamlNode> entries = new LinkedHashMap<>();
            Map<String, Integer> keyLines = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = line(p);
                if (entries.containsKey(key)) {
                    throw new ParseException(file, keyLine, key, "duplicate key (first written on line " + keyLines.get(key) + ")");
                }
                p.nextToken();
                keyLines.put(key, keyLine);
                entries.put(key, readValue(file, p));
            }
            return new Mapping(line, entries, keyLines);
        }
        if (t == JsonToken.START_ARRAY) {
            List<YamlNode> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(readValue(file, p));
            }
            return new Sequence(line, items);
        }
        return new Scalar(line, t == JsonToken.VALUE_NULL ? null : p.getText(), t);
    }

    /**
     * SnakeYAML's multi-line message on one line: "in 'reader', line N, column M:" marks become
     * "(line N, column M)" after the text they belong to; the source excerpt lines are dropped.
     */
    private static String summary(String message) {
        List<String> parts = new ArrayList<>();
        for (String l : message.lines().toList()) {
            Matcher m = MARK.matcher(l);
            if (m.matches() && !parts.isEmpty()) {
                parts.set(parts.size() - 1, parts.get(parts.size() - 1) + " (line " + m.group(1) + ", column " + m.group(2) + ")");
            } else if (!l.isBlank() && !Character.isWhitespace(l.charAt(0))) {
                parts.add(l.strip());
            }
        }
        return String.join("; ", parts);
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }
}
