package io.skoop.lab.topology;

import io.skoop.model.Ip;
import java.util.List;

/**
 * A host outside the cluster (a lab namespace too, never the real host), reached through the
 * underlay. Its address must lie outside the cluster CIDR, the service CIDR and the underlay;
 * use documentation ranges such as 203.0.113.0/24 (RFC 5737).
 *
 * @param name      DNS-1123 label, distinct from node names
 * @param address   its IPv4 address
 * @param listeners sockets it opens
 * @param origin    where it was written
 */
public record ExternalHost(String name, Ip address, List<Listener> listeners, Origin origin) {
    public ExternalHost {
        listeners = List.copyOf(listeners);
    }
}
