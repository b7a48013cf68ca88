package io.skoop.notebook;

import io.skoop.dsl.Session;
import io.skoop.dsl.VerbDescriptor;
import io.skoop.dsl.Verbs;
import io.skoop.snapshot.Snapshot;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;
import io.skoop.snapshot.k8s.KubeObjects;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * What Tab completes in a cell (and what the kernel answers a {@code complete_request} with):
 * <ul>
 * <li>after {@code %} at a line's start: the magics; after {@code %diagnose }: the snapshot's endpoints as
 *     {@code skoop diagnose} writes them ({@code default/client}, {@code node/node-1}, {@code svc/default/web});
 *     after {@code %example }: the examples;</li>
 * <li>inside the string of {@code pod('}, {@code node('}, {@code service('}, {@code ip('} or {@code example('}: the
 *     snapshot's pods ({@code namespace/name}), nodes, Services, addresses, or the examples;</li>
 * <li>after {@code value.}: the members of a variable's value (or of a property chain of it, {@code d.diagnosis.}), or
 *     of what a verb returns ({@code diagnose(...).}) — methods as {@code name(} ({@code name()} without parameters),
 *     bean properties by name ({@code verdict} for {@code getVerdict()});</li>
 * <li>elsewhere: the DSL's verbs, the session's variables, {@code tcp}, {@code udp}, {@code help}, {@code display}.</li>
 * </ul>
 * Nothing is evaluated but property reads of values already in the session.
 */
public final class Completions {
    /**
     * The candidates and the part of the code they replace.
     *
     * @param start   where the replaced text starts (a char index in the code)
     * @param end     where it ends (exclusive)
     * @param matches the candidates, each the whole replacement
     */
    public record Completion(int start, int end, List<String> matches) {
    }

    private static final Verbs VERBS = Verbs.standard();
    private static final List<String> EXTRAS = List.of("tcp", "udp", "help", "display", "displays");
    private static final Pattern STRING_ARG = Pattern.compile("\\b(pod|node|service|ip|example|snapshot)\\(\\s*(['\"])([^'\"]*)$");
    private static final Pattern MAGIC = Pattern.compile("^\\s*(?:[\\p{L}_$][\\p{L}\\p{N}_$]*\\s*=\\s*)?(%%?)(\\w*)$");
    private static final Pattern MAGIC_ARG = Pattern.compile("^\\s*(?:[\\p{L}_$][\\p{L}\\p{N}_$]*\\s*=\\s*)?%(\\w+)\\s+(.*?)(\\S*)$");
    private static final Set<String> OBJECT_NOISE = Set.of("wait", "notify", "notifyAll", "getClass", "hashCode", "equals",
            "getMetaClass", "setMetaClass", "invokeMethod", "getProperty", "setProperty");

    private final CellEvaluator evaluator;

    /** Completions over the evaluator's session and variables. */
    public Completions(CellEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    /**
     * The candidates at {@code cursor}.
     *
     * @param code   the whole cell
     * @param cursor the cursor, a char index into {@code code}
     */
    public Completion complete(String code, int cursor) {
        int c = Math.max(0, Math.min(cursor, code.length()));
        int end = c;
        while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
            end++;
        }
        String line = code.substring(code.lastIndexOf('\n', c - 1) + 1, c);

        Matcher m = MAGIC.matcher(line);
        if (m.matches()) {
            List<String> names = m.group(1).equals("%%") ? evaluator.magics().cellNames() : evaluator.magics().lineNames();
            return result(c - m.group(2).length(), end, names.stream().filter(n -> n.startsWith(m.group(2))).toList());
        }
        Matcher arg = MAGIC_ARG.matcher(line);
        if (arg.matches()) {
            String word = arg.group(3);
            List<String> names = switch (arg.group(1)) {
                case "diagnose" -> endpointSpecs();
                case "example", "lab" -> List.copyOf(Snapshot.examples().keySet());
                case "pods" -> arg.group(2).matches(".*(-n|--namespace)\\s*") ? namespaces() : List.of();
                case "verbs" -> VERBS.descriptors().stream().map(VerbDescriptor::name).toList();
                default -> List.of();
            };
            return result(c - word.length(), endOfWord(code, c), names.stream().filter(n -> n.startsWith(word)).toList());
        }
        Matcher s = STRING_ARG.matcher(line);
        if (s.find()) {
            String prefix = s.group(3);
            List<String> names = switch (s.group(1)) {
                case "pod" -> objects() == null ? List.of() : objects().pods().stream().map(KPod::key).toList();
                case "node" -> objects() == null ? List.of() : objects().nodes().stream().map(KNode::name).toList();
                case "service" -> objects() == null ? List.of() : objects().services().stream().map(KService::key).toList();
                case "ip" -> addresses();
                case "example" -> List.copyOf(Snapshot.examples().keySet());
                default -> List.of();
            };
            return result(c - prefix.length(), endOfWord(code, c), names.stream().filter(n -> n.startsWith(prefix)).toList());
        }

        int start = c;
        while (start > 0 && Character.isJavaIdentifierPart(code.charAt(start - 1))) {
            start--;
        }
        String word = code.substring(start, c);
        if (start > 0 && code.charAt(start - 1) == '.') {
            Class<?> type = typeBefore(code, start - 1);
            if (type == null) {
                return result(start, end, List.of());
            }
            return result(start, end, members(type).stream().filter(n -> n.startsWith(word)).toList());
        }
        Set<String> names = new TreeSet<>();
        VERBS.descriptors().forEach(d -> names.add(d.name()));
        names.addAll(EXTRAS);
        names.addAll(evaluator.userVariables());
        return result(start, end, names.stream().filter(n -> n.startsWith(word)).toList());
    }

    private static Completion result(int start, int end, List<String> matches) {
        return new Completion(start, end, matches);
    }

    private static int endOfWord(String code, int c) {
        int e = c;
        while (e < code.length() && !Character.isWhitespace(code.charAt(e)) && "'\"),".indexOf(code.charAt(e)) < 0) {
            e++;
        }
        return e;
    }

    private KubeObjects objects() {
        Session s = evaluator.session();
        return s.hasSnapshot() ? s.snapshot().objects() : null;
    }

    private List<String> endpointSpecs() {
        KubeObjects k = objects();
        return k == null ? List.of() : endpointSpecs(k);
    }

    /** Every endpoint of {@code k} as {@code skoop diagnose} writes them: {@code ns/pod}, {@code node/NAME}, {@code svc/ns/name}. */
    public static List<String> endpointSpecs(KubeObjects k) {
        List<String> out = new ArrayList<>(k.pods().stream().map(KPod::key).toList());
        k.nodes().forEach(n -> out.add("node/" + n.name()));
        k.services().forEach(x -> out.add("svc/" + x.key()));
        return out;
    }

    private List<String> namespaces() {
        KubeObjects k = objects();
        return k == null ? List.of() : k.pods().stream().map(KPod::namespace).distinct().sorted().toList();
    }

    private List<String> addresses() {
        KubeObjects k = objects();
        if (k == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        k.pods().forEach(p -> p.podIPs().forEach(ip -> out.add(ip.toString())));
        k.nodes().forEach(n -> n.internalIPs().forEach(ip -> out.add(ip.toString())));
        k.services().forEach(x -> x.clusterIPs().forEach(ip -> out.add(ip.toString())));
        return List.copyOf(out);
    }

    /**
     * The type of the expression that ends just before {@code dot}: a variable of the session (its value's class), a
     * property chain of one ({@code d.diagnosis}), or a verb call (the verb's declared return type). Null when unknown.
     */
    Class<?> typeBefore(String code, int dot) {
        int i = dot;
        if (i > 0 && code.charAt(i - 1) == ')') {
            int depth = 0;
            int j = i - 1;
            for (; j >= 0; j--) {
                char ch = code.charAt(j);
                if (ch == ')') {
                    depth++;
                } else if (ch == '(' && --depth == 0) {
                    break;
                }
            }
            int k = j;
            while (k > 0 && Character.isJavaIdentifierPart(code.charAt(k - 1))) {
                k--;
            }
            String verb = j > 0 ? code.substring(k, j) : "";
            if (k > 0 && code.charAt(k - 1) == '.') {
                return null; // a method of a value: its result is unknown without running it
            }
            return VERBS.find(verb).map(v -> v.descriptor().returns()).filter(t -> t != Object.class).orElse(null);
        }
        int start = i;
        while (start > 0 && (Character.isJavaIdentifierPart(code.charAt(start - 1)) || code.charAt(start - 1) == '.')) {
            start--;
        }
        String[] chain = code.substring(start, i).split("\\.");
        if (chain.length == 0 || chain[0].isEmpty() || !evaluator.binding().hasVariable(chain[0])) {
            return null;
        }
        Object value = evaluator.binding().getVariable(chain[0]);
        try {
            for (int n = 1; n < chain.length && value != null; n++) {
                value = InvokerHelper.getProperty(value, chain[n]);
            }
        } catch (RuntimeException e) {
            return null;
        }
        return value == null ? null : value.getClass();
    }

    /** The public instance members of {@code type} as completions: {@code name(}/{@code name()} and bean properties. */
    static List<String> members(Class<?> type) {
        Set<String> out = new TreeSet<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic() || OBJECT_NOISE.contains(m.getName()) || m.getName().contains("$")) {
                continue;
            }
            out.add(m.getName() + (m.getParameterCount() == 0 ? "()" : "("));
            String p = property(m);
            if (p != null) {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** {@code getVerdict()} → {@code verdict}, {@code isReachable()} → {@code reachable}; null for other methods. */
    static String property(Method m) {
        String n = m.getName();
        int skip = n.startsWith("get") && n.length() > 3 ? 3 : n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class ? 2 : 0;
        if (skip == 0 || m.getParameterCount() != 0 || !Character.isUpperCase(n.charAt(skip))) {
            return null;
        }
        return n.substring(skip, skip + 1).toLowerCase(Locale.ROOT) + n.substring(skip + 1);
    }
}
