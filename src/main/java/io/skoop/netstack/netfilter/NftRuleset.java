package io.skoop.netstack.netfilter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nftables ruleset of one network namespace, from {@code nft -j list ruleset} (nft.json),
 * parsed by {@link io.skoop.netstack.parse.NftParser#ruleset}. The tables iptables-nft owns
 * ({@link NftTable#isIptablesCompat()}) are kept only as tables: their rules are read from
 * iptables-save, so the simulator traverses them through the iptables model; every other
 * table's chains, rules, sets and maps are here.
 *
 * Immutable.
 */
public final class NftRuleset {
    /** No nftables tables at all. */
    public static final NftRuleset EMPTY = new NftRuleset(List.of(), List.of(), List.of());

    private final List<NftTable> tables;
    private final List<NftChain> chains;
    private final List<NftSet> sets;
    private final Map<String, NftChain> chainIndex = new HashMap<>();
    private final Map<String, NftSet> setIndex = new HashMap<>();
    /** per named set: its elements indexed for lookups (built on first use; {@link NftEval}) */
    private final Map<String, NftEval.SetIndex> lookupIndex = new java.util.concurrent.ConcurrentHashMap<>();

    public NftRuleset(List<NftTable> tables, List<NftChain> chains, List<NftSet> sets) {
        this.tables = List.copyOf(tables);
        this.chains = List.copyOf(chains);
        this.sets = List.copyOf(sets);
        for (NftChain c : this.chains) {
            chainIndex.put(c.family() + " " + c.table() + " " + c.name(), c);
        }
        for (NftSet s : this.sets) {
            setIndex.put(s.family() + " " + s.table() + " " + s.name(), s);
        }
    }

    /** Every table (including iptables-nft's), in listing order. */
    public List<NftTable> tables() {
        return tables;
    }

    /** The chains of the simulated tables, in listing order. */
    public List<NftChain> chains() {
        return chains;
    }

    /** The named sets and maps of the simulated tables. */
    public List<NftSet> sets() {
        return sets;
    }

    /** The chain {@code name} of table {@code family table}, or null. */
    public NftChain chain(String family, String table, String name) {
        return chainIndex.get(family + " " + table + " " + name);
    }

    /** The named set or map of table {@code family table}, or null. */
    public NftSet set(String family, String table, String name) {
        return setIndex.get(family + " " + table + " " + name);
    }

    /**
     * The base chains that packets of the family ({@code v6}) traverse at {@code hook}, by priority; equal priorities in
     * listing order (the simulator decides how ties run: {@link NetfilterSimulator}).
     */
    public List<NftChain> baseChains(Hook hook, boolean v6) {
        List<NftChain> out = new ArrayList<>();
        for (NftChain c : chains) {
            if (c.base() && c.ipHook() == hook && c.appliesTo(v6)) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparingInt(NftChain::priority));
        return out;
    }

    /**
     * Base chains the simulator does not run: families bridge, arp, netdev, and ingress/egress hooks. Their tables
     * are what {@link io.skoop.netstack.NetNS#nftTablesNotSimulated()} reports.
     */
    public List<NftChain> unsimulatedBaseChains() {
        return chains.stream().filter(c -> c.base() && c.ipHook() == null).toList();
    }

    /**
     * True when a rule makes the kernel track connections in the namespace for this family: a nat base chain
     * (nft_chain_nat needs conntrack), a {@code ct} expression or statement, notrack, or a NAT statement
     * (nf_ct_netns_get from the expressions' init, as for iptables' matches and targets).
     */
    public boolean needsConntrack(boolean v6) {
        for (NftChain c : chains) {
            if (!c.appliesTo(v6)) {
                continue;
            }
            if ("nat".equals(c.type())) {
                return true;
            }
            for (NftRule r : c.rules()) {
                for (NftStmt s : r.stmts()) {
                    if (s instanceof NftStmt.Nat || s instanceof NftStmt.Notrack || usesCt(s)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean usesCt(NftStmt s) {
        if (s instanceof NftStmt.Match m) {
            return usesCt(m.left()) || usesCt(m.right());
        }
        if (s instanceof NftStmt.Vmap v) {
            return usesCt(v.key());
        }
        if (s instanceof NftStmt.Mangle m) {
            return usesCt(m.key()) || usesCt(m.value());
        }
        return false;
    }

    private static boolean usesCt(NftExpr e) {
        if (e instanceof NftExpr.Ct) {
            return true;
        }
        if (e instanceof NftExpr.Concat c) {
            return c.parts().stream().anyMatch(NftRuleset::usesCt);
        }
        if (e instanceof NftExpr.Binop b) {
            return usesCt(b.left()) || usesCt(b.right());
        }
        return e instanceof NftExpr.MapLookup m && usesCt(m.key());
    }

    /** The lookup index of a named set, built once by {@code build} (thread-safe). */
    NftEval.SetIndex lookupIndex(NftSet set, java.util.function.Function<NftSet, NftEval.SetIndex> build) {
        return lookupIndex.computeIfAbsent(set.family() + " " + set.table() + " " + set.name(), k -> build.apply(set));
    }

    /** Number of rules over the simulated chains. */
    public int ruleCount() {
        return chains.stream().mapToInt(c -> c.rules().size()).sum();
    }

    /** A summary ({@code nftables: inet kube-proxy 12 chains 40 rules}). */
    @Override
    public String toString() {
        return "nftables: " + chains.size() + " chains, " + ruleCount() + " rules, " + sets.size() + " sets/maps";
    }
}
