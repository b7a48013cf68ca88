package io.skoop.netstack.route;

/**
 * A port or uid range selector of a rule, inclusive at both ends ({@code struct fib_rule_port_range}).
 *
 * @param start first value
 * @param end   last value (>= start)
 */
public record PortRange(long start, long end) {

    public PortRange {
        if (end < start) {
            throw new IllegalArgumentException("range end " + end + " < start " + start);
        }
    }

    /** True when {@code start <= v <= end}. */
    public boolean contains(long v) {
        return v >= start && v <= end;
    }

    @Override
    public String toString() {
        return start == end ? Long.toString(start) : start + "-" + end;
    }
}
