package io.skoop.model;

import java.util.Objects;

/**
 * A reference to a NetNode by type and id (seed: Hop{Type, ID}); the id is what the
 * NetNodeManager resolves, e.g. {@code default/web-1} for a pod or {@code node1} for a node.
 */
public record Hop(NetNodeType type, String id) {
    public Hop {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
    }
}
