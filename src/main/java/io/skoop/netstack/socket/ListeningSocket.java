package io.skoop.netstack.socket;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.List;
import java.util.Objects;

/**
 * A listening TCP socket or an unconnected (bound) UDP socket, one line of
 * {@code ss -H -t -u -l -n -p -e} (ss(8); iproute2 misc/ss.c).
 *
 * <p>Which packets it accepts follows the kernel's socket lookup
 * (net/ipv4/inet_hashtables.c {@code compute_score}, net/ipv6/inet6_hashtables.c,
 * net/ipv4/udp.c): the destination port must be equal, the bound address must be the
 * destination or the wildcard of the family, and an IPv6 wildcard socket also receives IPv4
 * (as {@code ::ffff:a.b.c.d}) unless it is v6only.
 *
 * @param protocol  TCP or UDP
 * @param state     the ss state text: {@code LISTEN} (TCP) or {@code UNCONN} (UDP)
 * @param address   the bound address: {@code 0.0.0.0}/{@code ::} for the wildcard; ss's {@code *}
 *                  (an IPv6 wildcard that also accepts IPv4) is {@code ::} with v6only false
 * @param port      the bound port
 * @param device    the device the socket is bound to (SO_BINDTODEVICE, printed as {@code addr%dev}), or null
 * @param v6only    for IPv6 sockets the IPV6_V6ONLY flag as ss -e prints it ({@code v6only:0|1}),
 *                  null when ss did not print it (older ss, or without -e); null for IPv4 sockets
 * @param processes the owning processes (empty when ss had no permission or the socket is the kernel's, e.g. VXLAN)
 * @param inode     the socket inode ({@code ino:}), or null
 * @param text      the line as ss printed it (trimmed)
 */
public record ListeningSocket(Protocol protocol, String state, Ip address, int port, String device, Boolean v6only,
                              List<SocketProcess> processes, Long inode, String text) {

    public ListeningSocket {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(address, "address");
        processes = List.copyOf(processes);
    }

    /** True when the socket is bound to the wildcard address of its family. */
    public boolean isWildcard() {
        return address.isAny();
    }

    /** True for an IPv6 socket bound to an IPv4-mapped address ({@code ::ffff:a.b.c.d}). */
    public boolean isV4Mapped() {
        return address.isV6() && address.hi() == 0 && (address.lo() >>> 32) == 0xffffL;
    }

    /**
     * Whether this IPv6 socket receives IPv4 packets: false when v6only is set, true when it is
     * clear; when ss did not say, {@code bindV6OnlyDefault} (the sysctl net.ipv6.bindv6only, which
     * only sets the default that a program may override) decides. Always false for IPv4 sockets.
     */
    public boolean acceptsV4(boolean bindV6OnlyDefault) {
        if (address.isV4()) {
            return true;
        }
        if (!(isWildcard() || isV4Mapped())) {
            return false;
        }
        return v6only == null ? !bindV6OnlyDefault : !v6only;
    }

    /**
     * True when a packet to {@code dst:port/proto} arriving on {@code inDev} (null = not known,
     * then a device-bound socket counts as accepting) is delivered to this socket by the kernel's
     * listener lookup; see the class comment.
     */
    public boolean accepts(Ip dst, int dstPort, Protocol proto, String inDev, boolean bindV6OnlyDefault) {
        if (proto != protocol || dstPort != port) {
            return false;
        }
        if (device != null && inDev != null && !device.equals(inDev)) {
            return false;
        }
        if (dst.isV4()) {
            if (address.isV4()) {
                return isWildcard() || address.equals(dst);
            }
            if (!acceptsV4(bindV6OnlyDefault)) {
                return false;
            }
            return isWildcard() || address.lo() == (0xffff00000000L | dst.lo());
        }
        return address.isV6() && !isV4Mapped() && (isWildcard() || address.equals(dst));
    }

    /**
     * The kernel's preference among sockets that accept the same packet (higher wins), after
     * compute_score: an exact address beats the wildcard, a device-bound socket beats an unbound
     * one, a socket of the packet's own family beats a dual-stack IPv6 one.
     */
    public int score(Ip dst) {
        int s = 0;
        if (!isWildcard()) {
            s += 4;
        }
        if (device != null) {
            s += 2;
        }
        if (address.isV6() == dst.isV6()) {
            s += 1;
        }
        return s;
    }
}
