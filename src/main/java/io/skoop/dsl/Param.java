package io.skoop.dsl;

/**
 * One parameter of a DSL verb or of a runbook.
 *
 * @param name     its name (a named argument {@code name: value}, or the n-th positional one)
 * @param type     what it takes, as help shows it ({@code String}, {@code Endpoint}, {@code int}, ...)
 * @param required true when it must be given
 * @param help     one line
 */
public record Param(String name, String type, boolean required, String help) {
    /** A required parameter. */
    public static Param required(String name, String type, String help) {
        return new Param(name, type, true, help);
    }

    /** An optional parameter. */
    public static Param optional(String name, String type, String help) {
        return new Param(name, type, false, help);
    }

    @Override
    public String toString() {
        return required ? name : "[" + name + "]";
    }
}
