package io.skoop.netstack.netfilter.kernel;

import io.skoop.model.Packet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the kernel did with one probe packet in the namespace that holds the ruleset.
 *
 * <p>Rule hits are the packet-counter deltas of {@code iptables-save -c} keyed
 * {@code table/CHAIN#n} (n = 1-based rule number in the chain, as {@code iptables -L --line-numbers}
 * numbers it); policy hits are the base-chain policy counters keyed {@code table/CHAIN}.
 * The verdict is ACCEPTED when the packet left the namespace (forward, local-out) or was delivered
 * to it (local-in): conntrack confirms an entry only after the last hook accepted the packet
 * ({@code nf_conntrack_confirm} at priority INT_MAX), so a confirmed entry in that namespace is the
 * proof. Otherwise REJECTED when the client received an ICMP error or TCP reset, else DROPPED.
 *
 * @param packet      the probe as sent by the client
 * @param hits        rule counter deltas greater than 0
 * @param policyHits  base-chain policy counter deltas greater than 0
 * @param verdict     ACCEPTED, REJECTED or DROPPED
 * @param translated  the packet after NAT as conntrack's reply tuple tells it (reply.dst:dport &gt; reply.src:sport), null unless ACCEPTED
 * @param deliveredTo the lab namespace (short name) where the packet finally arrived, or null
 * @param reasonText  the raw conntrack line or the probe's error, for disagreement reports
 */
public record KernelObservation(Packet packet, Map<String, Long> hits, Map<String, Long> policyHits, Verdict verdict,
                                Packet translated, String deliveredTo, String reasonText) {

    /** The fate of the probe in the ruleset's namespace. */
    public enum Verdict { ACCEPTED, DROPPED, REJECTED }

    public KernelObservation {
        hits = Map.copyOf(hits);
        policyHits = Map.copyOf(policyHits);
    }

    /** The rules hit, sorted. */
    public Set<String> hitSet() {
        return new TreeSet<>(hits.keySet());
    }

    @Override
    public String toString() {
        return "kernel: " + verdict + (translated != null ? " as " + translated : "")
                + (deliveredTo != null ? " delivered to " + deliveredTo : "")
                + "\n  hits " + new TreeMap<>(hits) + "\n  policies " + new TreeMap<>(policyHits);
    }
}
