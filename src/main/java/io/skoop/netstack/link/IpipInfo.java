package io.skoop.netstack.link;

import io.skoop.model.Ip;

/**
 * The tunnel parameters of an {@code ipip} device ({@code linkinfo.info_data} of {@code ip -j -d link show}).
 *
 * <p>The JSON shape follows iproute2's {@code iptunnel_print_opt} (ip/link_iptnl.c, shared by ipip and sit):
 * {@code "remote"} and {@code "local"} are always printed, as an IPv4 address or {@code "any"} for 0.0.0.0;
 * {@code "link"} (the underlay device name, or {@code "link_index"} when the name is unknown) only when the tunnel is
 * bound to a device; {@code "ttl"} is always an integer in JSON (0 = inherit); {@code "pmtudisc"} is a boolean. The
 * kernel's fallback device {@code tunl0} (Calico's IPIP device, {@code tunl0@NONE}) prints
 * {@code {"remote":"any","local":"any","ttl":0,"pmtudisc":false}}.
 *
 * @param local    the tunnel's source address ({@code local}), null for {@code any}
 * @param remote   the tunnel's destination ({@code remote}), null for {@code any}: the destination is then the route's
 *                 next hop (ip_tunnel_xmit takes {@code rt_nexthop} of the inner packet's route)
 * @param ttl      the outer TTL ({@code ttl}); 0 inherits the inner packet's
 * @param pmtudisc whether the outer header carries DF always ({@code pmtudisc})
 * @param dev      the underlay device the tunnel is bound to ({@code link}), or null
 */
public record IpipInfo(Ip local, Ip remote, int ttl, boolean pmtudisc, String dev) {
    /** Bytes IPIP adds to an inner IPv4 packet: the outer IPv4 header (RFC 2003 §3); tunl0's MTU is its underlay's minus this. */
    public static final int OVERHEAD = 20;
    /** The IPv4 protocol number of IP-in-IP ({@code ipencap} in /etc/protocols; RFC 2003). */
    public static final int PROTOCOL = 4;

    /**
     * Whether this device takes an IPIP packet from {@code outerSrc} to {@code outerDst} (ip_tunnel_lookup: a device
     * whose configured addresses match; {@code any} matches every address).
     */
    public boolean accepts(Ip outerSrc, Ip outerDst) {
        return (local == null || local.equals(outerDst)) && (remote == null || remote.equals(outerSrc));
    }

    /** Specific devices before wildcard ones, as ip_tunnel_lookup tries them (the fallback tunl0 last). */
    public int wildcards() {
        return (local == null ? 1 : 0) + (remote == null ? 2 : 0);
    }
}
