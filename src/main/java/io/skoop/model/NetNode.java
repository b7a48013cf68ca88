package io.skoop.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A point in the packet path that acts on packets: a pod or node network namespace, a piece
 * of infrastructure, or an external host (seed: NetNode{Type, ID, Actions, Suspicions} with
 * an embedded NetNodeAction).
 *
 * <p>Actions and suspicions accumulate while the Diagnostor walks the path; both lists keep
 * insertion order. Not thread-safe.
 */
public class NetNode implements NetNodeAction {
    private final NetNodeType type;
    private final String id;
    private final NetNodeAction behaviour;
    private final List<Action> actions = new ArrayList<>();
    private final List<Suspicion> suspicions = new ArrayList<>();

    /**
     * @param type      what the node is
     * @param id        its id (unique per type in a path)
     * @param behaviour how it sends and receives; null for a node that only terminates
     *                  packets (send/receive then return no transmissions)
     */
    public NetNode(NetNodeType type, String id, NetNodeAction behaviour) {
        this.type = Objects.requireNonNull(type, "type");
        this.id = Objects.requireNonNull(id, "id");
        this.behaviour = behaviour;
    }

    public NetNodeType type() {
        return type;
    }

    public String id() {
        return id;
    }

    /** This node as a hop reference. */
    public Hop hop() {
        return new Hop(type, id);
    }

    /** What the node did, in order. */
    public List<Action> actions() {
        return Collections.unmodifiableList(actions);
    }

    /** What looks wrong on the node, in order found. */
    public List<Suspicion> suspicions() {
        return Collections.unmodifiableList(suspicions);
    }

    public void addAction(Action action) {
        actions.add(Objects.requireNonNull(action));
    }

    public void addSuspicion(Suspicion suspicion) {
        suspicions.add(Objects.requireNonNull(suspicion));
    }

    /** The highest suspicion level on this node, or null when there is none. */
    public Level maxLevel() {
        return suspicions.stream().map(Suspicion::level).max(Enum::compareTo).orElse(null);
    }

    @Override
    public List<Transmission> send(Endpoint dst, Protocol protocol) {
        return behaviour == null ? List.of() : behaviour.send(dst, protocol);
    }

    @Override
    public List<Transmission> receive(Link upstream) {
        return behaviour == null ? List.of() : behaviour.receive(upstream);
    }

    @Override
    public String toString() {
        return hop().toString();
    }
}
