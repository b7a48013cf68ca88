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
 */
public record VxlanInfo(long id, Ip local, Ip remote, Ip group, int port, String dev, boolean learning) {
}
