package io.skoop.diagnose;

import io.skoop.model.Hop;
import io.skoop.model.Packet;
import io.skoop.model.Suspicion;
import java.util.List;

/** A pod or node whose network namespace the snapshot lacks: every branch that reaches it ends UNKNOWN. */
final class MissingNetNode implements NetNodeAction {
    private final Hop hop;
    private final String why;

    MissingNetNode(Hop hop, String why) {
        this.hop = hop;
        this.why = why;
    }

    @Override
    public List<Outcome> send(Walk walk, Packet packet, Flow flow) {
        return end(walk, packet, flow);
    }

    @Override
    public List<Outcome> receive(Walk walk, Arrival arrival) {
        return end(walk, arrival.packet(), arrival.flow());
    }

    private List<Outcome> end(Walk walk, Packet packet, Flow flow) {
        walk.node(hop).addSuspicion(Suspicion.warning("UNKNOWN: " + why + "; what " + hop + " does with " + packet + " cannot be simulated"));
        return List.of(new Outcome.End(Outcome.End.Kind.UNKNOWN, hop, packet, flow, "not collected: " + why));
    }
}
