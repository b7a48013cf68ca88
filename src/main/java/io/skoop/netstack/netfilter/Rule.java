package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * One iptables rule ({@code -A CHAIN matches... -j TARGET}).
 *
 * @param table    the table it belongs to (raw, mangle, nat, filter, security)
 * @param chain    the chain it is appended to
 * @param number   1-based position within the chain, as {@code iptables -L --line-numbers}
 * @param line     1-based line in the dump file
 * @param text     the rule as written in the dump, without the counters
 *                 ({@code -A KUBE-SERVICES -d 10.96.0.10/32 -p tcp ... -j KUBE-SVC-X})
 * @param counters packet/byte counters from {@code iptables-save -c}, or {@link Counters#NONE}
 * @param matches  the matches in the order the kernel evaluates them
 * @param target   the target; {@link Target.None} when the rule has none
 */
public record Rule(String table, String chain, int number, int line, String text, Counters counters,
                   List<Match> matches, Target target) {
    public Rule {
        matches = List.copyOf(matches);
    }

    /** True when some match or the target is not modelled (an Unknown element). */
    public boolean hasUnknown() {
        return target instanceof Target.Unknown || matches.stream().anyMatch(m -> m instanceof Match.Unknown);
    }

    /**
     * {@code nat/KUBE-SERVICES#3}: a compact reference for messages; for an nftables rule (table {@code family name})
     * {@code inet kube-proxy/services handle 12}.
     */
    public String ref() {
        return origin().ref();
    }

    /** Where the rule lives, typed ({@link TraceStep.Origin#of}): an iptables chain's rule, or an nftables rule in its trace form. */
    public TraceStep.Origin origin() {
        return TraceStep.Origin.of(this);
    }

    @Override
    public String toString() {
        return ref() + " " + text;
    }
}
