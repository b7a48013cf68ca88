package io.skoop.dsl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.TopologyLoader;
import io.skoop.netstack.parse.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lab topology built in code — what {@code lab { ... }} ({@code io.skoop.dsl.LabBuilder}) collects: the same keys,
 * lists and items as a topology file (docs/lab.md), each remembering the script line that wrote it. {@link #yaml()}
 * writes it as a topology file (Jackson YAML, one block per item); {@link #resolve()} reads that file back with
 * {@link TopologyLoader}, so a built topology is checked and allocated exactly as a file is, and a mistake the loader
 * finds is reported at the builder call that made the offending item:
 * {@code demo.groovy:12 (pod 'default/web-1'): pod default/web-1 is on an unknown node (nodes: node-1, node-2; did you
 * mean 'node-1'?) (at 'node-3')}.
 */
public final class LabDocument {
    /** The top-level keys set once, in the order a topology file writes them. */
    public static final List<String> SCALAR_KEYS = List.of("name", "cni", "clusterCIDR", "serviceCIDR", "underlay");
    /** The top-level lists, in file order. */
    public static final List<String> LIST_KEYS = List.of("nodes", "pods", "services", "externalHosts");
    /** What a missing required key is written as, for the error that asks for it. */
    private static final Map<String, String> REQUIRED = map("name", "name 'demo'", "cni", "cni 'flannel', backend: 'vxlan'",
            "clusterCIDR", "clusterCIDR '10.244.0.0/16'", "serviceCIDR", "serviceCIDR '10.96.0.0/16'", "underlay",
            "underlay '192.168.56.0/24'", "nodes", "node 'node-1'");

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    /**
     * Where a part was written.
     *
     * @param location {@code file:line} of the call in the user's script ({@code demo.groovy:12})
     * @param what     the call, short: {@code pod 'default/web-1'}
     */
    public record Where(String location, String what) {
        @Override
        public String toString() {
            return location + " (" + what + ")";
        }
    }

    private record Part(Object value, Where where) {
    }

    private final Where origin;
    private final Map<String, Part> scalars = new LinkedHashMap<>();
    private final Map<String, List<Part>> lists = new LinkedHashMap<>();

    /** @param origin where the whole topology was started ({@code lab { }} and the script line) */
    public LabDocument(Where origin) {
        this.origin = origin;
    }

    /** Where the topology was started. */
    public Where origin() {
        return origin;
    }

    /**
     * Sets a top-level key ({@link #SCALAR_KEYS}) to a value: text, or a mapping for {@code cni}.
     *
     * @throws IllegalArgumentException at {@code where} for another key, or when the key was set already (naming the
     *                                  first place)
     */
    public void set(String key, Object value, Where where) {
        if (!SCALAR_KEYS.contains(key)) {
            throw new IllegalArgumentException(where + ": '" + key + "' is not a top-level setting (settings: " + String.join(", ", SCALAR_KEYS) + ")");
        }
        Part first = scalars.get(key);
        if (first != null) {
            throw new IllegalArgumentException(where + ": " + key + " is set twice (first at " + first.where().location() + ")");
        }
        scalars.put(key, new Part(plain(value), where));
    }

    /**
     * Appends an item (a mapping with the keys of docs/lab.md) to a top-level list ({@link #LIST_KEYS}).
     *
     * @throws IllegalArgumentException at {@code where} for another list or a value that has no YAML form
     */
    public void add(String list, Map<String, ?> item, Where where) {
        if (!LIST_KEYS.contains(list)) {
            throw new IllegalArgumentException(where + ": '" + list + "' is not a topology list (lists: " + String.join(", ", LIST_KEYS) + ")");
        }
        lists.computeIfAbsent(list, k -> new ArrayList<>()).add(new Part(plain(item), where));
    }

    /** The topology file text: a comment naming the script, then the keys in file order. */
    public String yaml() {
        return render().text();
    }

    /**
     * Checks, allocates and resolves the topology: the text of {@link #yaml()} through {@link TopologyLoader}.
     *
     * @throws IllegalArgumentException {@code LOCATION (CALL): what was wrong} at the builder call that wrote the
     *                                  offending item, or at {@code lab { }} for a missing required setting
     */
    public ResolvedTopology resolve() {
        for (Map.Entry<String, String> r : REQUIRED.entrySet()) {
            if (!scalars.containsKey(r.getKey()) && !lists.containsKey(r.getKey())) {
                throw new IllegalArgumentException(origin + ": the lab has no " + (r.getKey().equals("nodes") ? "node" : r.getKey())
                        + "; write " + r.getValue() + " inside lab { }");
            }
        }
        Rendered r = render();
        try {
            return TopologyLoader.parse(fileName(), r.text());
        } catch (ParseException e) {
            throw new IllegalArgumentException(r.at(e.line()) + ": " + withoutPlace(e), e);
        }
    }

    /** The name errors in the generated text are reported against: {@code lab { } at demo.groovy:3}. */
    public String fileName() {
        return origin.what() + " at " + origin.location();
    }

    /** The generated text and, per line, the call that wrote it. */
    private record Rendered(String text, List<Where> lines, Where fallback) {
        Where at(int line) {
            return line >= 1 && line <= lines.size() && lines.get(line - 1) != null ? lines.get(line - 1) : fallback;
        }
    }

    private Rendered render() {
        StringBuilder sb = new StringBuilder();
        List<Where> lines = new ArrayList<>();
        append(sb, lines, "# the lab topology built by " + fileName() + " (docs/lab.md)\n", origin);
        for (String key : SCALAR_KEYS) {
            Part p = scalars.get(key);
            if (p != null) {
                append(sb, lines, write(Map.of(key, p.value())), p.where());
            }
        }
        for (String key : LIST_KEYS) {
            List<Part> items = lists.get(key);
            if (items == null) {
                continue;
            }
            append(sb, lines, key + ":\n", origin);
            for (Part p : items) {
                StringBuilder item = new StringBuilder();
                String[] itemLines = write(p.value()).split("\n");
                for (int i = 0; i < itemLines.length; i++) {
                    item.append(i == 0 ? "  - " : "    ").append(itemLines[i]).append('\n');
                }
                append(sb, lines, item.toString(), p.where());
            }
        }
        return new Rendered(sb.toString(), lines, origin);
    }

    private static void append(StringBuilder sb, List<Where> lines, String text, Where where) {
        sb.append(text);
        text.lines().forEach(l -> lines.add(where));
    }

    private static String write(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a lab topology as YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** The loader's message without its {@code file:line: } prefix (the caller puts the script's place there). */
    private static String withoutPlace(ParseException e) {
        String prefix = (e.file() == null ? "<input>" : e.file()) + (e.line() > 0 ? ":" + e.line() : "") + ": ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    /**
     * A value as YAML writes it: text, numbers and booleans as they are, mappings with text keys, lists, enums by
     * name ({@code tcp} → {@code TCP}), anything else by its text.
     */
    private static Object plain(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof CharSequence || v instanceof Character) {
            return v.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(x -> out.add(plain(x)));
            return out;
        }
        if (v instanceof Object[] a) {
            return plain(java.util.Arrays.asList(a));
        }
        return v.toString();
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
