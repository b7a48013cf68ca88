package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import io.skoop.netstack.parse.ParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How the typed objects of this package are read from {@code kubectl get KIND -A -o json}: Jackson maps the parts a
 * diagnosis needs onto small records and ignores every other field; {@link Ip}, {@link Prefix} and {@link Protocol}
 * values are parsed on the way, so a bad address is an error at its line. Package-private: the readers' plumbing.
 */
final class Wire {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setAnnotationIntrospector(new SkipUnknown())
            .registerModule(new SimpleModule("skoop-k8s")
                    .addDeserializer(Ip.class, parsing(Ip.class, Ip::parse))
                    .addDeserializer(Prefix.class, parsing(Prefix.class, Prefix::parse))
                    .addDeserializer(Protocol.class, parsing(Protocol.class, Protocol::parse)));

    private Wire() {
    }

    /**
     * Every type read here ignores unknown properties as if annotated {@code @JsonIgnoreProperties(ignoreUnknown =
     * true)}: the parser then skips what the records do not name. Without it a record's (creator-based) deserializer
     * copies each unknown property into a buffer before dropping it (jackson-databind #3082), and most of a pod's
     * JSON is unknown to KPod.
     */
    private static final class SkipUnknown extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
            return JsonIgnoreProperties.Value.merge(JsonIgnoreProperties.Value.forIgnoreUnknown(true),
                    super.findPropertyIgnoralByName(config, a));
        }
    }

    /** {@code metadata}: the fields of ObjectMeta the diagnosis reads. */
    record Meta(String name, String namespace, String uid, Map<String, String> labels, Map<String, String> annotations) {
        Meta {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }
    }

    /** {@code metadata}, or an empty one when the object has none. */
    static Meta meta(Meta m) {
        return m == null ? new Meta(null, null, null, null, null) : m;
    }

    /** {@code {"ip": "…"}}, the element type of podIPs and hostIPs. */
    record IpEntry(Ip ip) {
    }

    /** A {@code List} as kubectl prints it; only {@code items} matters. */
    record Items<T>(List<T> items) {
    }

    /**
     * Reads {@code file}, a kubectl {@code List} of {@code kind} objects read as {@code type}.
     *
     * @throws ParseException naming the file, and the line for malformed JSON or a value of the wrong shape
     */
    static <T> List<T> readList(Path file, Class<T> type, String kind) {
        JavaType listType = JSON.getTypeFactory().constructParametricType(Items.class, type);
        // streamed from the file: a 30,000-pod pods.json is ~170 MB, never held as text
        try (InputStream in = Files.newInputStream(file)) {
            // trailing bytes after the List (a file cut and pasted twice, garbage) are an error, not ignored
            Items<T> list = JSON.readerFor(listType).with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(in);
            if (list == null) {
                throw new ParseException(file.toString(), 0, null, "expected a kubectl List object, got nothing");
            }
            return list.items() == null ? List.of() : list.items().stream().filter(i -> i != null).toList();
        } catch (NoSuchFileException e) {
            throw new ParseException(file.toString(), 0, null, "missing (a snapshot's k8s/ folder holds what "
                    + "'kubectl get <kind> -A -o json' prints for " + String.join(", ", KubeObjects.FILES) + ")");
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String at = e instanceof JsonMappingException m ? path(m) : "";
            // a creator's IllegalArgumentException (a bad address in a list of strings) says it best itself
            String why = e.getCause() instanceof IllegalArgumentException c ? c.getMessage()
                    : e.getOriginalMessage().startsWith("Trailing token") ? "more follows the List object (a second JSON value, or bytes that are not JSON)"
                    : e.getOriginalMessage();
            throw new ParseException(file.toString(), line, null, "not a kubectl List of " + kind + " objects"
                    + (at.isEmpty() ? "" : " (at " + at + ")") + ": " + why, e);
        } catch (IOException e) {
            throw ParseException.unreadable(file, e);
        }
    }

    /**
     * One object read as {@code type} from a JSON tree (a manifest written elsewhere, e.g. in a lab topology).
     *
     * @throws IllegalArgumentException with the reason, the path of the field ({@code at spec.ingress[0]}) in it
     */
    static <T> T convert(com.fasterxml.jackson.databind.JsonNode tree, Class<T> type) {
        try {
            return JSON.treeToValue(tree, type);
        } catch (JacksonException e) {
            String at = e instanceof JsonMappingException m ? path(m) : "";
            String why = e.getCause() instanceof IllegalArgumentException c ? c.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException(why + (at.isEmpty() ? "" : " (at " + at + ")"), e);
        }
    }

    /** {@code list}, or an empty list when null. */
    static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : List.copyOf(list.stream().filter(i -> i != null).toList());
    }

    /** The first non-blank of the given texts, or null. */
    static String first(String... texts) {
        for (String t : texts) {
            if (t != null && !t.isEmpty()) {
                return t;
            }
        }
        return null;
    }

    /** Where in the file Jackson was: {@code items[6].status.podIP}. */
    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** A string value parsed by {@code parse}; its IllegalArgumentException becomes Jackson's error at the value. */
    private static <T> JsonDeserializer<T> parsing(Class<T> type, Function<String, T> parse) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.currentToken().isScalarValue()) {
                    return type.cast(ctxt.handleUnexpectedToken(type, p));
                }
                String text = p.getValueAsString();
                try {
                    return parse.apply(text);
                } catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(p, e.getMessage(), text, type);
                }
            }
        };
    }
}
