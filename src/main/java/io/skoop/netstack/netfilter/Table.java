package io.skoop.netstack.netfilter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One iptables table ({@code *nat} ... {@code COMMIT}) with its chains in dump order.
 *
 * @param name   raw, mangle, nat, filter or security (others are kept but never traversed)
 * @param chains chains by name, in the order they were declared
 */
public record Table(String name, Map<String, Chain> chains) {
    public Table {
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
    }

    /** The chain, or null. */
    public Chain chain(String chainName) {
        return chains.get(chainName);
    }

    /** Total number of rules over all chains. */
    public int ruleCount() {
        int n = 0;
        for (Chain c : chains.values()) {
            n += c.rules().size();
        }
        return n;
    }

    /** A summary ({@code nat: 15 chains, 25 rules}). */
    @Override
    public String toString() {
        return name + ": " + chains.size() + " chains, " + ruleCount() + " rules";
    }
}
