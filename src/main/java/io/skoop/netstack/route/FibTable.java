package io.skoop.netstack.route;

import io.skoop.model.Ip;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One routing table of one family, indexed for longest-prefix match: one open-addressing hash
 * map per prefix length present (masked destination as two longs → routes of that prefix),
 * probed from the longest length down without allocating. A lookup costs one mask and one hash probe per distinct prefix length, so it
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
    private final PrefixMap[] byLength;
    private int[] lengthsDesc = new int[0];
    private int size;

    /**
     * Masked destination (two longs) → routes of that prefix, open addressing with linear probing:
     * a probe allocates nothing.
     */
    private static final class PrefixMap {
        long[] his = new long[16];
        long[] los = new long[16];
        List<Route>[] values = newArray(16);
        int count;

        @SuppressWarnings("unchecked")
        static List<Route>[] newArray(int n) {
            return new List[n];
        }

        static int slot(long hi, long lo, int mask) {
            long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
            return (int) (h ^ (h >>> 29)) & mask;
        }

        List<Route> get(long hi, long lo) {
            int mask = values.length - 1;
            for (int i = slot(hi, lo, mask); ; i = (i + 1) & mask) {
                List<Route> v = values[i];
                if (v == null) {
                    return null;
                }
                if (his[i] == hi && los[i] == lo) {
                    return v;
                }
            }
        }

        List<Route> getOrCreate(long hi, long lo) {
            List<Route> v = get(hi, lo);
            if (v != null) {
                return v;
            }
            if ((count + 1) * 2 > values.length) {
                grow();
            }
            v = new ArrayList<>(1);
            put(hi, lo, v);
            count++;
            return v;
        }

        private void put(long hi, long lo, List<Route> v) {
            int mask = values.length - 1;
            int i = slot(hi, lo, mask);
            while (values[i] != null) {
                i = (i + 1) & mask;
            }
            his[i] = hi;
            los[i] = lo;
            values[i] = v;
        }

        private void grow() {
            long[] oh = his, ol = los;
            List<Route>[] ov = values;
            his = new long[ov.length * 2];
            los = new long[ov.length * 2];
            values = newArray(ov.length * 2);
            for (int i = 0; i < ov.length; i++) {
                if (ov[i] != null) {
                    put(oh[i], ol[i], ov[i]);
                }
            }
        }
    }

    /** An empty table with this id for IPv4 ({@code v6=false}) or IPv6. */
    public FibTable(int id, boolean v6) {
        this.id = id;
        this.v6 = v6;
        this.byLength = new PrefixMap[v6 ? 129 : 33];
    }

    /** Adds a route (of this table's family) after the existing routes of its prefix, in alias order. */
    public void add(Route r) {
        if (r.isV6() != v6) {
            throw new IllegalArgumentException("route " + r + " is not of this table's family");
        }
        int len = r.dst().length();
        if (byLength[len] == null) {
            byLength[len] = new PrefixMap();
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
        Ip a = r.dst().address();
        List<Route> list = byLength[len].getOrCreate(a.hi(), a.lo());
        int at = list.size();
        while (at > 0 && ALIAS_ORDER.compare(list.get(at - 1), r) > 0) {
            at--;
        }
        list.add(at, r);
        size++;
    }

    /** The table id ({@link Tables}). */
    public int id() {
        return id;
    }

    /** True for an IPv6 table. */
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

    private List<Route> probe(int len, Ip dst) {
        long hi = dst.hi(), lo = dst.lo();
        if (v6) {
            hi &= len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
            lo &= len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        } else {
            lo &= len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
        }
        return byLength[len].get(hi, lo);
    }

    /** The routes whose prefix has length {@code len} and contains {@code dst}, in alias order (empty when none). */
    public List<Route> routes(int len, Ip dst) {
        if (byLength[len] == null || dst.isV6() != v6) {
            return List.of();
        }
        List<Route> l = probe(len, dst);
        return l == null ? List.of() : l;
    }

    /** Calls {@code visitor} for each covering prefix of {@code dst}, longest first, until it returns non-null. */
    public <T> T walk(Ip dst, java.util.function.Function<List<Route>, T> visitor) {
        if (dst.isV6() != v6) {
            return null;
        }
        for (int len : lengthsDesc) {
            List<Route> l = probe(len, dst);
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
            for (List<Route> l : byLength[len].values) {
                if (l != null) {
                    out.addAll(l);
                }
            }
        }
        return out;
    }
}
