package io.skoop.model;

import java.util.Locale;

/**
 * Layer-4 protocol of a {@link Packet}, with its IANA number (as in /etc/protocols and the
 * {@code ipproto} selector of {@code ip rule}).
 */
public enum Protocol {
    TCP(6), UDP(17), SCTP(132), ICMP(1), ICMPV6(58),
    /** IP in IP (RFC 2003): an IPIP tunnel's outer packet; named as in /etc/protocols. */
    IPENCAP(4);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    /** The IANA protocol number. */
    public int number() {
        return number;
    }

    /** True when the protocol has ports (TCP, UDP, SCTP). */
    public boolean hasPorts() {
        return this == TCP || this == UDP || this == SCTP;
    }

    /** Lower-case name as iptables and ip print it ({@code tcp}, {@code udp}, {@code icmp}, {@code ipv6-icmp}). */
    public String ianaName() {
        return this == ICMPV6 ? "ipv6-icmp" : name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a name ({@code tcp}, {@code UDP}, {@code icmpv6}, {@code ipv6-icmp}) or number.
     *
     * @throws IllegalArgumentException listing the known protocols
     */
    public static Protocol parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (Protocol p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(t) || p.ianaName().equals(t) || String.valueOf(p.number).equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + s + "' (expected tcp, udp, sctp, icmp or icmpv6)");
    }

    /** The protocol with this IANA number, or null. */
    public static Protocol ofNumber(int n) {
        for (Protocol p : values()) {
            if (p.number == n) {
                return p;
            }
        }
        return null;
    }
}
