package io.skoop.netstack.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.netstack.link.Scope;
import io.skoop.netstack.route.Nexthop;
import io.skoop.netstack.route.Route;
import io.skoop.netstack.route.RouteType;
import io.skoop.netstack.route.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads routes from {@code route.json} ({@code ip -j -d route show table all}) and
 * {@code route6.json} ({@code ip -6 -j -d route show table all}) as iproute2 6.x prints them:
 * {@code type}, {@code dst} ({@code default}, a prefix or a host address), {@code gateway} or
 * {@code via: {family, host}}, {@code dev}, {@code table}, {@code protocol}, {@code scope},
 * {@code metric}, {@code prefsrc}, {@code flags}, {@code tos}, {@code pref}, and
 * {@code nexthops: [{gateway|via, dev, weight, flags}]} for multipath. Note that on this
 * iproute2 {@code route.json} also lists the IPv6 routes; {@link #parse} keeps the family asked for.
 * A route that uses a nexthop object ({@code nhid}) is kept with type UNKNOWN (we have no nexthop dump).
 */
public final class RouteParser {

    private RouteParser() {
    }

    /**
     * @param file   file name for messages
     * @param text   the JSON text
     * @param family {@code 4} or {@code 6} to keep only routes of that family, {@code 0} to keep all
     *               ({@code default} routes of unknown family count as IPv6 in route6.json, else by their gateway/prefsrc/pref)
     * @throws ParseException naming file, entry and key for malformed input
     */
    public static List<Route> parse(String file, String text, int family) {
        JsonDump d = new JsonDump(file);
        List<JsonNode> entries = d.entries(text);
        List<Route> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Route r = route(d, i, entries.get(i), family == 6);
            if (family == 0 || r.isV6() == (family == 6)) {
                out.add(r);
            }
        }
        return out;
    }

    private static Route route(JsonDump d, int i, JsonNode o, boolean v6File) {
        String typeText = d.text(o, i, "type", false);
        if (typeText == null) {
            typeText = "unicast";
        }
        RouteType type = RouteType.parse(typeText);
        String dstText = d.text(o, i, "dst", true);
        List<Nexthop> nhs = new ArrayList<>();
        JsonNode mp = o.get("nexthops");
        if (mp != null && !mp.isNull()) {
            if (!mp.isArray()) {
                throw d.error(i, "nexthops", mp, "an array of nexthops");
            }
            for (JsonNode n : mp) {
                nhs.add(new Nexthop(gateway(d, i, n), d.text(n, i, "dev", false), (int) d.number(n, i, "weight", 1), d.strings(n, i, "flags")));
            }
        }
        Set<String> flags = d.strings(o, i, "flags");
        Ip gw = gateway(d, i, o);
        String dev = d.text(o, i, "dev", false);
        if (nhs.isEmpty()) {
            nhs.add(new Nexthop(gw, dev, 1, flags));
        }
        Ip prefsrc = d.ip(o, i, "prefsrc", false);
        Boolean v6 = null;
        if (!dstText.equals("default")) {
            v6 = dstText.contains(":");
        } else if (prefsrc != null) {
            v6 = prefsrc.isV6();
        } else if (o.has("gateway")) {
            v6 = nhs.get(0).gateway() != null && nhs.get(0).gateway().isV6();
        } else {
            v6 = v6File || o.has("pref");
        }
        Prefix dst;
        try {
            dst = dstText.equals("default") ? (v6 ? Prefix.V6_DEFAULT : Prefix.V4_DEFAULT) : Prefix.parse(dstText);
        } catch (IllegalArgumentException e) {
            throw d.error(i, "dst", o.get("dst"), "'default', a prefix or an address");
        }
        if (prefsrc != null && prefsrc.isV6() != dst.isV6()) {
            throw d.error(i, "prefsrc", o.get("prefsrc"), "an address of the destination's family");
        }
        int table;
        try {
            String t = d.text(o, i, "table", false);
            table = t == null ? Tables.MAIN : Tables.parse(t);
        } catch (IllegalArgumentException e) {
            throw d.error(i, "table", o.get("table"), "main, local, default or a table number");
        }
        Scope scope;
        try {
            String s = d.text(o, i, "scope", false);
            scope = s == null ? Scope.GLOBAL : Scope.parse(s);
        } catch (IllegalArgumentException e) {
            throw d.error(i, "scope", o.get("scope"), "global, site, link, host or a number");
        }
        if (o.has("nhid") && dev == null && mp == null) {
            type = RouteType.UNKNOWN;
            typeText = "nhid " + o.get("nhid").asText();
        }
        return new Route(table, type, typeText, dst, (int) d.number(o, i, "tos", 0), d.text(o, i, "protocol", false), scope,
                d.number(o, i, "metric", 0), prefsrc, nhs, flags, d.text(o, i, "pref", false));
    }

    /** {@code gateway}, or {@code via.host} (RTA_VIA, e.g. an IPv6 gateway of an IPv4 route). */
    private static Ip gateway(JsonDump d, int i, JsonNode o) {
        Ip gw = d.ip(o, i, "gateway", false);
        JsonNode via = o.get("via");
        if (gw == null && via != null && via.isObject()) {
            gw = d.ip(via, i, "host", true);
        }
        return gw;
    }
}
