package io.skoop.lab.topology;

import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import java.util.List;

/**
 * A host outside the cluster (a lab namespace too, never the real host), reached through the
 * underlay. Its addresses must lie outside the cluster CIDR, the service CIDR and the underlay
 * of their family; use documentation ranges such as 203.0.113.0/24 (RFC 5737) and 2001:db8::/32
 * (RFC 3849). In a file: {@code address: 203.0.113.10}, or on a dual-stack cluster one address per
 * family, {@code address: [203.0.113.10, 2001:db8:113::10]}.
 *
 * @param name      DNS-1123 label, distinct from node names
 * @param address   its IPv4 address
 * @param addressV6 its IPv6 address, null when it has none (the second item of {@code address})
 * @param listeners sockets it opens (on both families when it has both addresses)
 * @param origin    where it was written
 */
public record ExternalHost(String name, Ip address, Ip addressV6, List<Listener> listeners, Origin origin) {
    public ExternalHost {
        listeners = List.copyOf(listeners);
    }

    /** A host with an IPv4 address only. */
    public ExternalHost(String name, Ip address, List<Listener> listeners, Origin origin) {
        this(name, address, null, listeners, origin);
    }

    /** Its address of {@code family}, null when it has none. */
    public Ip address(IpFamily family) {
        return family == IpFamily.IPv4 ? address : addressV6;
    }

    /** Its addresses, IPv4 first. */
    public List<Ip> addresses() {
        return addressV6 == null ? List.of(address) : List.of(address, addressV6);
    }
}
