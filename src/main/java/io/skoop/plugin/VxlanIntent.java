package io.skoop.plugin;

import io.skoop.model.Ip;
import io.skoop.model.Suspicion;
import io.skoop.netstack.NetNS;
import io.skoop.netstack.link.Address;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.link.VxlanInfo;
import io.skoop.netstack.neigh.NeighState;
import io.skoop.netstack.neigh.Neighbour;
import java.util.List;

/**
 * What a CNI that carries pod traffic between nodes over a Linux VXLAN device sets up, checked the same way for each
 * such CNI (flannel's {@code flannel.1}, Calico's {@code vxlan.calico}): the device with its VNI, UDP port, address and
 * MTU, and per remote node the PERMANENT neighbour of its VTEP address and the FDB entry that sends the VTEP's MAC to
 * the node. Learning is off on both devices, so these static entries are all the kernel has to encapsulate with.
 *
 * @param cni     the CNI as messages name it ({@code flannel}, {@code Calico})
 * @param device  the VXLAN device ({@code flannel.1})
 * @param vni     the VNI the CNI gives it
 * @param port    the UDP port the CNI gives it
 * @param creator who creates the device, for the message when it is missing ({@code flannel vxlan})
 * @param macName what the CNI calls a node's VTEP MAC, for messages ({@code VtepMAC})
 */
public record VxlanIntent(String cni, String device, long vni, int port, String creator, String macName) {

    /**
     * Compares the VXLAN device with the intent.
     *
     * @param underlay the device holding the node's address (its MTU bounds the device's), or null when not known
     * @param address  the address the CNI puts on the device, or null when not known
     * @param why      where {@code address} comes from, appended to its message ({@code ""} for none)
     * @return the device's MTU, or, when it is missing, the MTU the CNI would give it (the underlay's − 50; −1 when not
     *         known)
     */
    public int checkDevice(NetNS ns, Interface underlay, Ip address, String why, List<Suspicion> out) {
        return checkDevice(ns, underlay, address, false, why, out);
    }

    /**
     * Compares the VXLAN device with the intent, over an IPv4 or an IPv6 underlay: the overhead the MTU must leave is
     * 50 bytes over IPv4, 70 over IPv6 (vxlan_config_apply: the kernel caps a requested MTU at the underlay's minus
     * that), and the CNI's address is a /32 or a /128.
     *
     * @param v6 true for a device whose outer packets are IPv6 (flannel-v6.1)
     * @see #checkDevice(NetNS, Interface, Ip, String, List)
     */
    public int checkDevice(NetNS ns, Interface underlay, Ip address, boolean v6, String why, List<Suspicion> out) {
        int overhead = v6 ? VxlanInfo.OVERHEAD_V6 : VxlanInfo.OVERHEAD_V4;
        Interface dev = ns.interfaces().byName(device).orElse(null);
        if (dev == null) {
            out.add(Suspicion.warning("no " + device + " device (" + creator + " creates it)"));
            return underlay == null ? -1 : underlay.mtu() - overhead;
        }
        if (dev.vxlan() == null) {
            out.add(Suspicion.warning(device + " is a " + dev.kind() + " device, not vxlan"));
        } else {
            if (dev.vxlan().id() != vni) {
                out.add(Suspicion.warning(device + " has VNI " + dev.vxlan().id() + ", " + cni + " uses " + vni));
            }
            if (dev.vxlan().port() != port) {
                out.add(Suspicion.warning(device + " uses UDP port " + dev.vxlan().port() + ", " + cni + " uses " + port));
            }
        }
        if (!dev.isUp()) {
            out.add(Suspicion.warning(device + " is down"));
        }
        if (address != null && dev.addresses(v6).stream().map(Address::local).noneMatch(address::equals)) {
            out.add(Suspicion.warning(device + " lacks " + cni + "'s address " + address + (v6 ? "/128" : "/32") + why));
        }
        if (underlay != null && dev.mtu() + overhead > underlay.mtu()) {
            out.add(Suspicion.warning(device + " MTU " + dev.mtu() + " + " + overhead + " bytes of VXLAN overhead = "
                    + (dev.mtu() + overhead) + " exceeds " + underlay.name() + " MTU " + underlay.mtu()
                    + ": full-size packets between nodes cannot cross (" + cni + " sets " + device + " MTU = "
                    + (underlay.mtu() - overhead) + ")"));
        } else if (underlay != null && dev.mtu() + overhead < underlay.mtu()) {
            out.add(Suspicion.info(device + " MTU " + dev.mtu() + " is below what " + underlay.name() + " allows ("
                    + (underlay.mtu() - overhead) + ")"));
        }
        return dev.mtu();
    }

    /**
     * Compares the L2 entries of one remote VTEP with the intent: a PERMANENT neighbour {@code vtep lladdr <mac>} on the
     * device and an FDB entry {@code <mac> dst <remote>}.
     *
     * @param vtep   the remote VTEP's address (the gateway of the routes to its node's pods)
     * @param mac    the remote VTEP's MAC as its node publishes it, or null when it does not (the neighbour's
     *               lladdr is then the MAC whose FDB entry is checked)
     * @param remote the remote node's address (the outer destination), or null when not known
     * @param node   the remote node's name
     */
    public void checkVtep(NetNS ns, Ip vtep, String mac, Ip remote, String node, List<Suspicion> out) {
        Neighbour n = ns.neighbours().lookup(vtep, device).orElse(null);
        if (n == null) {
            out.add(Suspicion.warning("no neighbour " + vtep + " on " + device
                    + (mac == null ? "" : "; " + cni + " adds it PERMANENT with lladdr " + mac) + " (VTEP of node " + node + ")"));
        } else if (mac != null && !mac.equalsIgnoreCase(n.lladdr())) {
            out.add(Suspicion.warning("neighbour " + vtep + " on " + device + " has lladdr " + n.lladdr()
                    + ", node " + node + "'s " + macName + " is " + mac));
        } else if (!n.has(NeighState.PERMANENT)) {
            out.add(Suspicion.warning("neighbour " + vtep + " on " + device + " is " + String.join(",", n.rawStates())
                    + ", not PERMANENT as " + cni + " adds it (VTEP of node " + node + ")"));
        }
        String fdbMac = mac != null ? mac : n == null ? null : n.lladdr();
        if (fdbMac != null && remote != null) {
            List<Ip> remotes = ns.fdb().vxlanRemotes(device, fdbMac);
            if (!remotes.contains(remote)) {
                out.add(Suspicion.warning(device + " FDB " + (remotes.isEmpty() ? "has no entry for " + fdbMac
                        : "sends " + fdbMac + " to " + remotes) + "; " + cni + " adds " + fdbMac + " dst " + remote + " (node " + node + ")"));
            }
        }
    }
}
