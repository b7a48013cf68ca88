package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * A chain of one table: built-in (with a policy and counters) or user-defined (policy
 * null; falling off its end is an implicit RETURN).
 *
 * @param name     chain name (interned)
 * @param policy   {@link Target.Verdict#ACCEPT} or {@link Target.Verdict#DROP} for built-in chains, null for user chains
 * @param counters the built-in chain's counters ({@code :INPUT ACCEPT [pkts:bytes]})
 * @param rules    the rules, rule {@code i} at index {@code i-1}
 */
public record Chain(String name, Target.Verdict policy, Counters counters, List<Rule> rules) {
    public Chain {
        rules = List.copyOf(rules);
    }

    /** True for a built-in chain (it has a policy). */
    public boolean builtin() {
        return policy != null;
    }

    /** The rule with this 1-based number. */
    public Rule rule(int number) {
        return rules.get(number - 1);
    }
}
