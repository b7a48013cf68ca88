package io.skoop.netstack.neigh;

import io.skoop.model.Ip;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The neighbour table of one network namespace (both families), in the order {@code ip} printed it. Immutable. Lookups
 * by address are indexed: a node of a 1,000-node flannel vxlan cluster holds a neighbour per other node, and checking
 * every route of a node looks up each of them.
 */
public final class NeighbourTable {
    private final List<Neighbour> entries;
    /** The non-proxy entries by address, in table order. */
    private final Map<Ip, List<Neighbour>> byDst = new HashMap<>();

    /** @param entries every entry, proxy entries included when they were read */
    public NeighbourTable(List<Neighbour> entries) {
        this.entries = List.copyOf(entries);
        for (Neighbour n : this.entries) {
            if (!n.proxy()) {
                byDst.computeIfAbsent(n.dst(), k -> new ArrayList<>()).add(n);
            }
        }
        byDst.replaceAll((k, v) -> List.copyOf(v));
    }

    /** Every entry, proxy entries included when they were read. */
    public List<Neighbour> entries() {
        return entries;
    }

    /**
     * The non-proxy entry for {@code dst} on device {@code dev}: the kernel keys neighbours by
     * (device, address), so the same address may appear on several devices.
     */
    public Optional<Neighbour> lookup(Ip dst, String dev) {
        return lookup(dst).stream().filter(n -> dev.equals(n.dev())).findFirst();
    }

    /** Every non-proxy entry for {@code dst}, on any device. */
    public List<Neighbour> lookup(Ip dst) {
        return byDst.getOrDefault(dst, List.of());
    }

    /** True when a proxy entry answers ARP/NDP for {@code dst} on {@code dev} (a proxy entry without device answers on all). */
    public boolean proxies(Ip dst, String dev) {
        return entries.stream().anyMatch(n -> n.proxy() && n.dst().equals(dst) && (n.dev() == null || n.dev().equals(dev)));
    }

    /** The entries of one device. */
    public List<Neighbour> onDevice(String dev) {
        return entries.stream().filter(n -> dev.equals(n.dev())).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeighbourTable t && t.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "NeighbourTable[entries=" + entries + "]";
    }
}
