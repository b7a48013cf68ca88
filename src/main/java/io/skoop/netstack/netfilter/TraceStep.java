package io.skoop.netstack.netfilter;

import io.skoop.model.Packet;

/**
 * One typed step of a trace. Which fields are set depends on {@link #kind()}:
 * <ul>
 * <li>RULE: hook, table, chain, rule (1-based), text, result (MATCH / NO_MATCH / UNKNOWN), target,
 *     before/after (when the target changed the packet), detail (e.g. the assumption made on UNKNOWN:
 *     on the "assumed to match" branch the rule's step is UNKNOWN and carries the target's effect).</li>
 * <li>POLICY: the built-in chain's policy applied (target ACCEPT/DROP).</li>
 * <li>CONNTRACK / CONFIRM: conntrack lookup (detail: state, tuples) and confirmation.</li>
 * <li>NAT: a translation not made by a rule: the connection's remembered binding (reverse NAT), or nat skipped.</li>
 * <li>ROUTING: a routing decision of the {@link RoutingOracle} (detail: the decision).</li>
 * <li>IPVS: IPVS took a new connection to a virtual service ({@link IpvsHook}): table {@code ipvs}, chain the virtual
 *     service ({@code -t 10.96.0.10:53}), rule the real server's position in it (0 when none), text the real server as
 *     {@code ipvsadm -Sn} saves it, target the forwarding method (or DROP), before/after the NAT, detail the scheduler,
 *     weight and share.</li>
 * <li>BRANCH: the trace forked (statistic, NAT range or UNKNOWN); detail says which branch this is.</li>
 * <li>VERDICT: the branch's end.</li>
 * </ul>
 *
 * <p>An nftables rule's step is a RULE step too: its table is {@code "family name"} as nft names it
 * ({@code inet kube-proxy}: {@link #nft()} is true) and its rule is the rule's handle.
 *
 * @param kind   the step kind
 * @param hook   the hook, or null (ROUTING between hooks)
 * @param table  the table (iptables: its name; nftables: {@code family name}), or null
 * @param chain  the chain, or null
 * @param rule   the rule number within the chain (nftables: the rule's handle), 0 when not a rule
 * @param text   the rule text as dumped, or null
 * @param result the rule's match result, or null
 * @param target the target name applied, or null
 * @param before the packet before the step (only when it changed)
 * @param after  the packet after the step (only when it changed)
 * @param detail human-readable detail, or null
 */
public record TraceStep(Kind kind, Hook hook, String table, String chain, int rule, String text, Tri result,
                        String target, Packet before, Packet after, String detail) {
    /** Step kinds. */
    public enum Kind { RULE, POLICY, CONNTRACK, CONFIRM, NAT, ROUTING, BRANCH, VERDICT, IPVS }

    /** True when the step is about an nftables table (its table is {@code family name}; its rule a handle). */
    public boolean nft() {
        return table != null && table.indexOf(' ') > 0;
    }

    /** True when this step names a rule that matched (not one only assumed to match: those are UNKNOWN). */
    public boolean matched() {
        return kind == Kind.RULE && result == Tri.MATCH;
    }

    /** One line for a terminal. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-11s", kind == Kind.RULE ? result : kind));
        if (hook != null) {
            sb.append(' ').append(hook);
        }
        if (table != null) {
            sb.append(' ').append(table);
        }
        if (chain != null) {
            sb.append(' ').append(chain);
            if (rule > 0) {
                sb.append(nft() ? " handle " : "#").append(rule);
            }
        }
        if (text != null) {
            sb.append("  ").append(text);
        } else if (target != null) {
            sb.append(" -> ").append(target);
        }
        if (before != null && after != null && !before.equals(after)) {
            sb.append("  [").append(before).append(" => ").append(after).append(']');
        }
        if (detail != null) {
            sb.append("  (").append(detail).append(')');
        }
        return sb.toString();
    }
}
