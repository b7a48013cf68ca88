package io.skoop.snapshot.k8s;

/**
 * A status condition of a Node or Pod ({@code status.conditions[]}). Per the Kubernetes API, {@code status} is one
 * of {@code True}, {@code False} or {@code Unknown}.
 *
 * @param type    e.g. {@code Ready}, {@code NetworkUnavailable}, {@code ContainersReady}
 * @param status  {@code True}, {@code False} or {@code Unknown}
 * @param reason  machine-readable reason of the last transition, or null
 * @param message human-readable message, or null
 */
public record KCondition(String type, String status, String reason, String message) {

    /** True when {@code status} is {@code True}. */
    public boolean isTrue() {
        return "True".equals(status);
    }

    /** The condition of {@code type} among {@code conditions}, or null. */
    static KCondition find(java.util.List<KCondition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> c != null && type.equals(c.type())).findFirst().orElse(null);
    }
}
