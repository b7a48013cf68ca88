package io.skoop.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Prefix;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.NetfilterSimulator;
import io.skoop.netstack.netfilter.RouteDecision;
import io.skoop.netstack.netfilter.RoutingOracle;
import io.skoop.netstack.netfilter.Ruleset;
import io.skoop.netstack.netfilter.SetMembership;
import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.netfilter.TraceStep;
import io.skoop.netstack.parse.IptablesSaveParser;
import io.skoop.netstack.parse.ParseException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skoop netstack trace DUMPDIR --packet 'tcp 10.244.1.5:40000 > 10.96.0.10:80' --path local-out}:
 * traces one packet through the iptables rules of a namespace dump (iptables.txt /
 * ip6tables.txt) with {@link NetfilterSimulator} and prints the typed steps, the resulting
 * packet(s) with their probabilities and the verdict(s).
 *
 * <p>Exit code 0 when every branch passes (DELIVERED / SENT / FORWARDED) — also when an
 * UNKNOWN match was assumed both ways and both ways pass — and 1 otherwise (a drop, a
 * reject, a routing error, or an UNKNOWN that decides the outcome, on some branch).
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Trace a packet through a namespace dump's iptables rules (hooks, tables, NAT, conntrack).")
public class TraceCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DUMPDIR", description = "A network namespace dump folder (iptables.txt, ip6tables.txt, addr.json, ...).")
    Path dumpDir;

    @Option(names = "--packet", required = true, paramLabel = "PACKET",
            description = "The packet, e.g. 'tcp 10.244.1.5:40000 > 10.96.0.10:80' or 'icmp 10.0.0.1 > 10.0.0.2'.")
    String packet;

    @Option(names = "--path", required = true, paramLabel = "PATH",
            description = "Where the packet enters: local-out, forward, local-in or bridge.")
    String path;

    @Option(names = "--iif", paramLabel = "DEV", description = "Input device (forward, local-in; the bridge for bridge).")
    String iif;

    @Option(names = "--oif", paramLabel = "DEV", description = "Output device (local-out: the bound device; used as the route when no routing data is available).")
    String oif;

    @Option(names = "--physdev-in", paramLabel = "PORT", description = "Bridge port the packet arrived on (bridge path).")
    String physIn;

    @Option(names = "--physdev-out", paramLabel = "PORT", description = "Bridge port the packet leaves by (bridge path).")
    String physOut;

    @Option(names = "--mark", paramLabel = "N", description = "Initial skb mark (decimal or 0x hex).")
    String mark;

    @Option(names = "--all-rules", description = "Also list rules that did not match.")
    boolean allRules;

    @Option(names = "--json", description = "Print the result as JSON (typed steps).")
    boolean json;

    @Option(names = "--reply", description = "Also trace the reply of every branch that passes (ESTABLISHED, NAT reversed).")
    boolean reply;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(dumpDir)) {
            throw new UserException("not a dump folder: " + dumpDir);
        }
        Packet p = Packet.parse(packet);
        if (mark != null) {
            p = p.withMark(parseMark(mark));
        }
        Ruleset v4 = load(dumpDir.resolve("iptables.txt"), false);
        Ruleset v6 = load(dumpDir.resolve("ip6tables.txt"), true);
        if ((p.src().isV6() ? v6 : v4) == null) {
            throw new UserException("no " + (p.src().isV6() ? "ip6tables.txt" : "iptables.txt") + " in " + dumpDir);
        }
        TraceRequest req = TraceRequest.of(p, io.skoop.netstack.netfilter.Path.parse(path))
                .withIif(iif).withOif(oif).withPhysdev(physIn, physOut).withRecordNoMatch(allRules);
        NetfilterSimulator sim = new NetfilterSimulator(v4 == null ? Ruleset.empty(false) : v4, v6 == null ? Ruleset.empty(true) : v6,
                routingFor(dumpDir, req), SetMembership.NONE).withConntrackActive(othersNeedConntrack(dumpDir));
        TraceResult r = sim.trace(req);
        List<TraceResult> replies = new ArrayList<>();
        if (reply) {
            for (TraceBranch b : r.branches()) {
                if (b.verdict().passes() && b.conntrack() != null) {
                    replies.add(sim.traceReply(req, b));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Object doc = reply ? Map.of("trace", r, "replies", replies) : r;
            out.println(mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            print(r, out);
            for (TraceResult rr : replies) {
                out.println();
                out.print("reply: ");
                print(rr, out);
            }
        }
        out.flush();
        FinalVerdict v = r.verdict();
        boolean repliesPass = replies.stream().allMatch(x -> x.verdict() != null && x.verdict().passes());
        return v != null && v.passes() && repliesPass ? 0 : 1;
    }

    /**
     * True when something besides iptables makes the namespace track connections: IPVS virtual
     * servers in ipvs.txt, or nftables conntrack expressions / nat chains in nft.json.
     */
    static boolean othersNeedConntrack(Path dumpDir) throws IOException {
        Path ipvs = dumpDir.resolve("ipvs.txt");
        if (Files.isRegularFile(ipvs) && Files.readAllLines(ipvs).stream().anyMatch(l -> l.startsWith("-A "))) {
            return true;
        }
        Path nft = dumpDir.resolve("nft.json");
        if (Files.isRegularFile(nft)) {
            String t = Files.readString(nft);
            return t.contains("\"ct\"") || t.replace(" ", "").contains("\"type\":\"nat\"");
        }
        return false;
    }

    private static long parseMark(String s) {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v < 0 || v > 0xffffffffL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--mark expects an unsigned 32-bit value (decimal or 0x hex), got '" + s + "'");
        }
    }

    private static Ruleset load(Path f, boolean v6) throws IOException {
        return Files.isRegularFile(f) ? IptablesSaveParser.parse(f) : null;
    }

    /**
     * INTEGRATION POINT: the routing oracle for a namespace dump. The integrator replaces this
     * with the Router (io.skoop.netstack.route) built from route.json / rule.json / addr.json.
     * Until then: a minimal oracle from addr.json (local addresses, connected subnets) that
     * honours --oif and fails clearly for anything that needs the routing tables.
     */
    static RoutingOracle routingFor(Path dumpDir, TraceRequest req) throws IOException {
        return new AddressOnlyOracle(readAddresses(dumpDir.resolve("addr.json")), req.oif());
    }

    /** device -> (address, prefix length) from {@code ip -j addr show}; empty when the file is absent. */
    private static Map<String, List<Prefix[]>> readAddresses(Path addrJson) throws IOException {
        Map<String, List<Prefix[]>> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(addrJson)) {
            return out;
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(addrJson.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ParseException(addrJson.getFileName().toString(), e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "not valid JSON (expected `ip -j addr show` output): " + e.getOriginalMessage(), e);
        }
        for (JsonNode link : root) {
            String dev = link.path("ifname").asText();
            List<Prefix[]> list = out.computeIfAbsent(dev, k -> new ArrayList<>());
            for (JsonNode a : link.path("addr_info")) {
                Ip ip = Ip.tryParse(a.path("local").asText(""));
                if (ip != null) {
                    list.add(new Prefix[] {Prefix.host(ip), new Prefix(ip, a.path("prefixlen").asInt(ip.bitLength()))});
                }
            }
        }
        return out;
    }

    /** The temporary oracle: answers from the namespace's addresses only (see {@link #routingFor}). */
    private record AddressOnlyOracle(Map<String, List<Prefix[]>> addrs, String oif) implements RoutingOracle {
        private String owner(Ip ip) {
            for (var e : addrs.entrySet()) {
                for (Prefix[] a : e.getValue()) {
                    if (a[0].address().equals(ip)) {
                        return e.getKey();
                    }
                }
            }
            return null;
        }

        @Override
        public RouteDecision route(Packet packet, String iif, String boundOif) {
            String dev = owner(packet.dst());
            if (dev != null || packet.dst().isLoopback()) {
                return RouteDecision.local(dev == null ? "lo" : dev, "local address (addr.json)");
            }
            String want = boundOif != null ? boundOif : oif;
            for (var e : addrs.entrySet()) {
                for (Prefix[] a : e.getValue()) {
                    if (a[1].contains(packet.dst()) && (want == null || want.equals(e.getKey()))) {
                        return RouteDecision.unicast(e.getKey(), null, a[0].address(), "connected subnet " + a[1] + " (addr.json)");
                    }
                }
            }
            if (want != null) {
                return RouteDecision.unicast(want, null, null, "--oif (routing tables not consulted yet)");
            }
            return RouteDecision.error("ENETUNREACH", "no routing data for " + packet.dst()
                    + ": routing tables are not consulted yet; pass --oif DEV");
        }

        @Override
        public AddrType addressType(Ip address, String device) {
            if (address.isMulticast()) {
                return AddrType.MULTICAST;
            }
            if (address.isLimitedBroadcast()) {
                return AddrType.BROADCAST;
            }
            if (addrs.isEmpty()) {
                return null;
            }
            String dev = owner(address);
            if (dev == null && address.isLoopback()) {
                dev = "lo";
            }
            return dev != null && (device == null || device.equals(dev)) ? AddrType.LOCAL : AddrType.UNICAST;
        }

        @Override
        public Ip primaryAddress(String device, boolean ipv6) {
            if (addrs.isEmpty()) {
                throw new UnsupportedOperationException("no addr.json in the dump: the address of " + device + " is unknown");
            }
            for (Prefix[] a : addrs.getOrDefault(device, List.of())) {
                if (a[0].isV6() == ipv6) {
                    return a[0].address();
                }
            }
            return null;
        }

        @Override
        public Ip masqueradeSource(String device, Ip nexthop) {
            if (addrs.isEmpty()) {
                throw new UnsupportedOperationException("no addr.json in the dump: the address of " + device + " is unknown");
            }
            Ip first = null;
            for (Prefix[] a : addrs.getOrDefault(device, List.of())) {
                if (a[0].isV6() == nexthop.isV6()) {
                    if (a[1].contains(nexthop)) {
                        return a[0].address();
                    }
                    first = first == null ? a[0].address() : first;
                }
            }
            return first;
        }
    }

    /** The JSON mapper: addresses and packets as their text, nulls left out. */
    static ObjectMapper mapper() {
        SimpleModule m = new SimpleModule();
        m.addSerializer(Ip.class, ToStringSerializer.instance);
        m.addSerializer(Packet.class, ToStringSerializer.instance);
        m.addSerializer(Prefix.class, ToStringSerializer.instance);
        return new ObjectMapper().registerModule(m).setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    private static void print(TraceResult r, PrintWriter out) {
        TraceRequest q = r.request();
        out.printf("trace %s (%s%s%s)%n", q.packet(), q.path().cliName(), q.iif() != null ? " iif " + q.iif() : "", q.oif() != null ? " oif " + q.oif() : "");
        int i = 0;
        for (TraceBranch b : r.branches()) {
            i++;
            out.printf("%nbranch %d/%d  p=%.6f  %s%s%s%n", i, r.branches().size(), b.probability(), b.verdict(),
                    b.verdict() == FinalVerdict.UNKNOWN && b.outcome() != FinalVerdict.UNKNOWN ? " (if assumed: " + b.outcome() + ")" : "",
                    b.detail() != null ? "  " + b.detail() : "");
            for (String a : b.assumptions()) {
                out.println("  assumes " + a);
            }
            for (TraceStep s : b.steps()) {
                out.println("  " + s);
            }
            out.println("  packet    " + b.packet());
            if (b.conntrack() != null) {
                out.println("  conntrack " + b.conntrack());
            }
        }
        out.println();
        FinalVerdict v = r.verdict();
        StringBuilder sb = new StringBuilder("verdict: ").append(v == null ? "depends on the branch" : v.name());
        r.verdictProbabilities().forEach((k, p) -> sb.append(String.format("  %s %.6f", k, p)));
        out.println(sb);
    }
}
