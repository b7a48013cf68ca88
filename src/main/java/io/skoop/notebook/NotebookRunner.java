package io.skoop.notebook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.Gson;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.skoop.dsl.Session;
import io.skoop.model.Names;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Runs a notebook in this process, without Jupyter or Python (what {@code skoop notebook run} does): every code cell in
 * order, through the same {@link CellEvaluator} and {@link Displays} as the kernel, so the outputs are the ones the
 * kernel would produce — {@code stream} (stdout/stderr, consecutive writes to one stream merged),
 * {@code display_data} ({@code display(x)}), {@code execute_result} (the cell's value, numbered as the kernel numbers
 * it: 1, 2, 3...) and {@code error}. Like papermill, the cell tagged {@code parameters} may be followed by an injected
 * cell ({@code injected-parameters}) that sets the values given, each converted to the type of the default the
 * parameters cell set. After a failing cell the next cells are not run, except those tagged {@code teardown} (to take
 * a lab down, say); their outputs are cleared.
 *
 * <p>The notebook written is nbformat 4.5 (cell ids; multi-line text split into lines as nbformat writes it) and is
 * validated against nbformat's JSON schema before it is written.
 */
public final class NotebookRunner {
    /** The tag of the cell holding the notebook's parameters (papermill's convention). */
    public static final String PARAMETERS = "parameters";
    /** The tag of the cell the runner injects after it. */
    public static final String INJECTED = "injected-parameters";
    /** The tag of cells that run even after a cell failed. */
    public static final String TEARDOWN = "teardown";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Gson GSON = new Gson();

    /**
     * How a run went.
     *
     * @param notebook   the notebook with its outputs
     * @param cellsRun   how many code cells ran
     * @param failedCell the 1-based index (among all cells) of the first cell that failed, 0 when none did
     * @param failure    that cell's error ({@code ename: evalue} and where), or null
     */
    public record Run(ObjectNode notebook, int cellsRun, int failedCell, String failure) {
        /** True when no cell failed. */
        public boolean ok() {
            return failedCell == 0;
        }
    }

    private final Session session;
    private final java.io.PrintWriter progress;

    /**
     * @param session  the session the notebook works on (a snapshot may be chosen already: {@code --example}, {@code --snapshot})
     * @param progress where a line per cell goes ({@code cell 3 [2]: ok}); null for none
     */
    public NotebookRunner(Session session, java.io.PrintWriter progress) {
        this.session = session;
        this.progress = progress;
    }

    /** Reads a notebook file. @throws IllegalArgumentException when it is not JSON or not nbformat 4 */
    public static ObjectNode read(Path file) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not a notebook: not JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ")");
        }
        if (!(n instanceof ObjectNode nb) || !nb.path("cells").isArray()) {
            throw new IllegalArgumentException(file + " is not a notebook: no cells");
        }
        if (nb.path("nbformat").asInt() != 4) {
            throw new IllegalArgumentException(file + " is nbformat " + nb.path("nbformat").asText("?") + "; skoop runs nbformat 4 notebooks");
        }
        return nb;
    }

    /**
     * Runs {@code notebook} (changed in place: outputs, execution counts, the injected cell).
     *
     * @param params name → value as given on the command line ({@code --param port=8080})
     * @throws IllegalArgumentException when parameters are given and the notebook has no {@code parameters} cell, or it
     *                                  does not set one of them
     */
    public Run run(ObjectNode notebook, Map<String, String> params) {
        ArrayNode cells = (ArrayNode) notebook.get("cells");
        removeInjected(cells);
        boolean hasParameters = false;
        for (JsonNode c : cells) {
            hasParameters |= tags(c).contains(PARAMETERS);
        }
        if (!params.isEmpty() && !hasParameters) {
            throw new IllegalArgumentException("the notebook has no cell tagged '" + PARAMETERS + "' to give " + String.join(", ", params.keySet())
                    + " to (tag the cell that sets the defaults, as papermill does)");
        }
        CellEvaluator ev = new CellEvaluator(session, System.err);
        Displays displays = new Displays().withKernelDefaults();
        ev.bind("displays", displays);
        Outputs outputs = new Outputs();
        ev.onDisplay(v -> outputs.display(displays.render(v)));
        int count = 0;
        int failed = 0;
        String failure = null;
        for (int i = 0; i < cells.size(); i++) {
            ObjectNode cell = (ObjectNode) cells.get(i);
            if (!cell.path("cell_type").asText().equals("code")) {
                continue;
            }
            boolean runIt = failed == 0 || tags(cell).contains(TEARDOWN);
            if (!runIt) {
                cell.set("outputs", JsonNodeFactory.instance.arrayNode());
                cell.putNull("execution_count");
                continue;
            }
            count++;
            outputs.start();
            PrintStream out = System.out;
            PrintStream err = System.err;
            System.setOut(outputs.stream("stdout"));
            System.setErr(outputs.stream("stderr"));
            String label = "In [" + count + "]";
            try {
                CellEvaluator.Result r = ev.eval(source(cell), label);
                System.out.flush();
                System.err.flush();
                if (r.shown()) {
                    outputs.result(count, displays.render(r.value()));
                }
                report(i, count, "ok");
            } catch (CellError e) {
                System.out.flush();
                System.err.flush();
                outputs.error(e);
                if (failed == 0) {
                    failed = i + 1;
                    failure = String.join("\n", e.traceback());
                }
                report(i, count, "failed: " + e.ename() + ": " + e.evalue());
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            cell.set("outputs", outputs.take());
            cell.put("execution_count", count);
            if (tags(cell).contains(PARAMETERS) && !params.isEmpty()) {
                ObjectNode injected = injectedCell(ev, params);
                cells.insert(i + 1, injected);
            }
        }
        normalize(notebook);
        return new Run(notebook, count, failed, failure);
    }

    private void report(int index, int count, String what) {
        if (progress != null) {
            progress.println("cell " + (index + 1) + " [" + count + "]: " + what);
            progress.flush();
        }
    }

    /** The cell setting {@code params} after the parameters cell, each as a literal of the type of its default. */
    private static ObjectNode injectedCell(CellEvaluator ev, Map<String, String> params) {
        StringBuilder src = new StringBuilder("// parameters given to skoop notebook run\n");
        List<String> declared = ev.userVariables();
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (!ev.binding().hasVariable(p.getKey())) {
                throw new IllegalArgumentException("the parameters cell sets no '" + p.getKey() + "'; it sets: " + String.join(", ", declared)
                        + Names.didYouMean(p.getKey(), declared));
            }
            Object dflt = ev.binding().getVariable(p.getKey());
            src.append(p.getKey()).append(" = ").append(literal(p.getKey(), p.getValue(), dflt)).append('\n');
        }
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("cell_type", "code");
        c.putNull("execution_count");
        c.put("id", "injected-" + UUID.randomUUID().toString().substring(0, 8));
        c.putObject("metadata").putArray("tags").add(INJECTED);
        c.putArray("outputs");
        c.put("source", src.toString().stripTrailing());
        return c;
    }

    /** {@code value} as a Groovy literal of the type of {@code dflt} (String when the default is a string or null). */
    static String literal(String name, String value, Object dflt) {
        try {
            if (dflt instanceof Integer) {
                return String.valueOf(Integer.parseInt(value.trim()));
            }
            if (dflt instanceof Long) {
                return Long.parseLong(value.trim()) + "L";
            }
            if (dflt instanceof Double || dflt instanceof java.math.BigDecimal) {
                return String.valueOf(Double.parseDouble(value.trim()));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--param " + name + "=" + value + ": not a number, as its default " + dflt + " is");
        }
        if (dflt instanceof Boolean) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new IllegalArgumentException("--param " + name + "=" + value + ": not true or false, as its default is");
            }
            return value;
        }
        return CellEvaluator.literal(value);
    }

    private static void removeInjected(ArrayNode cells) {
        for (Iterator<JsonNode> it = cells.iterator(); it.hasNext();) {
            if (tags(it.next()).contains(INJECTED)) {
                it.remove();
            }
        }
    }

    static List<String> tags(JsonNode cell) {
        List<String> out = new ArrayList<>();
        cell.path("metadata").path("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    /** A cell's source: a string, or the list of lines nbformat writes. */
    static String source(JsonNode cell) {
        JsonNode s = cell.path("source");
        if (s.isArray()) {
            StringBuilder sb = new StringBuilder();
            s.forEach(l -> sb.append(l.asText()));
            return sb.toString();
        }
        return s.asText();
    }

    /** The outputs of the cell being run. */
    private static final class Outputs {
        private ArrayNode list = JsonNodeFactory.instance.arrayNode();

        void start() {
            list = JsonNodeFactory.instance.arrayNode();
        }

        ArrayNode take() {
            return list;
        }

        PrintStream stream(String name) {
            OutputStream sink = new OutputStream() {
                private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

                @Override
                public void write(int b) {
                    buf.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    buf.write(b, off, len);
                }

                @Override
                public void flush() {
                    if (buf.size() > 0) {
                        text(name, buf.toString(StandardCharsets.UTF_8));
                        buf.reset();
                    }
                }
            };
            return new PrintStream(sink, true, StandardCharsets.UTF_8);
        }

        private void text(String name, String text) {
            JsonNode last = list.isEmpty() ? null : list.get(list.size() - 1);
            if (last != null && last.path("output_type").asText().equals("stream") && last.path("name").asText().equals(name)) {
                ((ObjectNode) last).put("text", last.path("text").asText() + text);
                return;
            }
            ObjectNode o = list.addObject();
            o.put("output_type", "stream");
            o.put("name", name);
            o.put("text", text);
        }

        void display(org.dflib.jjava.jupyter.kernel.display.DisplayData d) {
            System.out.flush();
            System.err.flush();
            ObjectNode o = list.addObject();
            o.put("output_type", "display_data");
            bundle(o, d);
        }

        void result(int count, org.dflib.jjava.jupyter.kernel.display.DisplayData d) {
            ObjectNode o = list.addObject();
            o.put("output_type", "execute_result");
            o.put("execution_count", count);
            bundle(o, d);
        }

        void error(CellError e) {
            ObjectNode o = list.addObject();
            o.put("output_type", "error");
            o.put("ename", e.ename());
            o.put("evalue", e.evalue());
            ArrayNode tb = o.putArray("traceback");
            e.traceback().forEach(tb::add);
        }

        /** The display data's {@code data} and {@code metadata} as the kernel sends them (jjava serializes with Gson). */
        private static void bundle(ObjectNode o, org.dflib.jjava.jupyter.kernel.display.DisplayData d) {
            try {
                JsonNode sent = JSON.readTree(GSON.toJson(d));
                o.set("data", sent.path("data").isObject() ? sent.get("data") : JsonNodeFactory.instance.objectNode());
                o.set("metadata", sent.path("metadata").isObject() ? sent.get("metadata") : JsonNodeFactory.instance.objectNode());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("display data that is not JSON: " + e.getOriginalMessage(), e);
            }
        }
    }

    /**
     * Makes the notebook nbformat 4.5 as nbformat writes it: a cell id on every cell, multi-line text as lists of lines
     * (sources, streams, text and SVG data), the kernelspec and language in the notebook's metadata.
     */
    static void normalize(ObjectNode nb) {
        nb.put("nbformat", 4);
        nb.put("nbformat_minor", Math.max(5, nb.path("nbformat_minor").asInt()));
        ObjectNode meta = nb.with("metadata");
        if (!meta.has("kernelspec")) {
            ObjectNode k = meta.putObject("kernelspec");
            k.put("name", KernelSpec.NAME);
            k.put("display_name", KernelSpec.DISPLAY_NAME);
            k.put("language", "groovy");
        }
        int n = 0;
        for (JsonNode c : nb.get("cells")) {
            ObjectNode cell = (ObjectNode) c;
            n++;
            if (!cell.hasNonNull("id")) {
                cell.put("id", String.format(Locale.ROOT, "cell-%d", n));
            }
            if (!cell.has("metadata")) {
                cell.putObject("metadata");
            }
            cell.set("source", lines(source(cell)));
            if (cell.path("cell_type").asText().equals("code")) {
                for (JsonNode o : cell.withArray("outputs")) {
                    ObjectNode out = (ObjectNode) o;
                    if (out.has("text")) {
                        out.set("text", lines(joined(out.get("text"))));
                    }
                    if (out.get("data") instanceof ObjectNode data) {
                        List<String> keys = new ArrayList<>();
                        data.fieldNames().forEachRemaining(keys::add);
                        for (String k : keys) {
                            if ((k.startsWith("text/") || k.equals("image/svg+xml") || k.equals("application/javascript")) && data.get(k).isTextual()) {
                                data.set(k, lines(data.get(k).asText()));
                            }
                        }
                    }
                }
            }
        }
    }

    private static String joined(JsonNode text) {
        if (text.isArray()) {
            StringBuilder sb = new StringBuilder();
            text.forEach(l -> sb.append(l.asText()));
            return sb.toString();
        }
        return text.asText();
    }

    /** {@code s} split after each newline, as Python's {@code splitlines(True)}. */
    static ArrayNode lines(String s) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                a.add(s.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < s.length()) {
            a.add(s.substring(start));
        }
        return a;
    }

    /**
     * The notebook's violations of nbformat 4.5's JSON schema, one line each ({@code $.cells[2].outputs[0]: ...});
     * empty when it is valid.
     */
    public static List<String> validate(JsonNode notebook) {
        return schema().validate(notebook).stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.toList());
    }

    private static JsonSchema schema;

    private static synchronized JsonSchema schema() {
        if (schema == null) {
            try (InputStream in = NotebookRunner.class.getResourceAsStream("nbformat.v4.5.schema.json")) {
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read nbformat's schema from the jar: " + e.getMessage(), e);
            }
        }
        return schema;
    }

    /**
     * The notebook as Jupyter writes a file: keys sorted, one blank of indent per level, {@code "key": value}, non-ASCII
     * characters as they are, a newline at the end — so a notebook saved by Jupyter and re-run by skoop differs only
     * where its outputs do.
     */
    public static String text(JsonNode notebook) throws JsonProcessingException {
        return JSON.writer(new JupyterPrinter()).writeValueAsString(sorted(notebook)) + "\n";
    }

    /** Python's {@code json.dumps(indent=1)} layout: one blank per level, {@code "key": value}, {@code []} and {@code {}} when empty. */
    private static final class JupyterPrinter extends com.fasterxml.jackson.core.util.DefaultPrettyPrinter {
        private static final long serialVersionUID = 1L;

        JupyterPrinter() {
            com.fasterxml.jackson.core.util.DefaultIndenter one = new com.fasterxml.jackson.core.util.DefaultIndenter(" ", "\n");
            indentObjectsWith(one);
            indentArraysWith(one);
            _separators = com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER);
            _objectFieldValueSeparatorWithSpaces = ": ";
        }

        @Override
        public JupyterPrinter createInstance() {
            return new JupyterPrinter();
        }

        @Override
        public void writeEndArray(com.fasterxml.jackson.core.JsonGenerator g, int values) throws IOException {
            if (values > 0) {
                super.writeEndArray(g, values);
            } else {
                _nesting--;
                g.writeRaw(']');
            }
        }

        @Override
        public void writeEndObject(com.fasterxml.jackson.core.JsonGenerator g, int entries) throws IOException {
            if (entries > 0) {
                super.writeEndObject(g, entries);
            } else {
                _nesting--;
                g.writeRaw('}');
            }
        }
    }

    /** A copy of {@code n} with every object's keys sorted. */
    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            keys.stream().sorted().forEach(k -> o.set(k, sorted(n.get(k))));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            n.forEach(x -> a.add(sorted(x)));
            return a;
        }
        return n;
    }

    /**
     * Writes {@code notebook} to {@code file} after validating it.
     *
     * @throws IllegalStateException when it does not validate (a bug: the runner made it)
     */
    public static void write(ObjectNode notebook, Path file) throws IOException {
        Files.writeString(file, validText(notebook), StandardCharsets.UTF_8);
    }

    /**
     * The notebook as {@link #write} writes it (nbformat 4.5 JSON, one-space indent as Jupyter saves), checked first.
     *
     * @throws IllegalStateException when what skoop made is not valid nbformat (a skoop bug)
     */
    public static String validText(ObjectNode notebook) throws IOException {
        List<String> problems = validate(notebook);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the notebook skoop made is not valid nbformat 4.5 (please report): " + String.join("; ", problems));
        }
        return text(notebook);
    }
}
