package io.skoop.dsl;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a DSL verb is (DESIGN.md §5, after Jenkins Pipeline's step descriptors): its name, a one-line summary, its
 * parameters and an example. Help and completion are generated from descriptors, never written by hand.
 *
 * @param name    the verb as written in a script ({@code diagnose})
 * @param summary one line
 * @param params  positional parameters first, in order; then named ones ({@code name: value})
 * @param example a line of DSL that uses it
 * @param returns what a call returns (IDE files name it; Object when it varies)
 */
public record VerbDescriptor(String name, String summary, List<Param> params, String example, Class<?> returns) {
    public VerbDescriptor {
        params = List.copyOf(params);
        returns = returns == null ? Object.class : returns;
    }

    /** A descriptor whose verb returns {@code Object}. */
    public VerbDescriptor(String name, String summary, List<Param> params, String example) {
        this(name, summary, params, example, Object.class);
    }

    /** This descriptor with the return type {@code type}. */
    public VerbDescriptor returning(Class<?> type) {
        return new VerbDescriptor(name, summary, params, example, type);
    }

    /** {@code name(a, b, [c])}. */
    public String signature() {
        return name + "(" + params.stream().map(Param::toString).collect(Collectors.joining(", ")) + ")";
    }

    /** The verb's help: signature, summary, each parameter, the example. */
    public String help() {
        StringBuilder sb = new StringBuilder(signature()).append("\n    ").append(summary).append('\n');
        for (Param p : params) {
            sb.append(String.format("      %-10s %-9s %s%n", p.name(), p.type(), p.help()));
        }
        return sb.append("    e.g. ").append(example).append('\n').toString();
    }
}
