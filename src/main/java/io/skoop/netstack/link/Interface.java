package io.skoop.netstack.link;

import java.util.List;
import java.util.Set;

/**
 * A network interface of one namespace, merged from {@code ip -j -d link show} and
 * {@code ip -j addr show}.
 *
 * @param ifindex   the interface index
 * @param name      the interface name ({@code ifname})
 * @param kind      {@code linkinfo.info_kind} ({@code veth}, {@code bridge}, {@code vxlan}, …; kept verbatim
 *                  when unknown to us), {@code loopback} for the loopback device, or {@code ether}/{@code link_type}
 *                  when the link has no info_kind
 * @param mtu       the MTU in bytes
 * @param flags     link flags as ip prints them ({@code UP}, {@code LOWER_UP}, {@code LOOPBACK}, {@code NO-CARRIER}, …)
 * @param operstate the RFC 2863 operational state ({@code UP}, {@code DOWN}, {@code UNKNOWN}, {@code LOWERLAYERDOWN}, …)
 * @param master    the master device (bridge, VRF, bond), or null
 * @param slaveKind {@code linkinfo.info_slave_kind} (e.g. {@code bridge} for a bridge port), or null
 * @param group     the interface group number ({@code group}; {@code default} is 0)
 * @param peer      the veth peer / lower link, or null
 * @param vxlan     VXLAN parameters for a vxlan device, else null
 * @param mac       the link-layer address, or null
 * @param addresses the addresses in the order the kernel lists them (primary before secondary)
 * @param bridgePort the port's state and hairpin flag when it is a bridge port ({@code info_slave_data}), else null
 * @param ipip      IPIP tunnel parameters for an ipip device, else null
 */
public record Interface(int ifindex, String name, String kind, int mtu, Set<String> flags, String operstate,
                        String master, String slaveKind, int group, VethPeer peer, VxlanInfo vxlan, String mac,
                        List<Address> addresses, BridgePort bridgePort, IpipInfo ipip) {

    public Interface {
        flags = Set.copyOf(flags);
        addresses = List.copyOf(addresses);
    }

    /** An interface that is no bridge port (or whose port flags the dump does not give). */
    public Interface(int ifindex, String name, String kind, int mtu, Set<String> flags, String operstate, String master,
                     String slaveKind, int group, VethPeer peer, VxlanInfo vxlan, String mac, List<Address> addresses) {
        this(ifindex, name, kind, mtu, flags, operstate, master, slaveKind, group, peer, vxlan, mac, addresses, null);
    }

    /** An interface that is no IPIP device. */
    public Interface(int ifindex, String name, String kind, int mtu, Set<String> flags, String operstate, String master,
                     String slaveKind, int group, VethPeer peer, VxlanInfo vxlan, String mac, List<Address> addresses,
                     BridgePort bridgePort) {
        this(ifindex, name, kind, mtu, flags, operstate, master, slaveKind, group, peer, vxlan, mac, addresses, bridgePort, null);
    }

    /** True for a tunnel device that encapsulates what it sends (a VXLAN or an IPIP device). */
    public boolean isTunnel() {
        return vxlan != null || ipip != null;
    }

    /** True when the device is administratively up (IFF_UP). */
    public boolean isUp() {
        return flags.contains("UP");
    }

    /** True for the loopback device (IFF_LOOPBACK). */
    public boolean isLoopback() {
        return flags.contains("LOOPBACK") || "loopback".equals(kind);
    }

    /** The IPv4 or IPv6 addresses of this interface, in kernel order. */
    public List<Address> addresses(boolean v6) {
        return addresses.stream().filter(a -> a.isV6() == v6).toList();
    }

    @Override
    public String toString() {
        return ifindex + ": " + name + " <" + String.join(",", flags) + "> " + kind + " mtu " + mtu
                + (master != null ? " master " + master : "");
    }
}
