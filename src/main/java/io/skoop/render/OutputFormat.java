package io.skoop.render;

import io.skoop.diagnose.Diagnosis;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The formats a diagnosis renders to, by the names the command line takes ({@code skoop diagnose -o NAME}, as
 * kubectl's {@code -o}), each backed by one renderer of this package.
 */
public enum OutputFormat {
    /** for a terminal: {@link TextRenderer} */
    TEXT,
    /** for a terminal, with every hop's decisions (routes, rules, lookups): {@link TextRenderer} explaining */
    WIDE,
    /** for programs: {@link JsonRenderer}, schema in docs/diagnose-json.md */
    JSON,
    /** the JSON document as YAML (the same tree, {@link JsonRenderer#tree}) */
    YAML,
    /** Graphviz source: {@link DotRenderer} */
    DOT,
    /** a drawing as SVG: {@link ImageRenderer#svg} */
    SVG,
    /** a drawing as PNG: {@link ImageRenderer#png} */
    PNG,
    /** a web page: the summary, the drawing (SVG) and every hop's decisions, {@link HtmlRenderer#page} */
    HTML;

    /** The lower-case name, as the command line takes it. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for formats that are not text (PNG): they go to a file, never to a terminal. */
    public boolean binary() {
        return this == PNG;
    }

    /**
     * Renders {@code d}: UTF-8 text for the text formats, the image's bytes for PNG. SVG, PNG and HTML run Graphviz
     * ({@link LayoutEngine#auto()}).
     *
     * @param explain text only: also each hop's explanation lines (JSON always has them; DOT and images never)
     */
    public byte[] render(Diagnosis d, boolean explain) {
        return render(d, explain, TextRenderer.Screen.PLAIN);
    }

    /**
     * As {@link #render(Diagnosis, boolean)}, the text formats laid out for {@code screen} (a terminal's width and
     * colours; the other formats ignore it).
     */
    public byte[] render(Diagnosis d, boolean explain, TextRenderer.Screen screen) {
        return switch (this) {
            case TEXT -> utf8(new TextRenderer(explain, screen).render(d));
            case WIDE -> utf8(new TextRenderer(true, screen).render(d));
            case JSON -> utf8(new JsonRenderer().render(d));
            case YAML -> utf8(yaml(new JsonRenderer().tree(d)));
            case DOT -> utf8(new DotRenderer().render(d));
            case SVG -> utf8(new ImageRenderer().svg(d));
            case PNG -> new ImageRenderer().png(d);
            case HTML -> utf8(HtmlRenderer.page(d, new ImageRenderer().svg(d)));
        };
    }

    private static String yaml(com.fasterxml.jackson.databind.JsonNode tree) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper(com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder()
                    .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build())
                    .writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("YAML of a diagnosis", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The format called {@code name} (any case).
     *
     * @throws IllegalArgumentException naming the formats there are, e.g. {@code unknown format 'xml'; formats: text, wide, json, yaml, dot, svg, png, html}
     */
    public static OutputFormat parse(String name) {
        for (OutputFormat f : values()) {
            if (f.cliName().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; formats: "
                + Stream.of(values()).map(OutputFormat::cliName).collect(Collectors.joining(", ")));
    }
}
