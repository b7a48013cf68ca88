package io.skoop.netstack.netfilter.kernel;

import io.skoop.model.Packet;
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random nftables rulesets for the kernel differential test of the nft evaluator: one table
 * ({@code ip sknft} or {@code inet sknft}) loaded with {@code nft -f} into the namespace of a
 * {@link Placement}, with base chains of types filter, nat and route at hooks and priorities drawn
 * around iptables' own (raw -300, mangle -150, dstnat -100, filter 0, srcnat 100), regular chains
 * reached by jump, goto and verdict maps, named and anonymous sets (intervals, concatenations),
 * a data map for DNAT, matches on addresses, protocols, ports, interfaces, marks, conntrack state
 * and status, fib address types and TCP flags (often negated), mark and ct mark statements, NAT
 * statements (dnat, snat, masquerade, redirect, DNAT from a map) and the verdicts accept, drop,
 * reject, return, continue, jump, goto.
 *
 * <p>Every rule has a {@code counter} right after its matches, so the kernel counts it exactly
 * when all its matches held: the simulator's "matched" (rules whose only condition is a verdict map
 * lookup count when reached: their counter stands before the lookup; the simulator then records
 * them as matched only when an element matched, so such rules map every key they can see).
 * Chains only jump forward (c0 → c1 → c2): nft refuses loops. As in {@link RandomRuleset},
 * rulesets on the client never reject (the host's own replies would cross its chains).
 */
public final class RandomNftRuleset {
    private final SplittableRandom rnd;
    private final Placement placement;
    private final boolean inet;
    private final boolean allowReject;

    private RandomNftRuleset(long seed, Placement placement) {
        this.rnd = new SplittableRandom(seed * 7919 + 17);
        this.placement = placement;
        this.inet = rnd.nextBoolean();
        this.allowReject = placement != Placement.LOCAL_OUT && rnd.nextInt(3) > 0;
    }

    /** Generates the case for {@code seed} (text: {@code nft -f} input; no ipsets). */
    public static RandomRuleset.Case generate(long seed, Placement placement, int packets) {
        RandomNftRuleset g = new RandomNftRuleset(seed, placement);
        return new RandomRuleset.Case(seed, placement, g.build(seed), "", RandomRuleset.packets(g.rnd, placement, packets));
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    private String ne() {
        return rnd.nextInt(4) == 0 ? "!= " : "";
    }

    private static final String DISPATCH_KEYS = "{ 10.12.0.2 . tcp . 80, 10.244.2.5 . udp . 53, 198.51.100.9 . tcp . 443,"
            + " 10.244.1.7 . tcp . 8080 }";

    private record Base(String name, String type, String hook, int priority) {
    }

    private String build(long seed) {
        List<Base> bases = new ArrayList<>();
        switch (placement) {
            case FORWARD -> {
                bases.add(new Base("b_pre", "filter", "prerouting", pick(List.of(-300, -150, -110, 0))));
                bases.add(new Base("b_dnat", "nat", "prerouting", pick(List.of(-100, -110, -90))));
                bases.add(new Base("b_fwd", "filter", "forward", pick(List.of(-10, 0, 10))));
                bases.add(new Base("b_in", "filter", "input", 0));
                bases.add(new Base("b_snat", "nat", "postrouting", pick(List.of(100, 110))));
                if (!allowReject) {
                    // the host's own ICMP errors and resets of a reject cross postrouting: a drop there would swallow them
                    bases.add(new Base("b_post", "filter", "postrouting", pick(List.of(-150, 0, 200))));
                }
            }
            case LOCAL_OUT -> {
                bases.add(new Base("b_out", "filter", "output", pick(List.of(-300, -150, 0))));
                bases.add(new Base("b_rout", "route", "output", -150));
                bases.add(new Base("b_dnat", "nat", "output", pick(List.of(-100, -110))));
                bases.add(new Base("b_snat", "nat", "postrouting", 100));
                bases.add(new Base("b_post", "filter", "postrouting", pick(List.of(0, 200))));
            }
            case LOCAL_IN -> {
                bases.add(new Base("b_pre", "filter", "prerouting", pick(List.of(-300, -150, 0))));
                bases.add(new Base("b_dnat", "nat", "prerouting", -100));
                bases.add(new Base("b_in", "filter", "input", pick(List.of(-50, 0, 50))));
                bases.add(new Base("b_insnat", "nat", "input", 100));
            }
        }
        StringBuilder sb = new StringBuilder("# skoop RandomNftRuleset seed " + seed + " placement " + placement + "\n");
        String family = inet ? "inet" : "ip";
        sb.append("table ").append(family).append(" sknft {\n");
        sb.append("  set srcs { type ipv4_addr; flags interval; elements = { 10.11.0.0/24, 10.244.0.2 } }\n");
        sb.append("  set dsts { type ipv4_addr; flags interval; elements = { 10.244.1.0-10.244.1.100, 198.51.100.0/25, 10.13.0.2 } }\n");
        sb.append("  set svc { type ipv4_addr . inet_proto . inet_service; elements = { 10.12.0.2 . tcp . 80, 10.244.2.5 . udp . 53,"
                + " 198.51.100.9 . tcp . 443, 10.96.0.10 . tcp . 80 } }\n");
        sb.append("  map dmap { type ipv4_addr : ipv4_addr; elements = { 10.96.0.10 : 10.244.1.7, 10.96.0.11 : 10.244.2.5,"
                + " 10.244.1.200 : 10.244.1.7 } }\n");
        sb.append("  map dispatch { type ipv4_addr . inet_proto . inet_service : verdict; elements = { 10.12.0.2 . tcp . 80 : jump c1,"
                + " 10.244.2.5 . udp . 53 : accept, 198.51.100.9 . tcp . 443 : drop, 10.244.1.7 . tcp . 8080 : goto c2 } }\n");
        // regular chains: filter ones (c0..c2) and nat ones (n0, n1); only forward jumps
        List<String> filterChains = List.of("c0", "c1", "c2");
        for (int i = filterChains.size() - 1; i >= 0; i--) {
            sb.append("  chain ").append(filterChains.get(i)).append(" {\n");
            int n = rnd.nextInt(4);
            for (int k = 0; k < n; k++) {
                sb.append("    ").append(filterRule(filterChains.subList(i + 1, filterChains.size()), null)).append('\n');
            }
            sb.append("  }\n");
        }
        List<String> natChains = List.of("n0", "n1");
        for (Base b : bases) {
            sb.append("  chain ").append(b.name()).append(" {\n    type ").append(b.type()).append(" hook ").append(b.hook())
                    .append(" priority ").append(b.priority()).append("; policy ")
                    .append(b.type().equals("filter") && rnd.nextInt(6) == 0 ? "drop" : "accept").append(";\n");
            if (inet) {
                // an inet table sees the namespace's own IPv6 traffic too (router solicitations, MLD reports): let it
                // pass uncounted, so that only the probe moves the counters
                sb.append("    meta nfproto ipv6 accept\n");
            }
            int n = 1 + rnd.nextInt(5);
            for (int k = 0; k < n; k++) {
                String rule = b.type().equals("nat") ? natRule(b.hook(), rnd.nextInt(3) == 0 ? natChains : List.of())
                        : filterRule(rnd.nextInt(2) == 0 ? filterChains : List.of(), b.hook());
                sb.append("    ").append(rule).append('\n');
            }
            sb.append("  }\n");
        }
        // nat regular chains reached from nat base chains of prerouting/output (dnat) — used only by those
        String natHook = placement == Placement.LOCAL_OUT ? "output" : "prerouting";
        sb.insert(sb.indexOf("  chain c2"), "  chain n1 {\n    " + natRule(natHook, List.of()) + "\n  }\n  chain n0 {\n    "
                + natRule(natHook, List.of("n1")) + "\n    " + natRule(natHook, List.of()) + "\n  }\n");
        sb.append("}\n");
        // nat chains n0/n1 hold dnat/redirect: only the dstnat base chain may jump to them
        String text = sb.toString();
        return text;
    }

    /** Matches (0–3 of them), then {@code counter}. */
    private String matches(String hook) {
        return matches(hook, null);
    }

    /**
     * Matches (0–3 of them), then {@code counter}; {@code forced} ({@code tcp}) puts {@code meta l4proto tcp} first, as a
     * NAT statement with a port or a TCP reset needs (nft refuses both without it).
     */
    private String matches(String hook, String forced) {
        StringBuilder r = new StringBuilder();
        int n = rnd.nextInt(4);
        String l4 = forced; // the protocol a match already fixed: later port matches must not contradict it
        boolean proto = forced != null;
        if (forced != null) {
            r.append("meta l4proto ").append(forced).append(' ');
        }
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(15)) {
                case 0 -> r.append("ip saddr ").append(ne()).append(pick(List.of("10.11.0.2", "10.244.0.0/16", "@srcs",
                        "{ 10.11.0.2, 192.0.2.0/24 }", "10.0.0.0/8"))).append(' ');
                case 1 -> r.append("ip daddr ").append(ne()).append(pick(List.of("10.12.0.2", "10.244.1.0/24", "@dsts",
                        "{ 10.96.0.10, 10.96.0.11, 203.0.113.0/24 }", "10.13.0.2"))).append(' ');
                case 2 -> {
                    if (!proto) {
                        proto = true;
                        String neg = ne();
                        String p = pick(List.of("tcp", "udp", "{ tcp, udp }"));
                        l4 = neg.isEmpty() && !p.startsWith("{") ? p : "?";
                        r.append("meta l4proto ").append(neg).append(p).append(' ');
                    }
                }
                case 3 -> {
                    List<String> fields = l4 == null ? List.of("tcp dport ", "udp dport ", "th dport ", "tcp sport ")
                            : l4.equals("?") ? List.of("th dport ", "th sport ") : List.of(l4 + " dport ", "th dport ", l4 + " sport ");
                    String f = pick(fields);
                    if (l4 == null && !f.startsWith("th")) {
                        l4 = f.substring(0, 3);
                        proto = true;
                    }
                    r.append(f).append(ne()).append(pick(List.of("80", "53", "8000-9999", "{ 22, 443, 8080 }", "41000-41020", "1-1024")))
                            .append(' ');
                }
                case 4 -> r.append(iface(hook));
                case 5 -> r.append(pick(List.of("meta mark & 0xf0 == 0x10 ", "meta mark 0x4000 ", "meta mark != 0 ",
                        "meta mark & 0x4000 != 0 "))).append("");
                case 6 -> r.append("ct state ").append(pick(List.of("new ", "established,related ", "invalid ", "!= new ")));
                case 7 -> r.append("ct status ").append(rnd.nextBoolean() ? "dnat " : "snat ");
                case 8 -> r.append("fib ").append(rnd.nextInt(3) == 0 ? "saddr" : "daddr").append(" type ").append(ne())
                        .append(rnd.nextInt(4) == 0 ? "unicast " : "local ");
                case 9 -> r.append("ip daddr . meta l4proto . th dport ").append(ne()).append("@svc ");
                case 10 -> r.append("ct direction original ");
                case 11 -> {
                    if (l4 == null || l4.equals("tcp")) {
                        String neg = ne();
                        r.append("ip protocol ").append(neg).append("tcp ");
                        l4 = neg.isEmpty() ? "tcp" : "?";
                        proto = true;
                    }
                }
                case 12 -> {
                    if (l4 == null || l4.equals("tcp")) {
                        l4 = "tcp";
                        proto = true;
                        r.append(pick(List.of("tcp flags & (syn|ack) == syn ", "tcp flags syn ", "tcp flags & (fin|rst) != 0 ")));
                    }
                }
                case 13 -> r.append(inet ? "meta nfproto ipv4 " : "ip version 4 ");
                default -> r.append("ct mark ").append(ne()).append("0x10 ");
            }
        }
        return r.append("counter").toString();
    }

    private String iface(String hook) {
        boolean in = hook == null ? rnd.nextBoolean() : switch (hook) {
            case "prerouting", "input" -> true;
            case "output", "postrouting" -> false;
            default -> rnd.nextBoolean();
        };
        List<String> devs = switch (placement) {
            case FORWARD -> List.of("r-c", "r-s1", "r-s2", "\"r-*\"", "lo");
            case LOCAL_OUT -> List.of("c-r", "\"c-*\"", "lo", "eth0");
            case LOCAL_IN -> List.of("s1-r", "\"s1*\"", "lo");
        };
        return (in ? "iifname " : "oifname ") + ne() + pick(devs) + " ";
    }

    private String filterRule(List<String> jumpTargets, String hook) {
        boolean tcpReset = rnd.nextInt(3) == 0;
        String m = matches(hook, tcpReset ? "tcp" : null);
        String effect = switch (rnd.nextInt(8)) {
            case 0 -> " meta mark set " + pick(List.of("0x10", "0x4000", "meta mark | 0x4000", "meta mark & 0xff"));
            case 1 -> " ct mark set " + pick(List.of("0x10", "meta mark"));
            default -> "";
        };
        // reject is valid in input, forward and output chains only (nft_reject_validate): not in regular chains, which
        // prerouting chains may jump to
        boolean mayReject = allowReject && ("forward".equals(hook) || "input".equals(hook));
        int k = rnd.nextInt(12);
        String verdict = switch (k) {
            case 0, 1 -> " accept";
            case 2 -> " drop";
            case 3 -> hook == null ? " return" : " accept";
            case 4 -> " continue";
            case 5, 6 -> jumpTargets.isEmpty() ? "" : " " + (rnd.nextBoolean() ? "jump " : "goto ") + pick(jumpTargets);
            case 7 -> mayReject ? " reject" + (tcpReset ? " with tcp reset" : pick(List.of("", " with icmp type admin-prohibited"))) : " drop";
            case 8 -> jumpTargets.isEmpty() ? " accept" : " meta l4proto vmap { tcp : jump " + pick(jumpTargets) + ", udp : accept }";
            case 9 -> jumpTargets.contains("c2") && jumpTargets.contains("c1") ? " ip daddr . meta l4proto . th dport vmap @dispatch" : "";
            default -> "";
        };
        if (verdict.contains("@dispatch")) {
            // the counter stands before the lookup: keys the map lacks would count without the rule matching
            m = "ip daddr . meta l4proto . th dport " + DISPATCH_KEYS + " " + m;
        }
        return m + effect + verdict;
    }

    /** A rule of a nat chain at {@code hook}: matches, counter, then a NAT statement or a verdict. */
    private String natRule(String hook, List<String> jumpTargets) {
        boolean tcp = rnd.nextInt(2) == 0;
        String m = matches(hook, tcp ? "tcp" : null);
        String fam = inet ? " ip" : "";
        boolean dst = hook.equals("prerouting") || hook.equals("output");
        int k = rnd.nextInt(9);
        if (k <= 1 && !jumpTargets.isEmpty() && dst) {
            return m + " jump " + pick(jumpTargets);
        }
        if (k == 2) {
            return m + pick(List.of(" accept", " return", ""));
        }
        if (dst) {
            // DNAT targets the namespace can deliver or forward: on server1 (local-in path) only its own addresses (it
            // does not forward); the router's own addresses only for TCP (the harness drops the host's TCP resets, but
            // a UDP datagram to a closed port would draw an ICMP error through the host's OUTPUT and POSTROUTING chains)
            List<String> targets = placement == Placement.LOCAL_IN ? List.of("10.244.1.7", "198.51.100.9", "10.12.0.2")
                    : tcp ? List.of("10.244.1.7", "10.244.2.5", "198.51.100.9", "10.12.0.1", "10.11.0.1")
                    : List.of("10.244.1.7", "10.244.2.5", "198.51.100.9");
            String mapKeys = placement == Placement.LOCAL_IN ? "{ 10.96.0.10, 10.244.1.200 }" : "{ 10.96.0.10, 10.96.0.11, 10.244.1.200 }";
            return switch (rnd.nextInt(5)) {
                case 0 -> m + " dnat" + fam + " to " + pick(targets) + (tcp ? ":" + pick(List.of("8080", "80", "53")) : "");
                case 1 -> m + " dnat" + fam + " to " + pick(targets);
                // the counter stands before the lookup: only the map's keys may reach it
                case 2 -> "ip daddr " + mapKeys + " " + m + " dnat" + fam + " to ip daddr map @dmap";
                // not on the client: a redirected SYN meets its own host's closed port, whose reset ends the conntrack
                // entry the harness reads
                case 3 -> tcp && placement != Placement.LOCAL_OUT ? m + " redirect to :" + pick(List.of("8080", "9000")) : m + " accept";
                default -> m + " accept";
            };
        }
        return switch (rnd.nextInt(3)) {
            case 0 -> m + " snat" + fam + " to " + pick(List.of("10.12.0.1", "192.0.2.9", "10.13.0.1"));
            case 1 -> hook.equals("postrouting") ? m + " masquerade" : m + " snat" + fam + " to 10.12.0.1";
            default -> m + " accept";
        };
    }
}
