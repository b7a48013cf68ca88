package io.skoop.netstack.ipset;

import java.util.Map;

/**
 * The ICMP and ICMPv6 type names ipset accepts and prints in port components
 * ({@code icmp:echo-request}), from ipset's lib/icmp.c and lib/icmpv6.c, mapped to
 * {@code type/code}.
 */
final class IcmpNames {
    private static final Map<String, String> V4 = Map.ofEntries(
            Map.entry("echo-reply", "0/0"), Map.entry("pong", "0/0"),
            Map.entry("network-unreachable", "3/0"), Map.entry("host-unreachable", "3/1"),
            Map.entry("protocol-unreachable", "3/2"), Map.entry("port-unreachable", "3/3"),
            Map.entry("fragmentation-needed", "3/4"), Map.entry("source-route-failed", "3/5"),
            Map.entry("network-unknown", "3/6"), Map.entry("host-unknown", "3/7"),
            Map.entry("network-prohibited", "3/9"), Map.entry("host-prohibited", "3/10"),
            Map.entry("TOS-network-unreachable", "3/11"), Map.entry("TOS-host-unreachable", "3/12"),
            Map.entry("communication-prohibited", "3/13"), Map.entry("host-precedence-violation", "3/14"),
            Map.entry("precedence-cutoff", "3/15"), Map.entry("source-quench", "4/0"),
            Map.entry("network-redirect", "5/0"), Map.entry("host-redirect", "5/1"),
            Map.entry("TOS-network-redirect", "5/2"), Map.entry("TOS-host-redirect", "5/3"),
            Map.entry("echo-request", "8/0"), Map.entry("ping", "8/0"),
            Map.entry("router-advertisement", "9/0"), Map.entry("router-solicitation", "10/0"),
            Map.entry("ttl-zero-during-transit", "11/0"), Map.entry("ttl-zero-during-reassembly", "11/1"),
            Map.entry("ip-header-bad", "12/0"), Map.entry("required-option-missing", "12/1"),
            Map.entry("timestamp-request", "13/0"), Map.entry("timestamp-reply", "14/0"),
            Map.entry("address-mask-request", "17/0"), Map.entry("address-mask-reply", "18/0"));
    private static final Map<String, String> V6 = Map.ofEntries(
            Map.entry("no-route", "1/0"), Map.entry("communication-prohibited", "1/1"),
            Map.entry("address-unreachable", "1/3"), Map.entry("port-unreachable", "1/4"),
            Map.entry("packet-too-big", "2/0"), Map.entry("ttl-zero-during-transit", "3/0"),
            Map.entry("ttl-zero-during-reassembly", "3/1"), Map.entry("bad-header", "4/0"),
            Map.entry("unknown-header-type", "4/1"), Map.entry("unknown-option", "4/2"),
            Map.entry("echo-request", "128/0"), Map.entry("ping", "128/0"),
            Map.entry("echo-reply", "129/0"), Map.entry("pong", "129/0"));

    private IcmpNames() {
    }

    /** {@code type/code} for a name or an already numeric {@code type/code}; null when unknown. */
    static String typeCode(boolean v6, String text) {
        if (text.matches("\\d{1,3}/\\d{1,3}")) {
            return text;
        }
        return (v6 ? V6 : V4).get(text);
    }
}
