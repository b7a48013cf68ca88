package io.skoop.notebook;

import io.skoop.dsl.Verbs;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What Shift-Tab shows in a notebook (the kernel's answer to an {@code inspect_request}), for the name at the cursor —
 * or, when the cursor is not on a name, the call it is inside ({@code diagnose(pod('a'), |}):
 * <ul>
 * <li>a DSL verb: its help, generated from its descriptor (signature, summary, parameters, an example), and what it
 *     returns with that class's Javadoc summary;</li>
 * <li>a magic ({@code %diagnose}): its usage;</li>
 * <li>a variable of the session: its type and value (shortened), the class's Javadoc summary and its members with
 *     theirs;</li>
 * <li>a member after a value ({@code d.explain}): that method's Javadoc summary.</li>
 * </ul>
 * Summaries come from the {@link JavadocIndex} the build makes.
 */
public final class Inspector {
    private static final Verbs VERBS = Verbs.standard();
    private static final int VALUE_CHARS = 300;

    private final CellEvaluator evaluator;
    private final Completions completions;
    private JavadocIndex javadoc;

    /** An inspector over the evaluator's session, with the shipped Javadoc index. */
    public Inspector(CellEvaluator evaluator) {
        this.evaluator = evaluator;
        this.completions = new Completions(evaluator);
    }

    /** The index, read on the first inspection (not at the kernel's start). */
    private JavadocIndex javadoc() {
        if (javadoc == null) {
            javadoc = JavadocIndex.load();
        }
        return javadoc;
    }

    /**
     * The text to show for the name at {@code cursor} (a char index into {@code code}), or null when there is nothing
     * to say.
     */
    public String inspect(String code, int cursor) {
        int c = Math.max(0, Math.min(cursor, code.length()));
        int start = c;
        while (start > 0 && Character.isJavaIdentifierPart(code.charAt(start - 1))) {
            start--;
        }
        int end = c;
        while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
            end++;
        }
        if (start == end) {
            int open = enclosingCall(code, c);
            if (open < 0) {
                return null;
            }
            end = open;
            start = end;
            while (start > 0 && Character.isJavaIdentifierPart(code.charAt(start - 1))) {
                start--;
            }
            if (start == end) {
                return null;
            }
        }
        String name = code.substring(start, end);
        if (start > 0 && code.charAt(start - 1) == '%') {
            return evaluator.magics().usage(name);
        }
        if (start > 0 && code.charAt(start - 1) == '.') {
            Class<?> type = completions.typeBefore(code, start - 1);
            return type == null ? null : member(type, name);
        }
        if (evaluator.binding().hasVariable(name) && !name.startsWith("skoop")) {
            return variable(name, evaluator.binding().getVariable(name));
        }
        return VERBS.find(name).map(v -> {
            Class<?> r = v.descriptor().returns();
            String s = r == Object.class ? null : javadoc().of(r);
            return v.descriptor().help() + (r == Object.class ? "" : "returns " + r.getName() + (s == null ? "" : ": " + s) + "\n");
        }).orElse(null);
    }

    /** The index of the '(' of the innermost call {@code cursor} is inside, or -1. */
    private static int enclosingCall(String code, int cursor) {
        int depth = 0;
        for (int i = cursor - 1; i >= 0; i--) {
            char ch = code.charAt(i);
            if (ch == ')') {
                depth++;
            } else if (ch == '(') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (ch == '\n' && depth == 0) {
                return -1;
            }
        }
        return -1;
    }

    private String variable(String name, Object value) {
        StringBuilder sb = new StringBuilder(name).append(": ");
        if (value == null) {
            return sb.append("null\n").toString();
        }
        Class<?> type = value.getClass();
        sb.append(type.getName()).append('\n');
        String text = String.valueOf(value);
        sb.append("value: ").append(text.length() > VALUE_CHARS ? text.substring(0, VALUE_CHARS) + "…" : text).append('\n');
        String s = javadoc().of(type);
        if (s != null) {
            sb.append('\n').append(s).append('\n');
        }
        TreeMap<String, String> members = new TreeMap<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class || m.isSynthetic() || m.getName().contains("$")) {
                continue;
            }
            String doc = javadoc().of(type, m.getName());
            if (doc != null) {
                String shown = Optional.ofNullable(Completions.property(m)).orElse(m.getName() + "(" + params(m) + ")");
                members.putIfAbsent(shown, doc);
            }
        }
        if (!members.isEmpty()) {
            sb.append("\nmembers:\n");
            members.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-22s %s%n", k, v)));
        }
        return sb.toString();
    }

    private String member(Class<?> type, String name) {
        List<Method> ms = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(name) || name.equals(Completions.property(m)))
                .sorted(Comparator.comparingInt(Method::getParameterCount)).toList();
        if (ms.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Method m : ms) {
            sb.append(m.getReturnType().getSimpleName()).append(' ').append(type.getSimpleName()).append('.').append(m.getName())
                    .append('(').append(params(m)).append(")\n");
        }
        String doc = javadoc().of(type, ms.get(0).getName());
        return doc == null ? sb.toString() : sb.append('\n').append(doc).append('\n').toString();
    }

    private static String params(Method m) {
        return String.join(", ", Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).toList());
    }
}
