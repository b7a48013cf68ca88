package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;

/**
 * A conntrack tuple (nf_conntrack_tuple): addresses, ports and protocol of one direction.
 *
 * @param src      source address
 * @param sport    source port (0 for ICMP)
 * @param dst      destination address
 * @param dport    destination port (0 for ICMP)
 * @param protocol layer-4 protocol
 */
public record Tuple(Ip src, int sport, Ip dst, int dport, Protocol protocol) {
    /** The tuple of a packet. */
    public static Tuple of(Packet p) {
        return new Tuple(p.src(), p.sport(), p.dst(), p.dport(), p.protocol());
    }

    /** The tuple seen from the other side (source and destination swapped). */
    public Tuple inverse() {
        return new Tuple(dst, dport, src, sport, protocol);
    }

    /** True when {@code p} has exactly this tuple. */
    public boolean matches(Packet p) {
        return p.src().equals(src) && p.sport() == sport && p.dst().equals(dst) && p.dport() == dport && p.protocol() == protocol;
    }

    /** {@code tcp 10.0.0.1:40000 > 10.0.0.2:80}, IPv6 as {@code [fd00::1]:80}: the notation of {@link Packet#toString()}. */
    @Override
    public String toString() {
        return protocol.ianaName() + " " + end(src, sport) + " > " + end(dst, dport);
    }

    private String end(Ip ip, int port) {
        if (!protocol.hasPorts()) {
            return ip.toString();
        }
        return ip.withPort(port);
    }
}
