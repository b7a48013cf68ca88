package io.skoop.netstack.parse;

import io.skoop.model.Ip;
import io.skoop.model.Numbers;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.AddressMask;
import io.skoop.netstack.netfilter.Chain;
import io.skoop.netstack.netfilter.Counters;
import io.skoop.netstack.netfilter.CtState;
import io.skoop.netstack.netfilter.Match;
import io.skoop.netstack.netfilter.NatRange;
import io.skoop.netstack.netfilter.PortRange;
import io.skoop.netstack.netfilter.Rule;
import io.skoop.netstack.netfilter.Ruleset;
import io.skoop.netstack.netfilter.Table;
import io.skoop.netstack.netfilter.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code iptables-save [-c]} / {@code ip6tables-save [-c]} output (the grammar
 * iptables-restore(8) reads): {@code *table}, {@code :CHAIN POLICY [pkts:bytes]} (policy
 * {@code -} for user chains), rules {@code [pkts:bytes] -A CHAIN ...} (or {@code -c PKTS BYTES}),
 * {@code COMMIT}, {@code #} comments.
 *
 * <p>Rule options: {@code [!] -s/-d ADDR[/LEN|/MASK]}, {@code [!] -i/-o DEV[+]}, {@code [!] -p PROTO},
 * {@code [!] -f}, {@code -m MODULE [!] --opt ARGS...}, {@code -j TARGET opts} / {@code -g CHAIN};
 * long forms too; options after {@code -p tcp|udp|sctp|icmp|icmpv6} without {@code -m} use
 * that protocol's module, as iptables does. Quoted arguments follow iptables-restore's
 * tokenizer: {@code "..."} groups, {@code \"} and {@code \\} escape.
 *
 * <p>Known modules and targets become typed {@link Match} / {@link Target} elements with
 * validated options; an unknown module, target or option becomes {@link Match.Unknown} /
 * {@link Target.Unknown} with its text — the rest of the rule and of the file is kept.
 * Malformed input raises {@link ParseException} naming file, line and token: unbalanced
 * quotes, a rule or chain outside a table, {@code -A} for an undeclared chain, {@code -g}
 * to an undeclared chain, a bad address/port/mark value of a known option, a table without
 * COMMIT.
 *
 * <p>Built for kube-proxy-sized dumps (110k rules): one pass, a hand-written tokenizer,
 * no regular expression per token, chain names interned per table.
 */
public final class IptablesSaveParser {
    private static final Set<String> CORE = Set.of("-s", "--source", "--src", "-d", "--destination", "--dst",
            "-i", "--in-interface", "-o", "--out-interface", "-p", "--protocol", "-f", "--fragment",
            "-m", "--match", "-j", "--jump", "-g", "--goto", "-c", "--set-counters");
    private static final Set<String> CONTINUE_TARGETS = Set.of("LOG", "NFLOG", "ULOG", "TRACE", "AUDIT", "TCPMSS",
            "CHECKSUM", "TOS", "DSCP", "CLASSIFY", "TTL", "HL", "ECN");
    private static final Map<String, Integer> PROTOCOLS = Map.ofEntries(Map.entry("all", 0), Map.entry("icmp", 1),
            Map.entry("igmp", 2), Map.entry("ipencap", 4), Map.entry("tcp", 6), Map.entry("egp", 8), Map.entry("udp", 17),
            Map.entry("dccp", 33), Map.entry("ipv6", 41), Map.entry("gre", 47), Map.entry("esp", 50), Map.entry("ah", 51),
            Map.entry("icmpv6", 58), Map.entry("ipv6-icmp", 58), Map.entry("ospf", 89), Map.entry("vrrp", 112),
            Map.entry("sctp", 132), Map.entry("mh", 135), Map.entry("udplite", 136));
    private static final Map<String, Integer> ICMP_TYPES = Map.ofEntries(Map.entry("echo-reply", 0), Map.entry("pong", 0),
            Map.entry("destination-unreachable", 3), Map.entry("source-quench", 4), Map.entry("redirect", 5),
            Map.entry("echo-request", 8), Map.entry("ping", 8), Map.entry("router-advertisement", 9),
            Map.entry("router-solicitation", 10), Map.entry("time-exceeded", 11), Map.entry("ttl-exceeded", 11),
            Map.entry("parameter-problem", 12), Map.entry("timestamp-request", 13), Map.entry("timestamp-reply", 14),
            Map.entry("address-mask-request", 17), Map.entry("address-mask-reply", 18));
    private static final Map<String, Integer> ICMP6_TYPES = Map.ofEntries(Map.entry("destination-unreachable", 1),
            Map.entry("packet-too-big", 2), Map.entry("time-exceeded", 3), Map.entry("ttl-exceeded", 3),
            Map.entry("parameter-problem", 4), Map.entry("echo-request", 128), Map.entry("ping", 128),
            Map.entry("echo-reply", 129), Map.entry("pong", 129), Map.entry("router-solicitation", 133),
            Map.entry("router-advertisement", 134), Map.entry("neighbour-solicitation", 135),
            Map.entry("neighbor-solicitation", 135), Map.entry("neighbour-advertisement", 136),
            Map.entry("neighbor-advertisement", 136), Map.entry("redirect", 137));
    private static final String[] TCP_FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    private static final Counters ZERO = new Counters(0, 0);
    private static final Ip[] V4_MASKS = new Ip[33];

    static {
        for (int i = 0; i <= 32; i++) {
            V4_MASKS[i] = AddressMask.maskOf(i, false);
        }
    }

    private final String file;
    private final boolean ipv6;
    private int lineNo;
    private String line;

    private IptablesSaveParser(String file, boolean ipv6) {
        this.file = file;
        this.ipv6 = ipv6;
    }

    /**
     * Parses a dump file; it is ip6tables when the file name starts with {@code ip6} (ip6tables.txt).
     *
     * @throws ParseException on malformed input
     * @throws IOException    when the file cannot be read
     */
    public static Ruleset parse(Path path) throws IOException {
        String name = path.getFileName().toString();
        return new IptablesSaveParser(name, name.startsWith("ip6")).run(Files.readAllBytes(path));
    }

    /**
     * Parses dump text.
     *
     * @param fileName name used in error messages
     * @param text     the whole {@code iptables-save} output
     * @param ipv6     true for ip6tables-save output (addresses must then be IPv6)
     * @throws ParseException on malformed input
     */
    public static Ruleset parse(String fileName, String text, boolean ipv6) {
        return new IptablesSaveParser(fileName, ipv6).run(text.getBytes(StandardCharsets.UTF_8));
    }

    // ---- file structure ----------------------------------------------------------------------

    /** Chains of the table being read. */
    private static final class TableBuilder {
        final String name;
        final int line;
        final Map<String, String> names = new HashMap<>();
        final Map<String, Target.Verdict> policies = new LinkedHashMap<>();
        final Map<String, Counters> counters = new HashMap<>();
        final Map<String, List<Rule>> rules = new HashMap<>();
        final Map<String, Integer> declaredAt = new HashMap<>();

        TableBuilder(String name, int line) {
            this.name = name;
            this.line = line;
        }

        Table build() {
            Map<String, Chain> chains = new LinkedHashMap<>();
            for (var e : policies.entrySet()) {
                chains.put(e.getKey(), new Chain(e.getKey(), e.getValue(), counters.get(e.getKey()), rules.get(e.getKey())));
            }
            return new Table(name, chains);
        }
    }

    private byte[] buf;
    private int lineStart;
    private int lineEnd;
    private final List<String> tokens = new ArrayList<>(32);
    private byte[] scratch = new byte[256];
    /** Tokens of the current line that were quoted or escaped: always arguments, never options (by identity). */
    private final Set<String> quoted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** A rule line found by the structural pass, parsed later (possibly in parallel). */
    private record RuleLine(TableBuilder table, int line, int start, int end) {
    }

    /** A parsed rule before it gets its number within its chain. */
    private record Parsed(TableBuilder table, String chain, int line, String text, Counters counters, List<Match> matches,
                          Target target) {
    }

    /**
     * Pass 1 (sequential): tables, chain declarations, COMMIT; rule lines are only located.
     * Pass 2 (parallel for large dumps): each rule line is tokenized and typed independently.
     * Pass 3: rules are numbered within their chains in file order. Errors are reported in
     * file order: the first malformed line wins, as with a sequential parse.
     */
    private Ruleset run(byte[] b) {
        buf = b;
        List<TableBuilder> done = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        List<RuleLine> ruleLines = new ArrayList<>();
        ParseException structural = null;
        TableBuilder cur = null;
        int pos = 0;
        int len = b.length;
        lineNo = 0;
        try {
            while (pos < len) {
                int end = pos;
                while (end < len && b[end] != '\n') {
                    end++;
                }
                lineNo++;
                int s = pos;
                int e = end;
                pos = end + 1;
                while (s < e && isSpace(b[s])) {
                    s++;
                }
                while (e > s && isSpace(b[e - 1])) {
                    e--;
                }
                if (s == e || b[s] == '#') {
                    continue;
                }
                byte c = b[s];
                if (c == '[' || c == '-') {
                    if (cur == null) {
                        throw error(tokenAt(new String(b, s, e - s, StandardCharsets.UTF_8)), "rule outside a table (expected '*table' first)");
                    }
                    ruleLines.add(new RuleLine(cur, lineNo, s, e));
                    continue;
                }
                line = new String(b, s, e - s, StandardCharsets.UTF_8);
                if (c == '*') {
                    if (cur != null) {
                        throw error(line, "table '" + cur.name + "' (line " + cur.line + ") is not closed by COMMIT before the next table");
                    }
                    String name = line.substring(1).trim();
                    if (name.isEmpty() || name.indexOf(' ') >= 0) {
                        throw error(line, "expected a table name after '*' (raw, mangle, nat, filter, security)");
                    }
                    if (!seen.add(name)) {
                        throw error(line, "table '" + name + "' appears twice");
                    }
                    cur = new TableBuilder(name, lineNo);
                } else if (c == ':') {
                    if (cur == null) {
                        throw error(line, "chain declared outside a table (expected '*table' first)");
                    }
                    declareChain(cur);
                } else if (line.equals("COMMIT")) {
                    if (cur == null) {
                        throw error(line, "COMMIT without a table (expected '*table' first)");
                    }
                    done.add(cur);
                    cur = null;
                } else {
                    throw error(tokenAt(line), "expected '*table', ':CHAIN POLICY [pkts:bytes]', a rule '-A CHAIN ...', 'COMMIT' or a '#' comment");
                }
            }
            if (cur != null) {
                lineNo = Math.max(lineNo, 1);
                throw error("*" + cur.name, "table '" + cur.name + "' opened at line " + cur.line + " has no COMMIT (truncated dump?)");
            }
        } catch (ParseException e) {
            structural = e; // rule lines before it may hold an earlier error: parse them first
        }
        List<Parsed> parsed = parseRules(ruleLines);
        if (structural != null) {
            throw structural;
        }
        for (Parsed p : parsed) {
            List<Rule> list = p.table.rules.get(p.chain);
            list.add(new Rule(p.table.name, p.chain, list.size() + 1, p.line, p.text, p.counters, p.matches, p.target));
        }
        Map<String, Table> tables = new LinkedHashMap<>();
        for (TableBuilder t : done) {
            tables.put(t.name, t.build());
        }
        return new Ruleset(ipv6, tables);
    }

    /** Below this many rules the parse stays on the calling thread. */
    private static final int PARALLEL_THRESHOLD = 20_000;

    private List<Parsed> parseRules(List<RuleLine> lines) {
        int n = lines.size();
        int chunks = n < PARALLEL_THRESHOLD ? 1 : Math.min(Runtime.getRuntime().availableProcessors(), 8);
        Parsed[] out = new Parsed[n];
        ParseException[] errors = new ParseException[chunks];
        java.util.stream.IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            IptablesSaveParser p = chunks == 1 ? this : new IptablesSaveParser(file, ipv6);
            p.buf = buf;
            try {
                for (int i = from; i < to; i++) {
                    RuleLine r = lines.get(i);
                    p.lineNo = r.line;
                    p.lineStart = r.start;
                    p.lineEnd = r.end;
                    out[i] = p.rule(r.table);
                }
            } catch (ParseException e) {
                errors[c] = e;
            }
        });
        for (ParseException e : errors) {
            if (e != null) {
                throw e;
            }
        }
        return java.util.Arrays.asList(out);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static String tokenAt(String l) {
        int sp = l.indexOf(' ');
        return sp < 0 ? l : l.substring(0, sp);
    }

    private ParseException error(String token, String message) {
        return new ParseException(file, lineNo, token, message);
    }

    private void declareChain(TableBuilder t) {
        String[] parts = tokenize(line.substring(1)).toArray(new String[0]);
        if (parts.length < 2 || parts[0].isEmpty()) {
            throw error(line, "expected ':CHAIN POLICY [pkts:bytes]'");
        }
        String name = parts[0];
        if (t.policies.containsKey(name)) {
            throw error(name, "chain '" + name + "' declared twice in table '" + t.name + "'");
        }
        Target.Verdict policy = switch (parts[1]) {
            case "-" -> null;
            case "ACCEPT" -> Target.Verdict.ACCEPT;
            case "DROP" -> Target.Verdict.DROP;
            default -> throw error(parts[1], "expected the policy ACCEPT or DROP, or '-' for a user chain");
        };
        Counters cnt = Counters.NONE;
        if (parts.length >= 3) {
            cnt = counters(parts[2]);
        }
        if (parts.length > 3) {
            throw error(parts[3], "unexpected text after the chain counters");
        }
        t.names.put(name, name);
        t.declaredAt.put(name, lineNo);
        t.policies.put(name, policy);
        t.counters.put(name, cnt);
        t.rules.put(name, new ArrayList<>());
    }

    private Counters counters(String s) {
        int colon = s.indexOf(':');
        if (!s.startsWith("[") || !s.endsWith("]") || colon < 0) {
            throw error(s, "expected counters '[packets:bytes]'");
        }
        if (s.equals("[0:0]")) {
            return ZERO;
        }
        try {
            return new Counters(Long.parseUnsignedLong(s.substring(1, colon)), Long.parseUnsignedLong(s.substring(colon + 1, s.length() - 1)));
        } catch (NumberFormatException e) {
            throw error(s, "expected counters '[packets:bytes]' with decimal numbers");
        }
    }

    // ---- tokenizer -----------------------------------------------------------------------------

    /** Splits the line like iptables-restore's add_param_to_argv: whitespace separates, "..." groups, backslash escapes. */
    private List<String> tokenize(String l) {
        byte[] b = l.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(8);
        tokenize(b, 0, b.length, out);
        return out;
    }

    /** Tokenizes the UTF-8 bytes {@code b[from..to)} into {@code out} (quotes and escapes are ASCII, so bytes are safe). */
    private void tokenize(byte[] b, int from, int to, List<String> out) {
        int i = from;
        while (i < to) {
            byte c = b[i];
            if (isSpace(c)) {
                i++;
                continue;
            }
            int start = i;
            while (i < to) {
                c = b[i];
                if (isSpace(c) || c == '"' || c == '\\') {
                    break;
                }
                i++;
            }
            if (i == to || isSpace(c)) {
                out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                continue;
            }
            int n = 0;
            byte[] sb = scratch;
            if (sb.length < to - start) {
                sb = scratch = new byte[Math.max(to - start, 2 * sb.length)];
            }
            System.arraycopy(b, start, sb, 0, i - start);
            n = i - start;
            boolean open = false;
            while (i < to) {
                c = b[i];
                if (c == '\\' && i + 1 < to) {
                    sb[n++] = b[i + 1];
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    open = !open;
                    i++;
                    continue;
                }
                if (!open && isSpace(c)) {
                    break;
                }
                sb[n++] = c;
                i++;
            }
            if (open) {
                throw error(new String(b, start, Math.min(to, start + 40) - start, StandardCharsets.UTF_8),
                        "unbalanced quote: a '\"' is not closed before the end of the line");
            }
            String tokText = new String(sb, 0, n, StandardCharsets.UTF_8);
            quoted.add(tokText);
            out.add(tokText);
        }
    }

    // ---- rules ---------------------------------------------------------------------------------

    /** One option of a module or target: {@code [!] --name args...}. */
    private record Opt(String name, boolean negated, List<String> args) {
        String arg(int i) {
            return i < args.size() ? args.get(i) : null;
        }
    }

    private Parsed rule(TableBuilder t) {
        List<String> tok = tokens;
        tok.clear();
        quoted.clear();
        tokenize(buf, lineStart, lineEnd, tok);
        int i = 0;
        Counters cnt = Counters.NONE;
        int textStart = lineStart;
        if (tok.get(0).startsWith("[")) {
            cnt = counters(tok.get(0));
            i = 1;
            while (buf[textStart] != ']') {
                textStart++;
            }
            textStart++;
            while (textStart < lineEnd && (buf[textStart] == ' ' || buf[textStart] == '\t')) {
                textStart++;
            }
        }
        if (i >= tok.size() || !(tok.get(i).equals("-A") || tok.get(i).equals("--append"))) {
            throw error(i < tok.size() ? tok.get(i) : tok.get(0), "expected '-A CHAIN' (iptables-save prints only appended rules)");
        }
        if (i + 1 >= tok.size()) {
            throw error(tok.get(i), "expected a chain name after -A");
        }
        String chainName = t.names.get(tok.get(i + 1));
        if (chainName == null || t.declaredAt.get(chainName) > lineNo) {
            throw error(tok.get(i + 1), "chain '" + tok.get(i + 1) + "' is not declared in table '" + t.name
                    + "' (expected ':" + tok.get(i + 1) + " - [0:0]' before its rules)");
        }
        i += 2;
        List<Match> matches = new ArrayList<>(6);
        Target target = new Target.None();
        boolean neg = false;
        int proto = -1;
        String protoName = null;
        while (i < tok.size()) {
            String k = tok.get(i);
            if (k.equals("!")) {
                if (neg) {
                    throw error(k, "double '!'");
                }
                neg = true;
                i++;
                continue;
            }
            switch (k) {
                case "-s", "--source", "--src", "-d", "--destination", "--dst" -> {
                    matches.add(new Match.Address(k.equals("-s") || k.startsWith("--s"), address(arg(tok, i, "an address")), neg));
                    i += 2;
                }
                case "-i", "--in-interface", "-o", "--out-interface" -> {
                    String dev = arg(tok, i, "an interface name");
                    if (dev.length() > 15) {
                        throw error(dev, "interface name longer than 15 characters");
                    }
                    matches.add(new Match.Iface(k.equals("-i") || k.equals("--in-interface"), dev, neg));
                    i += 2;
                }
                case "-p", "--protocol" -> {
                    String p = arg(tok, i, "a protocol").toLowerCase(Locale.ROOT);
                    Integer num = PROTOCOLS.get(p);
                    if (num == null) {
                        try {
                            num = Integer.parseInt(p);
                        } catch (NumberFormatException e) {
                            num = null;
                        }
                    }
                    if (num == null || num < 0 || num > 255) {
                        matches.add(new Match.Unknown("-p", (neg ? "! " : "") + "-p " + p, "unknown protocol '" + p + "'"));
                    } else {
                        matches.add(new Match.Proto(num, p, neg));
                        if (!neg) {
                            proto = num;
                            protoName = p;
                        }
                    }
                    i += 2;
                }
                case "-f", "--fragment" -> {
                    matches.add(new Match.Fragment(neg));
                    i++;
                }
                case "-c", "--set-counters" -> {
                    if (i + 2 >= tok.size()) {
                        throw error(k, "expected '-c PACKETS BYTES'");
                    }
                    cnt = counters("[" + tok.get(i + 1) + ":" + tok.get(i + 2) + "]");
                    i += 3;
                }
                case "-m", "--match" -> {
                    if (neg) {
                        throw error(k, "'!' cannot negate -m (put it before the module's option)");
                    }
                    String module = arg(tok, i, "a match module name");
                    int j = segmentEnd(tok, i + 2);
                    matches.add(module(module, tok.subList(i + 2, j)));
                    i = j;
                }
                case "-j", "--jump", "-g", "--goto" -> {
                    if (neg) {
                        throw error(k, "'!' cannot negate a target");
                    }
                    String name = arg(tok, i, "a target or chain name");
                    int j = segmentEnd(tok, i + 2);
                    target = target(t, name, k.startsWith("-g") || k.equals("--goto"), tok.subList(i + 2, j));
                    i = j;
                }
                default -> {
                    if (k.startsWith("--") && protoName != null && (proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58)) {
                        // implicit protocol match: "-p tcp --dport 80"
                        if (neg) {
                            i--;
                        }
                        int j = segmentEnd(tok, i);
                        matches.add(module(proto == 58 ? "icmp6" : protoName.equals("ipv6-icmp") ? "icmp6" : protoName, tok.subList(i, j)));
                        i = j;
                    } else if (k.startsWith("-")) {
                        int j = segmentEnd(tok, i + 1);
                        matches.add(new Match.Unknown("", join(tok.subList(neg ? i - 1 : i, j)), "unknown option '" + k + "'"));
                        i = j;
                    } else {
                        throw error(k, "expected an option ('-s', '-m MODULE', '-j TARGET', ...), got a bare word");
                    }
                }
            }
            neg = false;
        }
        if (neg) {
            throw error("!", "'!' at the end of the rule negates nothing");
        }
        String text = new String(buf, textStart, lineEnd - textStart, StandardCharsets.UTF_8);
        return new Parsed(t, chainName, lineNo, text, cnt, matches, target);
    }

    private String arg(List<String> tok, int i, String expected) {
        if (i + 1 >= tok.size()) {
            throw error(tok.get(i), "expected " + expected + " after " + tok.get(i));
        }
        return tok.get(i + 1);
    }

    /** Index of the first token after the options of a module/target starting at {@code from}. */
    private int segmentEnd(List<String> tok, int from) {
        int j = from;
        while (j < tok.size()) {
            String x = tok.get(j);
            if (isCore(x) && !quoted.contains(x)) {
                break;
            }
            if (x.equals("!") && !quoted.contains(x) && j + 1 < tok.size() && isCore(tok.get(j + 1)) && !quoted.contains(tok.get(j + 1))) {
                break;
            }
            j++;
        }
        return j;
    }

    private static boolean isCore(String x) {
        return x.length() >= 2 && x.charAt(0) == '-' && (x.length() == 2 || x.charAt(1) == '-') && CORE.contains(x);
    }

    private static String join(List<String> toks) {
        StringBuilder sb = new StringBuilder();
        for (String s : toks) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (s.isEmpty() || s.indexOf(' ') >= 0 || s.indexOf('"') >= 0) {
                sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                sb.append(s);
            }
        }
        return sb.toString();
    }

    private static String owner(String name) {
        return (Character.isUpperCase(name.charAt(0)) ? "-j " : "-m ") + name;
    }

    /** Groups option tokens into {@code [!] --name args...}; returns null when a token cannot be grouped. */
    /**
     * The long options of the targets and modules whose options may be abbreviated in restore input: iptables parses
     * with getopt_long, which takes any unambiguous prefix ({@code SNAT --to 10.0.0.1}, as Antrea writes it).
     * iptables-save always prints the full names.
     */
    private static final Map<String, List<String>> LONG_OPTIONS = Map.of(
            "DNAT", List.of("to-destination", "random", "persistent"),
            "SNAT", List.of("to-source", "random", "random-fully", "persistent"),
            "MASQUERADE", List.of("to-ports", "random", "random-fully"),
            "REDIRECT", List.of("to-ports", "random"),
            "MARK", List.of("set-mark", "set-xmark", "and-mark", "or-mark", "xor-mark"),
            "tcp", List.of("source-port", "sport", "destination-port", "dport", "tcp-flags", "syn", "tcp-option"),
            "udp", List.of("source-port", "sport", "destination-port", "dport"),
            "nfacct", List.of("nfacct-name"),
            "ttl", List.of("ttl-eq", "ttl-lt", "ttl-gt", "ttl"),
            "hl", List.of("hl-eq", "hl-lt", "hl-gt", "hl"));
    /** iptables' own long options, which take part in getopt_long's prefix matching too. */
    private static final List<String> GLOBAL_LONG_OPTIONS = List.of("append", "check", "delete", "insert", "replace", "list",
            "list-rules", "flush", "zero", "new-chain", "delete-chain", "policy", "rename-chain", "protocol", "source",
            "destination", "src", "dst", "jump", "goto", "match", "numeric", "in-interface", "out-interface", "verbose", "exact",
            "fragment", "line-numbers", "modprobe", "set-counters", "ipv4", "ipv6", "wait", "wait-interval", "help", "version",
            "table");

    /** The full name of option {@code name} of {@code owner} when it is an unambiguous prefix of one (getopt_long), else {@code name}. */
    private static String canonical(String name, String owner) {
        List<String> known = LONG_OPTIONS.get(owner);
        if (known == null || known.contains(name)) {
            return name;
        }
        List<String> hits = known.stream().filter(k -> k.startsWith(name)).toList();
        boolean global = GLOBAL_LONG_OPTIONS.stream().anyMatch(g -> g.startsWith(name));
        return hits.size() == 1 && !global ? hits.get(0) : name;
    }

    private List<Opt> options(List<String> toks, String owner) {
        List<Opt> out = new ArrayList<>(4);
        int i = 0;
        while (i < toks.size()) {
            boolean neg = false;
            String name = toks.get(i);
            if (name.equals("!") && !quoted.contains(name)) {
                neg = true;
                i++;
                if (i >= toks.size()) {
                    throw error("!", "'!' at the end of the options of " + owner(owner) + " negates nothing");
                }
                name = toks.get(i);
            }
            if (!name.startsWith("--") || quoted.contains(name)) {
                throw error(name, "expected an option '--...' of " + owner(owner));
            }
            i++;
            List<String> args = new ArrayList<>(2);
            while (i < toks.size() && (quoted.contains(toks.get(i)) || !toks.get(i).startsWith("--") && !toks.get(i).equals("!"))) {
                args.add(toks.get(i));
                i++;
            }
            // old syntax "--dport ! 80" is not printed by iptables-save; a '!' followed by a non-option is an argument negation
            if (i + 1 < toks.size() && toks.get(i).equals("!") && !toks.get(i + 1).startsWith("--") && args.isEmpty()) {
                neg = true;
                args.add(toks.get(i + 1));
                i += 2;
            }
            out.add(new Opt(canonical(name.substring(2), owner), neg, args));
        }
        return out;
    }

    // ---- match modules -------------------------------------------------------------------------

    /** Raised inside a module parser for an option we do not model: the whole module becomes Unknown. */
    private static final class NotModelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotModelled(String why) {
            super(why, null, false, false);
        }
    }

    private static String text(String flag, String name, List<String> toks) {
        return flag + " " + name + (toks.isEmpty() ? "" : " " + join(toks));
    }

    private Match module(String module, List<String> toks) {
        try {
            List<Opt> opts = options(toks, module);
            return switch (module) {
                case "tcp" -> tcp(opts);
                case "udp" -> udpLike(io.skoop.model.Protocol.UDP, opts);
                case "sctp" -> udpLike(io.skoop.model.Protocol.SCTP, opts);
                case "multiport" -> multiport(opts);
                case "comment" -> comment(opts);
                case "mark", "connmark" -> mark(module, opts);
                case "conntrack" -> conntrack(opts);
                case "state" -> state(opts);
                case "addrtype" -> addrtype(opts);
                case "set" -> set(opts);
                case "statistic" -> statistic(opts);
                case "physdev" -> physdev(opts);
                case "icmp", "icmp6", "icmpv6" -> icmp(module, opts);
                case "iprange" -> iprange(opts);
                case "pkttype" -> pkttype(opts);
                case "limit" -> limit(opts, text("-m", module, toks));
                case "recent" -> recent(opts, text("-m", module, toks));
                case "nfacct" -> nfacct(opts);
                case "rpfilter" -> rpfilter(opts);
                case "ttl", "hl" -> ttl(module, opts);
                default -> new Match.Unknown(module, text("-m", module, toks), "match module '" + module + "' is not modelled");
            };
        } catch (NotModelled e) {
            return new Match.Unknown(module, text("-m", module, toks), e.getMessage());
        }
    }

    private static NotModelled unknownOption(String module, Opt o) {
        return new NotModelled("option --" + o.name() + " of -m " + module + " is not modelled");
    }

    private String one(Opt o, String expected) {
        if (o.args().size() != 1) {
            throw error("--" + o.name(), "expected one argument (" + expected + ") after --" + o.name());
        }
        return o.args().get(0);
    }

    private void none(Opt o) {
        if (!o.args().isEmpty()) {
            throw error(o.args().get(0), "--" + o.name() + " takes no argument");
        }
    }

    private Match tcp(List<Opt> opts) {
        PortRange sp = null, dp = null;
        boolean sn = false, dn = false, fn = false;
        int mask = 0, comp = 0;
        for (Opt o : opts) {
            switch (o.name()) {
                case "sport", "source-port" -> {
                    sp = portRange(one(o, "a port or range"));
                    sn = o.negated();
                }
                case "dport", "destination-port" -> {
                    dp = portRange(one(o, "a port or range"));
                    dn = o.negated();
                }
                case "tcp-flags" -> {
                    if (o.args().size() != 2) {
                        throw error("--tcp-flags", "expected '--tcp-flags MASK COMP', e.g. 'FIN,SYN,RST,ACK SYN'");
                    }
                    mask = tcpFlags(o.arg(0));
                    comp = tcpFlags(o.arg(1));
                    fn = o.negated();
                }
                case "syn" -> {
                    none(o);
                    mask = 0x17;
                    comp = 0x02;
                    fn = o.negated();
                }
                default -> throw unknownOption("tcp", o);
            }
        }
        return new Match.Tcp(sp, sn, dp, dn, mask, comp, fn);
    }

    private int tcpFlags(String s) {
        if (s.equals("ALL")) {
            return 0xff;
        }
        if (s.equals("NONE")) {
            return 0;
        }
        int v = 0;
        for (String f : s.split(",")) {
            int bit = -1;
            for (int k = 0; k < TCP_FLAG_NAMES.length; k++) {
                if (TCP_FLAG_NAMES[k].equals(f)) {
                    bit = k;
                }
            }
            if (bit < 0) {
                if (f.equals("ALL")) {
                    v |= 0xff;
                    continue;
                }
                throw error(f, "unknown TCP flag (expected FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, ALL or NONE)");
            }
            v |= 1 << bit;
        }
        return v;
    }

    private Match udpLike(io.skoop.model.Protocol p, List<Opt> opts) {
        PortRange sp = null, dp = null;
        boolean sn = false, dn = false;
        for (Opt o : opts) {
            switch (o.name()) {
                case "sport", "source-port" -> {
                    sp = portRange(one(o, "a port or range"));
                    sn = o.negated();
                }
                case "dport", "destination-port" -> {
                    dp = portRange(one(o, "a port or range"));
                    dn = o.negated();
                }
                default -> throw unknownOption(p.ianaName(), o);
            }
        }
        return new Match.Udp(p, sp, sn, dp, dn);
    }

    private int port(String s) {
        int v = 0;
        if (s.isEmpty() || s.length() > 5) {
            throw error(s, "expected a port number 0..65535");
        }
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                throw error(s, "expected a port number 0..65535 (iptables-save prints ports numerically)");
            }
            v = v * 10 + (c - '0');
        }
        if (v > 65535) {
            throw error(s, "port out of range 0..65535");
        }
        return v;
    }

    private PortRange portRange(String s) {
        int colon = s.indexOf(':');
        if (colon < 0) {
            int p = port(s);
            return new PortRange(p, p);
        }
        int lo = colon == 0 ? 0 : port(s.substring(0, colon));
        int hi = colon == s.length() - 1 ? 65535 : port(s.substring(colon + 1));
        if (lo > hi) {
            throw error(s, "port range with first port after the last");
        }
        return new PortRange(lo, hi);
    }

    private Match multiport(List<Opt> opts) {
        if (opts.size() != 1) {
            throw new NotModelled("-m multiport with " + opts.size() + " options (expected exactly one of --sports, --dports, --ports)");
        }
        Opt o = opts.get(0);
        Match.PortSide side = switch (o.name()) {
            case "sports", "source-ports" -> Match.PortSide.SOURCE;
            case "dports", "destination-ports" -> Match.PortSide.DESTINATION;
            case "ports" -> Match.PortSide.EITHER;
            default -> throw unknownOption("multiport", o);
        };
        List<PortRange> ports = new ArrayList<>();
        for (String p : one(o, "a comma-separated port list").split(",")) {
            ports.add(portRange(p));
        }
        if (ports.size() > 15) {
            throw error(o.arg(0), "multiport accepts at most 15 ports");
        }
        return new Match.Multiport(side, ports, o.negated());
    }

    /** {@code -m rpfilter} options (ipt_rpfilter.c): --loose, --validmark, --accept-local, --invert, each without argument. */
    private Match rpfilter(List<Opt> opts) {
        boolean loose = false, validMark = false, acceptLocal = false, invert = false;
        for (Opt o : opts) {
            none(o);
            switch (o.name()) {
                case "loose" -> loose = true;
                case "validmark" -> validMark = true;
                case "accept-local" -> acceptLocal = true;
                case "invert" -> invert = true;
                default -> throw unknownOption("rpfilter", o);
            }
        }
        return new Match.Rpfilter(loose, validMark, acceptLocal, invert);
    }

    /**
     * {@code -m ttl} / {@code -m hl} (libipt_ttl.c, libip6t_hl.c): exactly one of {@code --ttl-eq} (alias {@code --ttl};
     * negatable), {@code --ttl-lt}, {@code --ttl-gt} with a value 0..255, as iptables accepts them.
     */
    private Match ttl(String module, List<Opt> opts) {
        if (opts.size() != 1) {
            throw error(opts.isEmpty() ? "-m" : "--" + opts.get(1).name(), "-m " + module + " takes exactly one of --" + module
                    + "-eq, --" + module + "-lt, --" + module + "-gt");
        }
        Opt o = opts.get(0);
        String op = o.name().equals(module) ? "eq" : o.name().startsWith(module + "-") ? o.name().substring(module.length() + 1) : "";
        if (!Set.of("eq", "lt", "gt").contains(op)) {
            throw error("--" + o.name(), "expected --" + module + "-eq, --" + module + "-lt or --" + module + "-gt");
        }
        if (o.negated() && !op.equals("eq")) {
            throw error("--" + o.name(), "only --" + module + "-eq can be negated (as iptables says: cannot be inverted)");
        }
        String v = one(o, "a value 0..255");
        int value;
        try {
            value = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 0 || value > 255) {
            throw error(v, "expected a " + (module.equals("hl") ? "hop limit" : "TTL") + " 0..255 after --" + o.name());
        }
        Match.TtlOp mode = switch (op) {
            case "lt" -> Match.TtlOp.LT;
            case "gt" -> Match.TtlOp.GT;
            default -> o.negated() ? Match.TtlOp.NE : Match.TtlOp.EQ;
        };
        return new Match.Ttl(module.equals("hl"), mode, value);
    }

    /** {@code -m nfacct --nfacct-name NAME} (xt_nfacct.c): adds the packet to an accounting object and always matches. */
    private Match nfacct(List<Opt> opts) {
        if (opts.size() != 1 || !opts.get(0).name().equals("nfacct-name")) {
            throw new NotModelled("-m nfacct expects exactly one --nfacct-name");
        }
        return new Match.Nfacct(one(opts.get(0), "the accounting object's name"));
    }

    private Match comment(List<Opt> opts) {
        if (opts.size() != 1 || !opts.get(0).name().equals("comment")) {
            throw new NotModelled("-m comment expects exactly one --comment");
        }
        return new Match.Comment(one(opts.get(0), "the comment text"));
    }

    private long u32(String s) {
        try {
            return Numbers.parseUnsigned(s, 0xffffffffL);
        } catch (NumberFormatException e) {
            throw error(s, "expected an unsigned 32-bit value (decimal or 0x hex)");
        }
    }

    /** {@code VALUE[/MASK]}; mask defaults to 0xffffffff. */
    private long[] valueMask(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return new long[] {u32(s), 0xffffffffL};
        }
        return new long[] {u32(s.substring(0, slash)), u32(s.substring(slash + 1))};
    }

    private Match mark(String module, List<Opt> opts) {
        if (opts.size() != 1 || !opts.get(0).name().equals("mark")) {
            throw new NotModelled("-m " + module + " expects exactly one --mark");
        }
        Opt o = opts.get(0);
        long[] vm = valueMask(one(o, "VALUE[/MASK]"));
        // kept as given: the kernel compares (mark & mask) == value, so bits outside the mask never match
        return module.equals("mark") ? new Match.Mark(vm[0], vm[1], o.negated()) : new Match.Connmark(vm[0], vm[1], o.negated());
    }

    private Set<CtState> states(String s) {
        return enumList(s, CtState.class, CtState::parse);
    }

    /** A comma-separated list of names ({@code NEW,ESTABLISHED}); a bad name is an error at that token. */
    private <E extends Enum<E>> Set<E> enumList(String s, Class<E> type, java.util.function.Function<String, E> parse) {
        Set<E> out = EnumSet.noneOf(type);
        for (String x : s.split(",")) {
            try {
                out.add(parse.apply(x));
            } catch (IllegalArgumentException e) {
                throw error(x, e.getMessage());
            }
        }
        return out;
    }

    private Match conntrack(List<Opt> opts) {
        List<Match.CtCondition> conds = new ArrayList<>();
        for (Opt o : opts) {
            String n = o.name();
            Object v = switch (n) {
                case "ctstate" -> states(one(o, "a state list"));
                case "ctproto" -> {
                    String p = one(o, "a protocol").toLowerCase(Locale.ROOT);
                    Integer num = PROTOCOLS.get(p);
                    if (num == null) {
                        try {
                            num = Integer.parseInt(p);
                        } catch (NumberFormatException e) {
                            throw new NotModelled("unknown protocol '" + p + "' in --ctproto");
                        }
                    }
                    yield num;
                }
                case "ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst" -> address(one(o, "an address"));
                case "ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport" -> portRange(one(o, "a port or range"));
                case "ctstatus" -> {
                    Set<String> st = new LinkedHashSet<>();
                    for (String x : one(o, "a status list").split(",")) {
                        if (!Set.of("NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED").contains(x)) {
                            throw error(x, "unknown conntrack status (expected NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED)");
                        }
                        st.add(x);
                    }
                    yield st;
                }
                case "ctdir" -> {
                    String d = one(o, "ORIGINAL or REPLY");
                    if (!d.equals("ORIGINAL") && !d.equals("REPLY")) {
                        throw error(d, "expected ORIGINAL or REPLY");
                    }
                    yield d.equals("ORIGINAL");
                }
                case "ctexpire" -> one(o, "a time range");
                default -> throw unknownOption("conntrack", o);
            };
            conds.add(new Match.CtCondition(n, o.negated(), v));
        }
        return new Match.Conntrack(conds);
    }

    private Match state(List<Opt> opts) {
        if (opts.size() != 1 || !opts.get(0).name().equals("state")) {
            throw new NotModelled("-m state expects exactly one --state");
        }
        Set<CtState> s = states(one(opts.get(0), "a state list"));
        if (s.contains(CtState.SNAT) || s.contains(CtState.DNAT)) {
            throw error(opts.get(0).arg(0), "-m state knows only INVALID, ESTABLISHED, NEW, RELATED, UNTRACKED");
        }
        return new Match.State(s, opts.get(0).negated());
    }

    private Set<AddrType> addrTypes(String s) {
        return enumList(s, AddrType.class, AddrType::parse);
    }

    private Match addrtype(List<Opt> opts) {
        Set<AddrType> src = Set.of(), dst = Set.of();
        boolean sn = false, dn = false, in = false, out = false;
        for (Opt o : opts) {
            switch (o.name()) {
                case "src-type" -> {
                    src = addrTypes(one(o, "address types"));
                    sn = o.negated();
                }
                case "dst-type" -> {
                    dst = addrTypes(one(o, "address types"));
                    dn = o.negated();
                }
                case "limit-iface-in" -> {
                    none(o);
                    in = true;
                }
                case "limit-iface-out" -> {
                    none(o);
                    out = true;
                }
                default -> throw unknownOption("addrtype", o);
            }
        }
        if (in && out) {
            throw error("--limit-iface-out", "--limit-iface-in and --limit-iface-out are exclusive");
        }
        return new Match.AddressType(src, sn, dst, dn, in, out);
    }

    private Match set(List<Opt> opts) {
        String name = null;
        List<Boolean> flags = null;
        boolean neg = false;
        for (Opt o : opts) {
            switch (o.name()) {
                case "match-set", "set" -> {
                    if (o.args().size() != 2) {
                        throw error("--" + o.name(), "expected '--match-set NAME src|dst[,src|dst...]'");
                    }
                    name = o.arg(0);
                    flags = new ArrayList<>();
                    for (String f : o.arg(1).split(",")) {
                        if (!f.equals("src") && !f.equals("dst")) {
                            throw error(f, "expected set flags 'src' or 'dst' separated by ','");
                        }
                        flags.add(f.equals("src"));
                    }
                    neg = o.negated();
                }
                case "update-counters", "update-subcounters" -> {
                    // "! --update-counters": the lookup result is the same
                }
                default -> throw unknownOption("set", o);
            }
        }
        if (name == null) {
            throw error("-m set", "-m set without --match-set NAME FLAGS");
        }
        return new Match.IpSet(name, flags, neg);
    }

    private Match statistic(List<Opt> opts) {
        String mode = null;
        double p = -1;
        int every = 0, packet = 0;
        boolean neg = false;
        for (Opt o : opts) {
            switch (o.name()) {
                case "mode" -> mode = one(o, "random or nth");
                case "probability" -> {
                    String s = one(o, "a probability 0..1");
                    try {
                        p = Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        p = -1;
                    }
                    if (!(p >= 0 && p <= 1)) {
                        throw error(s, "expected a probability between 0 and 1");
                    }
                    neg |= o.negated();
                }
                case "every" -> {
                    every = (int) u32(one(o, "a packet count"));
                    neg |= o.negated();
                }
                case "packet" -> packet = (int) u32(one(o, "a packet number"));
                default -> throw unknownOption("statistic", o);
            }
        }
        if ("random".equals(mode)) {
            if (p < 0) {
                throw error("--mode", "statistic --mode random needs --probability");
            }
            return new Match.Statistic(true, p, 0, 0, neg);
        }
        if ("nth".equals(mode)) {
            if (every < 1) {
                throw error("--mode", "statistic --mode nth needs --every N (N >= 1)");
            }
            return new Match.Statistic(false, 0, every, packet, neg);
        }
        throw error(mode == null ? "-m statistic" : mode, "expected '--mode random' or '--mode nth'");
    }

    private Match physdev(List<Opt> opts) {
        String in = null, out = null;
        boolean inNeg = false, outNeg = false;
        Boolean isIn = null, isOut = null, isBridged = null;
        for (Opt o : opts) {
            switch (o.name()) {
                case "physdev-in" -> {
                    in = one(o, "a bridge port name");
                    inNeg = o.negated();
                }
                case "physdev-out" -> {
                    out = one(o, "a bridge port name");
                    outNeg = o.negated();
                }
                case "physdev-is-in" -> {
                    none(o);
                    isIn = !o.negated();
                }
                case "physdev-is-out" -> {
                    none(o);
                    isOut = !o.negated();
                }
                case "physdev-is-bridged" -> {
                    none(o);
                    isBridged = !o.negated();
                }
                default -> throw unknownOption("physdev", o);
            }
        }
        return new Match.Physdev(in, inNeg, out, outNeg, isIn, isOut, isBridged);
    }

    private Match icmp(String module, List<Opt> opts) {
        boolean v6 = !module.equals("icmp");
        if (opts.size() != 1 || !opts.get(0).name().equals(v6 ? "icmpv6-type" : "icmp-type")) {
            throw new NotModelled("-m " + module + " expects exactly one --" + (v6 ? "icmpv6-type" : "icmp-type"));
        }
        Opt o = opts.get(0);
        String s = one(o, "an ICMP type");
        if (s.equals("any")) {
            return new Match.Icmp(v6, -1, 0, 255, o.negated());
        }
        int slash = s.indexOf('/');
        String ts = slash < 0 ? s : s.substring(0, slash);
        Integer type = (v6 ? ICMP6_TYPES : ICMP_TYPES).get(ts);
        if (type == null) {
            try {
                type = Integer.parseInt(ts);
            } catch (NumberFormatException e) {
                throw new NotModelled("ICMP type name '" + s + "' is not modelled");
            }
        }
        int cmin = 0, cmax = 255;
        if (slash >= 0) {
            try {
                cmin = cmax = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw error(s, "expected TYPE/CODE with a numeric code");
            }
        }
        if (type < 0 || type > 255 || cmin < 0 || cmin > 255) {
            throw error(s, "ICMP type and code are 0..255");
        }
        return new Match.Icmp(v6, type, cmin, cmax, o.negated());
    }

    private Ip[] ipRange(String s) {
        int dash = s.indexOf('-');
        if (dash < 0) {
            Ip a = ip(s);
            return new Ip[] {a, a};
        }
        return new Ip[] {ip(s.substring(0, dash)), ip(s.substring(dash + 1))};
    }

    private Match iprange(List<Opt> opts) {
        Ip[] src = null, dst = null;
        boolean sn = false, dn = false;
        for (Opt o : opts) {
            switch (o.name()) {
                case "src-range" -> {
                    src = ipRange(one(o, "FROM-TO"));
                    sn = o.negated();
                }
                case "dst-range" -> {
                    dst = ipRange(one(o, "FROM-TO"));
                    dn = o.negated();
                }
                default -> throw unknownOption("iprange", o);
            }
        }
        return new Match.IpRange(src == null ? null : src[0], src == null ? null : src[1], sn,
                dst == null ? null : dst[0], dst == null ? null : dst[1], dn);
    }

    private Match pkttype(List<Opt> opts) {
        if (opts.size() != 1 || !opts.get(0).name().equals("pkt-type")) {
            throw new NotModelled("-m pkttype expects exactly one --pkt-type");
        }
        String t = one(opts.get(0), "unicast, broadcast, multicast or otherhost").toLowerCase(Locale.ROOT);
        if (t.equals("host")) {
            t = "unicast";
        }
        if (!Set.of("unicast", "broadcast", "multicast", "otherhost").contains(t)) {
            throw error(t, "expected a packet type unicast, broadcast, multicast or otherhost");
        }
        return new Match.PktType(t, opts.get(0).negated());
    }

    private Match limit(List<Opt> opts, String text) {
        for (Opt o : opts) {
            if (!o.name().equals("limit") && !o.name().equals("limit-burst")) {
                throw unknownOption("limit", o);
            }
            if (o.negated()) {
                throw new NotModelled("negated --" + o.name());
            }
        }
        return new Match.Limit(text);
    }

    private Match recent(List<Opt> opts, String text) {
        boolean setOnly = false, check = false, neg = false;
        for (Opt o : opts) {
            switch (o.name()) {
                case "set" -> {
                    setOnly = true;
                    neg |= o.negated();
                }
                case "rcheck", "update", "remove" -> {
                    check = true;
                    neg |= o.negated();
                }
                case "name", "seconds", "hitcount", "rttl", "rsource", "rdest", "mask", "reap" -> {
                }
                default -> throw unknownOption("recent", o);
            }
        }
        return new Match.Recent(text, setOnly && !check, neg);
    }

    // ---- addresses -----------------------------------------------------------------------------

    private Ip ip(String s) {
        Ip a = fastV4(s);
        if (a == null) {
            a = Ip.tryParse(s);
        }
        if (a == null) {
            throw error(s, "expected an " + (ipv6 ? "IPv6" : "IPv4") + " address");
        }
        if (a.isV6() != ipv6) {
            throw error(s, "expected an " + (ipv6 ? "IPv6" : "IPv4") + " address in " + (ipv6 ? "ip6tables" : "iptables") + " output");
        }
        return a;
    }

    /** Dotted quad without a regex; null when not one. */
    private static Ip fastV4(String s) {
        int v = 0, octet = 0, digits = 0, dots = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c >= '0' && c <= '9') {
                octet = octet * 10 + (c - '0');
                if (++digits > 3 || octet > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && dots < 3) {
                v = (v << 8) | octet;
                octet = 0;
                digits = 0;
                dots++;
            } else {
                return null;
            }
        }
        if (dots != 3 || digits == 0) {
            return null;
        }
        return Ip.v4((v << 8) | octet);
    }

    private static Ip mask(int len, boolean v6) {
        return v6 ? AddressMask.maskOf(len, true) : V4_MASKS[len];
    }

    /** {@code ADDR}, {@code ADDR/LEN} or {@code ADDR/MASK}. */
    private AddressMask address(String s) {
        int slash = s.indexOf('/');
        Ip a = ip(slash < 0 ? s : s.substring(0, slash));
        if (slash < 0) {
            return new AddressMask(a, mask(a.bitLength(), a.isV6()));
        }
        String m = s.substring(slash + 1);
        boolean numeric = !m.isEmpty() && m.length() <= 3;
        for (int k = 0; k < m.length() && numeric; k++) {
            numeric = m.charAt(k) >= '0' && m.charAt(k) <= '9';
        }
        if (numeric) {
            int len = Integer.parseInt(m);
            if (len > a.bitLength()) {
                throw error(s, "prefix length " + len + " out of range 0.." + a.bitLength());
            }
            return new AddressMask(a, mask(len, a.isV6()));
        }
        return new AddressMask(a, ip(m));
    }

    // ---- targets -------------------------------------------------------------------------------

    private Target target(TableBuilder t, String name, boolean isGoto, List<String> toks) {
        String chain = t.names.get(name);
        if (chain != null && t.declaredAt.get(chain) > lineNo) {
            chain = null; // declared after this rule: iptables-restore would not know it yet
        }
        if (chain != null) {
            if (!toks.isEmpty()) {
                throw error(toks.get(0), "a jump to chain '" + name + "' takes no options");
            }
            return new Target.Jump(chain, isGoto);
        }
        if (isGoto) {
            throw error(name, "goto to chain '" + name + "' which is not declared in table '" + t.name + "'");
        }
        try {
            List<Opt> opts = options(toks, name);
            switch (name) {
                case "ACCEPT", "DROP", "RETURN" -> {
                    if (!opts.isEmpty()) {
                        throw error(toks.get(0), name + " takes no options");
                    }
                    return new Target.Standard(Target.Verdict.valueOf(name));
                }
                case "REJECT" -> {
                    String with = null;
                    for (Opt o : opts) {
                        if (!o.name().equals("reject-with")) {
                            throw unknownTargetOption(name, o);
                        }
                        with = one(o, "an ICMP error type or tcp-reset");
                    }
                    return new Target.Reject(with);
                }
                case "MARK" -> {
                    long[] vm = markTarget(opts, name);
                    return new Target.Mark(vm[0], vm[1]);
                }
                case "CONNMARK" -> {
                    return connmarkTarget(opts);
                }
                case "DNAT", "SNAT" -> {
                    List<NatRange> ranges = new ArrayList<>();
                    boolean random = false, fully = false, persistent = false;
                    String want = name.equals("DNAT") ? "to-destination" : "to-source";
                    for (Opt o : opts) {
                        if (o.name().equals(want)) {
                            ranges.add(natRange(one(o, "ADDR[-ADDR][:PORT[-PORT]]"), true));
                        } else if (o.name().equals("random")) {
                            random = true;
                        } else if (o.name().equals("random-fully") && name.equals("SNAT")) {
                            fully = true;
                        } else if (o.name().equals("persistent")) {
                            persistent = true;
                        } else {
                            throw unknownTargetOption(name, o);
                        }
                    }
                    if (ranges.isEmpty()) {
                        throw error(name, name + " needs --" + want);
                    }
                    return name.equals("DNAT") ? new Target.Dnat(ranges, random, persistent) : new Target.Snat(ranges, random, fully, persistent);
                }
                case "MASQUERADE", "REDIRECT" -> {
                    NatRange ports = null;
                    boolean random = false, fully = false;
                    for (Opt o : opts) {
                        switch (o.name()) {
                            case "to-ports" -> ports = natRange(one(o, "PORT[-PORT]"), false);
                            case "random" -> random = true;
                            case "random-fully" -> fully = true;
                            default -> throw unknownTargetOption(name, o);
                        }
                    }
                    return name.equals("MASQUERADE") ? new Target.Masquerade(ports, random, fully) : new Target.Redirect(ports, random);
                }
                case "NOTRACK" -> {
                    if (!opts.isEmpty()) {
                        throw error(toks.get(0), "NOTRACK takes no options");
                    }
                    return new Target.Notrack("NOTRACK");
                }
                case "CT" -> {
                    if (opts.size() == 1 && opts.get(0).name().equals("notrack")) {
                        return new Target.Notrack("CT");
                    }
                    for (Opt o : opts) {
                        if (!List.of("helper", "zone", "zone-orig", "zone-reply", "timeout", "ctevents", "expevents").contains(o.name())) {
                            throw unknownTargetOption(name, o);
                        }
                    }
                    // xt_CT attaches a conntrack template: a helper (for related connections), a zone, a timeout
                    // policy, event masks; the packet goes on, and the flow's own tracking is unchanged
                    return new Target.Continue(name, join(toks));
                }
                default -> {
                    if (CONTINUE_TARGETS.contains(name)) {
                        return new Target.Continue(name, join(toks));
                    }
                    return new Target.Unknown(name, text("-j", name, toks), "'" + name + "' is neither a declared chain nor a modelled target");
                }
            }
        } catch (NotModelled e) {
            return new Target.Unknown(name, text("-j", name, toks), e.getMessage());
        }
    }

    private static NotModelled unknownTargetOption(String target, Opt o) {
        return new NotModelled("option --" + o.name() + " of -j " + target + " is not modelled");
    }

    /** MARK forms normalised to (value, mask) as libxt_MARK.c does. */
    private long[] markTarget(List<Opt> opts, String name) {
        if (opts.size() != 1) {
            throw new NotModelled(name + " expects exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark");
        }
        Opt o = opts.get(0);
        String arg = one(o, "VALUE[/MASK]");
        long[] vm = valueMask(arg);
        return switch (o.name()) {
            case "set-xmark" -> vm;
            case "set-mark" -> new long[] {vm[0], vm[0] | vm[1]};
            case "and-mark" -> new long[] {0, ~vm[0] & 0xffffffffL};
            case "or-mark" -> new long[] {vm[0], vm[0]};
            case "xor-mark" -> new long[] {vm[0], 0};
            default -> throw unknownTargetOption(name, o);
        };
    }

    private Target connmarkTarget(List<Opt> opts) {
        Target.ConnmarkMode mode = null;
        long value = 0, ctmask = 0xffffffffL, nfmask = 0xffffffffL;
        for (Opt o : opts) {
            switch (o.name()) {
                case "set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark" -> {
                    long[] vm = markTarget(List.of(o), "CONNMARK");
                    mode = Target.ConnmarkMode.SET;
                    value = vm[0];
                    ctmask = vm[1];
                }
                case "save-mark" -> mode = Target.ConnmarkMode.SAVE;
                case "restore-mark" -> mode = Target.ConnmarkMode.RESTORE;
                case "nfmask" -> nfmask = u32(one(o, "a mask"));
                case "ctmask" -> ctmask = u32(one(o, "a mask"));
                case "mask" -> {
                    nfmask = u32(one(o, "a mask"));
                    ctmask = nfmask;
                }
                default -> throw unknownTargetOption("CONNMARK", o);
            }
        }
        if (mode == null) {
            throw error("CONNMARK", "CONNMARK needs --set-xmark, --save-mark or --restore-mark");
        }
        return new Target.Connmark(mode, value, ctmask, nfmask);
    }

    /** {@code ADDR[-ADDR][:PORT[-PORT]]} ({@code [V6]:PORT}); {@code withAddress=false}: {@code PORT[-PORT]}. */
    private NatRange natRange(String s, boolean withAddress) {
        String addr = s, ports = null;
        if (!withAddress) {
            addr = null;
            ports = s;
        } else if (s.startsWith("[") || (ipv6 && s.contains("]"))) {
            int close = s.lastIndexOf(']');
            if (close < 0) {
                throw error(s, "missing ']' in an IPv6 NAT range");
            }
            addr = s.substring(0, close + 1).replace("[", "").replace("]", "");
            if (close + 1 < s.length()) {
                if (s.charAt(close + 1) != ':') {
                    throw error(s, "expected ':PORT' after ']'");
                }
                ports = s.substring(close + 2);
            }
        } else if (!ipv6) {
            int colon = s.indexOf(':');
            if (colon >= 0) {
                addr = s.substring(0, colon);
                ports = s.substring(colon + 1);
            }
        }
        Ip lo = null, hi = null;
        if (addr != null && !addr.isEmpty()) {
            Ip[] r = ipRange(addr);
            lo = r[0];
            hi = r[1];
            if (lo.compareTo(hi) > 0) {
                throw error(s, "address range with first address after the last");
            }
        }
        int plo = 0, phi = 0;
        if (ports != null) {
            int dash = ports.indexOf('-');
            plo = port(dash < 0 ? ports : ports.substring(0, dash));
            phi = dash < 0 ? plo : port(ports.substring(dash + 1));
            if (plo > phi) {
                throw error(s, "port range with first port after the last");
            }
        }
        return new NatRange(lo, hi, plo, phi);
    }
}
