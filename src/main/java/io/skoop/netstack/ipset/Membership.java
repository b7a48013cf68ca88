package io.skoop.netstack.ipset;

/** The answer of a set lookup, three-valued as skoop's verdicts are. */
public enum Membership {
    /** the packet's fields are in the set */
    MATCH,
    /** they are not (also: the most specific entry found is {@code nomatch}) */
    NO_MATCH,
    /** cannot say: a field the set needs is not known (MAC, ICMP type, interface), or the set/entry is not understood */
    UNKNOWN;

    /** Three-valued AND. */
    public Membership and(Membership o) {
        if (this == NO_MATCH || o == NO_MATCH) {
            return NO_MATCH;
        }
        return this == UNKNOWN || o == UNKNOWN ? UNKNOWN : MATCH;
    }
}
