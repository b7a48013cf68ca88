package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A label selector ({@code meta/v1 LabelSelector}): "the result of matchLabels and matchExpressions are ANDed. An empty
 * label selector matches all objects." Operators as in k8s.io/apimachinery's {@code LabelSelectorAsSelector}:
 * {@code In} (the label is present with one of the values), {@code NotIn} (absent, or present with none of the values),
 * {@code Exists}, {@code DoesNotExist}.
 *
 * @param matchLabels      {@code matchLabels}: each key must carry exactly that value
 * @param matchExpressions {@code matchExpressions}
 */
public record KLabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    /** {@code {}}: selects everything. */
    public static final KLabelSelector ALL = new KLabelSelector(Map.of(), List.of());

    public KLabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    /**
     * One {@code matchExpressions} entry.
     *
     * @param key      the label key
     * @param operator In, NotIn, Exists or DoesNotExist
     * @param values   the values (In/NotIn: at least one; Exists/DoesNotExist: none)
     */
    public record Requirement(String key, String operator, List<String> values) {
        private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

        public Requirement {
            values = values == null ? List.of() : List.copyOf(values);
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("a matchExpressions entry needs a key");
            }
            if (!OPERATORS.contains(operator)) {
                throw new IllegalArgumentException("matchExpressions operator '" + operator + "' of key " + key
                        + ": expected In, NotIn, Exists or DoesNotExist");
            }
            if ((operator.equals("In") || operator.equals("NotIn")) && values.isEmpty()) {
                throw new IllegalArgumentException("matchExpressions " + key + " " + operator + " needs values");
            }
            if ((operator.equals("Exists") || operator.equals("DoesNotExist")) && !values.isEmpty()) {
                throw new IllegalArgumentException("matchExpressions " + key + " " + operator + " takes no values");
            }
        }

        /** Whether {@code labels} satisfy this requirement. */
        public boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case "In" -> v != null && values.contains(v);
                case "NotIn" -> v == null || !values.contains(v);
                case "Exists" -> v != null;
                default -> v == null;
            };
        }

        /** {@code app in (web,api)}, {@code !tier}: kubectl's selector syntax. */
        @Override
        public String toString() {
            return switch (operator) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                default -> "!" + key;
            };
        }
    }

    /** Whether an object with {@code labels} is selected. */
    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return matchExpressions.stream().allMatch(r -> r.matches(labels));
    }

    /** True for {@code {}}. */
    public boolean selectsAll() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    /** kubectl's selector syntax, {@code app=web,tier in (a,b)}; {@code {}} for an empty selector. */
    @Override
    public String toString() {
        if (selectsAll()) {
            return "{}";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(matchLabels).forEach((k, v) -> parts.add(k + "=" + v));
        matchExpressions.forEach(r -> parts.add(r.toString()));
        return String.join(",", parts);
    }

    @JsonCreator
    static KLabelSelector of(@JsonProperty("matchLabels") Map<String, String> matchLabels,
                             @JsonProperty("matchExpressions") List<Requirement> matchExpressions) {
        return new KLabelSelector(matchLabels == null ? Map.of() : matchLabels, Wire.orEmpty(matchExpressions));
    }
}
