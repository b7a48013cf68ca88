package io.skoop.netstack.route;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.netstack.link.Scope;
import java.util.List;
import java.util.Set;

/**
 * One route of a routing table, as {@code ip -j -d route show table all} prints it.
 *
 * @param table    the table id ({@link Tables})
 * @param type     the route type; {@link RouteType#UNKNOWN} keeps an unknown type, whose text is in {@code typeText}
 * @param typeText the type as printed
 * @param dst      the destination prefix ({@code default} is /0)
 * @param tos      the TOS / dsfield selector (0 = any)
 * @param protocol the protocol that installed it ({@code kernel}, {@code boot}, {@code static}, …), or null
 * @param scope    the route scope
 * @param metric   the priority / metric (lower wins among routes of the same prefix and tos)
 * @param prefsrc  the preferred source address ({@code prefsrc}), or null
 * @param nexthops the nexthops: one for a single-path route (gateway and/or dev), several for multipath,
 *                 and one nexthop without gateway and dev for reject routes
 * @param flags    route-level flags as printed (for a single path, the nexthop flags too)
 * @param pref     the IPv6 router preference ({@code pref}: low, medium, high), or null
 */
public record Route(int table, RouteType type, String typeText, Prefix dst, int tos, String protocol, Scope scope,
                    long metric, Ip prefsrc, List<Nexthop> nexthops, Set<String> flags, String pref) {

    public Route {
        nexthops = List.copyOf(nexthops);
        flags = Set.copyOf(flags);
    }

    /** True when the route has more than one nexthop (ECMP/weighted multipath). */
    public boolean isMultipath() {
        return nexthops.size() > 1;
    }

    /** True for an IPv6 route. */
    public boolean isV6() {
        return dst.isV6();
    }

    /** The route in {@code ip route} syntax, e.g. {@code 10.0.0.0/8 via 10.1.0.1 dev eth0 table 100 metric 5}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (type != RouteType.UNICAST) {
            sb.append(typeText).append(' ');
        }
        sb.append(dst.length() == 0 ? "default" : dst.isHost() ? dst.address().toString() : dst.toString());
        if (tos != 0) {
            sb.append(" tos 0x").append(Integer.toHexString(tos));
        }
        if (!isMultipath() && !nexthops.isEmpty()) {
            Nexthop n = nexthops.get(0);
            if (n.gateway() != null) {
                sb.append(" via ").append(n.gateway().isV6() != dst.isV6() ? "inet6 " : "").append(n.gateway());
            }
            if (n.dev() != null) {
                sb.append(" dev ").append(n.dev());
            }
        }
        if (table != Tables.MAIN) {
            sb.append(" table ").append(Tables.name(table));
        }
        if (protocol != null && !protocol.equals("boot")) {
            sb.append(" proto ").append(protocol);
        }
        if (!scope.equals(Scope.GLOBAL)) {
            sb.append(" scope ").append(scope);
        }
        if (prefsrc != null) {
            sb.append(" src ").append(prefsrc);
        }
        if (metric != 0) {
            sb.append(" metric ").append(metric);
        }
        flags.stream().sorted().forEach(f -> sb.append(' ').append(f));
        if (isMultipath()) {
            for (Nexthop n : nexthops) {
                sb.append(" nexthop ").append(n);
            }
        }
        return sb.toString();
    }
}
