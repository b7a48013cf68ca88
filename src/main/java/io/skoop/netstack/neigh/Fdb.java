package io.skoop.netstack.neigh;

import io.skoop.model.Ip;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The forwarding databases of one network namespace: every bridge's and every VXLAN device's
 * entries, as {@code bridge fdb show} listed them. Immutable. The VXLAN lookups are indexed: a
 * node of a 1,000-node flannel cluster holds an entry per other node, and checking every route
 * of a node asks for each of them.
 */
public final class Fdb {
    private final List<FdbEntry> entries;
    /** The remote VTEPs of the {@code self} entries with a dst, by device and MAC, in entry order. */
    private final Map<String, List<Ip>> selfDst = new HashMap<>();

    /** @param entries the entries in the order printed */
    public Fdb(List<FdbEntry> entries) {
        this.entries = List.copyOf(entries);
        for (FdbEntry e : this.entries) {
            if (e.isSelf() && e.dst() != null) {
                selfDst.computeIfAbsent(key(e.ifname(), e.mac()), k -> new ArrayList<>()).add(e.dst());
            }
        }
        selfDst.replaceAll((k, v) -> List.copyOf(v));
    }

    /** The entries in the order printed. */
    public List<FdbEntry> entries() {
        return entries;
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
        List<Ip> exact = selfDst.getOrDefault(key(vxlanDev, m), List.of());
        return exact.isEmpty() ? selfDst.getOrDefault(key(vxlanDev, FdbEntry.ZERO_MAC), List.of()) : exact;
    }

    /** The entries of one device (bridge port or VXLAN device). */
    public List<FdbEntry> onDevice(String ifname) {
        return entries.stream().filter(e -> e.ifname().equals(ifname)).toList();
    }

    private static String key(String dev, String mac) {
        return dev + '\n' + mac;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fdb f && f.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "Fdb[entries=" + entries + "]";
    }
}
