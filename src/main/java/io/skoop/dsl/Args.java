package io.skoop.dsl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one verb call, as a script passes them: Groovy puts named arguments ({@code from: '10.0.0.1'})
 * into a Map before the positional ones. Typed getters fail with the verb's signature.
 */
public final class Args {
    private final VerbDescriptor verb;
    private final Map<String, Object> named = new LinkedHashMap<>();
    private final List<Object> positional = new ArrayList<>();

    /**
     * @param verb the verb being called (for messages)
     * @param args the call's arguments; a leading Map holds the named ones
     * @throws IllegalArgumentException for a named argument the verb does not have, or too many positional ones
     */
    public Args(VerbDescriptor verb, Object[] args) {
        this.verb = verb;
        int i = 0;
        if (args != null && args.length > 0 && args[0] instanceof Map<?, ?> m) {
            m.forEach((k, v) -> named.put(String.valueOf(k), v));
            i = 1;
        }
        for (; args != null && i < args.length; i++) {
            positional.add(args[i]);
        }
        for (String k : named.keySet()) {
            if (verb.params().stream().noneMatch(p -> p.name().equals(k))) {
                throw new IllegalArgumentException(verb.name() + " has no parameter '" + k + "': " + verb.signature());
            }
        }
        if (positional.size() > verb.params().size()) {
            throw new IllegalArgumentException(verb.name() + " takes at most " + verb.params().size() + " arguments, got "
                    + positional.size() + ": " + verb.signature());
        }
    }

    /** The verb being called (its name starts the messages of the errors it reports). */
    public VerbDescriptor verb() {
        return verb;
    }

    /** The parameter {@code name}: named, else positional by its place in the descriptor; null when absent. */
    public Object get(String name) {
        if (named.containsKey(name)) {
            return named.get(name);
        }
        for (int i = 0; i < verb.params().size() && i < positional.size(); i++) {
            if (verb.params().get(i).name().equals(name)) {
                return positional.get(i);
            }
        }
        return null;
    }

    /** The parameter as text (any value's toString), or null. */
    public String string(String name) {
        Object v = get(name);
        return v == null ? null : String.valueOf(v);
    }

    /** A required parameter as text. @throws IllegalArgumentException naming it and the signature */
    public String requireString(String name) {
        String v = string(name);
        if (v == null) {
            throw new IllegalArgumentException(verb.name() + " needs " + name + ": " + verb.signature());
        }
        return v;
    }

    /** A parameter that must be of {@code type}, or null when absent. */
    public <T> T as(String name, Class<T> type) {
        Object v = get(name);
        if (v == null) {
            return null;
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(verb.name() + ": " + name + " must be a " + type.getSimpleName() + " (e.g. "
                    + verb.example() + "), got " + v.getClass().getSimpleName() + " '" + v + "'");
        }
        return type.cast(v);
    }

    /** A required parameter of {@code type}. */
    public <T> T require(String name, Class<T> type) {
        T v = as(name, type);
        if (v == null) {
            throw new IllegalArgumentException(verb.name() + " needs " + name + ": " + verb.signature());
        }
        return v;
    }
}
