package io.skoop.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final Map<String, List<String>> byBranch = new LinkedHashMap<>();
    private String branch;

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

    /**
     * Records one explanation line (see {@link #explanation()}), in the group of the current branch (see {@link
     * #branch(String)}).
     */
    public void explain(String line) {
        Objects.requireNonNull(line);
        if (!explanation.contains(line)) {
            explanation.add(line);
        }
        List<String> group = byBranch.computeIfAbsent(branch == null ? "" : branch, k -> new ArrayList<>());
        if (!group.contains(line)) {
            group.add(line);
        }
    }

    /**
     * Sets the branch that the following {@link #explain} lines belong to: a label such as {@code "branch 2/3 p=0.333:
     * tcp 10.244.0.2:40000 > 10.244.1.2:8080 FORWARDED via flannel.1"}, or null for lines every branch shares.
     */
    public void branch(String label) {
        this.branch = label == null || label.isEmpty() ? null : label;
    }

    /** The branch label set by {@link #branch(String)}, or null. */
    public String currentBranch() {
        return branch;
    }

    /**
     * One group of explanation lines: those every branch through this node shares ({@code branch} null), or those of
     * one branch (a statistic or NAT alternative, an assumption on a rule skoop cannot evaluate).
     *
     * @param branch the branch's label, or null for the shared lines
     * @param lines  its lines, in order
     */
    public record ExplanationGroup(String branch, List<String> lines) {
        public ExplanationGroup {
            lines = List.copyOf(lines);
        }
    }

    /**
     * The explanation grouped per branch, in the order the groups began: the shared lines (when there are any) first,
     * then each branch with the lines only it has. A node without branches has one group, the shared one, equal to
     * {@link #explanation()}.
     */
    public List<ExplanationGroup> explanationByBranch() {
        List<ExplanationGroup> out = new ArrayList<>();
        List<String> shared = byBranch.get("");
        if (shared != null) {
            out.add(new ExplanationGroup(null, shared));
        }
        byBranch.forEach((k, v) -> {
            if (!k.isEmpty()) {
                out.add(new ExplanationGroup(k, v));
            }
        });
        return out;
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
