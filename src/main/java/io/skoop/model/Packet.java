package io.skoop.model;

import java.util.Objects;

/**
 * A packet as the simulator moves it between NetNodes (the seed's Packet: Src, Sport, Dst,
 * Dport, Protocol, Encap, Mark).
 *
 * <p>When the packet is a tunnel packet (VXLAN, IPIP), this record is the <em>outer</em>
 * header and {@link #encap()} is the packet it carries, e.g. an outer UDP 8472 packet
 * between node addresses whose encap is the pod-to-pod packet. Ports are 0 for protocols
 * without ports.
 *
 * @param src      source address
 * @param sport    source port 0..65535
 * @param dst      destination address (same family as src)
 * @param dport    destination port 0..65535
 * @param protocol layer-4 protocol
 * @param encap    the inner packet when this one is a tunnel header, else null
 * @param mark     the skb mark (fwmark), an unsigned 32-bit value
 * @param ttl      the IPv4 TTL or IPv6 hop limit, 0..255, or -1 when not known (a packet written by hand, a sender whose
 *                 default is not in its dump). Equality and {@link #toString()} ignore it: two packets that differ only
 *                 in TTL are the same flow for every comparison skoop makes (links, conntrack, loops); matches that read
 *                 it ({@code -m ttl}, {@code -m hl}) answer UNKNOWN when it is -1
 */
public record Packet(Ip src, int sport, Ip dst, int dport, Protocol protocol, Packet encap, long mark, int ttl) {

    public Packet {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(protocol, "protocol");
        if (src.isV6() != dst.isV6()) {
            throw new IllegalArgumentException("source " + src + " and destination " + dst + " are of different families");
        }
        if (sport < 0 || sport > 65535 || dport < 0 || dport > 65535) {
            throw new IllegalArgumentException("port out of range 0..65535: " + sport + " > " + dport);
        }
        mark &= 0xffffffffL;
        if (ttl < -1 || ttl > 255) {
            throw new IllegalArgumentException("TTL out of range 0..255: " + ttl);
        }
    }

    /** A packet whose TTL is not known. */
    public Packet(Ip src, int sport, Ip dst, int dport, Protocol protocol, Packet encap, long mark) {
        this(src, sport, dst, dport, protocol, encap, mark, -1);
    }

    /** A packet without encapsulation and mark 0. */
    public static Packet of(Ip src, int sport, Ip dst, int dport, Protocol protocol) {
        return new Packet(src, sport, dst, dport, protocol, null, 0);
    }

    /**
     * Parses {@code "tcp 10.244.1.5:40000 > 10.96.0.10:80"} (IPv6 as {@code [2001:db8::1]:80};
     * ports may be omitted for ICMP: {@code "icmp 10.0.0.1 > 10.0.0.2"}).
     *
     * @throws IllegalArgumentException saying what was expected
     */
    public static Packet parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 4 || !parts[2].equals(">")) {
            throw new IllegalArgumentException("expected 'PROTO SRC:SPORT > DST:DPORT', e.g. 'tcp 10.0.0.1:40000 > 10.0.0.2:80', got '" + text + "'");
        }
        Protocol proto = Protocol.parse(parts[0]);
        Object[] s = hostPort(parts[1], proto, text);
        Object[] d = hostPort(parts[3], proto, text);
        return of((Ip) s[0], (Integer) s[1], (Ip) d[0], (Integer) d[1], proto);
    }

    private static Object[] hostPort(String hp, Protocol proto, String whole) {
        String host = hp;
        int port = 0;
        if (hp.startsWith("[")) {
            int close = hp.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + hp + "' of '" + whole + "'");
            }
            host = hp.substring(1, close);
            if (hp.length() > close + 1) {
                port = port(hp.substring(close + 2), whole);
            }
        } else if (hp.indexOf(':') >= 0 && hp.indexOf(':') == hp.lastIndexOf(':')) {
            host = hp.substring(0, hp.indexOf(':'));
            port = port(hp.substring(hp.indexOf(':') + 1), whole);
        }
        if (proto.hasPorts() && port == 0 && !hp.contains(":")) {
            throw new IllegalArgumentException("missing port in '" + hp + "' of '" + whole + "' (" + proto.ianaName() + " needs ports)");
        }
        return new Object[] {Ip.parse(host), port};
    }

    private static int port(String s, String whole) {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port (0..65535): '" + s + "' in '" + whole + "'");
        }
    }

    public Packet withSrc(Ip newSrc, int newSport) {
        return new Packet(newSrc, newSport, dst, dport, protocol, encap, mark, ttl);
    }

    public Packet withDst(Ip newDst, int newDport) {
        return new Packet(src, sport, newDst, newDport, protocol, encap, mark, ttl);
    }

    public Packet withMark(long newMark) {
        return new Packet(src, sport, dst, dport, protocol, encap, newMark, ttl);
    }

    /** The same packet with TTL (hop limit) {@code newTtl}, -1 for not known. */
    public Packet withTtl(int newTtl) {
        return new Packet(src, sport, dst, dport, protocol, encap, mark, newTtl);
    }

    /** The reply direction: source and destination swapped, no encapsulation, mark 0, TTL not known (the replier sets it). */
    public Packet reversed() {
        return new Packet(dst, dport, src, sport, protocol, null, 0);
    }

    /** This packet carried inside {@code outer} (outer header first; its TTL not known until the tunnel sets it). */
    public Packet encapsulatedIn(Ip outerSrc, int outerSport, Ip outerDst, int outerDport, Protocol outerProto) {
        return new Packet(outerSrc, outerSport, outerDst, outerDport, outerProto, this, 0);
    }

    private static String hp(Ip ip, int port, Protocol p) {
        if (!p.hasPorts()) {
            return ip.toString();
        }
        return ip.withPort(port);
    }

    /** Equal when every field but {@link #ttl()} is. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Packet p && sport == p.sport && dport == p.dport && mark == p.mark && protocol == p.protocol
                && src.equals(p.src) && dst.equals(p.dst) && Objects.equals(encap, p.encap);
    }

    @Override
    public int hashCode() {
        return Objects.hash(src, sport, dst, dport, protocol, encap, mark);
    }

    /** {@code tcp 10.0.0.1:40000 > 10.0.0.2:80 mark 0x4000 encap(...)} — the syntax {@link #parse} reads, plus mark and encap. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(protocol.ianaName()).append(' ')
                .append(hp(src, sport, protocol)).append(" > ").append(hp(dst, dport, protocol));
        if (mark != 0) {
            sb.append(" mark 0x").append(Long.toHexString(mark));
        }
        if (encap != null) {
            sb.append(" encap(").append(encap).append(')');
        }
        return sb.toString();
    }
}
