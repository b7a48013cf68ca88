package io.skoop.netstack.route;

import io.skoop.model.Ip;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of one route lookup: either the route the kernel would build for the query
 * ({@code ip route get} output) or the errno it fails with, plus the typed decision steps.
 *
 * @param query         the query
 * @param errno         the error, or null on success
 * @param type          the route type of the answer ({@code rt_type}: unicast, local, broadcast, multicast), null on error
 * @param table         the table the answer came from (0 when none, e.g. the oif on-link assumption)
 * @param route         the route used, or null
 * @param dev           the output device ({@code lo} for local delivery), or null on error
 * @param gateway       the gateway, or null when the destination is on-link
 * @param prefsrc       the selected source of an output lookup, or null (input lookups have none)
 * @param paths         every usable path of the answer; more than one for multipath, where the kernel's pick
 *                      depends on the flow hash ({@link #hashDependent()}); the reported dev/gateway/prefsrc are paths[0]
 * @param hashDependent true when the kernel chooses among {@code paths} by flow hash
 * @param uncertain     true when a construct we cannot evaluate (an UNKNOWN selector, route type or VRF) influenced the answer
 * @param steps         the decisions, in order
 */
public record RouteResult(RouteQuery query, Errno errno, RouteType type, int table, Route route, String dev, Ip gateway,
                          Ip prefsrc, List<Path> paths, boolean hashDependent, boolean uncertain, List<Step> steps) {

    /**
     * One usable path of the answer.
     *
     * @param gateway the gateway or null
     * @param dev     the output device
     * @param weight  the multipath weight (1 for a single path)
     * @param prefsrc the source the kernel selects when this path is taken (output lookups), or null
     */
    public record Path(Ip gateway, String dev, int weight, Ip prefsrc) {
    }

    public RouteResult {
        paths = List.copyOf(paths);
        steps = List.copyOf(steps);
    }

    /** Why a failed lookup failed (its {@link Step.Failed} step: "forwarding is off on eth0", ...), or null. */
    public String failure() {
        for (Step s : steps) {
            if (s instanceof Step.Failed f) {
                return f.why();
            }
        }
        return null;
    }

    /** What the lookup assumed for values the dump does not hold ({@link Step.Assumed}), as text; empty when none. */
    public List<String> assumptions() {
        return steps.stream().filter(s -> s instanceof Step.Assumed).map(Step::describe).toList();
    }

    /** True when the lookup succeeded. */
    public boolean ok() {
        return errno == null;
    }

    /**
     * The answer as {@code ip -j route get} prints it (key names and order of iproute2: type when not
     * unicast, dst, from, gateway or via, dev, table when neither main nor unspec, prefsrc when the
     * selected source differs from the query's, metric for IPv6, mark, iif), plus {@code error}
     * (errno name) on failure and {@code multipath} (all paths) when the pick is hash-dependent.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!ok()) {
            m.put("dst", query.dst().toString());
            if (query.src() != null) {
                m.put("from", query.src().toString());
            }
            m.put("error", errno.name());
            m.put("message", errno.message());
            if (query.iif() != null) {
                m.put("iif", query.iif());
            }
            return m;
        }
        if (type != RouteType.UNICAST) {
            m.put("type", type.ipName());
        }
        m.put("dst", query.dst().toString());
        if (query.src() != null) {
            m.put("from", query.src().toString());
        } else if (query.dst().isV6()) {
            m.put("from", "::");
        }
        if (gateway != null) {
            if (gateway.isV6() != query.dst().isV6()) {
                Map<String, Object> via = new LinkedHashMap<>();
                via.put("family", gateway.isV6() ? "inet6" : "inet");
                via.put("host", gateway.toString());
                m.put("via", via);
            } else {
                m.put("gateway", gateway.toString());
            }
        }
        m.put("dev", dev);
        if (table != Tables.MAIN && table != Tables.UNSPEC) {
            m.put("table", Tables.name(table));
        }
        if (printsPrefsrc()) {
            m.put("prefsrc", prefsrc.toString());
        }
        if (query.dst().isV6() && route != null) {
            m.put("metric", route.metric());
        }
        if (query.mark() != 0) {
            m.put("mark", query.mark());
        }
        if (query.iif() != null) {
            m.put("iif", query.iif());
        }
        if (hashDependent) {
            List<Map<String, Object>> mp = new ArrayList<>();
            for (Path p : paths) {
                Map<String, Object> pm = new LinkedHashMap<>();
                if (p.gateway() != null) {
                    pm.put("gateway", p.gateway().toString());
                }
                pm.put("dev", p.dev());
                pm.put("weight", p.weight());
                if (p.prefsrc() != null && !query.isInput()) {
                    pm.put("prefsrc", p.prefsrc().toString());
                }
                mp.add(pm);
            }
            m.put("multipath", mp);
        }
        if (uncertain) {
            m.put("uncertain", true);
        }
        return m;
    }

    /**
     * Whether ip prints prefsrc: IPv4 output routes whose selected source differs from the query's
     * ({@code rt_fill_info}); IPv6 always prints the route's source (prefsrc or ipv6_dev_get_saddr,
     * {@code rt6_fill_node}), even when {@code from} was given.
     */
    private boolean printsPrefsrc() {
        if (prefsrc == null) {
            return false;
        }
        return query.dst().isV6() || (!query.isInput() && !prefsrc.equals(query.src()));
    }

    /** The answer in {@code ip route get} text form (or "RTNETLINK answers: …"), without the steps. */
    public String summary() {
        if (!ok()) {
            return "RTNETLINK answers: " + errno.message() + " (" + errno + ")";
        }
        StringBuilder sb = new StringBuilder();
        if (type != RouteType.UNICAST) {
            sb.append(type.ipName()).append(' ');
        }
        sb.append(query.dst());
        if (query.src() != null) {
            sb.append(" from ").append(query.src());
        }
        if (gateway != null) {
            sb.append(" via ").append(gateway.isV6() != query.dst().isV6() ? "inet6 " : "").append(gateway);
        }
        sb.append(" dev ").append(dev);
        if (table != Tables.MAIN && table != Tables.UNSPEC) {
            sb.append(" table ").append(Tables.name(table));
        }
        if (printsPrefsrc()) {
            sb.append(" src ").append(prefsrc);
        }
        if (query.mark() != 0) {
            sb.append(" mark 0x").append(Long.toHexString(query.mark()));
        }
        if (query.iif() != null) {
            sb.append(" iif ").append(query.iif());
        }
        if (hashDependent) {
            sb.append("  (multipath, hash-dependent: one of");
            for (Path p : paths) {
                sb.append(" [").append(p.gateway() != null ? "via " + p.gateway() + " " : "").append("dev ").append(p.dev())
                        .append(" weight ").append(p.weight()).append(']');
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** {@link #summary()} followed by the numbered decision steps. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(summary()).append('\n');
        int i = 1;
        for (Step s : steps) {
            sb.append("  ").append(i++).append(". ").append(s.describe()).append('\n');
        }
        return sb.toString();
    }
}
