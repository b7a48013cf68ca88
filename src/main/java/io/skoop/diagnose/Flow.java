package io.skoop.diagnose;

import io.skoop.model.Hop;
import io.skoop.netstack.netfilter.ConntrackEntry;
import io.skoop.model.Packet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state one branch of a walk carries from hop to hop: its probability (the product of the
 * {@code statistic} and NAT-range choices taken so far), the hops crossed, and the conntrack entry
 * every namespace created for the connection — the reply is traced with them, so that reverse
 * NAT happens where the kernel does it. Immutable.
 *
 * @param probability the branch's probability, 0 &lt; p ≤ 1
 * @param hops        how many links the packet crossed
 * @param conntrack   per namespace, the entries created for this connection (outer tunnel flows included)
 * @param seen        "hop|device|packet" of every arrival of this branch (a repeat is a forwarding loop)
 */
public record Flow(double probability, int hops, Map<Hop, List<ConntrackEntry>> conntrack, List<String> seen) {
    public Flow {
        conntrack = Map.copyOf(conntrack);
        seen = List.copyOf(seen);
    }

    /** The start of a walk. */
    public static Flow start() {
        return new Flow(1.0, 0, Map.of(), List.of());
    }

    /** The flow with its probability multiplied by {@code p}. */
    public Flow times(double p) {
        return new Flow(probability * p, hops, conntrack, seen);
    }

    /** The flow with the entry {@code hop}'s namespace created (none when null or already known). */
    public Flow tracked(Hop hop, ConntrackEntry entry) {
        if (entry == null || conntrack.getOrDefault(hop, List.of()).contains(entry)) {
            return this;
        }
        Map<Hop, List<ConntrackEntry>> m = new HashMap<>(conntrack);
        List<ConntrackEntry> l = new ArrayList<>(m.getOrDefault(hop, List.of()));
        l.add(entry);
        m.put(hop, l);
        return new Flow(probability, hops, m, seen);
    }

    /** The entry of {@code hop}'s namespace that {@code p} belongs to (either direction), or null: the packet is new there. */
    public ConntrackEntry entryFor(Hop hop, Packet p) {
        for (ConntrackEntry e : conntrack.getOrDefault(hop, List.of())) {
            if (e.original().matches(p) || e.reply().matches(p)) {
                return e;
            }
        }
        return null;
    }

    /** The flow after crossing one more link into {@code key}; a key already seen is a loop (checked by the caller). */
    public Flow crossed(String key) {
        List<String> s = new ArrayList<>(seen);
        s.add(key);
        return new Flow(probability, hops + 1, conntrack, s);
    }
}
