package io.skoop.model;

import java.util.Objects;

/**
 * The result of a Send or Receive: where the packet goes next and over which link (seed:
 * Transmission{NextHop, Link}). {@code link.destination()} equals {@code nextHop}.
 */
public record Transmission(Hop nextHop, Link link) {
    public Transmission {
        Objects.requireNonNull(nextHop, "nextHop");
        Objects.requireNonNull(link, "link");
        if (!nextHop.equals(link.destination())) {
            throw new IllegalArgumentException("next hop " + nextHop + " is not the link's destination " + link.destination());
        }
    }
}
