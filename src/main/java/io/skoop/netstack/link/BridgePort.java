package io.skoop.netstack.link;

/**
 * What a bridge port's flags say about the frames it passes ({@code linkinfo.info_slave_data} of {@code ip -j -d
 * link show} for a device whose {@code info_slave_kind} is {@code bridge}; see bridge(8) "bridge link set").
 * The kernel (net/bridge/br_input.c {@code br_handle_frame}, br_forward.c {@code should_deliver}) takes frames in
 * only on a port in state {@code forwarding} (a {@code learning} port learns their source, then drops them) and
 * sends frames out only to a port in state {@code forwarding}; a frame goes back out of the port it came in only
 * with {@code hairpin on}.
 *
 * @param state    {@code disabled}, {@code listening}, {@code learning}, {@code forwarding} or {@code blocking}; null
 *                 when the dump does not say
 * @param hairpin  whether hairpin mode is on; null when the dump does not say
 */
public record BridgePort(String state, Boolean hairpin) {

    /** The STP state that passes frames. */
    public static final String FORWARDING = "forwarding";

    /** The states iproute2 prints (br_port_state_names). */
    public static final java.util.List<String> STATES = java.util.List.of("disabled", "listening", "learning", "forwarding", "blocking");

    /** Whether the port passes frames: its state is {@code forwarding}, or the dump does not say (then assumed). */
    public boolean forwards() {
        return state == null || FORWARDING.equals(state);
    }
}
