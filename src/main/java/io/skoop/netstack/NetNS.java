package io.skoop.netstack;

import io.skoop.model.Ip;
import io.skoop.netstack.ipset.IpSets;
import io.skoop.netstack.ipvs.IpvsStation;
import io.skoop.netstack.netfilter.IpvsHook;
import io.skoop.netstack.ipvs.IpvsTable;
import io.skoop.netstack.link.Interfaces;
import io.skoop.netstack.neigh.Fdb;
import io.skoop.netstack.neigh.NeighbourTable;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.NetfilterSimulator;
import io.skoop.netstack.netfilter.NftRuleset;
import io.skoop.netstack.netfilter.NftTable;
import io.skoop.netstack.netfilter.RouteDecision;
import io.skoop.netstack.netfilter.RoutingOracle;
import io.skoop.netstack.netfilter.Ruleset;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.parse.DumpMetaParser;
import io.skoop.netstack.parse.FdbParser;
import io.skoop.netstack.parse.IpsetParser;
import io.skoop.netstack.parse.IptablesSaveParser;
import io.skoop.netstack.parse.IpvsParser;
import io.skoop.netstack.parse.NeighParser;
import io.skoop.netstack.parse.NftParser;
import io.skoop.netstack.parse.ParseException;
import io.skoop.netstack.parse.RoutingDump;
import io.skoop.netstack.parse.SocketParser;
import io.skoop.netstack.parse.SysctlParser;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.netstack.route.Router;
import io.skoop.netstack.socket.Sockets;
import io.skoop.netstack.sysctl.Sysctls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One network namespace as a dump folder (docs/netns-dump.md) and everything skoop derives
 * from it: interfaces, the {@link Router}, the netfilter rulesets and their simulator,
 * neighbours, FDB, ipsets, IPVS, listening sockets, sysctls.
 *
 * <p>Each part is parsed on first use and kept, so a diagnosis parses only the namespaces and
 * the files on the packet's path. Every file has a {@link PartState} ({@link #state}): a part whose
 * file cannot be trusted (not collected, failed, lost, empty where its tool always prints
 * something) is never read as "nothing configured": using it throws
 * {@link UnavailablePartException} naming the file and why (sysctl.txt instead yields
 * {@link Sysctls#untrusted() untrusted} sysctls, whose missing keys make the lookups that need
 * them uncertain). docs/netns-dump.md, "When a file cannot be trusted".
 *
 * <p>Malformed files raise {@link ParseException} (file, line, what was expected) when the
 * part is first used. Not thread-safe.
 */
public final class NetNS {
    /** The files of the dump format, in the order docs/netns-dump.md lists them. */
    public static final List<String> FILES = List.of("link.json", "addr.json", "route.json", "route6.json", "rule.json",
            "rule6.json", "neigh.json", "fdb.json", "iptables.txt", "ip6tables.txt", "nft.json", "ipset.txt", "ipvs.txt",
            "sockets.txt", "sysctl.txt");

    private static final List<String> ROUTING_FILES = List.of("link.json", "addr.json", "route.json", "rule.json");

    /** Files whose tool prints nothing when there is nothing (no tables, no sets, no IPVS, no socket): empty is trusted. */
    private static final Set<String> MAY_BE_EMPTY = Set.of("iptables.txt", "ip6tables.txt", "ipset.txt", "ipvs.txt", "sockets.txt");

    /** The command of each file (docs/netns-dump.md), for messages. */
    private static final Map<String, String> COMMANDS = Map.ofEntries(Map.entry("link.json", "ip -j -d link show"),
            Map.entry("addr.json", "ip -j addr show"), Map.entry("route.json", "ip -j -d route show table all"),
            Map.entry("route6.json", "ip -6 -j -d route show table all"), Map.entry("rule.json", "ip -j rule show"),
            Map.entry("rule6.json", "ip -6 -j rule show"), Map.entry("neigh.json", "ip -j neigh show"),
            Map.entry("fdb.json", "bridge -j fdb show"), Map.entry("iptables.txt", "iptables-save -c"),
            Map.entry("ip6tables.txt", "ip6tables-save -c"), Map.entry("nft.json", "nft -j list ruleset"),
            Map.entry("ipset.txt", "ipset save"), Map.entry("ipvs.txt", "ipvsadm -Sn"),
            Map.entry("sockets.txt", "ss -H -t -u -l -n -p -e"), Map.entry("sysctl.txt", "sysctl -a"),
            Map.entry("neigh-proxy.json", "ip -j neigh show proxy"));

    private final String name;
    private final Path dir;
    private final Lazy<DumpMeta> meta;
    private final Lazy<Sysctls> sysctls;
    private final Lazy<Router> router;
    private final Lazy<Ruleset> iptables;
    private final Lazy<Ruleset> ip6tables;
    private final Lazy<IpSets> ipsets;
    private final Lazy<NeighbourTable> neighbours;
    private final Lazy<NeighbourTable> proxyNeighbours;
    private final Lazy<Fdb> fdb;
    private final Lazy<Sockets> sockets;
    private final Lazy<IpvsTable> ipvs;
    private final Lazy<NetfilterSimulator> netfilter;
    private final Lazy<NftParser.Listing> nftListing;
    private final Lazy<List<String>> iptablesNftMismatches;
    private final Map<String, PartState> states = new HashMap<>();

    private NetNS(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        // present (even as a folder or a broken link: that is an error naming it) or absent (a hand-made dump)
        this.meta = part("meta.json", () -> Files.exists(dir.resolve("meta.json"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? DumpMetaParser.parse(dir.resolve("meta.json")) : null);
        this.sysctls = part("sysctl.txt", this::readSysctls);
        this.router = part(null, () -> {
            ROUTING_FILES.forEach(f -> require(f, "routing"));
            return RoutingDump.load(dir, sysctls(), ipv6Routing() == null);
        });
        this.iptables = part("iptables.txt", () -> rules("iptables.txt", false));
        this.ip6tables = part("ip6tables.txt", () -> rules("ip6tables.txt", true));
        this.ipsets = part("ipset.txt", () -> IpsetParser.parse(require("ipset.txt", "ipset membership")));
        this.neighbours = part("neigh.json", () -> NeighParser.parse(require("neigh.json", "neighbour resolution")));
        this.proxyNeighbours = part("neigh-proxy.json", () -> NeighParser.parse(require("neigh-proxy.json", "proxy neighbour entries")));
        this.fdb = part("fdb.json", () -> FdbParser.parse(require("fdb.json", "the bridge forwarding database")));
        this.sockets = part("sockets.txt", () -> {
            Sockets parsed = SocketParser.parse(require("sockets.txt", "socket lookup"));
            return sysctls().bindV6Only().map(parsed::withBindV6OnlyDefault).orElse(parsed);
        });
        this.ipvs = part("ipvs.txt", () -> IpvsParser.parse(require("ipvs.txt", "IPVS")));
        // nft.json not collected: nftables tables outside iptables, if any, are not known (nftTablesNotSimulated is empty)
        this.nftListing = part("nft.json", () -> state("nft.json").trusted()
                ? NftParser.listing(dir.resolve("nft.json").toString(), read("nft.json")) : NftParser.Listing.EMPTY);
        this.iptablesNftMismatches = part("nft.json", this::compareIptablesNft);
        this.netfilter = new Lazy<>(() -> new NetfilterSimulator(trustedOrEmpty("iptables.txt", false), trustedOrEmpty("ip6tables.txt", true),
                nftRuleset(), routingOracle(), new NetNSSets(this::ipsets)).withConntrackActive(otherConntrackUsers()).withIpvs(ipvsStation()));
    }

    /**
     * Opens a namespace dump folder (nothing is parsed yet).
     *
     * @param dir the folder scripts/collect-netns.sh wrote
     * @throws IllegalArgumentException when {@code dir} is not a folder or holds none of the dump files
     */
    public static NetNS load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a netns dump folder (no such directory): " + dir);
        }
        boolean any = Files.exists(dir.resolve("meta.json")) || FILES.stream().anyMatch(f -> Files.exists(dir.resolve(f)));
        if (!any) {
            throw new IllegalArgumentException("not a netns dump folder: " + dir + " has none of meta.json, " + String.join(", ", FILES)
                    + " (write one with scripts/collect-netns.sh)");
        }
        Path fileName = dir.getFileName();
        return new NetNS(fileName == null ? dir.toString() : fileName.toString().replaceAll("/$", ""), dir);
    }

    /** The folder's name (e.g. {@code node1} or {@code default_client}). */
    public String name() {
        return name;
    }

    /** The dump folder. */
    public Path dir() {
        return dir;
    }

    /** meta.json, or null when the dump has none (hand-made dumps). */
    public DumpMeta meta() {
        return meta.get();
    }

    /**
     * Whether {@code file} can be trusted, from meta.json and the file alone (not parsed; a malformed file is a
     * {@link ParseException} when its part is used). sysctl.txt becomes {@link PartState.Kind#INCOMPLETE} once read
     * if it lacks {@code net.ipv4.ip_forward}.
     *
     * @param file one of {@link #FILES}
     * @throws ParseException when meta.json is malformed
     */
    public PartState state(String file) {
        PartState known = states.get(file);
        if (known == null) {
            known = computeState(file);
            states.put(file, known);
        }
        return known;
    }

    /** The files of {@link #FILES} that cannot be trusted, with their states, in the order of {@link #FILES}. */
    public List<PartState> untrusted() {
        if (states.get("sysctl.txt") == null || states.get("sysctl.txt").trusted()) {
            sysctls(); // reading it may find it incomplete
        }
        return FILES.stream().map(this::state).filter(s -> !s.trusted()).toList();
    }

    private PartState computeState(String file) {
        Path p = dir.resolve(file);
        DumpMeta m = meta();
        DumpMeta.Collected rec = m == null ? null : m.of(file).orElse(null);
        String cmd = "`" + (rec != null ? rec.command() : COMMANDS.getOrDefault(file, file)) + "`";
        if (rec != null && rec.status() == DumpMeta.Status.MISSING) {
            return new PartState(p, PartState.Kind.NOT_COLLECTED, "not collected: " + rec.tool() + " is not installed (meta.json)");
        }
        if (rec != null && rec.status() != DumpMeta.Status.OK) {
            return new PartState(p, PartState.Kind.FAILED, "not collected: " + cmd + " " + rec.statusText() + " with exit status "
                    + rec.exit() + (rec.stderr().isEmpty() ? "" : " (" + rec.stderr() + ")") + " (meta.json)");
        }
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return rec != null
                    ? new PartState(p, PartState.Kind.LOST, "not in the dump, although meta.json records " + cmd + " as collected"
                    + " (lost when the snapshot was copied?)")
                    : new PartState(p, PartState.Kind.NOT_COLLECTED, "not in the dump" + (m == null ? "" : " and not listed in meta.json")
                    + " (" + cmd + " was not collected)");
        }
        if (blank(p)) {
            return MAY_BE_EMPTY.contains(file) ? new PartState(p, PartState.Kind.EMPTY, "")
                    : new PartState(p, PartState.Kind.TRUNCATED, "empty, but " + cmd + " always prints something"
                    + (file.endsWith(".json") ? " (at least [] or {})" : "") + ": the collection did not finish");
        }
        return new PartState(p, PartState.Kind.COLLECTED, "");
    }

    /** True for a regular file of at most a few blank bytes; false for anything else (a folder or unreadable file fails when parsed). */
    private static boolean blank(Path p) {
        try {
            if (!Files.isRegularFile(p) || Files.size(p) > 64) {
                return false;
            }
            return new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    /** The path of {@code file} when it can be trusted; else the exception naming it and what needed it. */
    private Path require(String file, String need) {
        PartState st = state(file);
        if (!st.trusted()) {
            throw new UnavailablePartException(st, need);
        }
        return dir.resolve(file);
    }

    /** Why IPv6 routing cannot be simulated (route6.json or rule6.json untrusted), or null. */
    private UnavailablePartException ipv6Routing() {
        for (String f : List.of("route6.json", "rule6.json")) {
            if (!state(f).trusted()) {
                return new UnavailablePartException(state(f), "IPv6 routing");
            }
        }
        return null;
    }

    private Sysctls readSysctls() {
        PartState st = state("sysctl.txt");
        if (!st.trusted()) {
            return Sysctls.untrusted(Map.of(), st.describe());
        }
        Sysctls read = SysctlParser.parse(dir.resolve("sysctl.txt"));
        if (read.has("net.ipv4.ip_forward")) {
            return read;
        }
        PartState incomplete = new PartState(st.file(), PartState.Kind.INCOMPLETE, "holds no net.ipv4.ip_forward, which `sysctl -a`"
                + " always prints: not the whole output (a filtered or hand-made file?)");
        states.put("sysctl.txt", incomplete);
        return Sysctls.untrusted(read.asMap(), incomplete.describe());
    }

    /** sysctl -a; {@link Sysctls#untrusted() untrusted} when sysctl.txt is not collected, empty or incomplete. */
    public Sysctls sysctls() {
        return sysctls.get();
    }

    /**
     * The router over link/addr/route/rule files and the sysctls (IPv6 tables and rules only when route6.json and
     * rule6.json can be trusted: use {@link #routeGet} to have an IPv6 lookup refused instead of answered wrongly).
     *
     * @throws UnavailablePartException when link.json, addr.json, route.json or rule.json cannot be trusted
     */
    public Router router() {
        return router.get();
    }

    public Interfaces interfaces() {
        return router().interfaces();
    }

    /** iptables-save -c; throws {@link UnavailablePartException} when iptables.txt cannot be trusted */
    public Ruleset iptables() {
        return iptables.get();
    }

    /** ip6tables-save -c; throws {@link UnavailablePartException} when ip6tables.txt cannot be trusted */
    public Ruleset ip6tables() {
        return ip6tables.get();
    }

    /** ipset save; throws {@link UnavailablePartException} when ipset.txt cannot be trusted */
    public IpSets ipsets() {
        return ipsets.get();
    }

    /** ip -j neigh show; throws {@link UnavailablePartException} when neigh.json cannot be trusted */
    public NeighbourTable neighbours() {
        return neighbours.get();
    }

    /**
     * ip -j neigh show proxy: the proxy ARP/NDP entries ({@code ip neigh add proxy ADDR dev DEV}), which {@link #neighbours}
     * does not list; throws {@link UnavailablePartException} when neigh-proxy.json cannot be trusted (dumps written
     * before collect-netns.sh collected it do not have it).
     */
    public NeighbourTable proxyNeighbours() {
        return proxyNeighbours.get();
    }

    /** bridge -j fdb show; throws {@link UnavailablePartException} when fdb.json cannot be trusted */
    public Fdb fdb() {
        return fdb.get();
    }

    /** Listening sockets (throws {@link UnavailablePartException} when sockets.txt cannot be trusted), with the namespace's net.ipv6.bindv6only as the default for sockets ss did not flag. */
    public Sockets sockets() {
        return sockets.get();
    }

    /** ipvsadm -Sn; throws {@link UnavailablePartException} when ipvs.txt cannot be trusted */
    public IpvsTable ipvs() {
        return ipvs.get();
    }

    /** The netfilter simulator of this namespace: its rulesets, its Router as routing oracle, its ipsets. */
    public NetfilterSimulator netfilter() {
        return netfilter.get();
    }

    /**
     * {@code ip route get} on this namespace.
     *
     * @throws UnavailablePartException when the routing files (for IPv6: also route6.json, rule6.json) cannot be trusted
     */
    public RouteResult routeGet(RouteQuery query) {
        UnavailablePartException v6 = query.dst().isV6() ? ipv6Routing() : null;
        if (v6 != null) {
            throw v6;
        }
        return router().lookup(query);
    }

    /**
     * A netfilter trace (hooks, tables, chains, routing decisions) on this namespace.
     *
     * @throws UnavailablePartException when the packet's family's rules (iptables.txt / ip6tables.txt) cannot be trusted
     */
    public TraceResult trace(TraceRequest request) {
        boolean v6 = request.packet().dst().isV6();
        require(v6 ? "ip6tables.txt" : "iptables.txt", v6 ? "the IPv6 rules" : "the IPv4 rules");
        return netfilter().trace(request);
    }

    /** The nftables tables of nft.json (empty when not collected). */
    public List<NftTable> nftTables() {
        return nftListing.get().ruleset().tables();
    }

    /**
     * The nftables ruleset of nft.json (chains, rules, sets and maps of the tables iptables-nft does not own);
     * {@link NftRuleset#EMPTY} when nft.json was not collected.
     */
    public NftRuleset nftRuleset() {
        return nftListing.get().ruleset();
    }

    /**
     * Where iptables.txt / ip6tables.txt and the kernel's copy of the same tables in nft.json (iptables-nft's tables)
     * disagree on the number of rules of a chain — the two were dumped at different moments (a resync in between), or
     * iptables-save could not print what the kernel holds. One line per chain ({@code ip nat/KUBE-SERVICES: 12 rules in
     * iptables.txt, 14 in nft.json}); empty when they agree, when the tables are iptables-legacy's (not in nft.json), or
     * when a file cannot be trusted.
     */
    public List<String> iptablesNftMismatches() {
        return iptablesNftMismatches.get();
    }

    private List<String> compareIptablesNft() {
        Map<String, Integer> kernel = nftListing.get().compatRuleCounts();
        if (kernel.isEmpty()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            String file = v6 ? "ip6tables.txt" : "iptables.txt";
            if (!state(file).trusted()) {
                continue;
            }
            String family = v6 ? "ip6" : "ip";
            Ruleset rs = v6 ? ip6tables() : iptables();
            for (io.skoop.netstack.netfilter.Table t : rs.tables().values()) {
                if (kernel.keySet().stream().noneMatch(k -> k.startsWith(family + " " + t.name() + "/"))) {
                    continue; // this table is not iptables-nft's (legacy), or nft.json predates it
                }
                for (io.skoop.netstack.netfilter.Chain c : t.chains().values()) {
                    Integer n = kernel.get(family + " " + t.name() + "/" + c.name());
                    if (n != null && n != c.rules().size()) {
                        out.add(family + " " + t.name() + "/" + c.name() + ": " + c.rules().size() + " rules in " + file + ", " + n
                                + " in nft.json");
                    }
                }
            }
        }
        return out;
    }

    /**
     * nftables tables with base chains the simulator does not run: the bridge, arp and netdev families and the
     * ingress/egress hooks (the ip, ip6 and inet families' prerouting … postrouting chains are simulated with
     * iptables). A trace through this namespace cannot be trusted to be complete when one exists. Empty in an
     * iptables-only namespace.
     */
    public List<NftTable> nftTablesNotSimulated() {
        java.util.Set<String> unsimulated = new java.util.HashSet<>();
        nftRuleset().unsimulatedBaseChains().forEach(c -> unsimulated.add(c.tableRef()));
        return nftTables().stream().filter(t -> !t.isIptablesCompat() && unsimulated.contains(t.family() + " " + t.name())).toList();
    }

    /**
     * The Router as routing oracle; without the routing files, an oracle that refuses every
     * question with the reason, so that the simulator ends those branches UNKNOWN instead of
     * guessing.
     */
    private RoutingOracle routingOracle() {
        UnavailablePartException why = ROUTING_FILES.stream().map(this::state).filter(s -> !s.trusted()).findFirst()
                .map(s -> new UnavailablePartException(s, "routing")).orElse(null);
        if (why == null) {
            return new NetNSRouting(router(), ipv6Routing());
        }
        return new RoutingOracle() {
            @Override
            public RouteDecision route(io.skoop.model.Packet packet, String iif, String oif) {
                throw why;
            }

            @Override
            public AddrType addressType(Ip address, String device) {
                throw why;
            }

            @Override
            public Ip primaryAddress(String device, boolean ipv6) {
                throw why;
            }

            @Override
            public Ip masqueradeSource(String device, Ip nexthop) {
                throw why;
            }
        };
    }

    /**
     * True when something besides iptables and nftables makes the namespace track connections (IPVS
     * virtual services): conntrack then runs even when no rule needs it (the rules' own need is the
     * simulator's: {@link NetfilterSimulator#needsConntrack}, {@link NftRuleset#needsConntrack}).
     */
    private boolean otherConntrackUsers() {
        // ipvs.txt not collected (commonly: ipvsadm failed because ip_vs is not loaded): no IPVS assumed here
        if (state("ipvs.txt").trusted() && !ipvs().services().isEmpty()) {
            return true;
        }
        // nftables' own need (ct expressions, nat chains) is the simulator's: NftRuleset.needsConntrack
        return false;
    }

    /**
     * IPVS's request hooks for the simulator: the virtual services of a trusted, non-empty ipvs.txt; when ipvs.txt
     * cannot be trusted but the namespace has kube-proxy's {@code kube-ipvs0} device, a station that answers UNKNOWN
     * for its addresses (kube-proxy's IPVS mode runs there, what its virtual services do is not known); else none.
     */
    private IpvsHook ipvsStation() {
        if (state("ipvs.txt").trusted()) {
            return ipvs().services().isEmpty() ? null : new IpvsStation(ipvs());
        }
        if (!ROUTING_FILES.stream().allMatch(f -> state(f).trusted())) {
            return null;
        }
        return interfaces().byName(IpvsStation.KUBE_IPVS0)
                .map(d -> IpvsStation.unknown(java.util.stream.Stream.concat(d.addresses(false).stream(), d.addresses(true).stream())
                        .map(io.skoop.netstack.link.Address::local).collect(java.util.stream.Collectors.toSet()), state("ipvs.txt").describe()))
                .orElse(null);
    }

    private Ruleset rules(String file, boolean v6) {
        Path p = require(file, v6 ? "the IPv6 rules" : "the IPv4 rules");
        try {
            return IptablesSaveParser.parse(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ruleset of {@code file}, or an empty one when it cannot be trusted ({@link #trace} refuses that family). */
    private Ruleset trustedOrEmpty(String file, boolean v6) {
        return state(file).trusted() ? (v6 ? ip6tables() : iptables()) : Ruleset.empty(v6);
    }

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "netns " + name + " (" + dir + ")";
    }

    /**
     * A part of the dump, parsed on first use. A failure names the file by its path (which node's or pod's dump): a
     * parse error its parser gave by the file's name alone gets the dump's folder; a file that cannot be read, or is
     * not UTF-8, is a parse error of that file (not an internal error).
     *
     * @param file the part's file, or null when it reads several (the error names the folder)
     */
    private <T> Lazy<T> part(String file, Supplier<T> parse) {
        return new Lazy<>(() -> {
            try {
                return parse.get();
            } catch (ParseException e) {
                throw e.file() != null && !e.file().contains("/") ? e.at(dir.resolve(e.file())) : e;
            } catch (UncheckedIOException e) {
                throw ParseException.unreadable(file == null ? dir : dir.resolve(file), e.getCause());
            }
        });
    }

    /** A value computed on first use. */
    private static final class Lazy<T> {
        private Supplier<T> supplier;
        private T value;

        Lazy(Supplier<T> supplier) {
            this.supplier = supplier;
        }

        T get() {
            if (supplier != null) {
                value = supplier.get();
                supplier = null;
            }
            return value;
        }
    }
}
