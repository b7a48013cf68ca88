package io.skoop.diagnose;

import io.skoop.model.Packet;
import java.util.List;

/**
 * The behaviour of a NetNode (seed: NetNodeAction{Send, Receive}): simulate what its netstack
 * does with a packet and say where each branch goes next. Implementations write the actions,
 * suspicions and explanation lines of what they did on the walk's graph node.
 */
public interface NetNodeAction {
    /**
     * Originate a packet: a client's first packet (source address {@link io.skoop.model.Ip#V4_ANY}: the route
     * lookup selects it) or a server's reply (full packet; the flow carries the conntrack entries of the request).
     */
    List<Outcome> send(Walk walk, Packet packet, Flow flow);

    /** Process a packet arriving at this node: deliver it, translate it, forward it, or drop it. */
    List<Outcome> receive(Walk walk, Arrival arrival);
}
