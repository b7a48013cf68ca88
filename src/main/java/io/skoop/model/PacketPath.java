package io.skoop.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The packet-path graph a diagnosis produces (seed: PacketPath): NetNodes keyed by
 * {@link Hop}, links between them in the order they were found, and the node where the
 * connection starts. A node may have several outgoing links (Service backends, statistic
 * branches, multipath).
 */
public class PacketPath {
    private final Map<Hop, NetNode> nodes = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final NetNode origin;

    public PacketPath(NetNode origin) {
        this.origin = Objects.requireNonNull(origin, "origin");
        nodes.put(origin.hop(), origin);
    }

    public NetNode origin() {
        return origin;
    }

    /** Adds a node unless one with the same hop exists; returns the node kept. */
    public NetNode addNode(NetNode node) {
        return nodes.computeIfAbsent(node.hop(), h -> node);
    }

    /** The node for a hop, or null. */
    public NetNode node(Hop hop) {
        return nodes.get(hop);
    }

    public void addLink(Link link) {
        links.add(Objects.requireNonNull(link));
    }

    /** Nodes in the order they were added. */
    public List<NetNode> nodes() {
        return List.copyOf(nodes.values());
    }

    public List<Link> links() {
        return Collections.unmodifiableList(links);
    }

    /** Links that leave {@code hop}. */
    public List<Link> linksFrom(Hop hop) {
        return links.stream().filter(l -> l.source().equals(hop)).toList();
    }

    /** Links that arrive at {@code hop}. */
    public List<Link> linksTo(Hop hop) {
        return links.stream().filter(l -> l.destination().equals(hop)).toList();
    }
}
