package io.skoop.netstack.neigh;

import io.skoop.model.Ip;
import java.util.List;
import java.util.Optional;

/**
 * The neighbour table of one network namespace (both families), in the order {@code ip} printed it.
 *
 * @param entries every entry, proxy entries included when they were read
 */
public record NeighbourTable(List<Neighbour> entries) {

    public NeighbourTable {
        entries = List.copyOf(entries);
    }

    /**
     * The non-proxy entry for {@code dst} on device {@code dev}: the kernel keys neighbours by
     * (device, address), so the same address may appear on several devices.
     */
    public Optional<Neighbour> lookup(Ip dst, String dev) {
        return entries.stream().filter(n -> !n.proxy() && n.dst().equals(dst) && dev.equals(n.dev())).findFirst();
    }

    /** Every non-proxy entry for {@code dst}, on any device. */
    public List<Neighbour> lookup(Ip dst) {
        return entries.stream().filter(n -> !n.proxy() && n.dst().equals(dst)).toList();
    }

    /** True when a proxy entry answers ARP/NDP for {@code dst} on {@code dev} (a proxy entry without device answers on all). */
    public boolean proxies(Ip dst, String dev) {
        return entries.stream().anyMatch(n -> n.proxy() && n.dst().equals(dst) && (n.dev() == null || n.dev().equals(dev)));
    }

    /** The entries of one device. */
    public List<Neighbour> onDevice(String dev) {
        return entries.stream().filter(n -> dev.equals(n.dev())).toList();
    }
}
