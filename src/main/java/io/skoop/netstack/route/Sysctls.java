package io.skoop.netstack.route;

import java.util.Map;

/**
 * The routing-relevant sysctls of one namespace, read from the {@code key -> value} map of
 * {@code sysctl -a} (keys like {@code net.ipv4.conf.eth0.rp_filter}; a device name containing
 * '.' appears with '/' as sysctl(8) writes it). Per-device switches combine "all" and the
 * device as the kernel's macros do (include/linux/inetdevice.h): IN_DEV_RPFILTER is the max,
 * IN_DEV_ACCEPT_LOCAL / SRC_VMARK / ignore_routes_with_linkdown are OR, forwarding is the
 * device's own value. Missing keys take the kernel defaults.
 */
public final class Sysctls {
    private final Map<String, String> values;

    /** @param values the sysctl map (may be empty: kernel defaults apply) */
    public Sysctls(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The raw map. */
    public Map<String, String> values() {
        return values;
    }

    private int get(String key, int dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sysctl " + key + " = '" + v + "' is not a number");
        }
    }

    private static String devKey(String dev) {
        return dev.replace('.', '/');
    }

    /** {@code net.<family>.conf.<dev>.<key>}, or {@code dflt}. */
    public int conf(boolean v6, String dev, String key, int dflt) {
        return get("net." + (v6 ? "ipv6" : "ipv4") + ".conf." + devKey(dev) + "." + key, dflt);
    }

    /** IN_DEV_RPFILTER: max(all.rp_filter, dev.rp_filter); 0 off, 1 strict, 2 loose. */
    public int rpFilter(String dev) {
        return Math.max(conf(false, "all", "rp_filter", 0), conf(false, dev, "rp_filter", 0));
    }

    /** IN_DEV_ORCONF: all.key || dev.key. */
    public boolean orConf(boolean v6, String dev, String key) {
        return conf(v6, "all", key, 0) != 0 || conf(v6, dev, key, 0) != 0;
    }

    /** IN_DEV_FORWARD(dev) for IPv4 ({@code net.ipv4.conf.DEV.forwarding}, else {@code net.ipv4.ip_forward}). */
    public boolean forwarding(String dev) {
        int global = get("net.ipv4.ip_forward", 0);
        return conf(false, dev, "forwarding", global) != 0;
    }

    /** IPv6 forwarding on the device ({@code net.ipv6.conf.DEV.forwarding}, else all). */
    public boolean forwarding6(String dev) {
        return conf(true, dev, "forwarding", conf(true, "all", "forwarding", 0)) != 0;
    }

    /** IN_DEV_NET_ROUTE_LOCALNET: route_localnet of all or the device. */
    public boolean routeLocalnet(String dev) {
        return orConf(false, dev, "route_localnet");
    }
}
