package io.skoop.model;

import java.util.Objects;

/**
 * A packet crossing from one NetNode to the next (seed: Link{Type, Source, Destination,
 * Packet, SourceAttribute, DestinationAttribute, Level}).
 *
 * @param type                 the medium crossed
 * @param source               the sending NetNode
 * @param destination          the receiving NetNode
 * @param packet               the packet as it is on the wire (for tunnels the outer header, inner in {@link Packet#encap()})
 * @param sourceAttribute      device/address on the sending side, or null
 * @param destinationAttribute device/address on the receiving side, or null
 * @param level                depth in the path (0 for the first link)
 */
public record Link(LinkType type, Hop source, Hop destination, Packet packet,
                   LinkAttribute sourceAttribute, LinkAttribute destinationAttribute, int level) {
    public Link {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(packet, "packet");
    }

    @Override
    public String toString() {
        return source + " -[" + type.name().toLowerCase(java.util.Locale.ROOT) + "]-> " + destination + " " + packet;
    }
}
