package io.skoop.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.model.Numbers;
import io.skoop.model.Packet;
import io.skoop.netstack.NetNS;
import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.NetfilterSimulator;
import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceRequest;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.render.EngineJson;
import io.skoop.render.TraceTextRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code skoop netstack trace (DUMPDIR | --example NAME) --packet 'tcp 10.244.1.5:40000 > 10.96.0.10:80' --path local-out}:
 * traces one packet through the iptables rules of a namespace dump (iptables.txt /
 * ip6tables.txt) with the namespace's {@link io.skoop.netstack.netfilter.NetfilterSimulator},
 * whose routing decisions are the namespace's own policy routing (its Router), and prints the typed steps, the resulting
 * packet(s) with their probabilities and the verdict(s).
 *
 * <p>Exit code 0 when every branch passes (DELIVERED / SENT / FORWARDED) — also when an
 * UNKNOWN match was assumed both ways and both ways pass — and 1 otherwise (a drop, a
 * reject, a routing error, or an UNKNOWN that decides the outcome, on some branch).
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Trace a packet through a namespace dump's iptables rules (hooks, tables, NAT, conntrack).")
public class TraceCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DUMPDIR",
            description = "A network namespace dump folder written by scripts/collect-netns.sh (or use --example).")
    Path dumpDir;

    @Option(names = "--example", paramLabel = "NAME", description = "Use an embedded example dump instead of DUMPDIR (e.g. node1).")
    String example;

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

    @Option(names = "--ttl", paramLabel = "N", description = "The packet's TTL (IPv6: hop limit) 0..255 as it enters, for -m ttl "
            + "and -m hl (not given: those matches are UNKNOWN).")
    Integer ttl;

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
        NetNS ns = DumpSource.open(example, dumpDir);
        Packet p = Packet.parse(packet);
        if (ttl != null) {
            if (ttl < 0 || ttl > 255) {
                throw new IllegalArgumentException("--ttl expects 0..255, got " + ttl);
            }
            p = p.withTtl(ttl);
        }
        if (mark != null) {
            p = p.withMark(parseMark(mark));
        }
        TraceRequest req = TraceRequest.of(p, io.skoop.netstack.netfilter.Path.parse(path))
                .withIif(iif).withOif(oif).withPhysdev(physIn, physOut).withRecordNoMatch(allRules);
        TraceResult r = ns.trace(req);
        List<TraceResult> replies = new ArrayList<>();
        if (reply) {
            for (TraceBranch b : r.branches()) {
                if (b.verdict().passes() && b.conntrack() != null) {
                    replies.add(ns.netfilter().traceReply(req, b));
                }
            }
        }
        List<String> notSimulated = ns.nftTablesNotSimulated().stream().map(Object::toString).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Object doc = reply || !notSimulated.isEmpty()
                    ? Map.of("trace", r, "replies", replies, "nftablesNotSimulated", notSimulated) : r;
            out.println(mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            out.print(TraceTextRenderer.render(r));
            for (TraceResult rr : replies) {
                out.println();
                out.print("reply: ");
                out.print(TraceTextRenderer.render(rr));
            }
            if (!notSimulated.isEmpty()) {
                out.println("UNKNOWN: nftables tables skoop does not simulate (bridge, arp, netdev families; ingress hooks) also see"
                        + " these packets: " + String.join("; ", notSimulated) + " — the verdict above covers iptables and the ip, ip6"
                        + " and inet nftables tables only");
            }
        }
        out.flush();
        if (!notSimulated.isEmpty()) {
            return 1; // a construct we cannot evaluate decides: UNKNOWN
        }
        FinalVerdict v = r.verdict();
        boolean repliesPass = replies.stream().allMatch(x -> x.verdict() != null && x.verdict().passes());
        return v != null && v.passes() && repliesPass ? 0 : 1;
    }

    private static long parseMark(String s) {
        try {
            return Numbers.parseUnsigned(s, 0xffffffffL);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--mark expects an unsigned 32-bit value (decimal or 0x hex), got '" + s + "'");
        }
    }

    /** The JSON mapper ({@link EngineJson}). */
    static ObjectMapper mapper() {
        return EngineJson.mapper();
    }
}
