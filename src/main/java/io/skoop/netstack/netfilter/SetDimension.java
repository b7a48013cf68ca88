package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;

/**
 * One dimension of an ipset lookup made by {@code -m set --match-set NAME src,dst}: the
 * flag ({@code src} or {@code dst}) selects which side of the packet supplies the value;
 * the set's type decides whether the address, the port (with protocol) or the interface
 * of that side is used (ipset(8) "SET TYPES", xt_set.c). All are given; the membership
 * implementation picks what its type needs.
 *
 * @param source    true for a {@code src} flag, false for {@code dst}
 * @param address   the packet's address on that side
 * @param port      the packet's port on that side (0 without ports)
 * @param protocol  the packet's protocol
 * @param iface     the interface on that side (in for src, out for dst), or null
 */
public record SetDimension(boolean source, Ip address, int port, Protocol protocol, String iface) {
}
