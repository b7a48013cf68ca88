package io.skoop.netstack.netfilter;

/**
 * An inclusive port range {@code lo..hi} as in {@code --dport 30000:32767} (a single port
 * has lo == hi).
 *
 * @param lo first port, 0..65535
 * @param hi last port, lo..65535
 */
public record PortRange(int lo, int hi) {
    public PortRange {
        if (lo < 0 || hi > 65535 || lo > hi) {
            throw new IllegalArgumentException("bad port range " + lo + ":" + hi + " (expected 0 <= lo <= hi <= 65535)");
        }
    }

    /** True when {@code port} is within the range. */
    public boolean contains(int port) {
        return port >= lo && port <= hi;
    }

    /** {@code 80} or {@code 30000:32767}, as iptables-save prints it. */
    @Override
    public String toString() {
        return lo == hi ? String.valueOf(lo) : lo + ":" + hi;
    }
}
