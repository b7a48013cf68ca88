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

    @Override
    public String toString() {
        boolean ports = protocol.hasPorts();
        return protocol.ianaName() + " " + src + (ports ? ":" + sport : "") + " > " + dst + (ports ? ":" + dport : "");
    }
}
