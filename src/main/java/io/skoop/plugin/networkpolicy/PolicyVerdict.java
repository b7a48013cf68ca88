package io.skoop.plugin.networkpolicy;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.List;

/**
 * What the cluster's policies intend for one connection ({@link PolicyEvaluator#evaluate}): the egress side (the
 * source pod's policies) and the ingress side (the destination pod's); the connection is allowed when both sides
 * allow it. Replies of an allowed connection are always allowed (NetworkPolicies are stateful).
 *
 * @param source      the client's address
 * @param destination the server's address (a pod's, after any Service translation: policies see pod addresses)
 * @param port        the destination port
 * @param protocol    TCP, UDP or SCTP
 * @param egress      the source's side
 * @param ingress     the destination's side
 */
public record PolicyVerdict(Ip source, Ip destination, int port, Protocol protocol, Side egress, Side ingress) {

    /** How one side ends. */
    public enum Decision {
        /** The party is not a pod with a namespace of its own (a node, a hostNetwork pod, an outside address). */
        NOT_A_POD,
        /** A pod's traffic to itself or to/from its own node: Kubernetes always allows it. */
        ALWAYS_ALLOWED,
        /** No policy isolates the pod in this direction. */
        NOT_ISOLATED,
        /** A rule allows it. */
        ALLOWED,
        /** A rule denies it, or the pod is isolated and no rule allows it. */
        DENIED;

        /** True unless DENIED. */
        public boolean allows() {
            return this != DENIED;
        }
    }

    /**
     * The rule that decided: {@code NetworkPolicy default/allow-web ingress[0] from[1] ports[0]}.
     *
     * @param policy the policy ({@code NetworkPolicy default/allow-web}, {@code AdminNetworkPolicy deny-db})
     * @param rule   {@code ingress[i]} or {@code egress[j]}, with the ANP rule's name in parentheses when it has one
     * @param peer   the index of the peer that matched in {@code from}/{@code to}, or -1 when the rule has none (all
     *               peers)
     * @param port   the index of the port that matched, or -1 when the rule has none (all ports)
     * @param action Allow, Deny or Pass
     */
    public record RuleRef(String policy, String rule, int peer, int port, String action) {
        @Override
        public String toString() {
            String peers = rule.startsWith("ingress") ? "from" : "to";
            return policy + " " + rule + (peer >= 0 ? " " + peers + "[" + peer + "]" : "") + (port >= 0 ? " ports[" + port + "]" : "");
        }
    }

    /**
     * One side of the connection.
     *
     * @param direction  Ingress or Egress
     * @param pod        the pod whose policies decide ({@code default/web-2}), or null when the party is no pod
     * @param decision   how it ends
     * @param selectedBy the policies selecting the pod for this direction, in evaluation order (AdminNetworkPolicies
     *                   by priority, NetworkPolicies by namespace/name, the BaselineAdminNetworkPolicy)
     * @param rule       the rule that decided, or null (not isolated, denied by default, not a pod)
     * @param reason     one line: why
     * @param trace      every policy and rule looked at and why it did or did not match, in order
     */
    public record Side(String direction, String pod, Decision decision, List<String> selectedBy, RuleRef rule, String reason,
                       List<String> trace) {
        public Side {
            selectedBy = List.copyOf(selectedBy);
            trace = List.copyOf(trace);
        }
    }

    /** True when both sides allow the connection. */
    public boolean allowed() {
        return egress.decision().allows() && ingress.decision().allows();
    }

    /** The side that denies (egress first), or null when allowed. */
    public Side denyingSide() {
        return !egress.decision().allows() ? egress : !ingress.decision().allows() ? ingress : null;
    }

    /** {@code allowed: …} or {@code denied: …}: the deciding reason(s) in one line. */
    public String explain() {
        Side d = denyingSide();
        if (d != null) {
            return "denied: " + d.reason();
        }
        return "allowed: egress " + egress.reason() + "; ingress " + ingress.reason();
    }
}
