package io.skoop.netstack.netfilter;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.skoop.model.Packet;
import java.util.Locale;

/**
 * One typed step of a netfilter trace, shared by iptables and nftables: each kind of decision is its own record
 * (as {@code io.skoop.netstack.route.Step} is for routing, and as Batfish's trace steps are), naming what decided.
 * Renderers, the DSL and notebooks switch on the type:
 * <ul>
 * <li>{@link RuleEvaluated}: a rule of an iptables chain or an nftables chain ({@link Origin}) and its result.</li>
 * <li>{@link BranchTaken}: the trace forked at a rule ({@code statistic}, {@code numgen}, a NAT range, an UNKNOWN match).</li>
 * <li>{@link PolicyApplied}: a base chain's policy.</li>
 * <li>{@link ConntrackLookup} / {@link ConntrackConfirmed}: conntrack's lookup ({@code nf_conntrack_in}) and
 *     confirmation ({@code __nf_conntrack_confirm}).</li>
 * <li>{@link NatBinding}: a translation not made by a rule (the connection's remembered binding), or nat not consulted.</li>
 * <li>{@link RoutingDecision}: a decision of the {@link RoutingOracle} (input / output route, reroute).</li>
 * <li>{@link IpvsScheduled}: IPVS took a new connection to a virtual service ({@link IpvsHook}).</li>
 * <li>{@link VerdictReached}: the branch's end.</li>
 * </ul>
 * {@link #toString()} is the one line a terminal shows ({@code MATCH      PREROUTING nat PREROUTING#1  -j KUBE-SERVICES}),
 * the same for both worlds but the rule's position: {@code #3} (iptables rule number) or {@code handle 12} (nftables).
 * As JSON each step carries {@code "step"} naming its kind ({@code rule}, {@code branch}, {@code policy}, …).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "step")
@JsonSubTypes({
        @JsonSubTypes.Type(value = TraceStep.RuleEvaluated.class, name = "rule"),
        @JsonSubTypes.Type(value = TraceStep.BranchTaken.class, name = "branch"),
        @JsonSubTypes.Type(value = TraceStep.PolicyApplied.class, name = "policy"),
        @JsonSubTypes.Type(value = TraceStep.ConntrackLookup.class, name = "conntrack"),
        @JsonSubTypes.Type(value = TraceStep.ConntrackConfirmed.class, name = "confirm"),
        @JsonSubTypes.Type(value = TraceStep.NatBinding.class, name = "nat"),
        @JsonSubTypes.Type(value = TraceStep.RoutingDecision.class, name = "routing"),
        @JsonSubTypes.Type(value = TraceStep.IpvsScheduled.class, name = "ipvs"),
        @JsonSubTypes.Type(value = TraceStep.VerdictReached.class, name = "verdict")})
public sealed interface TraceStep {

    /** The hook the step happened on; null for a routing decision between hooks. */
    Hook hook();

    /**
     * What the step is, in capitals as the text trace's first column shows it: a rule's result ({@code MATCH},
     * {@code NO_MATCH}, {@code UNKNOWN}), else the kind ({@code BRANCH}, {@code POLICY}, {@code CONNTRACK},
     * {@code CONFIRM}, {@code NAT}, {@code ROUTING}, {@code IPVS}, {@code VERDICT}).
     */
    String label();

    /** True when this step names a rule that matched (not one only assumed to match: those are UNKNOWN). */
    default boolean matched() {
        return false;
    }

    /**
     * Where a rule or a chain lives: an iptables table's chain, or an nftables table's chain. A rule is numbered as
     * each tool numbers it: iptables by position (1-based, {@code iptables -L --line-numbers}), nftables by handle
     * ({@code nft -a}); 0 names the chain itself (its policy).
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "world")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Origin.Iptables.class, name = "iptables"),
            @JsonSubTypes.Type(value = Origin.Nftables.class, name = "nftables")})
    sealed interface Origin {
        /** The table as messages name it: {@code nat}, or {@code ip kube-proxy} (family and name, as nft lists it). */
        String table();

        /** The chain's name. */
        String chain();

        /** The chain and the rule's position: {@code KUBE-SERVICES#3}, {@code services handle 12}; the chain alone for a chain. */
        String at();

        /** The rule's position as its tool numbers it: iptables' rule number, nftables' handle; 0 for the chain itself. */
        long position();

        /** {@code nat/KUBE-SERVICES#3}, {@code ip kube-proxy/services handle 12}; without the position for a chain. */
        default String ref() {
            return table() + "/" + at();
        }

        /**
         * A rule of an iptables table.
         *
         * @param table the table ({@code filter}, {@code nat}, {@code mangle}, {@code raw}, {@code security})
         * @param chain the chain
         * @param rule  the rule's number within the chain (1-based), 0 for the chain itself
         */
        record Iptables(String table, String chain, int rule) implements Origin {
            @Override
            public long position() {
                return rule;
            }

            @Override
            public String at() {
                return chain + (rule > 0 ? "#" + rule : "");
            }
        }

        /**
         * A rule of an nftables table.
         *
         * @param family the table's family ({@code ip}, {@code ip6}, {@code inet})
         * @param name   the table's name
         * @param chain  the chain
         * @param handle the rule's handle, 0 for the chain itself
         */
        record Nftables(String family, String name, String chain, long handle) implements Origin {
            @Override
            public String table() {
                return family + " " + name;
            }

            @Override
            public long position() {
                return handle;
            }

            @Override
            public String at() {
                return chain + (handle > 0 ? " handle " + handle : "");
            }
        }

        /**
         * The origin of a rule as the simulator holds it: an nftables rule reaches it as a {@link Rule} whose table
         * is {@code family name} ({@link NftRule}'s trace form; iptables' table names have no space).
         */
        static Origin of(Rule r) {
            int sp = r.table().indexOf(' ');
            return sp > 0 ? new Nftables(r.table().substring(0, sp), r.table().substring(sp + 1), r.chain(), r.number())
                    : new Iptables(r.table(), r.chain(), r.number());
        }
    }

    /**
     * A rule evaluated.
     *
     * @param hook   the hook
     * @param origin the rule's table, chain and position
     * @param text   the rule as dumped ({@code iptables-save} line, or nft's rule text)
     * @param result MATCH, NO_MATCH (only with {@link TraceRequest#withRecordNoMatch}) or UNKNOWN (the match could not be
     *               decided: on the "assumed to match" branch this step carries the target's effect)
     * @param target the target or verdict applied ({@code DNAT}, {@code jump KUBE-SVC-…}, {@code accept}), or null
     * @param before the packet before the rule changed it, or null when it did not
     * @param after  the packet after the rule changed it, or null when it did not
     * @param detail why (the assumption made on UNKNOWN, the connmark set), or null
     */
    record RuleEvaluated(Hook hook, Origin origin, String text, Tri result, String target, Packet before, Packet after,
                         String detail) implements TraceStep {
        @Override
        public String label() {
            return result.name();
        }

        @Override
        public boolean matched() {
            return result == Tri.MATCH;
        }

        /** The rule's table as {@link Origin#table()} names it. */
        public String table() {
            return origin.table();
        }

        /** The rule's chain. */
        public String chain() {
            return origin.chain();
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, origin, text, target, before, after, detail);
        }
    }

    /**
     * The trace forked at a rule: one branch per {@code statistic}/{@code numgen} value, per address of a NAT range,
     * or an UNKNOWN match's "assumed" and "assumed not" branches.
     *
     * @param hook   the hook
     * @param origin the rule
     * @param text   the rule as dumped
     * @param result the rule's result on this branch (MATCH, or NO_MATCH for the "not matched" branch)
     * @param target the NAT target of a range fork, or null
     * @param detail which branch this is ({@code numgen random mod 3 = 1 (p=0.333333)})
     */
    record BranchTaken(Hook hook, Origin origin, String text, Tri result, String target, String detail) implements TraceStep {
        @Override
        public String label() {
            return "BRANCH";
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, origin, text, target, null, null, detail);
        }
    }

    /**
     * A base chain's policy applied at its end.
     *
     * @param hook   the hook
     * @param chain  the base chain (position 0)
     * @param policy {@code ACCEPT} or {@code DROP}
     */
    record PolicyApplied(Hook hook, Origin chain, String policy) implements TraceStep {
        @Override
        public String label() {
            return "POLICY";
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, chain, null, policy, null, null, null);
        }
    }

    /**
     * Conntrack's lookup of the packet: new, existing (which direction and state), invalid or untracked.
     *
     * @param hook   the hook (PREROUTING or OUTPUT)
     * @param detail the state and the tuples
     */
    record ConntrackLookup(Hook hook, String detail) implements TraceStep {
        @Override
        public String label() {
            return "CONNTRACK";
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, null, null, null, null, null, detail);
        }
    }

    /**
     * The new connection's entry confirmed (entered in the table) as the packet leaves POSTROUTING or INPUT.
     *
     * @param hook   the hook
     * @param detail the entry
     */
    record ConntrackConfirmed(Hook hook, String detail) implements TraceStep {
        @Override
        public String label() {
            return "CONFIRM";
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, null, null, null, null, null, detail);
        }
    }

    /**
     * A translation not made by a rule — the connection's remembered binding applied ({@code nf_nat_packet}) — or
     * the nat chains not consulted (untracked, or not the connection's first packet).
     *
     * @param hook   the hook
     * @param before the packet before, or null when nothing changed
     * @param after  the packet after, or null when nothing changed
     * @param detail what and why
     */
    record NatBinding(Hook hook, Packet before, Packet after, String detail) implements TraceStep {
        @Override
        public String label() {
            return "NAT";
        }

        /** True when the nat chains were not consulted at all (untracked packet, established connection). */
        public boolean skipped() {
            return before == null && detail != null && detail.contains("not consulted");
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, "nat", null, null, null, before, after, detail);
        }
    }

    /**
     * A routing decision: the input or output route, a reroute after mangle/nat changed the packet
     * ({@code ip_route_me_harder}), br_netfilter's, or IPVS's route to the real server.
     *
     * @param hook   the hook it followed, or null between hooks
     * @param detail the decision
     */
    record RoutingDecision(Hook hook, String detail) implements TraceStep {
        @Override
        public String label() {
            return "ROUTING";
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, null, null, null, null, null, detail);
        }
    }

    /**
     * IPVS took a new connection to a virtual service (LOCAL_IN / LOCAL_OUT: {@code ip_vs_in}).
     *
     * @param hook           the hook
     * @param virtualService the virtual service as {@code ipvsadm -Sn} names it ({@code -t 10.96.0.10:53}), or null when
     *                       the virtual services are not known
     * @param realServer     the real server's position in the virtual service (1-based), 0 when none was chosen
     * @param text           the real server as {@code ipvsadm -Sn} saves it, or the virtual service's line, or null
     * @param result         MATCH, or UNKNOWN when the virtual services are not known
     * @param method         the forwarding method ({@code MASQUERADING}, …) or {@code DROP} (no real server), or null
     * @param before         the packet before the NAT, or null
     * @param after          the packet after the NAT, or null
     * @param detail         the scheduler, weight and share
     */
    record IpvsScheduled(Hook hook, String virtualService, int realServer, String text, Tri result, String method, Packet before,
                         Packet after, String detail) implements TraceStep {
        @Override
        public String label() {
            return "IPVS";
        }

        @Override
        public String toString() {
            String at = virtualService == null ? null : virtualService + (realServer > 0 ? "#" + realServer : "");
            return TraceStep.line(label(), hook, "ipvs", at, text, method, before, after, detail);
        }
    }

    /**
     * The branch's end.
     *
     * @param hook    the hook it ended on (the last one walked)
     * @param verdict the outcome ({@link FinalVerdict} name)
     * @param detail  why it ended there, or null
     */
    record VerdictReached(Hook hook, String verdict, String detail) implements TraceStep {
        @Override
        public String label() {
            return "VERDICT";
        }

        @Override
        public String toString() {
            return TraceStep.line(label(), hook, null, null, verdict, null, null, detail);
        }
    }

    private static String line(String label, Hook hook, Origin origin, String text, String target, Packet before, Packet after,
                               String detail) {
        return line(label, hook, origin == null ? null : origin.table(), origin == null ? null : origin.at(), text, target, before, after,
                detail);
    }

    private static String line(String label, Hook hook, String table, String at, String text, String target, Packet before,
                               Packet after, String detail) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-11s", label));
        if (hook != null) {
            sb.append(' ').append(hook);
        }
        if (table != null) {
            sb.append(' ').append(table);
        }
        if (at != null) {
            sb.append(' ').append(at);
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
