package io.skoop.netstack.socket;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.Comparator;
import java.util.List;

/**
 * The listening sockets of one network namespace (sockets.txt), with the lookup the Diagnostor
 * needs: which socket, if any, a new connection or datagram would reach.
 *
 * @param sockets           every listening TCP / bound UDP socket, in ss's order
 * @param bindV6OnlyDefault the value of sysctl {@code net.ipv6.bindv6only} (kernel default 0 =
 *                          false), used for IPv6 sockets whose v6only flag ss did not print
 */
public record Sockets(List<ListeningSocket> sockets, boolean bindV6OnlyDefault) {

    public Sockets {
        sockets = List.copyOf(sockets);
    }

    /** The sockets with the kernel's default {@code net.ipv6.bindv6only = 0}. */
    public static Sockets of(List<ListeningSocket> sockets) {
        return new Sockets(sockets, false);
    }

    /** The same sockets, assuming {@code net.ipv6.bindv6only} is {@code value} for sockets without a known v6only flag. */
    public Sockets withBindV6OnlyDefault(boolean value) {
        return new Sockets(sockets, value);
    }

    /**
     * The sockets that would accept a packet to {@code dst:port} of protocol {@code proto},
     * ignoring the ingress device (a device-bound socket is included; check
     * {@link ListeningSocket#device()}), best first: the first one is the socket the kernel
     * picks, unless several share the port with SO_REUSEPORT (then it hashes among them).
     * Empty means the kernel answers a TCP SYN with RST and a UDP datagram with ICMP port unreachable.
     */
    public List<ListeningSocket> listening(Ip dst, int port, Protocol proto) {
        return listening(dst, port, proto, null);
    }

    /**
     * Like {@link #listening(Ip, int, Protocol)} for a packet that arrived on device {@code inDev}
     * (null = unknown): a socket bound to another device does not receive it.
     */
    public List<ListeningSocket> listening(Ip dst, int port, Protocol proto, String inDev) {
        return sockets.stream()
                .filter(s -> s.accepts(dst, port, proto, inDev, bindV6OnlyDefault))
                .sorted(Comparator.comparingInt((ListeningSocket s) -> s.score(dst)).reversed())
                .toList();
    }
}
