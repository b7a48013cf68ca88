package io.skoop.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The packet-path graph of a diagnosis (seed: PacketPath): NetNodes keyed by hop, and the
 * links between them in the order the walk took them. A request path has one origin (the
 * client); a reply path has one origin per backend that answered.
 *
 * <p>Adding a node whose hop is already present returns the present one; adding a link equal
 * to one present, apart from its level, does nothing (branches share their common prefix). Not thread-safe.
 */
public class PacketPath {
    private final Map<Hop, NetNode> nodes = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final List<Hop> origins = new ArrayList<>();

    /** An empty path; add origins with {@link #addOrigin}. */
    public PacketPath() {
    }

    /** A path starting at {@code origin}. */
    public PacketPath(NetNode origin) {
        addOrigin(origin);
    }

    /** Adds (or finds) the node and marks it as a place where packets start. */
    public NetNode addOrigin(NetNode node) {
        NetNode n = addNode(node);
        if (!origins.contains(n.hop())) {
            origins.add(n.hop());
        }
        return n;
    }

    /** The first origin. @throws IllegalStateException when the path has none */
    public NetNode origin() {
        if (origins.isEmpty()) {
            throw new IllegalStateException("the path has no origin");
        }
        return nodes.get(origins.get(0));
    }

    /** Every origin, in the order added. */
    public List<NetNode> origins() {
        return origins.stream().map(nodes::get).toList();
    }

    public NetNode addNode(NetNode node) {
        Objects.requireNonNull(node);
        return nodes.computeIfAbsent(node.hop(), h -> node);
    }

    public NetNode node(Hop hop) {
        return nodes.get(hop);
    }

    public void addLink(Link link) {
        Objects.requireNonNull(link);
        for (Link l : links) {
            if (l.type() == link.type() && l.source().equals(link.source()) && l.destination().equals(link.destination())
                    && l.packet().equals(link.packet()) && Objects.equals(l.sourceAttribute(), link.sourceAttribute())
                    && Objects.equals(l.destinationAttribute(), link.destinationAttribute())) {
                return;
            }
        }
        links.add(link);
    }

    public List<NetNode> nodes() {
        return List.copyOf(nodes.values());
    }

    public List<Link> links() {
        return Collections.unmodifiableList(links);
    }

    public List<Link> linksFrom(Hop hop) {
        return links.stream().filter(l -> l.source().equals(hop)).toList();
    }

    public List<Link> linksTo(Hop hop) {
        return links.stream().filter(l -> l.destination().equals(hop)).toList();
    }
}
