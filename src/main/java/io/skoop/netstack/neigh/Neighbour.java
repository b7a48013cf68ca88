package io.skoop.netstack.neigh;

import io.skoop.model.Ip;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the neighbour table (ARP for IPv4, NDP for IPv6) as {@code ip -j neigh show}
 * prints it (ip-neighbour(8); kernel net/core/neighbour.c).
 *
 * @param dst       the neighbour's protocol address (IPv4 or IPv6)
 * @param dev       the device the entry belongs to (null for a proxy entry without device)
 * @param lladdr    the link-layer address ({@code 02:00:00:00:00:09}), or null when unresolved
 *                  (INCOMPLETE, FAILED) or for proxy entries
 * @param states    the NUD state bits, in ip's order; unknown ones as {@link NeighState#UNKNOWN}
 * @param rawStates the state texts exactly as printed (same order as {@code states})
 * @param router    true when the entry carries the IPv6 router flag ({@code "router": null} in JSON)
 * @param proxy     true for a proxy-ARP/NDP entry ({@code ip neigh add proxy ...}; only listed by
 *                  {@code ip neigh show proxy})
 * @param flags     other flag keys ip printed (e.g. {@code extern_learn}, {@code offload}), kept as text
 */
public record Neighbour(Ip dst, String dev, String lladdr, List<NeighState> states, List<String> rawStates,
                        boolean router, boolean proxy, List<String> flags) {

    public Neighbour {
        Objects.requireNonNull(dst, "dst");
        states = List.copyOf(states);
        rawStates = List.copyOf(rawStates);
        flags = List.copyOf(flags);
    }

    /** True when the entry has the state bit {@code s}. */
    public boolean has(NeighState s) {
        return states.contains(s);
    }

    /**
     * True when the kernel would transmit to this neighbour without resolving it again: some
     * state is in {@code NUD_VALID} and a link-layer address is known (NOARP entries may have none).
     */
    public boolean isUsable() {
        return states.stream().anyMatch(NeighState::isValid) && (lladdr != null || has(NeighState.NOARP));
    }

    /** True for INCOMPLETE or FAILED entries: resolution is pending or failed, packets are queued or dropped. */
    public boolean isUnresolved() {
        return has(NeighState.FAILED) || has(NeighState.INCOMPLETE);
    }
}
