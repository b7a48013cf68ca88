package io.skoop.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as a value: 32 or 128 bits held in two longs, so that prefix
 * matching over hundreds of thousands of routes and rules needs no allocation.
 *
 * <p>Only literals are accepted ({@link #parse(String)} never performs a DNS lookup).
 * {@link #toString()} prints the address as iproute2 does: dotted quad for IPv4 and the
 * RFC 5952 compressed form for IPv6 (e.g. {@code 2001:db8::1}), so text compares equal to
 * the output of {@code ip -j route get}.
 */
public final class Ip implements Comparable<Ip> {
    /** 0.0.0.0 */
    public static final Ip V4_ANY = new Ip(false, 0, 0);
    /** :: */
    public static final Ip V6_ANY = new Ip(true, 0, 0);

    private final boolean v6;
    /** upper 64 bits (IPv6 only; 0 for IPv4) */
    private final long hi;
    /** lower 64 bits; for IPv4 the address as an unsigned 32-bit value */
    private final long lo;

    private Ip(boolean v6, long hi, long lo) {
        this.v6 = v6;
        this.hi = hi;
        this.lo = v6 ? lo : (lo & 0xffffffffL);
    }

    /** An IPv4 address from its 32 bits (network order as an int, e.g. 0x0a000001 = 10.0.0.1). */
    public static Ip v4(int bits) {
        return new Ip(false, 0, bits & 0xffffffffL);
    }

    /**
     * The link-local address the kernel gives a device with this 48-bit MAC ({@code aa:bb:cc:dd:ee:ff}) under addrconf's
     * default {@code addr_gen_mode} (EUI-64, RFC 4291 appendix A: {@code fe80::} + the MAC with its universal/local bit
     * flipped and {@code ff:fe} in the middle), e.g. {@code fe80::ecee:eeff:feee:eeee} for {@code ee:ee:ee:ee:ee:ee}.
     *
     * @throws IllegalArgumentException when {@code mac} is not six hex octets separated by colons
     */
    public static Ip linkLocalEui64(String mac) {
        String[] o = mac.split(":");
        if (o.length != 6) {
            throw new IllegalArgumentException("not a 48-bit MAC: " + mac);
        }
        long id = 0;
        for (int i = 0; i < 6; i++) {
            int b;
            try {
                b = Integer.parseInt(o[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a 48-bit MAC: " + mac);
            }
            if (b < 0 || b > 0xff || o[i].length() > 2) {
                throw new IllegalArgumentException("not a 48-bit MAC: " + mac);
            }
            id = id << 8 | (i == 0 ? b ^ 0x02 : b);
            if (i == 2) {
                id = id << 16 | 0xfffe;
            }
        }
        return v6(0xfe80L << 48, id);
    }

    /** An IPv6 address from its upper and lower 64 bits. */
    public static Ip v6(long hi, long lo) {
        return new Ip(true, hi, lo);
    }

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal (with or without brackets; a zone
     * suffix {@code %dev} is rejected).
     *
     * @throws IllegalArgumentException naming the text when it is not an address literal
     */
    public static Ip parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("expected an IP address, got an empty string");
        }
        String s = text.trim();
        if (s.indexOf(':') < 0) {
            long v = parseV4(s);
            if (v < 0) {
                throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + text + "'");
            }
            return new Ip(false, 0, v);
        }
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf('%') >= 0 || !s.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
        try {
            InetAddress a = InetAddress.getByName(s); // a literal: no lookup happens
            byte[] b = a.getAddress();
            if (a instanceof Inet4Address) { // ::ffff:a.b.c.d is folded by Java; keep it IPv6
                return new Ip(true, 0, 0xffff00000000L | (toLong(b, 0, 4)));
            }
            return new Ip(true, toLong(b, 0, 8), toLong(b, 8, 8));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
    }

    /** Like {@link #parse} but returns null instead of throwing. */
    public static Ip tryParse(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The address from its network-order bytes (4 or 16 of them). */
    public static Ip of(byte[] b) {
        if (b.length == 4) {
            return new Ip(false, 0, toLong(b, 0, 4));
        }
        if (b.length == 16) {
            return new Ip(true, toLong(b, 0, 8), toLong(b, 8, 8));
        }
        throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + b.length);
    }

    /** Hand-written dotted-quad parser (hot path of every parser): the value, or -1 when malformed. */
    private static long parseV4(String s) {
        long v = 0;
        int octets = 0, digits = 0, cur = 0;
        for (int i = 0, n = s.length(); i <= n; i++) {
            char c = i < n ? s.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (++digits > 3) {
                    return -1;
                }
                cur = cur * 10 + (c - '0');
            } else if (c == '.') {
                if (digits == 0 || cur > 255 || ++octets > 4) {
                    return -1;
                }
                v = (v << 8) | cur;
                cur = 0;
                digits = 0;
            } else {
                return -1;
            }
        }
        return octets == 4 ? v : -1;
    }

    private static long toLong(byte[] b, int off, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    public boolean isV4() {
        return !v6;
    }

    public boolean isV6() {
        return v6;
    }

    /** 32 for IPv4, 128 for IPv6. */
    public int bitLength() {
        return v6 ? 128 : 32;
    }

    /** Upper 64 bits (0 for IPv4). */
    public long hi() {
        return hi;
    }

    /** Lower 64 bits (for IPv4 the unsigned 32-bit value). */
    public long lo() {
        return lo;
    }

    /** The IPv4 address as an int (network order); only for IPv4. */
    public int v4Bits() {
        if (v6) {
            throw new IllegalStateException(this + " is not IPv4");
        }
        return (int) lo;
    }

    /** The address with all bits after the first {@code length} cleared. */
    public Ip mask(int length) {
        if (length < 0 || length > bitLength()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + this);
        }
        if (!v6) {
            long m = length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL;
            return new Ip(false, 0, lo & m);
        }
        long mh = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
        long ml = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
        return new Ip(true, hi & mh, lo & ml);
    }

    /** The address plus {@code n} (wrapping within the family), e.g. to walk a range. */
    public Ip plus(long n) {
        if (!v6) {
            return new Ip(false, 0, (lo + n) & 0xffffffffL);
        }
        long nlo = lo + n;
        long carry = Long.compareUnsigned(nlo, lo) < 0 && n > 0 ? 1 : 0;
        return new Ip(true, hi + carry, nlo);
    }

    /** The network-order bytes (4 or 16). */
    public byte[] bytes() {
        byte[] b = new byte[v6 ? 16 : 4];
        if (!v6) {
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) (lo >>> (24 - 8 * i));
            }
        } else {
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        }
        return b;
    }

    /** As a java.net address (no lookup). */
    public InetAddress toInetAddress() {
        try {
            return v6 ? Inet6Address.getByAddress(null, bytes(), null) : InetAddress.getByAddress(bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True for 0.0.0.0 or ::. */
    public boolean isAny() {
        return hi == 0 && lo == 0;
    }

    /** True for 127.0.0.0/8 or ::1. */
    public boolean isLoopback() {
        return v6 ? (hi == 0 && lo == 1) : (lo >>> 24) == 127;
    }

    /** True for 224.0.0.0/4 or ff00::/8. */
    public boolean isMulticast() {
        return v6 ? (hi >>> 56) == 0xff : (lo >>> 28) == 0xe;
    }

    /** True for 255.255.255.255. */
    public boolean isLimitedBroadcast() {
        return !v6 && lo == 0xffffffffL;
    }

    @Override
    public int compareTo(Ip o) {
        if (v6 != o.v6) {
            return v6 ? 1 : -1;
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ip ip && ip.v6 == v6 && ip.hi == hi && ip.lo == lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) ^ (v6 ? 1 : 0);
    }

    /**
     * The address with a port as URIs and socket tools write it (RFC 3986 §3.2.2): {@code 10.244.1.2:8080},
     * {@code [fd00:10:244:1::2]:8080}.
     */
    public String withPort(int port) {
        return (v6 ? "[" + this + "]" : toString()) + ":" + port;
    }

    @Override
    public String toString() {
        if (!v6) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
            g[4 + i] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        }
        // IPv4-mapped addresses print with a dotted tail, as iproute2 does
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return "::ffff:" + ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        // RFC 5952: compress the longest run (length >= 2) of zero groups, first one on ties
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
