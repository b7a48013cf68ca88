package io.skoop.netstack.netfilter;

/**
 * A ternary answer of a match: the packet matches, does not match, or the simulator cannot
 * decide from the snapshot (e.g. a module it does not model, or a {@code recent} list whose
 * contents are unknown). UNKNOWN is never silently turned into MATCH or NO_MATCH.
 */
public enum Tri {
    MATCH, NO_MATCH, UNKNOWN;

    /** MATCH for true, NO_MATCH for false. */
    public static Tri of(boolean b) {
        return b ? MATCH : NO_MATCH;
    }

    /** Logical not; UNKNOWN stays UNKNOWN. */
    public Tri not() {
        return this == MATCH ? NO_MATCH : this == NO_MATCH ? MATCH : UNKNOWN;
    }

    /** This, negated when {@code negate} (iptables' {@code !}). */
    public Tri negateIf(boolean negate) {
        return negate ? not() : this;
    }

    /** Kleene conjunction: NO_MATCH wins, then UNKNOWN. */
    public Tri and(Tri o) {
        if (this == NO_MATCH || o == NO_MATCH) {
            return NO_MATCH;
        }
        return this == UNKNOWN || o == UNKNOWN ? UNKNOWN : MATCH;
    }

    /** Kleene disjunction: MATCH wins, then UNKNOWN. */
    public Tri or(Tri o) {
        if (this == MATCH || o == MATCH) {
            return MATCH;
        }
        return this == UNKNOWN || o == UNKNOWN ? UNKNOWN : NO_MATCH;
    }
}
