package io.skoop.diagnose;

import io.skoop.model.Hop;
import io.skoop.model.Link;
import io.skoop.model.Packet;

/**
 * What a NetNode did with one branch of a packet: passed it on over a link, or ended it.
 */
public sealed interface Outcome {
    /** The branch's state. */
    Flow flow();

    /** The packet crosses {@code link}; {@code arrival} is how it arrives at the next hop. */
    record Next(Link link, Arrival arrival) implements Outcome {
        @Override
        public Flow flow() {
            return arrival.flow();
        }
    }

    /**
     * The branch ends at {@code hop}.
     *
     * @param kind   DELIVERED (a socket has it / the client got its reply), DROPPED (the hop that broke it carries a
     *               FATAL suspicion) or UNKNOWN (an UNKNOWN decided it; a suspicion names what)
     * @param packet the packet as it ended
     * @param reason one line: which socket, which rule, which route
     */
    record End(Kind kind, Hop hop, Packet packet, Flow flow, String reason) implements Outcome {
        public enum Kind { DELIVERED, DROPPED, UNKNOWN }
    }
}
