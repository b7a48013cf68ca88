package io.skoop.netstack.ipset;

import java.util.List;
import java.util.Objects;

/**
 * One set of {@code ipset save}: its {@code create} line and its {@code add} lines.
 *
 * @param name     the set name
 * @param type     the set type ({@link SetType#UNKNOWN} when this skoop does not know it)
 * @param typeName the type as written ({@code hash:net,port})
 * @param options  the create options
 * @param entries  the entries in file order
 * @param line     the 1-based line of the {@code create}
 */
public record IpSet(String name, SetType type, String typeName, CreateOptions options, List<IpSetEntry> entries, int line) {

    public IpSet {
        Objects.requireNonNull(name, "name");
        entries = List.copyOf(entries);
    }

    /** True when the set holds IPv6 addresses ({@code family inet6}). */
    public boolean isV6() {
        return "inet6".equals(options.family());
    }
}
