package io.skoop.netstack.sysctl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The kernel parameters of one network namespace ({@code sysctl -a}; sysctl(8),
 * Documentation/networking/ip-sysctl.rst), with typed getters for the ones skoop uses and the
 * kernel's rules for combining the {@code all}, {@code default} and per-device values.
 *
 * <p>Keys are as sysctl prints them, with dots between levels; a device name containing a
 * dot ({@code flannel.1}) appears with a slash ({@code net.ipv4.conf.flannel/1.rp_filter}).
 * The getters taking a device accept the real name and do that translation.
 *
 * <p>Getters return empty/null when the key was not in the dump (e.g. net.bridge.* without
 * br_netfilter) rather than guessing the kernel default; the caller decides what absence means.
 */
public final class Sysctls {
    private final Map<String, String> values;
    private final String untrusted;

    /**
     * Sysctls as collected: a key they lack takes the kernel default where a caller needs one.
     *
     * @param values key → value text (whitespace inside a value, e.g. a tab in ip_local_port_range, kept)
     */
    public Sysctls(Map<String, String> values) {
        this(values, null);
    }

    private Sysctls(Map<String, String> values, String untrusted) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.untrusted = untrusted;
    }

    /**
     * Sysctls that cannot be trusted to be complete (sysctl.txt not collected, failed, empty, or without keys that
     * {@code sysctl -a} always prints): the values they hold are used, but a key they lack is not the kernel default —
     * a decision that needs it is uncertain ({@link #untrusted()}).
     *
     * @param values what was read (may be empty)
     * @param reason why they cannot be trusted, naming the file ({@code "snap/nodes/node-1/host/sysctl.txt: empty (0 bytes) …"})
     */
    public static Sysctls untrusted(Map<String, String> values, String reason) {
        return new Sysctls(values, java.util.Objects.requireNonNull(reason));
    }

    /** Why these sysctls are incomplete, or empty when they were collected whole (absent keys then take kernel defaults). */
    public Optional<String> untrusted() {
        return Optional.ofNullable(untrusted);
    }

    /** True when {@code key} is in the dump. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Every key and value as read, in file order. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The raw value of {@code key}. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of {@code key} as an integer; empty when absent or not a single integer. */
    public OptionalInt getInt(String key) {
        String v = values.get(key);
        if (v == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The key of a per-device entry: {@code net.ipv4.conf.flannel/1.rp_filter} for ("ipv4", "flannel.1", "rp_filter"). */
    public static String confKey(String family, String dev, String name) {
        return "net." + family + ".conf." + dev.replace('.', '/') + "." + name;
    }

    private OptionalInt conf(String family, String dev, String name) {
        return getInt(confKey(family, dev, name));
    }

    /**
     * {@code net.<family>.conf.<dev>.<name>} as an integer, or {@code dflt} (the kernel default
     * the caller knows) when the dump does not have it.
     *
     * @param family {@code ipv4} or {@code ipv6}
     */
    public int confOr(String family, String dev, String name, int dflt) {
        return conf(family, dev, name).orElse(dflt);
    }

    /**
     * IN_DEV_MAXCONF with absent values counting as 0 (the kernel default of every key it is
     * used for): {@code max(conf.all.<name>, conf.<dev>.<name>)}.
     */
    public int effectiveMax(String family, String dev, String name) {
        return Math.max(confOr(family, "all", name, 0), confOr(family, dev, name, 0));
    }

    /**
     * IN_DEV_ORCONF with absent values counting as 0: {@code conf.all.<name> || conf.<dev>.<name>}.
     */
    public boolean effectiveOr(String family, String dev, String name) {
        return confOr(family, "all", name, 0) != 0 || confOr(family, dev, name, 0) != 0;
    }

    /** Combines all and dev like the kernel's IN_DEV_MAXCONF (include/linux/inetdevice.h). */
    private OptionalInt maxConf(String dev, String name) {
        OptionalInt all = conf("ipv4", "all", name), d = conf("ipv4", dev, name);
        if (all.isEmpty() || d.isEmpty()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Math.max(all.getAsInt(), d.getAsInt()));
    }

    /** Combines all and dev like the kernel's IN_DEV_ORCONF: true when either is non-zero. */
    private Optional<Boolean> orConf(String dev, String name) {
        OptionalInt all = conf("ipv4", "all", name), d = conf("ipv4", dev, name);
        if (all.isEmpty() || d.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(all.getAsInt() != 0 || d.getAsInt() != 0);
    }

    /** {@code net.ipv4.ip_forward}: 1 when IPv4 forwarding was switched on globally (it sets every conf.*.forwarding). */
    public Optional<Boolean> ipForward() {
        return bool("net.ipv4.ip_forward");
    }

    /**
     * Whether IPv4 packets received on {@code dev} may be forwarded: the kernel checks the
     * ingress device's own {@code net.ipv4.conf.<dev>.forwarding} (IN_DEV_FORWARD in
     * ip_route_input_slow), not all.
     */
    public Optional<Boolean> ipv4Forwarding(String dev) {
        return conf("ipv4", dev, "forwarding").stream().mapToObj(v -> v != 0).findFirst();
    }

    /**
     * Whether IPv6 forwarding is on: the kernel's ip6_forward checks
     * {@code net.ipv6.conf.all.forwarding} (per-device values only change host/router behaviour
     * such as accepting router advertisements).
     */
    public Optional<Boolean> ipv6Forwarding() {
        return bool("net.ipv6.conf.all.forwarding");
    }

    /** {@code net.ipv6.conf.<dev>.forwarding}, the per-device IPv6 router flag. */
    public Optional<Boolean> ipv6Forwarding(String dev) {
        return conf("ipv6", dev, "forwarding").stream().mapToObj(v -> v != 0).findFirst();
    }

    /**
     * The effective reverse-path filter mode for packets received on {@code dev}: the maximum of
     * {@code conf.all.rp_filter} and {@code conf.<dev>.rp_filter} (IN_DEV_RPFILTER = IN_DEV_MAXCONF):
     * 0 off, 1 strict (the reverse route must leave by {@code dev}), 2 loose (any route back).
     */
    public OptionalInt rpFilter(String dev) {
        return maxConf(dev, "rp_filter");
    }

    /** Effective {@code accept_local} for {@code dev} (all OR dev): accept packets with a local source address. */
    public Optional<Boolean> acceptLocal(String dev) {
        return orConf(dev, "accept_local");
    }

    /** Effective {@code src_valid_mark} for {@code dev} (all OR dev): the reverse-path lookup uses the packet's mark. */
    public Optional<Boolean> srcValidMark(String dev) {
        return orConf(dev, "src_valid_mark");
    }

    /** Effective {@code route_localnet} for {@code dev} (all OR dev): 127.0.0.0/8 may be routed, e.g. for NodePorts on localhost. */
    public Optional<Boolean> routeLocalnet(String dev) {
        return orConf(dev, "route_localnet");
    }

    /** Effective {@code arp_ignore} for {@code dev} (max of all and dev): 0 reply for any local address, 1 only for addresses on the receiving device, ... */
    public OptionalInt arpIgnore(String dev) {
        return maxConf(dev, "arp_ignore");
    }

    /** Effective {@code arp_announce} for {@code dev} (max of all and dev). */
    public OptionalInt arpAnnounce(String dev) {
        return maxConf(dev, "arp_announce");
    }

    /** Effective {@code arp_filter} for {@code dev} (all OR dev). */
    public Optional<Boolean> arpFilter(String dev) {
        return orConf(dev, "arp_filter");
    }

    /** Effective {@code proxy_arp} for {@code dev} (all OR dev): the device answers ARP for addresses it has a route to elsewhere. */
    public Optional<Boolean> proxyArp(String dev) {
        return orConf(dev, "proxy_arp");
    }

    /** {@code net.bridge.bridge-nf-call-iptables}: bridged IPv4 frames traverse iptables; empty when br_netfilter is not loaded. */
    public Optional<Boolean> bridgeNfCallIptables() {
        return bool("net.bridge.bridge-nf-call-iptables");
    }

    /** {@code net.bridge.bridge-nf-call-ip6tables}: bridged IPv6 frames traverse ip6tables; empty when br_netfilter is not loaded. */
    public Optional<Boolean> bridgeNfCallIp6tables() {
        return bool("net.bridge.bridge-nf-call-ip6tables");
    }

    /** {@code net.ipv6.bindv6only}: the default IPV6_V6ONLY of new IPv6 sockets. */
    public Optional<Boolean> bindV6Only() {
        return bool("net.ipv6.bindv6only");
    }

    /**
     * {@code net.ipv4.ip_local_port_range}: the ephemeral source ports for connect() and for
     * SNAT/MASQUERADE without a port range; value {@code "32768\t60999"}.
     */
    public Optional<PortRange> ipLocalPortRange() {
        String v = values.get("net.ipv4.ip_local_port_range");
        if (v == null) {
            return Optional.empty();
        }
        String[] p = v.trim().split("\\s+");
        if (p.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PortRange(Integer.parseInt(p[0]), Integer.parseInt(p[1])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code net.netfilter.<name>}, e.g. {@code nf_conntrack_max}, {@code nf_conntrack_tcp_be_liberal}. */
    public Optional<String> netfilter(String name) {
        return get("net.netfilter." + name);
    }

    /** Every {@code net.netfilter.*} key with its value. */
    public Map<String, String> netfilter() {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("net.netfilter.")) {
                m.put(k, v);
            }
        });
        return m;
    }

    private Optional<Boolean> bool(String key) {
        OptionalInt v = getInt(key);
        return v.isPresent() ? Optional.of(v.getAsInt() != 0) : Optional.empty();
    }

    /**
     * An inclusive port range.
     *
     * @param low  first port
     * @param high last port
     */
    public record PortRange(int low, int high) {
    }

    @Override
    public String toString() {
        return "Sysctls[" + values.size() + " keys" + (untrusted == null ? "" : ", untrusted: " + untrusted) + "]";
    }
}
