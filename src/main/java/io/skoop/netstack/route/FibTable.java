package io.skoop.netstack.route;

import io.skoop.model.Ip;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One routing table of one family, indexed for longest-prefix match: one hash map per prefix
 * length present (masked destination → routes of that prefix), probed from the longest
 * length down. A lookup costs one mask and one hash probe per distinct prefix length, so it
 * stays fast with hundreds of thousands of routes (the kernel's LC-trie, net/ipv4/fib_trie.c,
 * gives the same answer: longest prefix first, backtracking to shorter prefixes).
 *
 * <p>Routes of the same prefix are kept in the kernel's alias order (fib_trie.c
 * {@code fib_insert_alias}: tos descending, then priority/metric ascending, then insertion order).
 */
public final class FibTable {
    private static final Comparator<Route> ALIAS_ORDER =
            Comparator.comparingInt((Route r) -> -r.tos()).thenComparingLong(Route::metric);

    private final int id;
    private final boolean v6;
    @SuppressWarnings("unchecked")
    private final Map<Ip, List<Route>>[] byLength;
    private int[] lengthsDesc = new int[0];
    private int size;

    /** An empty table with this id for IPv4 ({@code v6=false}) or IPv6. */
    @SuppressWarnings("unchecked")
    public FibTable(int id, boolean v6) {
        this.id = id;
        this.v6 = v6;
        this.byLength = new Map[v6 ? 129 : 33];
    }

    /** Adds a route (of this table's family) after the existing routes of its prefix, in alias order. */
    public void add(Route r) {
        if (r.isV6() != v6) {
            throw new IllegalArgumentException("route " + r + " is not of this table's family");
        }
        int len = r.dst().length();
        if (byLength[len] == null) {
            byLength[len] = new HashMap<>();
            int[] l = Arrays.copyOf(lengthsDesc, lengthsDesc.length + 1);
            l[l.length - 1] = len;
            Arrays.sort(l);
            for (int i = 0; i < l.length / 2; i++) {
                int t = l[i];
                l[i] = l[l.length - 1 - i];
                l[l.length - 1 - i] = t;
            }
            lengthsDesc = l;
        }
        List<Route> list = byLength[len].computeIfAbsent(r.dst().address(), k -> new ArrayList<>(1));
        int at = list.size();
        while (at > 0 && ALIAS_ORDER.compare(list.get(at - 1), r) > 0) {
            at--;
        }
        list.add(at, r);
        size++;
    }

    public int id() {
        return id;
    }

    public boolean isV6() {
        return v6;
    }

    /** Number of routes. */
    public int size() {
        return size;
    }

    /** The prefix lengths present, longest first. */
    public int[] lengthsDescending() {
        return lengthsDesc.clone();
    }

    /** The routes whose prefix has length {@code len} and contains {@code dst}, in alias order (empty when none). */
    public List<Route> routes(int len, Ip dst) {
        Map<Ip, List<Route>> m = byLength[len];
        if (m == null) {
            return List.of();
        }
        List<Route> l = m.get(dst.mask(len));
        return l == null ? List.of() : l;
    }

    /** Calls {@code visitor} for each covering prefix of {@code dst}, longest first, until it returns non-null. */
    public <T> T walk(Ip dst, java.util.function.Function<List<Route>, T> visitor) {
        for (int len : lengthsDesc) {
            List<Route> l = byLength[len].get(dst.mask(len));
            if (l != null) {
                T t = visitor.apply(l);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    /** All routes, by prefix length descending. */
    public List<Route> all() {
        List<Route> out = new ArrayList<>(size);
        for (int len : lengthsDesc) {
            byLength[len].values().forEach(out::addAll);
        }
        return out;
    }
}
