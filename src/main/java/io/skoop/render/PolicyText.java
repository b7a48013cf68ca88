package io.skoop.render;

import io.skoop.plugin.networkpolicy.PolicyEvaluator;
import io.skoop.plugin.networkpolicy.PolicyVerdict;
import java.util.List;

/**
 * Policy intent as text ({@code skoop policy}, the DSL's {@code policy(...)}): per pair the verdict, each side's
 * decision and reason, and with {@code explain} every policy and rule looked at.
 */
public final class PolicyText {
    private PolicyText() {
    }

    /**
     * <pre>
     * 10.244.0.2 -> 10.244.1.2:8080/TCP: DENIED
     *   egress  default/client: NOT_ISOLATED: default/client is not isolated for egress (…)
     *   ingress default/web-2: DENIED: denied by the ingress of default/deny-all: it selects default/web-2 and …
     *     NetworkPolicy default/deny-all ingress: no rules (denies all ingress of the pods it selects)
     * </pre>
     *
     * @param explain also list each side's trace (the rules looked at, and why each did or did not match)
     */
    public static String verdicts(List<PolicyVerdict> verdicts, boolean explain) {
        StringBuilder sb = new StringBuilder();
        for (PolicyVerdict v : verdicts) {
            sb.append(v.source()).append(" -> ").append(v.destination()).append(':').append(v.port()).append('/').append(v.protocol())
                    .append(": ").append(v.allowed() ? "ALLOWED" : "DENIED").append('\n');
            for (PolicyVerdict.Side s : List.of(v.egress(), v.ingress())) {
                sb.append("  ").append(String.format("%-8s", s.direction().toLowerCase(java.util.Locale.ROOT)))
                        .append(s.pod() == null ? "-" : s.pod()).append(": ").append(s.decision()).append(": ").append(s.reason()).append('\n');
                if (explain) {
                    s.trace().forEach(t -> sb.append("    ").append(t).append('\n'));
                }
            }
        }
        return sb.toString();
    }

    /**
     * <pre>
     * default/web-2
     *   ingress: NetworkPolicy default/deny-all, NetworkPolicy default/allow-client
     *   egress:  none (not isolated)
     * </pre>
     */
    public static String applying(String pod, PolicyEvaluator.Applying a) {
        return pod + "\n  ingress: " + list(a.ingress()) + "\n  egress:  " + list(a.egress()) + "\n";
    }

    private static String list(List<String> policies) {
        return policies.isEmpty() ? "none (not isolated)" : String.join(", ", policies);
    }
}
