package io.skoop.netstack.ipset;

import java.util.List;

/**
 * The set types of ipset(8) ("SET TYPES"), each with its dimensions in entry order
 * (kernel net/netfilter/ipset/ip_set_{hash,bitmap,list}_*.c). A type name this skoop does not
 * know is {@link #UNKNOWN}; such a set is kept with its entries as text and every membership
 * test on it answers UNKNOWN.
 */
public enum SetType {
    HASH_IP("hash:ip", Dim.IP),
    HASH_NET("hash:net", Dim.NET),
    HASH_IP_PORT("hash:ip,port", Dim.IP, Dim.PORT),
    HASH_NET_PORT("hash:net,port", Dim.NET, Dim.PORT),
    HASH_IP_PORT_IP("hash:ip,port,ip", Dim.IP, Dim.PORT, Dim.IP),
    HASH_IP_PORT_NET("hash:ip,port,net", Dim.IP, Dim.PORT, Dim.NET),
    HASH_NET_PORT_NET("hash:net,port,net", Dim.NET, Dim.PORT, Dim.NET),
    HASH_NET_NET("hash:net,net", Dim.NET, Dim.NET),
    HASH_IP_MARK("hash:ip,mark", Dim.IP, Dim.MARK),
    HASH_NET_IFACE("hash:net,iface", Dim.NET, Dim.IFACE),
    HASH_MAC("hash:mac", Dim.MAC),
    HASH_IP_MAC("hash:ip,mac", Dim.IP, Dim.MAC),
    BITMAP_IP("bitmap:ip", Dim.IP),
    BITMAP_IP_MAC("bitmap:ip,mac", Dim.IP, Dim.MAC),
    BITMAP_PORT("bitmap:port", Dim.PORT),
    LIST_SET("list:set", Dim.SET),
    UNKNOWN("?");

    /** One component of an entry. */
    public enum Dim {
        /** a host address (masked by the set's netmask, if any) */
        IP,
        /** an address with a prefix length; lookups prefer the most specific (hash:net* types) */
        NET,
        /** a protocol and port ({@code tcp:80}; ICMP type/code for icmp) */
        PORT,
        /** a packet mark (masked by markmask) */
        MARK,
        /** an interface name, optionally {@code physdev:} */
        IFACE,
        /** an Ethernet address */
        MAC,
        /** the name of a member set (list:set) */
        SET
    }

    private final String typeName;
    private final List<Dim> dims;

    SetType(String typeName, Dim... dims) {
        this.typeName = typeName;
        this.dims = List.of(dims);
    }

    /** The name as ipset prints it ({@code hash:ip,port}). */
    public String typeName() {
        return typeName;
    }

    /** The dimensions in entry order (empty for UNKNOWN). */
    public List<Dim> dims() {
        return dims;
    }

    /** True for the hash:net* types, whose entries may carry {@code nomatch} and whose lookups walk prefix lengths. */
    public boolean hasNets() {
        return dims.contains(Dim.NET);
    }

    /** True for types without a family (hash:mac, bitmap:port, list:set): they match packets of either family. */
    public boolean familyFree() {
        return !dims.contains(Dim.IP) && !dims.contains(Dim.NET);
    }

    /** The type of a name ipset prints, or {@link #UNKNOWN}. */
    public static SetType of(String name) {
        for (SetType t : values()) {
            if (t.typeName.equals(name)) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
