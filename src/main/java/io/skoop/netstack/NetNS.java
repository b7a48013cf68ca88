package io.skoop.netstack;

import io.skoop.model.Ip;
import io.skoop.netstack.ipset.IpSets;
import io.skoop.netstack.ipvs.IpvsTable;
import io.skoop.netstack.link.Interfaces;
import io.skoop.netstack.neigh.Fdb;
import io.skoop.netstack.neigh.NeighbourTable;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.NetfilterSimulator;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One network namespace as a dump folder (docs/netns-dump.md) and everything skoop derives
 * from it: interfaces, the {@link Router}, the netfilter rulesets and their simulator,
 * neighbours, FDB, ipsets, IPVS, listening sockets, sysctls.
 *
 * <p>Each part is parsed on first use and kept, so a diagnosis parses only the namespaces and
 * the files on the packet's path. A file that is absent reads as empty; {@link #notCollected()}
 * says which files were not collected (from meta.json: tool missing or failed) so callers can
 * raise a suspicion instead of treating "no data" as "nothing configured".
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

    private final String name;
    private final Path dir;
    private final Lazy<DumpMeta> meta;
    private final Lazy<Sysctls> sysctls;
    private final Lazy<Router> router;
    private final Lazy<Ruleset> iptables;
    private final Lazy<Ruleset> ip6tables;
    private final Lazy<IpSets> ipsets;
    private final Lazy<NeighbourTable> neighbours;
    private final Lazy<Fdb> fdb;
    private final Lazy<Sockets> sockets;
    private final Lazy<IpvsTable> ipvs;
    private final Lazy<NetfilterSimulator> netfilter;
    private final Lazy<String> nftText;
    private final Lazy<List<NftTable>> nftTables;

    private NetNS(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        this.meta = part("meta.json", () -> exists("meta.json") ? DumpMetaParser.parse(dir.resolve("meta.json")) : null);
        this.sysctls = part("sysctl.txt", () -> exists("sysctl.txt") ? SysctlParser.parse(dir.resolve("sysctl.txt")) : new Sysctls(Map.of()));
        this.router = part(null, () -> {
            requireFiles(ROUTING_FILES);
            return RoutingDump.load(dir, sysctls().asMap());
        });
        this.iptables = part("iptables.txt", () -> rules("iptables.txt", false));
        this.ip6tables = part("ip6tables.txt", () -> rules("ip6tables.txt", true));
        this.ipsets = part("ipset.txt", () -> exists("ipset.txt") ? IpsetParser.parse(dir.resolve("ipset.txt")) : new IpSets(List.of()));
        this.neighbours = part("neigh.json", () -> exists("neigh.json") ? NeighParser.parse(dir.resolve("neigh.json")) : NeighParser.parse("neigh.json", "[]"));
        this.fdb = part("fdb.json", () -> exists("fdb.json") ? FdbParser.parse(dir.resolve("fdb.json")) : FdbParser.parse("fdb.json", "[]"));
        this.sockets = part("sockets.txt", () -> {
            Sockets parsed = exists("sockets.txt") ? SocketParser.parse(dir.resolve("sockets.txt")) : SocketParser.parse("sockets.txt", "");
            return sysctls().bindV6Only().map(parsed::withBindV6OnlyDefault).orElse(parsed);
        });
        this.ipvs = part("ipvs.txt", () -> exists("ipvs.txt") ? IpvsParser.parse(dir.resolve("ipvs.txt")) : IpvsParser.parse("ipvs.txt", ""));
        this.nftText = part("nft.json", () -> exists("nft.json") ? read("nft.json") : "");
        this.nftTables = part("nft.json", () -> NftParser.tables(dir.resolve("nft.json").toString(), nftText.get()));
        this.netfilter = new Lazy<>(() -> new NetfilterSimulator(iptables(), ip6tables(), routingOracle(),
                new NetNSSets(ipsets())).withConntrackActive(otherConntrackUsers()));
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
     * Dump files that hold no data: absent, or recorded in meta.json as missing/failed, each with
     * the reason ({@code "ipvs.txt: ipvsadm missing"}). Absent IPv6 and optional files count too.
     */
    public List<String> notCollected() {
        List<String> out = new ArrayList<>();
        DumpMeta m = meta();
        for (String f : FILES) {
            var rec = m == null ? null : m.of(f).orElse(null);
            if (rec != null && rec.status() != DumpMeta.Status.OK) {
                out.add(f + ": " + rec.tool() + " " + rec.statusText());
            } else if (!exists(f)) {
                out.add(f + ": not in the dump");
            }
        }
        return out;
    }

    public Sysctls sysctls() {
        return sysctls.get();
    }

    /** The router over link/addr/route/rule files and the sysctls. */
    public Router router() {
        return router.get();
    }

    public Interfaces interfaces() {
        return router().interfaces();
    }

    /** iptables-save -c (an empty ruleset when not collected). */
    public Ruleset iptables() {
        return iptables.get();
    }

    /** ip6tables-save -c (an empty ruleset when not collected). */
    public Ruleset ip6tables() {
        return ip6tables.get();
    }

    public IpSets ipsets() {
        return ipsets.get();
    }

    public NeighbourTable neighbours() {
        return neighbours.get();
    }

    public Fdb fdb() {
        return fdb.get();
    }

    /** Listening sockets, with the namespace's net.ipv6.bindv6only as the default for sockets ss did not flag. */
    public Sockets sockets() {
        return sockets.get();
    }

    public IpvsTable ipvs() {
        return ipvs.get();
    }

    /** The netfilter simulator of this namespace: its rulesets, its Router as routing oracle, its ipsets. */
    public NetfilterSimulator netfilter() {
        return netfilter.get();
    }

    /** {@code ip route get} on this namespace. */
    public RouteResult routeGet(RouteQuery query) {
        return router().lookup(query);
    }

    /** A netfilter trace (hooks, tables, chains, routing decisions) on this namespace. */
    public TraceResult trace(TraceRequest request) {
        return netfilter().trace(request);
    }

    /** The nftables tables of nft.json (empty when not collected). */
    public List<NftTable> nftTables() {
        return nftTables.get();
    }

    /**
     * nftables tables with base chains that iptables-nft did not create (e.g. kube-proxy's
     * nftables mode): netfilter runs them, the simulator does not model them yet, so a trace
     * through this namespace cannot be trusted to be complete. Empty in an iptables-only namespace.
     */
    public List<NftTable> nftTablesNotSimulated() {
        return nftTables().stream().filter(t -> t.isHooked() && !t.isIptablesCompat()).toList();
    }

    /** True when the dump holds {@code file} (one of {@link #FILES} or meta.json). */
    public boolean has(String file) {
        return exists(file);
    }

    /**
     * The Router as routing oracle; without the routing files, an oracle that refuses every
     * question with the reason, so that the simulator ends those branches UNKNOWN instead of
     * guessing.
     */
    private RoutingOracle routingOracle() {
        List<String> missing = ROUTING_FILES.stream().filter(f -> !exists(f)).toList();
        if (missing.isEmpty()) {
            return new NetNSRouting(router());
        }
        String why = "routing data not in the dump (" + String.join(", ", missing) + " missing in " + dir + ")";
        return new RoutingOracle() {
            @Override
            public RouteDecision route(io.skoop.model.Packet packet, String iif, String oif) {
                throw new UnsupportedOperationException(why);
            }

            @Override
            public AddrType addressType(Ip address, String device) {
                throw new UnsupportedOperationException(why);
            }

            @Override
            public Ip primaryAddress(String device, boolean ipv6) {
                throw new UnsupportedOperationException(why);
            }

            @Override
            public Ip masqueradeSource(String device, Ip nexthop) {
                throw new UnsupportedOperationException(why);
            }
        };
    }

    /**
     * True when something besides iptables makes the namespace track connections (IPVS virtual
     * services, or nftables conntrack expressions / nat chains): conntrack then runs even when
     * no iptables rule needs it.
     */
    private boolean otherConntrackUsers() {
        if (!ipvs().services().isEmpty()) {
            return true;
        }
        // a conntrack expression in any nftables rule, or an nftables nat chain, enables conntrack
        String t = nftText.get();
        return t.contains("\"ct\"") || t.replace(" ", "").contains("\"type\":\"nat\"");
    }

    private Ruleset rules(String file, boolean v6) {
        if (!exists(file)) {
            return Ruleset.empty(v6);
        }
        try {
            return IptablesSaveParser.parse(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireFiles(List<String> files) {
        for (String f : files) {
            if (!exists(f)) {
                throw new IllegalArgumentException(dir.resolve(f) + " is missing: routing needs link.json, addr.json, route.json and rule.json"
                        + " (see docs/netns-dump.md)");
            }
        }
    }

    private boolean exists(String file) {
        return Files.isRegularFile(dir.resolve(file));
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
