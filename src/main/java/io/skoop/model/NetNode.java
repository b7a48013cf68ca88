package io.skoop.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A point in the packet path that acts on packets: a pod or node network namespace, a piece
 * of infrastructure, or an external host (seed: NetNode{Type, ID, Actions, Suspicions}).
 * This is the node of a diagnosis' graph; how it behaves (Send/Receive) is the Diagnostor's
 * {@code io.skoop.diagnose.NetNodeAction}.
 *
 * <p>Actions, suspicions and explanation steps accumulate while the Diagnostor walks the path;
 * the lists keep insertion order, and an action, suspicion or step equal to one already
 * recorded is not recorded twice (branches of one walk pass the same node several times).
 * Not thread-safe.
 */
public class NetNode {
    private final NetNodeType type;
    private final String id;
    private final List<Action> actions = new ArrayList<>();
    private final List<Suspicion> suspicions = new ArrayList<>();
    private final List<String> explanation = new ArrayList<>();

    /**
     * @param type what the node is
     * @param id   its id (unique per type in a path): {@code ns/pod}, the node's name, an IP
     */
    public NetNode(NetNodeType type, String id) {
        this.type = Objects.requireNonNull(type, "type");
        this.id = Objects.requireNonNull(id, "id");
    }

    public NetNodeType type() {
        return type;
    }

    public String id() {
        return id;
    }

    public Hop hop() {
        return new Hop(type, id);
    }

    public List<Action> actions() {
        return Collections.unmodifiableList(actions);
    }

    public List<Suspicion> suspicions() {
        return Collections.unmodifiableList(suspicions);
    }

    /**
     * The per-hop explanation: one line per decision taken here, in order (routing decisions,
     * rules that matched, NAT bindings, bridge and VXLAN lookups, socket lookups).
     */
    public List<String> explanation() {
        return Collections.unmodifiableList(explanation);
    }

    public void addAction(Action action) {
        Objects.requireNonNull(action);
        if (!actions.contains(action)) {
            actions.add(action);
        }
    }

    public void addSuspicion(Suspicion suspicion) {
        Objects.requireNonNull(suspicion);
        if (!suspicions.contains(suspicion)) {
            suspicions.add(suspicion);
        }
    }

    /** Records one explanation line (see {@link #explanation()}). */
    public void explain(String line) {
        Objects.requireNonNull(line);
        if (!explanation.contains(line)) {
            explanation.add(line);
        }
    }

    /**
     * Lowers every suspicion of level {@code from} to {@code to}, appending {@code note} to its message (a FATAL of
     * one branch becomes CRITICAL when other branches of the flow complete).
     */
    public void demote(Level from, Level to, String note) {
        suspicions.replaceAll(s -> s.level() == from ? new Suspicion(to, s.message() + note) : s);
    }

    /** The highest level among the suspicions, or null when there are none. */
    public Level maxLevel() {
        return suspicions.stream().map(Suspicion::level).max(Enum::compareTo).orElse(null);
    }

    @Override
    public String toString() {
        return hop().toString();
    }
}
