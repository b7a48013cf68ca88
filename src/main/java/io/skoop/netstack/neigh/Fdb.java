package io.skoop.netstack.neigh;

import io.skoop.model.Ip;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The forwarding databases of one network namespace: every bridge's and every VXLAN device's
 * entries, as {@code bridge fdb show} listed them.
 *
 * @param entries the entries in the order printed
 */
public record Fdb(List<FdbEntry> entries) {

    public Fdb {
        entries = List.copyOf(entries);
    }

    /**
     * The bridge's entry for {@code mac} (in {@code vlan}, null = untagged/any): the port through
     * which the bridge forwards a frame to this MAC (net/bridge/br_fdb.c {@code br_fdb_find}).
     * Empty means the bridge floods the frame to all ports.
     */
    public Optional<FdbEntry> bridgeLookup(String bridge, String mac, Integer vlan) {
        String m = mac.toLowerCase(Locale.ROOT);
        return entries.stream()
                .filter(e -> bridge.equals(e.master()) && e.mac().equals(m) && (vlan == null || vlan.equals(e.vlan())))
                .findFirst();
    }

    /**
     * The remote VTEPs a VXLAN device sends a frame for {@code mac} to, as the kernel decides in
     * drivers/net/vxlan/vxlan_core.c {@code vxlan_xmit}: the {@code self} entries for that MAC
     * when there are any, otherwise the all-zero default entries (one copy to each). Empty means
     * the frame is dropped (unless the device has a fixed remote, which link.json gives).
     */
    public List<Ip> vxlanRemotes(String vxlanDev, String mac) {
        String m = mac.toLowerCase(Locale.ROOT);
        List<Ip> exact = selfDst(vxlanDev, m);
        return exact.isEmpty() ? selfDst(vxlanDev, FdbEntry.ZERO_MAC) : exact;
    }

    private List<Ip> selfDst(String dev, String mac) {
        return entries.stream()
                .filter(e -> e.ifname().equals(dev) && e.isSelf() && e.mac().equals(mac) && e.dst() != null)
                .map(FdbEntry::dst)
                .toList();
    }

    /** The entries of one device (bridge port or VXLAN device). */
    public List<FdbEntry> onDevice(String ifname) {
        return entries.stream().filter(e -> e.ifname().equals(ifname)).toList();
    }
}
