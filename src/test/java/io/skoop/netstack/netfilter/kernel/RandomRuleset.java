package io.skoop.netstack.netfilter.kernel;

import static io.skoop.netstack.netfilter.kernel.LabTopology.CLIENT;
import static io.skoop.netstack.netfilter.kernel.LabTopology.CLIENT_POD;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random iptables rulesets (filter, mangle, nat) and packets for the kernel comparison,
 * deterministic for a seed, valid for {@code iptables-restore} (nft and legacy backends) in the
 * {@link LabTopology} lab.
 *
 * <p>Exercised: negation of base matches ({@code ! -s}, {@code ! -p}, {@code ! -i}) and of
 * extension options ({@code ! --dport}, {@code ! --match-set}, {@code ! --mark},
 * {@code ! --ctstate}, {@code ! --dst-type}, {@code ! --dst-range}, {@code ! --syn}); ACCEPT,
 * DROP, REJECT (icmp types and tcp-reset), RETURN, jumps ({@code -j}) and gotos ({@code -g}) to
 * user chains, MARK ({@code --set-xmark}, {@code --set-mark}, {@code --or-mark},
 * {@code --and-mark}) with later {@code -m mark} matches, rules without target (counters only),
 * multiport, addrtype, ipset ({@code hash:ip}, {@code hash:net}, {@code hash:ip,port}), tcp
 * flags, iprange, conntrack states (NEW, ESTABLISHED/RELATED, DNAT), DNAT/SNAT/MASQUERADE.
 *
 * <p>Validity rules kept so that the kernel accepts every ruleset: each user chain belongs to
 * one hook (so {@code -i}/{@code -o} and the NAT targets stay where the kernel allows them), user
 * chains only jump to later chains (no loops), DNAT only in PREROUTING/OUTPUT, SNAT only in
 * POSTROUTING/INPUT, MASQUERADE only in POSTROUTING, ports in NAT targets only after
 * {@code -p tcp|udp}, no DROP in nat.
 *
 * <p>A rule has at most one port match ({@code -m tcp}, {@code -m udp} or {@code -m multiport}):
 * iptables-nft 1.8.9 merges repeated {@code -m udp} matches of one rule into one nft rule that
 * the kernel evaluates in full, but {@code iptables-save} prints only the last of them, so the
 * dump would not say what the kernel does ({@code NftSaveFidelitySpec} shows it).
 *
 * <p>Locally generated packets would pollute the counters: REJECT makes the host send an ICMP
 * error or TCP reset through its own OUTPUT and POSTROUTING chains. So rulesets placed on the
 * client (local-out path) never REJECT, and a router ruleset with REJECT leaves mangle
 * POSTROUTING empty; no ruleset has rules in OUTPUT chains off the path. (The reply also runs
 * through nat POSTROUTING, because the rejected connection's source NAT was never set up; the
 * comparison leaves the kernel's hits in POSTROUTING-only chains out for rejected packets.)
 */
public final class RandomRuleset {

    /** Where the ruleset is loaded and which path the probe takes through that namespace. */
    public enum Placement {
        /** on the router: PREROUTING → FORWARD → POSTROUTING */
        FORWARD,
        /** on the client: OUTPUT → POSTROUTING */
        LOCAL_OUT,
        /** on server1: PREROUTING → INPUT */
        LOCAL_IN
    }

    /** ipsets created in the ruleset's namespace ({@code ipset restore} input). */
    public static final String IPSETS = String.join("\n",
            "create sk-ip hash:ip family inet",
            "add sk-ip 10.12.0.2",
            "add sk-ip 10.244.1.7",
            "add sk-ip 10.11.0.2",
            "create sk-net hash:net family inet",
            "add sk-net 10.244.0.0/24",
            "add sk-net 198.51.100.0/25",
            "add sk-net 10.13.0.0/24",
            "create sk-ipport hash:ip,port family inet",
            "add sk-ipport 10.12.0.2,tcp:80",
            "add sk-ipport 10.244.2.5,udp:53",
            "add sk-ipport 198.51.100.9,tcp:443",
            "") ;

    /**
     * A generated case.
     *
     * @param seed      the seed it was generated from
     * @param placement where it is loaded
     * @param text      iptables-restore input (tables mangle, nat, filter)
     * @param ipsets    ipset restore input for the same namespace
     * @param packets   the first packets of new connections to send, distinct source ports
     */
    public record Case(long seed, Placement placement, String text, String ipsets, List<Packet> packets) {
        public Case {
            packets = List.copyOf(packets);
        }
    }

    static final int[] PORTS = {22, 53, 80, 443, 8080, 9000};
    static final List<Ip> SOURCES = List.of(CLIENT, CLIENT_POD);
    static final List<Ip> ROUTED_DSTS = ips("10.12.0.2", "10.244.1.7", "198.51.100.9", "10.13.0.2",
            "10.244.2.5", "203.0.113.7", "10.96.0.10", "10.96.0.11");
    static final List<Ip> SERVER1_DSTS = ips("10.12.0.2", "10.244.1.7", "198.51.100.9", "10.244.1.200");
    private static final List<String> SRC_PREFIXES = List.of("10.11.0.2", "10.244.0.2/32", "10.11.0.0/24",
            "10.244.0.0/16", "10.0.0.0/8", "192.0.2.0/24");
    private static final List<String> MARKS = List.of("0x10", "0x4000", "0x20/0xf0", "0x4000/0x4000", "0x1/0x1");

    private final SplittableRandom rnd;
    private final Placement placement;
    private final boolean allowReject;
    private final Map<String, List<String>> chains = new LinkedHashMap<>();
    private final Map<String, String> userChainHook = new LinkedHashMap<>();
    private final List<String> complete = new ArrayList<>();
    private int userChains;

    private RandomRuleset(long seed, Placement placement) {
        this.rnd = new SplittableRandom(seed);
        this.placement = placement;
        this.allowReject = placement != Placement.LOCAL_OUT && rnd.nextInt(3) > 0;
    }

    private static List<Ip> ips(String... s) {
        List<Ip> l = new ArrayList<>();
        for (String x : s) {
            l.add(Ip.parse(x));
        }
        return List.copyOf(l);
    }

    /** Generates the case for {@code seed}: the same seed and placement give the same case. */
    public static Case generate(long seed, Placement placement, int packets) {
        return new RandomRuleset(seed, placement).build(seed, packets);
    }

    private Case build(long seed, int packetCount) {
        List<String[]> hooks = switch (placement) { // table, chain, on path?
            case FORWARD -> List.of(new String[] {"mangle", "PREROUTING"}, new String[] {"mangle", "FORWARD"},
                    new String[] {"mangle", "POSTROUTING"}, new String[] {"mangle", "INPUT"},
                    new String[] {"nat", "PREROUTING"}, new String[] {"nat", "POSTROUTING"}, new String[] {"nat", "INPUT"},
                    new String[] {"filter", "FORWARD"}, new String[] {"filter", "INPUT"});
            case LOCAL_OUT -> List.of(new String[] {"mangle", "OUTPUT"}, new String[] {"mangle", "POSTROUTING"},
                    new String[] {"nat", "OUTPUT"}, new String[] {"nat", "POSTROUTING"},
                    new String[] {"filter", "OUTPUT"}, new String[] {"filter", "INPUT"}, new String[] {"filter", "FORWARD"});
            case LOCAL_IN -> List.of(new String[] {"mangle", "PREROUTING"}, new String[] {"mangle", "INPUT"},
                    new String[] {"nat", "PREROUTING"}, new String[] {"nat", "INPUT"},
                    new String[] {"filter", "INPUT"}, new String[] {"filter", "FORWARD"});
        };
        StringBuilder out = new StringBuilder("# skoop RandomRuleset seed " + seed + " placement " + placement + "\n");
        for (String table : List.of("mangle", "nat", "filter")) {
            chains.clear();
            userChainHook.clear();
            complete.clear();
            for (String[] h : hooks) {
                if (!h[0].equals(table)) {
                    continue;
                }
                if (table.equals("mangle") && h[1].equals("POSTROUTING") && allowReject) {
                    continue; // REJECT replies cross mangle POSTROUTING
                }
                int n = rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    addRule(table, h[1], h[1]);
                }
            }
            out.append('*').append(table).append('\n');
            for (String base : baseChains(table)) {
                // a DROP policy on OUTPUT would swallow the host's own REJECT replies (not on the client: no REJECT there)
                boolean mayDrop = table.equals("filter") && (!base.equals("OUTPUT") || placement == Placement.LOCAL_OUT);
                String policy = mayDrop && rnd.nextInt(5) == 0 ? "DROP" : "ACCEPT";
                out.append(':').append(base).append(' ').append(policy).append(" [0:0]\n");
            }
            for (String c : userChainHook.keySet()) {
                out.append(':').append(c).append(" - [0:0]\n");
            }
            for (var e : chains.entrySet()) {
                for (String r : e.getValue()) {
                    out.append("-A ").append(e.getKey()).append(r).append('\n');
                }
            }
            out.append("COMMIT\n");
        }
        return new Case(seed, placement, out.toString(), IPSETS, packets(packetCount));
    }

    private static List<String> baseChains(String table) {
        return switch (table) {
            case "nat" -> List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING");
            case "mangle" -> List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
            default -> List.of("INPUT", "FORWARD", "OUTPUT");
        };
    }

    private List<Packet> packets(int n) {
        return packets(rnd, placement, n);
    }

    /**
     * {@code n} first packets of new connections for the placement's path, TCP or UDP, distinct source ports from
     * 41000: from the client's two addresses to the addresses the lab routes (or, on the local-in path, server1's).
     */
    static List<Packet> packets(SplittableRandom rnd, Placement placement, int n) {
        List<Ip> dsts = placement == Placement.LOCAL_IN ? SERVER1_DSTS : ROUTED_DSTS;
        List<Packet> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Protocol proto = rnd.nextInt(3) == 0 ? Protocol.UDP : Protocol.TCP;
            out.add(Packet.of(SOURCES.get(rnd.nextInt(SOURCES.size())), 41000 + i * 7 + rnd.nextInt(7), dsts.get(rnd.nextInt(dsts.size())),
                    PORTS[rnd.nextInt(PORTS.length)], proto));
        }
        return out;
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    private String neg() {
        return rnd.nextInt(4) == 0 ? "! " : "";
    }

    private void addRule(String table, String chain, String hook) {
        StringBuilder r = new StringBuilder();
        String proto = null;
        int matches = rnd.nextInt(4);
        boolean hasIface = false;
        boolean hasSrc = false;
        boolean hasPorts = false;
        boolean hasDst = false;
        for (int m = 0; m < matches; m++) {
            switch (rnd.nextInt(11)) {
                case 0 -> {
                    if (!hasSrc) {
                        hasSrc = true;
                        r.append(' ').append(neg()).append("-s ").append(pick(SRC_PREFIXES));
                    }
                }
                case 1 -> {
                    if (!hasDst) {
                        hasDst = true;
                        r.append(' ').append(neg()).append("-d ").append(dstPrefix());
                    }
                }
                case 2 -> {
                    if (proto == null) {
                        proto = rnd.nextInt(3) == 0 ? "udp" : "tcp";
                        if (rnd.nextInt(6) == 0) {
                            r.append(" ! -p ").append(proto);
                            proto = "!";
                        } else {
                            r.append(" -p ").append(proto);
                        }
                    }
                }
                case 3 -> {
                    if (!hasIface) {
                        hasIface = true;
                        r.append(iface(hook));
                    }
                }
                case 4 -> r.append(" -m mark ").append(neg()).append("--mark ").append(pick(MARKS));
                case 5 -> r.append(" -m addrtype ").append(neg()).append(rnd.nextInt(3) == 0 ? "--src-type " : "--dst-type ")
                        .append(rnd.nextInt(4) == 0 ? "UNICAST" : "LOCAL");
                case 6 -> {
                    int k = rnd.nextInt(3);
                    String set = k == 0 ? "sk-ip" : k == 1 ? "sk-net" : "sk-ipport";
                    String dir = k == 2 ? (rnd.nextBoolean() ? "dst,dst" : "src,dst") : (rnd.nextBoolean() ? "dst" : "src");
                    r.append(" -m set ").append(neg()).append("--match-set ").append(set).append(' ').append(dir);
                }
                case 7 -> r.append(" -m iprange ").append(neg()).append(rnd.nextBoolean()
                        ? "--dst-range 10.244.1.0-10.244.1.100" : "--src-range 10.11.0.1-10.11.0.5");
                case 8 -> r.append(" -m conntrack ").append(neg()).append("--ctstate ")
                        .append(pick(List.of("NEW", "NEW", "RELATED,ESTABLISHED", "DNAT", "INVALID")));
                case 9, 10 -> {
                    if (proto == null) {
                        proto = rnd.nextInt(3) == 0 ? "udp" : "tcp";
                        r.append(" -p ").append(proto);
                    }
                    if (!proto.equals("!") && !hasPorts) {
                        // one port match per rule: iptables-nft 1.8.9 merges repeated -m tcp/-m udp into one nft
                        // rule and iptables-save then prints only the last of them (the dump loses conditions)
                        hasPorts = true;
                        r.append(portMatch(proto));
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        if (rnd.nextInt(8) == 0) {
            r.append(" -m comment --comment \"rule ").append(chains.size()).append('"');
        }
        String target = target(table, hook, proto);
        if (target != null) {
            r.append(' ').append(target);
        }
        chains.computeIfAbsent(chain, k -> new ArrayList<>()).add(r.toString());
    }

    private String dstPrefix() {
        List<Ip> dsts = placement == Placement.LOCAL_IN ? SERVER1_DSTS : ROUTED_DSTS;
        Ip d = pick(dsts);
        int len = pick(List.of(32, 32, 24, 16));
        return d.mask(len) + "/" + len;
    }

    private String iface(String hook) {
        boolean in = switch (hook) {
            case "PREROUTING", "INPUT" -> true;
            case "OUTPUT", "POSTROUTING" -> false;
            default -> rnd.nextBoolean();
        };
        List<String> devs = switch (placement) {
            case FORWARD -> List.of("r-c", "r-s1", "r-s2", "r-+", "lo");
            case LOCAL_OUT -> List.of("c-r", "c-+", "lo", "eth0");
            case LOCAL_IN -> List.of("s1-r", "s1+", "lo");
        };
        return " " + neg() + (in ? "-i " : "-o ") + pick(devs);
    }

    private String portMatch(String proto) {
        int k = rnd.nextInt(proto.equals("tcp") ? 7 : 4);
        return switch (k) {
            case 0 -> " -m " + proto + " " + neg() + "--dport " + PORTS[rnd.nextInt(PORTS.length)];
            case 1 -> " -m " + proto + " " + neg() + "--dport " + pick(List.of("1:1024", "50:90", "8000:9999"));
            case 2 -> " -m " + proto + " " + neg() + "--sport " + pick(List.of("41000:41020", "41021:42000", "1:1023"));
            case 3 -> " -m multiport " + neg() + pick(List.of("--dports 80,443,8000:9000", "--ports 22,53",
                    "--sports 41000:41010,41030", "--dports 53,9000"));
            case 4 -> " -m tcp " + neg() + "--syn";
            case 5 -> " -m tcp " + neg() + "--tcp-flags " + pick(List.of("SYN,RST,ACK SYN", "ALL ACK", "SYN,FIN SYN", "FIN FIN"));
            default -> " -m tcp --dport " + PORTS[rnd.nextInt(PORTS.length)] + " --tcp-flags SYN,ACK SYN";
        };
    }

    /** A target valid for the table and hook, or null for a counting-only rule. */
    private String target(String table, String hook, String proto) {
        boolean ports = "tcp".equals(proto) || "udp".equals(proto);
        int k = rnd.nextInt(12);
        if (k == 0) {
            return null;
        }
        if (k <= 2) {
            return userChainJump(table, hook, proto);
        }
        if (k == 3) {
            return "-j RETURN";
        }
        if (k == 4) {
            return "-j MARK " + pick(List.of("--set-xmark 0x10/0xf0", "--set-mark 0x4000", "--or-mark 0x4000",
                    "--and-mark 0xff", "--set-xmark 0x1/0xffffffff"));
        }
        switch (table) {
            case "nat" -> {
                if ((hook.equals("PREROUTING") || hook.equals("OUTPUT")) && k <= 9) {
                    List<String> to = placement == Placement.LOCAL_IN
                            ? List.of("10.244.1.20", "198.51.100.77", "10.12.0.2")
                            : List.of("10.244.1.20", "203.0.113.9", "10.244.2.30", "10.12.0.2");
                    return "-j DNAT --to-destination " + pick(to) + (ports && rnd.nextBoolean() ? ":" + pick(List.of(8080, 9000, 80)) : "");
                }
                if (hook.equals("POSTROUTING") && k <= 9) {
                    return rnd.nextBoolean() ? "-j MASQUERADE"
                            : "-j SNAT --to-source " + (placement == Placement.LOCAL_OUT ? "10.11.0.2" : "10.12.0.1");
                }
                if (hook.equals("INPUT") && k <= 9) {
                    return "-j SNAT --to-source 10.11.0.9";
                }
                return "-j ACCEPT";
            }
            case "mangle" -> {
                return k <= 9 ? "-j ACCEPT" : "-j DROP";
            }
            default -> {
                if (k <= 6) {
                    return "-j ACCEPT";
                }
                if (k <= 9 || !allowReject) {
                    return "-j DROP";
                }
                String with = pick(List.of("icmp-port-unreachable", "icmp-host-prohibited", "icmp-net-unreachable",
                        "tcp-reset", ""));
                if (with.equals("tcp-reset") && !"tcp".equals(proto)) {
                    with = "";
                }
                return "-j REJECT" + (with.isEmpty() ? "" : " --reject-with " + with);
            }
        }
    }

    private String userChainJump(String table, String hook, String proto) {
        // reuse a finished chain of the same hook: its rules only reach chains made while it was
        // built, never the chain being built now, so no loop can form
        List<String> reusable = complete.stream().filter(c -> userChainHook.get(c).equals(hook)).toList();
        if (!reusable.isEmpty() && (userChains >= 12 || rnd.nextInt(3) == 0)) {
            return (rnd.nextInt(4) == 0 ? "-g " : "-j ") + pick(reusable);
        }
        if (userChains >= 12) {
            return null;
        }
        String name = "SK-" + table.toUpperCase(java.util.Locale.ROOT) + "-" + (++userChains);
        userChainHook.put(name, hook);
        chains.computeIfAbsent(name, k -> new ArrayList<>());
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            addRule(table, name, hook);
        }
        complete.add(name);
        return (rnd.nextInt(4) == 0 ? "-g " : "-j ") + name;
    }
}
