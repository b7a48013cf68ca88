package io.skoop.netstack.netfilter;

/**
 * How a trace branch ends.
 * <ul>
 * <li>DELIVERED: passed INPUT: handed to the local socket layer.</li>
 * <li>SENT: a locally generated packet passed POSTROUTING and leaves via a device.</li>
 * <li>FORWARDED: a received packet passed FORWARD and POSTROUTING and leaves via a device (routed or bridged).</li>
 * <li>DROP / REJECT: a rule or policy dropped / rejected it (or a NAT failure dropped it).</li>
 * <li>ROUTE_ERROR: the routing decision failed (no route, unreachable, prohibit, blackhole).</li>
 * <li>UNKNOWN: a target we do not model, or the branch rests on an assumption about an UNKNOWN match.</li>
 * </ul>
 */
public enum FinalVerdict {
    DELIVERED, SENT, FORWARDED, DROP, REJECT, ROUTE_ERROR, UNKNOWN;

    /** True for verdicts where the packet goes on (DELIVERED, SENT, FORWARDED). */
    public boolean passes() {
        return this == DELIVERED || this == SENT || this == FORWARDED;
    }
}
