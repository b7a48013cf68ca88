package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;

/**
 * An address with a (possibly non-contiguous) mask, as {@code -s}/{@code -d} and the
 * conntrack address options hold them ({@code 10.0.0.0/8} or {@code 10.0.0.0/255.0.0.255}).
 * A packet address matches when {@code (packet & mask) == (address & mask)}
 * (ip_tables.c {@code ip_packet_match}).
 *
 * @param address the address, already masked
 * @param mask    the mask (all ones for a host)
 */
public record AddressMask(Ip address, Ip mask) {
    public AddressMask {
        if (address.isV6() != mask.isV6()) {
            throw new IllegalArgumentException("address " + address + " and mask " + mask + " are of different families");
        }
        address = and(address, mask);
    }

    /** The mask of a prefix length (e.g. 24 → 255.255.255.0). */
    public static Ip maskOf(int length, boolean v6) {
        Ip ones = v6 ? Ip.v6(-1L, -1L) : Ip.v4(-1);
        return ones.mask(length);
    }

    static Ip and(Ip a, Ip m) {
        return a.isV6() ? Ip.v6(a.hi() & m.hi(), a.lo() & m.lo()) : Ip.v4((int) (a.lo() & m.lo()));
    }

    /** True when {@code ip} is of the same family and matches under the mask. */
    public boolean contains(Ip ip) {
        return ip.isV6() == address.isV6() && and(ip, mask).equals(address);
    }

    /** The prefix length when the mask is contiguous, else -1. */
    public int prefixLength() {
        long hi = mask.hi(), lo = mask.lo();
        int bits = address.isV6() ? Long.bitCount(hi) + Long.bitCount(lo) : Long.bitCount(lo);
        return maskOf(bits, address.isV6()).equals(mask) ? bits : -1;
    }

    /** {@code 10.0.0.0/8}, or {@code 10.0.0.0/255.0.0.255} for a non-contiguous mask, as iptables-save prints it. */
    @Override
    public String toString() {
        int len = prefixLength();
        return address + "/" + (len >= 0 ? String.valueOf(len) : mask.toString());
    }
}
