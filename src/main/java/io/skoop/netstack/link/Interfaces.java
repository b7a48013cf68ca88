package io.skoop.netstack.link;

import io.skoop.model.Ip;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The interfaces of one network namespace in the kernel's device-list order (the order
 * {@code ip link show} prints; {@code inet_select_addr} walks devices in this order when the
 * output device has no suitable address), indexed by name and ifindex.
 */
public final class Interfaces {
    private final List<Interface> list;
    private final Map<String, Interface> byName = new LinkedHashMap<>();
    private final Map<Integer, Interface> byIndex = new LinkedHashMap<>();

    /** @param list the interfaces in device-list order; names and ifindexes must be unique */
    public Interfaces(List<Interface> list) {
        this.list = List.copyOf(list);
        for (Interface i : this.list) {
            if (byName.put(i.name(), i) != null || byIndex.put(i.ifindex(), i) != null) {
                throw new IllegalArgumentException("duplicate interface " + i.name() + " / ifindex " + i.ifindex());
            }
        }
    }

    /** All interfaces in device-list order. */
    public List<Interface> all() {
        return Collections.unmodifiableList(list);
    }

    /** The interface with this name. */
    public Optional<Interface> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The interface with this ifindex. */
    public Optional<Interface> byIndex(int ifindex) {
        return Optional.ofNullable(byIndex.get(ifindex));
    }

    /** The loopback device ({@code lo}), or null when the dump has none. */
    public Interface loopback() {
        return list.stream().filter(Interface::isLoopback).findFirst().orElse(null);
    }

    /** The interface that has {@code ip} configured as a local address (like {@code __ip_dev_find}), if any. */
    public Optional<Interface> withAddress(Ip ip) {
        for (Interface i : list) {
            for (Address a : i.addresses()) {
                if (a.local().equals(ip)) {
                    return Optional.of(i);
                }
            }
        }
        return Optional.empty();
    }
}
