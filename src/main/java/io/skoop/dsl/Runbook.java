package io.skoop.dsl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A runbook's declared parameters. A runbook (a DSL script run by {@code skoop run}) starts with
 * <pre>{@code
 * def p = params(
 *     source: [default: 'default/client', help: 'the client pod'],
 *     port:   [type: 'int', default: 80, help: 'the Service port'],
 *     service:[required: true, help: 'namespace/name'],
 *     protocol:[values: ['tcp', 'udp'], default: 'tcp', help: 'the protocol'])
 * }</pre>
 * Types: {@code String} (default), {@code int}, {@code boolean}; {@code values:} lists the only values allowed. With {@code --help} the runner runs the script only up
 * to this call, which throws {@link Described} carrying the parameters; otherwise the call returns the values given
 * with {@code --param name=value} (converted), or the defaults.
 */
public final class Runbook {
    private Runbook() {
    }

    /** Thrown by {@link #declare} when the runner only wants the parameters (for {@code --help}). */
    public static final class Described extends RuntimeException {
        private final List<Param> params;
        private final Map<String, Object> defaults;
        private final Map<String, List<String>> values;

        Described(List<Param> params, Map<String, Object> defaults, Map<String, List<String>> values) {
            super("runbook parameters described", null, false, false);
            this.params = List.copyOf(params);
            this.defaults = defaults;
            this.values = values;
        }

        /** The declared parameters, in order. */
        public List<Param> params() {
            return params;
        }

        /** The parameters' help, one line each, with types and defaults. */
        public String help() {
            StringBuilder sb = new StringBuilder();
            for (Param p : params) {
                Object d = defaults.get(p.name());
                List<String> allowed = values.get(p.name());
                String type = allowed != null ? String.join("|", allowed) : p.type().toUpperCase(Locale.ROOT);
                sb.append(String.format(Locale.ROOT, "  --param %-22s %s%s%n", p.name() + "=" + type, p.help(),
                        p.required() ? " (required)" : d == null ? "" : " (default: " + d + ")"));
            }
            return sb.toString();
        }
    }

    /**
     * Declares the runbook's parameters and returns their values.
     *
     * @param session the script's session (the values given on the command line, whether only to describe)
     * @param spec    name → {@code [type:, default:, required:, help:]}
     * @return name → value: given (converted to the type) or the default; null for an absent optional one
     * @throws Described                when the runner asked only for the parameters
     * @throws IllegalArgumentException for a missing required parameter, a value not of its type, a parameter given
     *                                  on the command line that the runbook does not declare, or a bad declaration
     */
    public static Map<String, Object> declare(Session session, Map<?, ?> spec) {
        List<Param> params = new ArrayList<>();
        Map<String, Object> defaults = new LinkedHashMap<>();
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : spec.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("params: " + name + " must be declared as [type: ..., default: ..., help: ...]");
            }
            for (Object k : m.keySet()) {
                if (!DECLARATION_KEYS.contains(String.valueOf(k))) {
                    throw new IllegalArgumentException("params: " + name + " declares '" + k + "'; a parameter takes "
                            + String.join(", ", DECLARATION_KEYS) + io.skoop.model.Names.didYouMean(String.valueOf(k), DECLARATION_KEYS));
                }
            }
            if (m.get("values") != null) {
                if (!(m.get("values") instanceof java.util.Collection<?> c) || c.isEmpty()) {
                    throw new IllegalArgumentException("params: " + name + " values: must be a non-empty list, e.g. ['tcp', 'udp']");
                }
                values.put(name, c.stream().map(String::valueOf).toList());
                if (m.get("default") != null && !values.get(name).contains(String.valueOf(m.get("default")))) {
                    throw new IllegalArgumentException("params: " + name + " has default '" + m.get("default") + "', which is not one of "
                            + values.get(name));
                }
            }
            String type = m.get("type") == null ? "String" : String.valueOf(m.get("type"));
            if (!List.of("String", "int", "boolean").contains(type)) {
                throw new IllegalArgumentException("params: " + name + " has type '" + type + "'; types: String, int, boolean");
            }
            params.add(new Param(name, type, Boolean.TRUE.equals(m.get("required")), m.get("help") == null ? "" : String.valueOf(m.get("help"))));
            defaults.put(name, m.get("default"));
        }
        if (session.describeOnly()) {
            throw new Described(params, defaults, values);
        }
        Map<String, String> given = session.given();
        for (String k : given.keySet()) {
            if (params.stream().noneMatch(p -> p.name().equals(k))) {
                throw new IllegalArgumentException("the runbook has no parameter '" + k + "'; parameters: "
                        + String.join(", ", params.stream().map(Param::name).toList())
                        + io.skoop.model.Names.didYouMean(k, params.stream().map(Param::name).toList()));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Param p : params) {
            String v = given.get(p.name());
            if (v == null) {
                if (p.required()) {
                    throw new IllegalArgumentException("the runbook needs --param " + p.name() + "=" + p.type().toUpperCase(Locale.ROOT)
                            + " (" + p.help() + ")");
                }
                out.put(p.name(), defaults.get(p.name()));
                continue;
            }
            List<String> allowed = values.get(p.name());
            if (allowed != null && !allowed.contains(v)) {
                throw new IllegalArgumentException("--param " + p.name() + "=" + v + ": not one of " + String.join(", ", allowed)
                        + io.skoop.model.Names.didYouMean(v, allowed));
            }
            out.put(p.name(), convert(p, v));
        }
        return out;
    }

    /** What a parameter's declaration may say. */
    private static final List<String> DECLARATION_KEYS = List.of("type", "default", "required", "help", "values");

    /**
     * A runbook's description: the comment lines it starts with (after a {@code #!} line), {@code //} or {@code /* *\/}
     * markers and a leading {@code *} removed, up to the first line that is not a comment; "" when it starts with code.
     */
    public static String description(String source) {
        List<String> out = new ArrayList<>();
        boolean block = false;
        for (String raw : source.split("\n", -1)) {
            String line = raw.strip();
            if (out.isEmpty() && !block && line.startsWith("#!")) {
                continue;
            }
            if (block) {
                int end = line.indexOf("*/");
                String text = (end >= 0 ? line.substring(0, end) : line).replaceFirst("^\\*+\\s?", "").strip();
                if (!text.isEmpty()) {
                    out.add(text);
                }
                if (end >= 0) {
                    block = false;
                }
                continue;
            }
            if (line.startsWith("//")) {
                out.add(line.substring(2).strip());
            } else if (line.startsWith("/*")) {
                String rest = line.substring(2).replaceFirst("^\\*+", "");
                int end = rest.indexOf("*/");
                String text = (end >= 0 ? rest.substring(0, end) : rest).strip();
                if (!text.isEmpty()) {
                    out.add(text);
                }
                block = end < 0;
            } else if (!line.isEmpty() || !out.isEmpty()) {
                break;
            }
        }
        return String.join("\n", out);
    }

    private static Object convert(Param p, String v) {
        switch (p.type()) {
            case "int" -> {
                try {
                    return Integer.parseInt(v.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--param " + p.name() + "=" + v + ": not an int");
                }
            }
            case "boolean" -> {
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException("--param " + p.name() + "=" + v + ": not true or false");
                }
                return Boolean.parseBoolean(v);
            }
            default -> {
                return v;
            }
        }
    }
}
