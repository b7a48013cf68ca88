package io.skoop.netstack.netfilter;

import java.util.Locale;

/**
 * Connection tracking states as the {@code state} and {@code conntrack --ctstate} matches name
 * them (xt_conntrack.c / xt_state.c). SNAT and DNAT are the "virtual" states of
 * {@code --ctstate}: the connection's original tuple was source- / destination-translated.
 */
public enum CtState {
    NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT, DNAT;

    /**
     * Parses a state name as iptables-save prints it (upper case).
     *
     * @throws IllegalArgumentException listing the known states
     */
    public static CtState parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown conntrack state '" + s
                    + "' (expected NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT or DNAT)");
        }
    }
}
