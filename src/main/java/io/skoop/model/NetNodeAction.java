package io.skoop.model;

import java.util.List;

/**
 * The behaviour of a NetNode (seed: NetNodeAction{Send, Receive}): simulate what its
 * netstack does with a packet and say where the packet goes next.
 */
public interface NetNodeAction {
    /**
     * Originate a new connection to {@code dst} (first packet).
     *
     * @return the transmissions leaving this node; empty when the packet goes nowhere (the
     *         reason is recorded as a suspicion on the node)
     */
    List<Transmission> send(Endpoint dst, Protocol protocol);

    /**
     * Process a packet arriving over {@code upstream}: deliver it (SERVE), translate it
     * (SERVICE) or forward it.
     *
     * @return the transmissions leaving this node; empty when it is delivered or dropped
     */
    List<Transmission> receive(Link upstream);
}
