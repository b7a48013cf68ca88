package io.skoop.netstack.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.skoop.model.Ip;
import io.skoop.netstack.link.Address;
import io.skoop.netstack.link.BridgePort;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.link.Interfaces;
import io.skoop.netstack.link.IpipInfo;
import io.skoop.netstack.link.Scope;
import io.skoop.netstack.link.VethPeer;
import io.skoop.netstack.link.VxlanInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the interfaces of one namespace from {@code link.json} ({@code ip -j -d link show}) and
 * {@code addr.json} ({@code ip -j addr show}), as iproute2 6.x prints them. Unknown link kinds
 * are kept by name; keys we do not use are ignored (ip adds keys between versions).
 */
public final class InterfaceParser {
    private static final Set<String> ADDR_KEYS = Set.of("family", "local", "prefixlen", "address", "broadcast", "scope",
            "label", "valid_life_time", "preferred_life_time", "anycast", "metric", "protocol");

    private InterfaceParser() {
    }

    /**
     * @param linkFile name of the link file for messages (e.g. {@code dump/ns1/link.json})
     * @param linkJson its text
     * @param addrFile name of the addr file for messages
     * @param addrJson its text (may be null: no addresses)
     * @throws ParseException on malformed JSON, missing ifindex/ifname, bad addresses or an address entry naming an unknown interface
     */
    public static Interfaces parse(String linkFile, String linkJson, String addrFile, String addrJson) {
        JsonDump addrs = new JsonDump(addrFile);
        Map<Integer, List<Address>> byIndex = new HashMap<>();
        List<JsonNode> addrEntries = addrs.entries(addrJson);
        for (int i = 0; i < addrEntries.size(); i++) {
            JsonNode o = addrEntries.get(i);
            int idx = (int) addrs.number(o, i, "ifindex", -1);
            if (idx < 0) {
                throw addrs.error(i, "ifindex", null, "an interface index");
            }
            List<Address> list = byIndex.computeIfAbsent(idx, k -> new ArrayList<>());
            JsonNode ai = o.get("addr_info");
            if (ai == null || ai.isNull()) {
                continue;
            }
            if (!ai.isArray()) {
                throw addrs.error(i, "addr_info", ai, "an array of addresses");
            }
            for (JsonNode a : ai) {
                list.add(address(addrs, i, a));
            }
        }
        JsonDump links = new JsonDump(linkFile);
        List<Interface> out = new ArrayList<>();
        List<JsonNode> linkEntries = links.entries(linkJson);
        for (int i = 0; i < linkEntries.size(); i++) {
            JsonNode o = linkEntries.get(i);
            int idx = (int) links.number(o, i, "ifindex", -1);
            if (idx < 0) {
                throw links.error(i, "ifindex", null, "an interface index");
            }
            String name = links.text(o, i, "ifname", true);
            Set<String> flags = links.strings(o, i, "flags");
            JsonNode li = o.get("linkinfo");
            String kind = li != null ? links.text(li, i, "info_kind", false) : null;
            String slaveKind = li != null ? links.text(li, i, "info_slave_kind", false) : null;
            String linkType = links.text(o, i, "link_type", false);
            if (kind == null) {
                kind = flags.contains("LOOPBACK") || "loopback".equals(linkType) ? "loopback" : linkType;
            }
            String groupText = links.text(o, i, "group", false);
            int group;
            try {
                group = groupText == null || groupText.equals("default") ? 0 : Integer.parseInt(groupText);
            } catch (NumberFormatException e) {
                throw links.error(i, "group", o.get("group"), "'default' or a group number");
            }
            VethPeer peer = null;
            String linkName = links.text(o, i, "link", false);
            long linkIndex = links.number(o, i, "link_index", 0);
            long netnsid = links.number(o, i, "link_netnsid", -1);
            if (linkName != null || linkIndex > 0) {
                peer = new VethPeer(linkName, (int) linkIndex, (int) netnsid);
            }
            VxlanInfo vx = null;
            if ("vxlan".equals(kind) && li != null && li.get("info_data") != null) {
                JsonNode d = li.get("info_data");
                vx = new VxlanInfo(links.number(d, i, "id", 0), links.ip(d, i, "local", false) != null ? links.ip(d, i, "local", false)
                        : links.ip(d, i, "local6", false), links.ip(d, i, "remote", false) != null ? links.ip(d, i, "remote", false)
                        : links.ip(d, i, "remote6", false), links.ip(d, i, "group", false) != null ? links.ip(d, i, "group", false)
                        : links.ip(d, i, "group6", false), (int) links.number(d, i, "port", 0), links.text(d, i, "link", false),
                        !d.has("learning") || d.get("learning").asBoolean(),
                        vxlanTtl(links, d, i));
            }
            IpipInfo ipip = "ipip".equals(kind) ? ipipInfo(links, li == null ? null : li.get("info_data"), i) : null;
            BridgePort port = null;
            if ("bridge".equals(slaveKind) && li.get("info_slave_data") != null && li.get("info_slave_data").isObject()) {
                JsonNode d = li.get("info_slave_data");
                JsonNode hairpin = d.get("hairpin");
                if (hairpin != null && !hairpin.isNull() && !hairpin.isBoolean()) {
                    throw links.error(i, "hairpin", hairpin, "true or false");
                }
                String state = links.text(d, i, "state", false);
                if (state != null && !BridgePort.STATES.contains(state)) {
                    throw links.error(i, "state", d.get("state"), "a bridge port state: " + String.join(", ", BridgePort.STATES));
                }
                port = new BridgePort(state, hairpin == null || hairpin.isNull() ? null : hairpin.asBoolean());
            }
            out.add(new Interface(idx, name, kind, (int) links.number(o, i, "mtu", 0), flags, links.text(o, i, "operstate", false),
                    links.text(o, i, "master", false), slaveKind, group, peer, vx, links.text(o, i, "address", false),
                    byIndex.getOrDefault(idx, List.of()), port, ipip));
            byIndex.remove(idx);
        }
        if (!byIndex.isEmpty() && !linkEntries.isEmpty()) {
            throw new ParseException(addrFile, 0, "ifindex " + byIndex.keySet().iterator().next(),
                    "addresses for an interface that " + linkFile + " does not list");
        }
        try {
            return new Interfaces(out);
        } catch (IllegalArgumentException e) {
            throw new ParseException(linkFile, 0, null, e.getMessage());
        }
    }

    private static Address address(JsonDump d, int entry, JsonNode a) {
        String family = d.text(a, entry, "family", true);
        if (!family.equals("inet") && !family.equals("inet6")) {
            throw d.error(entry, "family", a.get("family"), "inet or inet6");
        }
        Ip local = d.ip(a, entry, "local", true);
        if (local.isV6() != family.equals("inet6")) {
            throw d.error(entry, "local", a.get("local"), "an address of family " + family);
        }
        int plen = (int) d.number(a, entry, "prefixlen", -1);
        if (plen < 0 || plen > local.bitLength()) {
            throw d.error(entry, "prefixlen", a.get("prefixlen"), "a prefix length 0.." + local.bitLength());
        }
        Ip peer = d.ip(a, entry, "address", false);
        if (peer != null && peer.equals(local)) {
            peer = null;
        }
        String scopeText = d.text(a, entry, "scope", false);
        Scope scope;
        try {
            scope = scopeText == null ? Scope.GLOBAL : Scope.parse(scopeText);
        } catch (IllegalArgumentException e) {
            throw d.error(entry, "scope", a.get("scope"), "global, site, link, host or a number");
        }
        Set<String> flags = new LinkedHashSet<>();
        a.fieldNames().forEachRemaining(k -> {
            if (!ADDR_KEYS.contains(k) && JsonDump.present(a, k)) {
                flags.add(k);
            }
        });
        return new Address(local, plen, peer, d.ip(a, entry, "broadcast", false), scope, d.text(a, entry, "label", false), flags);
    }

    /**
     * {@code info_data} of an ipip device as iproute2's iptunnel_print_opt prints it (see {@link IpipInfo}): addresses
     * or {@code "any"}, an integer ttl, a boolean pmtudisc. No info_data (an old iproute2): the fallback device's defaults.
     */
    private static IpipInfo ipipInfo(JsonDump links, JsonNode d, int entry) {
        if (d == null || !d.isObject()) {
            return new IpipInfo(null, null, 0, false, null);
        }
        long ttl = links.number(d, entry, "ttl", 0);
        if (ttl < 0 || ttl > 255) {
            throw links.error(entry, "ttl", d.get("ttl"), "a TTL 0..255 (0: inherit)");
        }
        JsonNode pmtu = d.get("pmtudisc");
        if (pmtu != null && !pmtu.isNull() && !pmtu.isBoolean()) {
            throw links.error(entry, "pmtudisc", pmtu, "true or false");
        }
        return new IpipInfo(anyOrIp(links, d, entry, "local"), anyOrIp(links, d, entry, "remote"), (int) ttl,
                pmtu != null && pmtu.asBoolean(), links.text(d, entry, "link", false));
    }

    /** An IPv4 address field that iproute2 prints as {@code "any"} for 0.0.0.0: null then. */
    private static Ip anyOrIp(JsonDump links, JsonNode d, int entry, String key) {
        String t = links.text(d, entry, key, false);
        if (t == null || t.equals("any")) {
            return null;
        }
        Ip ip = links.ip(d, entry, key, true);
        if (ip.isV6()) {
            throw links.error(entry, key, d.get(key), "an IPv4 address or \"any\"");
        }
        return ip;
    }

    /** {@code info_data.ttl} of a vxlan device: 0..255, or {@code "inherit"} ({@link VxlanInfo#TTL_INHERIT}); 0 when absent. */
    private static int vxlanTtl(JsonDump links, JsonNode d, int entry) {
        if ("inherit".equals(links.text(d, entry, "ttl", false))) {
            return VxlanInfo.TTL_INHERIT;
        }
        long ttl = links.number(d, entry, "ttl", 0);
        if (ttl < 0 || ttl > 255) {
            throw links.error(entry, "ttl", d.get("ttl"), "a TTL 0..255 or \"inherit\"");
        }
        return (int) ttl;
    }
}
