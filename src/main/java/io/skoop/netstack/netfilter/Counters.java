package io.skoop.netstack.netfilter;

/**
 * Packet and byte counters of a rule or built-in chain, as {@code iptables-save -c} prints
 * them ({@code [pkts:bytes]}). {@link #NONE} when the dump was taken without {@code -c}.
 *
 * @param packets packets counted (unsigned 64-bit, kept as long)
 * @param bytes   bytes counted
 */
public record Counters(long packets, long bytes) {
    /** Counters absent from the dump. */
    public static final Counters NONE = new Counters(0, 0);

    @Override
    public String toString() {
        return "[" + Long.toUnsignedString(packets) + ":" + Long.toUnsignedString(bytes) + "]";
    }
}
