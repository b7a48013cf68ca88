package io.skoop.network.provider;

import io.skoop.model.Hop;
import io.skoop.model.Packet;
import io.skoop.model.Suspicion;
import java.util.List;

/**
 * What the infrastructure between the nodes does to a packet (seed: InfraShim): a cloud's
 * security groups, route tables, source/destination checks. The generic provider knows none of
 * that, so its shim is {@link #NONE}: the underlay delivers what it can address and says nothing
 * more. A cloud implementation is later work.
 */
public interface InfraShim {
    /** The shim that adds nothing. */
    InfraShim NONE = (from, to, packet) -> List.of();

    /**
     * Checks one crossing of the infrastructure.
     *
     * @param from   the hop that put the packet on the underlay
     * @param to     the hop the underlay delivers it to
     * @param packet the packet on the wire (outer header for tunnels)
     * @return suspicions about the crossing (FATAL when the infrastructure drops it); empty when it passes
     */
    List<Suspicion> check(Hop from, Hop to, Packet packet);
}
