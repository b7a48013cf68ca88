package io.skoop.netstack.route;

import io.skoop.model.Ip;
import java.util.Set;

/**
 * One nexthop of a route ({@code struct fib_nh} / {@code fib6_nh}).
 *
 * @param gateway the gateway ({@code gateway}, or {@code via.host} for an IPv6 gateway of an IPv4 route), or null for a directly connected route
 * @param dev     the output device name ({@code dev}), or null (reject routes have none)
 * @param weight  the multipath weight (1 for a single path; ip prints {@code weight})
 * @param flags   nexthop flags ip prints: {@code onlink}, {@code linkdown}, {@code dead}, {@code pervasive}, {@code offload}, …
 */
public record Nexthop(Ip gateway, String dev, int weight, Set<String> flags) {

    public Nexthop {
        flags = Set.copyOf(flags);
    }

    /** RTNH_F_DEAD: the nexthop is never used. */
    public boolean isDead() {
        return flags.contains("dead");
    }

    /** RTNH_F_LINKDOWN: skipped only when ignore_routes_with_linkdown is set on its device. */
    public boolean isLinkDown() {
        return flags.contains("linkdown");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (gateway != null) {
            sb.append("via ").append(gateway.isV6() ? "inet6 " : "").append(gateway).append(' ');
        }
        if (dev != null) {
            sb.append("dev ").append(dev).append(' ');
        }
        if (weight != 1) {
            sb.append("weight ").append(weight).append(' ');
        }
        flags.stream().sorted().forEach(f -> sb.append(f).append(' '));
        return sb.toString().trim();
    }
}
