package io.skoop.model;

/**
 * A CIDR prefix: an address and a prefix length, stored normalised (host bits cleared), as
 * the kernel stores route and rule selectors.
 *
 * @param address the network address (host bits zero)
 * @param length  prefix length in bits, 0..32 (IPv4) or 0..128 (IPv6)
 */
public record Prefix(Ip address, int length) {

    public Prefix {
        if (address == null) {
            throw new IllegalArgumentException("prefix without an address");
        }
        if (length < 0 || length > address.bitLength()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + address);
        }
        address = address.mask(length);
    }

    /** 0.0.0.0/0 */
    public static final Prefix V4_DEFAULT = new Prefix(Ip.V4_ANY, 0);
    /** ::/0 */
    public static final Prefix V6_DEFAULT = new Prefix(Ip.V6_ANY, 0);

    /**
     * Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a bare address (a host prefix,
     * /32 or /128). Host bits are cleared, as {@code ip route add} does.
     *
     * @throws IllegalArgumentException naming the text when it is not a prefix
     */
    public static Prefix parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("expected a prefix, got nothing");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            Ip ip = Ip.parse(text);
            return new Prefix(ip, ip.bitLength());
        }
        Ip ip = Ip.parse(text.substring(0, slash));
        int len;
        try {
            len = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix length in '" + text + "'");
        }
        if (len < 0 || len > ip.bitLength()) {
            throw new IllegalArgumentException("prefix length " + len + " out of range in '" + text + "'");
        }
        return new Prefix(ip, len);
    }

    /** The host prefix of one address (/32 or /128). */
    public static Prefix host(Ip ip) {
        return new Prefix(ip, ip.bitLength());
    }

    /** True when {@code ip} is of the same family and inside this prefix. */
    public boolean contains(Ip ip) {
        return ip.isV6() == address.isV6() && ip.mask(length).equals(address);
    }

    /** True when every address of {@code other} is inside this prefix. */
    public boolean contains(Prefix other) {
        return other.length >= length && contains(other.address);
    }

    public boolean isV6() {
        return address.isV6();
    }

    /** True for a /32 (IPv4) or /128 (IPv6). */
    public boolean isHost() {
        return length == address.bitLength();
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
