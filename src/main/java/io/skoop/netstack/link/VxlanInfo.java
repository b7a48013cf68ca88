package io.skoop.netstack.link;

import io.skoop.model.Ip;

/**
 * The VXLAN parameters of a {@code vxlan} device ({@code linkinfo.info_data} of
 * {@code ip -j -d link show}; see ip-link(8) "VXLAN Type Support").
 *
 * @param id       the VNI ({@code id})
 * @param local    the local tunnel source address ({@code local}), or null
 * @param remote   the unicast remote ({@code remote}), or null
 * @param group    the multicast group ({@code group}), or null
 * @param port     the UDP destination port ({@code port}; 0 when the kernel default 8472 applies)
 * @param dev      the underlay device name ({@code link}), or null
 * @param learning whether source-address learning is on ({@code learning})
 * @param ttl      the outer header's TTL ({@code ttl}): 1..255 as set, 0 "auto" (the route's hop limit, in practice
 *                 {@code net.ipv4.ip_default_ttl}; flannel leaves it so), {@link #TTL_INHERIT} for {@code ttl inherit}
 *                 (the inner packet's); vxlan_xmit_one in drivers/net/vxlan
 */
public record VxlanInfo(long id, Ip local, Ip remote, Ip group, int port, String dev, boolean learning, int ttl) {
    /**
     * Bytes VXLAN adds to an inner packet over IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 (RFC 7348 §5);
     * a VXLAN device's MTU is its underlay's minus this.
     */
    public static final int OVERHEAD_V4 = 50;
    /** Bytes VXLAN adds over IPv6: the outer IPv6 header is 40 bytes, 20 more than IPv4's. */
    public static final int OVERHEAD_V6 = 70;
    /** {@code ttl inherit}: the outer TTL is the inner packet's. */
    public static final int TTL_INHERIT = -1;

    /**
     * Whether the device tunnels over IPv6: its {@code local}, {@code remote} or {@code group} is IPv6 (the kernel then
     * opens the IPv6 UDP socket for it, VXLAN_F_IPV6).
     */
    public boolean isV6() {
        return local != null && local.isV6() || remote != null && remote.isV6() || group != null && group.isV6();
    }

    /** The bytes this device adds to an inner packet: {@link #OVERHEAD_V6} over IPv6, {@link #OVERHEAD_V4} over IPv4. */
    public int overhead() {
        return isV6() ? OVERHEAD_V6 : OVERHEAD_V4;
    }

    /** A device with {@code ttl auto} (0), as flannel makes it. */
    public VxlanInfo(long id, Ip local, Ip remote, Ip group, int port, String dev, boolean learning) {
        this(id, local, remote, group, port, dev, learning, 0);
    }
}
