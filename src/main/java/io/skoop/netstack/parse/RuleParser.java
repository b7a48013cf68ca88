package io.skoop.netstack.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.skoop.netstack.route.PolicyRule;
import io.skoop.netstack.route.PortRange;
import io.skoop.netstack.route.RuleAction;
import io.skoop.netstack.route.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads policy routing rules from {@code rule.json} ({@code ip -j rule show}) and
 * {@code rule6.json} ({@code ip -6 -j rule show}). The key shapes were taken from this
 * iproute2 by adding one rule per selector (see src/test/resources/netstack/route/README.md):
 * {@code priority}, {@code not: null}, {@code src: "all"|addr} + {@code srclen}, {@code dst} + {@code dstlen}
 * (absent length: host), {@code iif}/{@code oif} (+ {@code iif_detached}), {@code fwmark} "0x10"
 * + {@code fwmask}, {@code ipproto} (a name from /etc/protocols), {@code sport}/{@code dport} or
 * {@code sport_start}+{@code sport_end}, {@code tos}, {@code uid_start}+{@code uid_end}, {@code l3mdev},
 * {@code table}, {@code goto} (+ {@code unresolved}), {@code action} (blackhole, unreachable, prohibit),
 * {@code nop}, {@code suppress_prefixlen}, {@code suppress_ifgroup}; informational keys ({@code protocol},
 * {@code flow_to}/{@code flow_from} realms) are ignored; any other key is kept as an UNKNOWN selector.
 */
public final class RuleParser {
    private static final Set<String> INFO_KEYS = Set.of("protocol", "flow_to", "flow_from", "priority");
    private static final Map<String, Integer> PROTOCOLS = Map.ofEntries(Map.entry("ip", 0), Map.entry("icmp", 1),
            Map.entry("igmp", 2), Map.entry("ipencap", 4), Map.entry("tcp", 6), Map.entry("udp", 17), Map.entry("ipv6", 41),
            Map.entry("gre", 47), Map.entry("esp", 50), Map.entry("ah", 51), Map.entry("ipv6-icmp", 58), Map.entry("ospf", 89),
            Map.entry("pim", 103), Map.entry("vrrp", 112), Map.entry("l2tp", 115), Map.entry("sctp", 132), Map.entry("udplite", 136));

    private RuleParser() {
    }

    /**
     * @param file file name for messages
     * @param text the JSON text
     * @throws ParseException naming file, entry and key for malformed input
     */
    public static List<PolicyRule> parse(String file, String text) {
        JsonDump d = new JsonDump(file);
        List<JsonNode> entries = d.entries(text);
        List<PolicyRule> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            out.add(rule(d, i, entries.get(i)));
        }
        return out;
    }

    private static PolicyRule rule(JsonDump d, int i, JsonNode o) {
        List<String> unknown = new ArrayList<>();
        Set<String> known = Set.of("not", "src", "srclen", "dst", "dstlen", "iif", "iif_detached", "oif", "oif_detached", "fwmark",
                "fwmask", "ipproto", "sport", "dport", "sport_start", "sport_end", "dport_start", "dport_end", "tos", "dsfield",
                "uid_start", "uid_end", "l3mdev", "table", "goto", "unresolved", "action", "nop", "suppress_prefixlen",
                "suppress_ifgroup");
        o.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k) && !INFO_KEYS.contains(k)) {
                unknown.add(k + "=" + o.get(k));
            }
        });
        long prio = d.number(o, i, "priority", 0);
        long fwmark = d.number(o, i, "fwmark", 0);
        long fwmask = o.has("fwmark") ? d.number(o, i, "fwmask", 0xffffffffL) : 0;
        int ipproto = -1;
        String p = d.text(o, i, "ipproto", false);
        if (p != null) {
            Integer n = PROTOCOLS.get(p);
            if (n == null) {
                try {
                    n = Integer.parseInt(p.startsWith("ipproto-") ? p.substring(8) : p);
                } catch (NumberFormatException e) {
                    throw d.error(i, "ipproto", o.get("ipproto"), "a protocol name from /etc/protocols or a number");
                }
            }
            ipproto = n;
        }
        RuleAction action;
        int table = 0;
        long gotoTarget = 0;
        String act = d.text(o, i, "action", false);
        if (o.has("goto")) {
            action = RuleAction.GOTO;
            gotoTarget = d.number(o, i, "goto", 0);
        } else if (o.has("nop")) {
            action = RuleAction.NOP;
        } else if (act != null) {
            action = switch (act) {
                case "blackhole" -> RuleAction.BLACKHOLE;
                case "unreachable" -> RuleAction.UNREACHABLE;
                case "prohibit" -> RuleAction.PROHIBIT;
                default -> {
                    unknown.add("action=" + act);
                    yield RuleAction.UNKNOWN;
                }
            };
        } else {
            action = RuleAction.LOOKUP;
            String t = d.text(o, i, "table", false);
            if (t == null && !o.has("l3mdev")) {
                throw d.error(i, "table", null, "a table, goto, nop, l3mdev or an action");
            }
            try {
                table = t == null ? 0 : Tables.parse(t);
            } catch (IllegalArgumentException e) {
                throw d.error(i, "table", o.get("table"), "main, local, default or a table number");
            }
        }
        String tosText = d.text(o, i, "tos", false) != null ? "tos" : "dsfield";
        return new PolicyRule(prio, o.has("not"), d.prefix(o, i, "src", "srclen"), d.prefix(o, i, "dst", "dstlen"),
                d.text(o, i, "iif", false), o.has("iif_detached"), d.text(o, i, "oif", false), o.has("oif_detached"), fwmark, fwmask,
                ipproto, range(d, i, o, "sport"), range(d, i, o, "dport"), (int) d.number(o, i, tosText, 0),
                o.has("uid_start") ? new PortRange(d.number(o, i, "uid_start", 0), d.number(o, i, "uid_end", 0xffffffffL)) : null,
                o.has("l3mdev"), action, table, gotoTarget, o.has("unresolved"), (int) d.number(o, i, "suppress_prefixlen", -1),
                (int) d.number(o, i, "suppress_ifgroup", -1), unknown);
    }

    private static PortRange range(JsonDump d, int i, JsonNode o, String key) {
        try {
            if (o.has(key)) {
                long v = d.number(o, i, key, 0);
                return new PortRange(v, v);
            }
            if (o.has(key + "_start")) {
                return new PortRange(d.number(o, i, key + "_start", 0), d.number(o, i, key + "_end", 65535));
            }
            return null;
        } catch (IllegalArgumentException e) {
            throw d.error(i, key, o.get(key), "a port or a port range start <= end");
        }
    }
}
