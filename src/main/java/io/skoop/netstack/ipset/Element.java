package io.skoop.netstack.ipset;

import io.skoop.model.Prefix;

/**
 * One component of an ipset entry, of the kind its {@link SetType.Dim} says.
 */
public sealed interface Element {

    /**
     * An IP or NET component: a host address as a /32 or /128 prefix, a network, or a host
     * masked by the set's {@code netmask}.
     *
     * @param prefix the address and length
     */
    record Addr(Prefix prefix) implements Element {
        @Override
        public String toString() {
            return prefix.isHost() ? prefix.address().toString() : prefix.toString();
        }
    }

    /**
     * A PORT component: {@code tcp:80}, {@code udp:1000-1002}, {@code icmp:echo-request},
     * {@code icmp:8/0}, or a bare port (ipset's default protocol tcp; bitmap:port stores no
     * protocol at all, then {@code proto} is null).
     *
     * @param proto the protocol name as written ({@code tcp}, {@code udp}, {@code sctp},
     *              {@code udplite}, {@code icmp}, {@code ipv6-icmp}/{@code icmpv6}, ...), or null
     * @param from  first port (0 for ICMP)
     * @param to    last port, inclusive
     * @param icmp  the ICMP type text ({@code echo-request} or {@code 8/0}) for icmp entries, else null
     */
    record Port(String proto, int from, int to, String icmp) implements Element {
        /** True for an ICMP or ICMPv6 type/code entry. */
        public boolean isIcmp() {
            return icmp != null;
        }

        /** For an ICMP entry its {@code type/code} ({@code echo-request} → {@code 8/0}), null when the name is not known. */
        public String icmpTypeCode() {
            return icmp == null ? null : IcmpNames.typeCode(!proto.equals("icmp"), icmp);
        }

        @Override
        public String toString() {
            String p = icmp != null ? icmp : from == to ? String.valueOf(from) : from + "-" + to;
            return proto == null ? p : proto + ":" + p;
        }
    }

    /**
     * A MARK component ({@code 0x00004000}).
     *
     * @param value the mark, unsigned 32-bit
     */
    record Mark(long value) implements Element {
        @Override
        public String toString() {
            return String.format("0x%08x", value);
        }
    }

    /**
     * An IFACE component ({@code cni0}, {@code physdev:eth0}).
     *
     * @param name    the interface name
     * @param physdev true when it names a bridge port ({@code physdev:}) rather than the in/out device
     */
    record Iface(String name, boolean physdev) implements Element {
        @Override
        public String toString() {
            return physdev ? "physdev:" + name : name;
        }
    }

    /**
     * A MAC component, lower case.
     *
     * @param mac six colon-separated hex octets
     */
    record Mac(String mac) implements Element {
        @Override
        public String toString() {
            return mac;
        }
    }

    /**
     * A member set of a list:set.
     *
     * @param name the member set's name
     */
    record SetName(String name) implements Element {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * An entry of a set type skoop does not know, kept as text.
     *
     * @param text the entry as written
     */
    record Unknown(String text) implements Element {
        @Override
        public String toString() {
            return text;
        }
    }
}
