package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;
import io.skoop.model.Packet;

/**
 * What the netfilter simulator needs from the namespace's routing: the routing decisions
 * inside a path and the address facts some matches and targets use. The Router
 * (io.skoop.netstack.route) implements it for a namespace dump; specs use small fakes.
 *
 * <p>An implementation that lacks the data to answer throws {@link UnsupportedOperationException}
 * with the reason: the simulator then ends that branch with verdict UNKNOWN and the reason
 * (never a guessed answer).
 */
public interface RoutingOracle {
    /**
     * The routing decision for {@code packet} (its mark is the fwmark) as
     * {@code ip route get DST from SRC iif IIF mark MARK} or, for a locally generated packet
     * ({@code iif == null}), {@code ip route get DST [oif OIF] mark MARK}.
     *
     * @param packet the packet as it is at the decision (after DNAT and MARK)
     * @param iif    the input device, null when locally generated
     * @param oif    a device the socket is bound to (SO_BINDTODEVICE / {@code --oif}), or null
     */
    RouteDecision route(Packet packet, String iif, String oif);

    /**
     * The type of {@code address} as {@code inet_dev_addr_type()} answers it from the local
     * routing table (LOCAL, BROADCAST, MULTICAST, else UNICAST), considering only routes of
     * {@code device} when not null; null when it cannot be answered.
     */
    AddrType addressType(Ip address, String device);

    /** The primary address of {@code device} in the family (for REDIRECT), or null when it has none. */
    Ip primaryAddress(String device, boolean ipv6);

    /**
     * The source address MASQUERADE picks: {@code inet_select_addr(device, nexthop, RT_SCOPE_UNIVERSE)}
     * — the primary address of the device in the next hop's subnet, else its first primary
     * address of universe scope; null when the device has none (the kernel drops the packet).
     */
    Ip masqueradeSource(String device, Ip nexthop);

    /**
     * Why IPv6 packets received on {@code iif} are not forwarded (ip6_forward: {@code net.ipv6.conf.all.forwarding}
     * off and no {@code force_forwarding} on the device), or null when they are. The default forwards.
     *
     * @throws UnsupportedOperationException when it cannot be said
     */
    default String ipv6NotForwarded(String iif) {
        return null;
    }

    /**
     * Why the IPv6 packets {@code dev} receives are dropped before PREROUTING (ip6_rcv_core: {@code disable_ipv6} on
     * the device), or null when they are not. The default keeps them.
     *
     * @throws UnsupportedOperationException when it cannot be said
     */
    default String ipv6Disabled(String dev) {
        return null;
    }

    /**
     * The reverse-path check of {@code -m rpfilter} for a packet received on {@code device}: does a route back to
     * its source leave by that device (or, loose, exist at all)? The default cannot answer (the match is UNKNOWN).
     *
     * @param mark the mark the lookup uses (the packet's with --validmark, else 0)
     * @throws UnsupportedOperationException when the oracle cannot answer
     */
    default boolean rpfilter(Packet packet, String device, long mark, boolean loose, boolean acceptLocal) {
        throw new UnsupportedOperationException("the reverse-path check of -m rpfilter is not answered here");
    }
}
