package io.skoop.netstack.neigh;

import java.util.Locale;

/**
 * A neighbour's NUD (neighbour unreachability detection) state bit, as {@code ip neigh} prints
 * it (include/uapi/linux/neighbour.h {@code NUD_*}; ip-neighbour(8) "nud"). A state that this
 * version of skoop does not know is {@link #UNKNOWN} and its text is kept in
 * {@link Neighbour#rawStates()}.
 */
public enum NeighState {
    INCOMPLETE, REACHABLE, STALE, DELAY, PROBE, FAILED, NOARP, PERMANENT, NONE, UNKNOWN;

    /** The state named by {@code ip}'s text (case-insensitive), or {@link #UNKNOWN}. */
    public static NeighState of(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    /**
     * True for the states in the kernel's {@code NUD_VALID} mask (PERMANENT, NOARP, REACHABLE,
     * PROBE, STALE, DELAY): the link-layer address may be used to transmit.
     */
    public boolean isValid() {
        return switch (this) {
            case PERMANENT, NOARP, REACHABLE, PROBE, STALE, DELAY -> true;
            default -> false;
        };
    }
}
