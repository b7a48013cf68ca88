package io.skoop.lab.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON as {@code kubectl get -o json} prints it. kubectl decodes objects into unstructured maps and
 * prints them with Go's {@code json.MarshalIndent(obj, "", "    ")} plus a newline
 * (k8s.io/cli-runtime/pkg/printers/json.go), so: object keys sorted (Go sorts map keys), four-space
 * indentation, {@code "key": value}, empty objects and arrays as {@code {}} and {@code []}, and
 * {@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped as {@code \u003c}… (encoding/json's HTML-safe
 * default). Every object node made here keeps its keys sorted whatever the insertion order.
 */
final class KubeJson {
    private static final JsonNodeFactory NODES = new SortedNodeFactory();
    private static final ObjectWriter WRITER = writer();

    private KubeJson() {
    }

    /** A new object whose keys stay sorted, as Go prints a map. */
    static ObjectNode object() {
        return NODES.objectNode();
    }

    /** A new array. */
    static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** An array of strings. */
    static ArrayNode strings(Collection<String> values) {
        ArrayNode a = array();
        values.forEach(a::add);
        return a;
    }

    /** An object of string values (labels, annotations, selectors, ConfigMap data). */
    static ObjectNode strings(Map<String, String> values) {
        ObjectNode o = object();
        values.forEach(o::put);
        return o;
    }

    /**
     * The list {@code kubectl get <kind> -A -o json} prints: {@code {"apiVersion":"v1","items":[…],"kind":"List",
     * "metadata":{"resourceVersion":""}}}, items ordered as the apiserver lists them: by etcd key
     * ({@code …/<namespace>/<name>}, so {@code kube-system/x} sorts before {@code kube/x}; cluster-scoped objects by name).
     */
    static ObjectNode list(List<ObjectNode> items) {
        ObjectNode l = object();
        l.put("apiVersion", "v1");
        ArrayNode a = l.putArray("items");
        items.stream().sorted(Comparator.comparing(KubeJson::storageKey)).forEach(a::add);
        l.put("kind", "List");
        l.putObject("metadata").put("resourceVersion", "");
        return l;
    }

    /** The part of an object's etcd key after the resource: {@code namespace/name}, or {@code name}. */
    private static String storageKey(ObjectNode o) {
        JsonNode m = o.path("metadata");
        return m.has("namespace") ? m.get("namespace").asText() + "/" + m.get("name").asText() : m.get("name").asText();
    }

    /** The text kubectl prints for {@code node}, ending in a newline. */
    static String print(JsonNode node) {
        try {
            return WRITER.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static ObjectWriter writer() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().setCharacterEscapes(new GoEscapes());
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("    ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators)
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
        return mapper.writer(printer);
    }

    /** Object nodes backed by a TreeMap: keys in Go's map order whatever the insertion order. */
    private static final class SortedNodeFactory extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public ObjectNode objectNode() {
            return new ObjectNode(this, new TreeMap<>());
        }
    }

    /** encoding/json's HTML-safe escapes on top of JSON's own. */
    private static final class GoEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        GoEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii['<'] = ESCAPE_CUSTOM;
            ascii['>'] = ESCAPE_CUSTOM;
            ascii['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case '<', '>', '&', 0x2028, 0x2029 -> new SerializedString(String.format("\\u%04x", ch));
                default -> null;
            };
        }
    }
}
