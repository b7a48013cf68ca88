package io.skoop.netstack.route;

import io.skoop.model.Ip;
import io.skoop.model.Numbers;
import io.skoop.model.Protocol;
import java.util.List;

/**
 * One {@code ip route get} query. With {@code iif} it is an input lookup (a packet received on
 * that device: {@code ip_route_input_slow}), otherwise an output lookup of a locally generated
 * packet ({@code ip_route_output_key_hash_rcu}).
 *
 * @param dst     destination address
 * @param src     source address ({@code from}), or null
 * @param iif     input device name, or null for an output lookup
 * @param oif     output device name ({@code oif}), or null
 * @param mark    the fwmark, unsigned 32 bits
 * @param ipproto IP protocol number ({@code ipproto}), 0 = unspecified
 * @param sport   source port ({@code sport}), 0 = unspecified
 * @param dport   destination port ({@code dport}), 0 = unspecified
 * @param tos     the TOS / dsfield byte ({@code tos}/{@code dsfield}), 0 = unspecified
 * @param uid     the uid of an output lookup ({@code uid}; ip route get uses the caller's, 0 as root)
 */
public record RouteQuery(Ip dst, Ip src, String iif, String oif, long mark, int ipproto, int sport, int dport, int tos, long uid) {

    public RouteQuery {
        if (dst == null) {
            throw new IllegalArgumentException("a route query needs a destination");
        }
        if (src != null && src.isV6() != dst.isV6()) {
            throw new IllegalArgumentException("from " + src + " and destination " + dst + " are of different families");
        }
        mark &= 0xffffffffL;
    }

    /** An output lookup of {@code dst} with nothing else set. */
    public static RouteQuery to(Ip dst) {
        return new RouteQuery(dst, null, null, null, 0, 0, 0, 0, 0, 0);
    }

    /**
     * The lookup of a simulated packet: its destination, source, mark, protocol and ports; an input
     * lookup when {@code iif} is given (the packet arrived there), else an output lookup of a locally
     * generated packet, optionally bound to {@code oif}.
     *
     * @param packet the packet (its outer header when encapsulated)
     * @param iif    the device it was received on, or null
     * @param oif    the device an output lookup is bound to, or null
     */
    public static RouteQuery of(io.skoop.model.Packet packet, String iif, String oif) {
        return new RouteQuery(packet.dst(), packet.src(), iif, oif, packet.mark(), packet.protocol().number(),
                packet.sport(), packet.dport(), 0, 0);
    }

    /** True for an input lookup ({@code iif} given). */
    public boolean isInput() {
        return iif != null;
    }

    /**
     * Parses the words of {@code ip route get}: {@code DST [from SRC] [iif DEV] [oif DEV] [mark N]
     * [ipproto P] [sport N] [dport N] [tos N|dsfield N] [uid N]} ({@code to} before DST is accepted;
     * numbers may be hex {@code 0x..}).
     *
     * @throws IllegalArgumentException naming the word that is wrong and what was expected
     */
    public static RouteQuery parse(List<String> words) {
        Ip dst = null, src = null;
        String iif = null, oif = null;
        long mark = 0, uid = 0;
        int ipproto = 0, sport = 0, dport = 0, tos = 0;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (List.of("from", "iif", "oif", "mark", "ipproto", "sport", "dport", "tos", "dsfield", "uid", "to").contains(w)) {
                if (i + 1 >= words.size()) {
                    throw new IllegalArgumentException("'" + w + "' needs a value");
                }
                String v = words.get(++i);
                switch (w) {
                    case "from" -> src = address(v, "from");
                    case "to" -> dst = address(v, "to");
                    case "iif" -> iif = v;
                    case "oif" -> oif = v;
                    case "mark" -> mark = number(v, "mark", 0xffffffffL);
                    case "ipproto" -> ipproto = protocol(v);
                    case "sport" -> sport = (int) number(v, "sport", 65535);
                    case "dport" -> dport = (int) number(v, "dport", 65535);
                    case "tos", "dsfield" -> tos = (int) number(v, w, 255);
                    case "uid" -> uid = number(v, "uid", 0xffffffffL);
                    default -> throw new IllegalStateException(w);
                }
            } else if (dst == null) {
                dst = address(w, "destination");
            } else {
                throw new IllegalArgumentException("unexpected word '" + w + "' (expected from, iif, oif, mark, ipproto, sport, dport, tos or uid)");
            }
        }
        if (dst == null) {
            throw new IllegalArgumentException("missing destination address (expected DST [from SRC] [iif DEV] [oif DEV] [mark N])");
        }
        return new RouteQuery(dst, src, iif, oif, mark, ipproto, sport, dport, tos, uid);
    }

    private static Ip address(String v, String what) {
        try {
            return Ip.parse(v.endsWith("/32") || v.endsWith("/128") ? v.substring(0, v.indexOf('/')) : v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad " + what + " address '" + v + "' (expected an IPv4 or IPv6 address)");
        }
    }

    private static long number(String v, String what, long max) {
        try {
            return Numbers.parseUnsigned(v, max);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + what + " '" + v + "' (expected a number 0.." + max + ")");
        }
    }

    private static int protocol(String v) {
        try {
            return Protocol.parse(v).number();
        } catch (IllegalArgumentException e) {
            return (int) number(v, "ipproto", 255);
        }
    }

    /** The query in {@code ip route get} words. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(dst.toString());
        if (src != null) {
            sb.append(" from ").append(src);
        }
        if (iif != null) {
            sb.append(" iif ").append(iif);
        }
        if (oif != null) {
            sb.append(" oif ").append(oif);
        }
        if (mark != 0) {
            sb.append(" mark 0x").append(Long.toHexString(mark));
        }
        if (ipproto != 0) {
            sb.append(" ipproto ").append(ipproto);
        }
        if (sport != 0) {
            sb.append(" sport ").append(sport);
        }
        if (dport != 0) {
            sb.append(" dport ").append(dport);
        }
        if (tos != 0) {
            sb.append(" tos 0x").append(Integer.toHexString(tos));
        }
        if (uid != 0) {
            sb.append(" uid ").append(uid);
        }
        return sb.toString();
    }
}
