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
 *     service:[required: true, help: 'namespace/name'])
 * }</pre>
 * Types: {@code String} (default), {@code int}, {@code boolean}. With {@code --help} the runner runs the script only up
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

        Described(List<Param> params, Map<String, Object> defaults) {
            super("runbook parameters described", null, false, false);
            this.params = List.copyOf(params);
            this.defaults = defaults;
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
                sb.append(String.format(Locale.ROOT, "  --param %-22s %s%s%n", p.name() + "=" + p.type().toUpperCase(Locale.ROOT), p.help(),
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
        for (Map.Entry<?, ?> e : spec.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("params: " + name + " must be declared as [type: ..., default: ..., help: ...]");
            }
            String type = m.get("type") == null ? "String" : String.valueOf(m.get("type"));
            if (!List.of("String", "int", "boolean").contains(type)) {
                throw new IllegalArgumentException("params: " + name + " has type '" + type + "'; types: String, int, boolean");
            }
            params.add(new Param(name, type, Boolean.TRUE.equals(m.get("required")), m.get("help") == null ? "" : String.valueOf(m.get("help"))));
            defaults.put(name, m.get("default"));
        }
        if (session.describeOnly()) {
            throw new Described(params, defaults);
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
            out.put(p.name(), convert(p, v));
        }
        return out;
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
