package io.skoop.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code iptables-legacy-save -c} prints after {@code iptables-restore} inputs were loaded into a fresh network
 * namespace: for a synthetic snapshot, the {@code iptables.txt} a node would have without running the kernel. Covers
 * the vocabulary of the lab's renderers ({@link io.skoop.lab.kubeproxy.KubeProxyIptables},
 * {@link io.skoop.lab.flannel.Flannel#iptablesRestoreText}); {@code IptablesSaveKernelSpec} holds it to the kernel's
 * own output.
 *
 * <p>How iptables-save differs from the restore input: {@code -s}/{@code -d}/{@code -i}/{@code -o}/{@code -p} come
 * before the modules, host addresses get {@code /32}, comments are always quoted, marks lose their zero padding,
 * {@code --or-mark}/{@code --xor-mark} become {@code --set-xmark}, a statistic probability is the 32-bit fraction the
 * kernel keeps ({@code %.11f}), a bare REJECT names its default {@code icmp-port-unreachable}, every rule carries
 * its counters ({@code [0:0]}), user chains are sorted by name and the rules follow chain by chain (built-in chains
 * first, in hook order). The legacy backend lists tables most recently created first ({@code /proc/net/ip_tables_names}).
 */
final class IptablesSave {
    private static final List<String> BUILTINS = List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private IptablesSave() {
    }

    /** A chain: its policy ({@code ACCEPT} for a built-in one, null for a user chain) and its rules as saved. */
    static final class Chain {
        final String name;
        final String policy;
        final List<String> rules;
        private byte[] declaration;
        private byte[] block;

        Chain(String name, String policy, List<String> rules) {
            this.name = name;
            this.policy = policy;
            this.rules = List.copyOf(rules);
        }

        Chain plus(Chain more) {
            List<String> all = new ArrayList<>(rules);
            all.addAll(more.rules);
            return new Chain(name, policy, all);
        }

        byte[] declaration() {
            if (declaration == null) {
                declaration = (":" + name + " " + (policy == null ? "-" : policy) + " [0:0]\n").getBytes(StandardCharsets.UTF_8);
            }
            return declaration;
        }

        byte[] block() {
            if (block == null) {
                StringBuilder sb = new StringBuilder(rules.size() * 100);
                rules.forEach(r -> sb.append("[0:0] ").append(r).append('\n'));
                block = sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            return block;
        }
    }

    /** A table: built-in chains in hook order, user chains by name. */
    record Table(String name, Map<String, Chain> builtins, TreeMap<String, Chain> chains) {
        Table plus(Table more) {
            Map<String, Chain> b = new LinkedHashMap<>(builtins);
            more.builtins.forEach((n, c) -> b.merge(n, c, Chain::plus));
            TreeMap<String, Chain> u = new TreeMap<>(chains);
            more.chains.forEach((n, c) -> u.merge(n, c, Chain::plus));
            return new Table(name, sortBuiltins(b), u);
        }

        Chain chain(String chain) {
            Chain c = builtins.get(chain);
            return c != null ? c : chains.get(chain);
        }
    }

    /** Tables in the order iptables-legacy-save prints them. */
    record Ruleset(List<Table> tables) {
        /**
         * This ruleset with {@code noflush} loaded on top ({@code iptables-restore --noflush}): its chains are created
         * when new, its rules appended. Tables it creates come first (the kernel lists the newest table first).
         */
        Ruleset plus(Ruleset noflush) {
            Map<String, Table> byName = new LinkedHashMap<>();
            tables.forEach(t -> byName.put(t.name(), t));
            List<Table> fresh = new ArrayList<>();
            for (Table t : noflush.tables()) {
                Table old = byName.get(t.name());
                if (old == null) {
                    fresh.add(0, t);
                } else {
                    byName.put(t.name(), old.plus(t));
                }
            }
            fresh.addAll(byName.values());
            return new Ruleset(fresh);
        }

        Table table(String name) {
            return tables.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        }

        /** Writes the {@code iptables-save -c} text, with {@code at} in the {@code # Generated}/{@code # Completed} lines. */
        void write(OutputStream out, Instant at) {
            byte[] generated = ("# Generated by iptables-save v1.8.9 on " + CTIME.format(at) + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] completed = ("COMMIT\n# Completed on " + CTIME.format(at) + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                for (Table t : tables) {
                    out.write(generated);
                    out.write(("*" + t.name() + "\n").getBytes(StandardCharsets.UTF_8));
                    for (Chain c : t.builtins().values()) {
                        out.write(c.declaration());
                    }
                    for (Chain c : t.chains().values()) {
                        out.write(c.declaration());
                    }
                    for (Chain c : t.builtins().values()) {
                        out.write(c.block());
                    }
                    for (Chain c : t.chains().values()) {
                        out.write(c.block());
                    }
                    out.write(completed);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** {@link #write} into a string. */
        String text(Instant at) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            write(b, at);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * What the kernel holds after {@code iptables-restore} of {@code restoreText} into a fresh namespace (tables
     * created in the order the text names them).
     *
     * @throws IllegalArgumentException for a line or option outside the covered vocabulary
     */
    static Ruleset restore(String restoreText) {
        List<Table> tables = new ArrayList<>();
        String table = null;
        Map<String, String> builtins = new LinkedHashMap<>();
        Map<String, List<String>> rules = new LinkedHashMap<>();
        for (String line : restoreText.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                table = line.substring(1).strip();
                builtins = new LinkedHashMap<>();
                rules = new LinkedHashMap<>();
            } else if (line.startsWith(":")) {
                String[] f = line.substring(1).split(" ");
                if (BUILTINS.contains(f[0])) {
                    builtins.put(f[0], f[1]);
                }
                rules.computeIfAbsent(f[0], k -> new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                List<String> tokens = tokens(line);
                if (BUILTINS.contains(tokens.get(1)) && !rules.containsKey(tokens.get(1))) {
                    builtins.put(tokens.get(1), "ACCEPT"); // --noflush input appends to built-in chains it does not declare
                    rules.put(tokens.get(1), new ArrayList<>());
                }
                List<String> chain = rules.get(tokens.get(1));
                if (chain == null) {
                    throw new IllegalArgumentException("rule for an undeclared chain: " + line);
                }
                chain.add(rule(tokens));
            } else if (line.equals("COMMIT")) {
                Map<String, Chain> b = new LinkedHashMap<>();
                TreeMap<String, Chain> u = new TreeMap<>();
                for (Map.Entry<String, List<String>> e : rules.entrySet()) {
                    String policy = builtins.get(e.getKey());
                    (policy != null ? b : u).put(e.getKey(), new Chain(e.getKey(), policy, e.getValue()));
                }
                tables.add(0, new Table(table, sortBuiltins(b), u));
            } else {
                throw new IllegalArgumentException("not an iptables-restore line: " + line);
            }
        }
        return new Ruleset(tables);
    }

    private static Map<String, Chain> sortBuiltins(Map<String, Chain> b) {
        Map<String, Chain> out = new LinkedHashMap<>();
        BUILTINS.stream().filter(b::containsKey).forEach(n -> out.put(n, b.get(n)));
        return out;
    }

    /** One {@code -A} line of restore input as iptables-save prints it back (without the counters). */
    static String rule(List<String> tokens) {
        String src = "";
        String dst = "";
        String in = "";
        String out = "";
        String proto = "";
        List<StringBuilder> matches = new ArrayList<>();
        StringBuilder target = null;
        String targetName = null;
        boolean neg = false;
        for (int i = 2; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String not = neg ? "! " : "";
            if (t.equals("!")) {
                neg = true;
                continue;
            }
            neg = false;
            if (target != null) {
                i = targetOption(targetName, tokens, i, target);
                continue;
            }
            switch (t) {
                case "-s", "--source" -> src = " " + not + "-s " + host(tokens.get(++i));
                case "-d", "--destination" -> dst = " " + not + "-d " + host(tokens.get(++i));
                case "-i", "--in-interface" -> in = " " + not + "-i " + tokens.get(++i);
                case "-o", "--out-interface" -> out = " " + not + "-o " + tokens.get(++i);
                case "-p", "--protocol" -> proto = " " + not + "-p " + tokens.get(++i);
                case "-m", "--match" -> matches.add(new StringBuilder(" -m ").append(tokens.get(++i)));
                case "-j", "--jump" -> {
                    targetName = tokens.get(++i);
                    target = new StringBuilder(" -j ").append(targetName);
                }
                default -> {
                    if (!t.startsWith("--") || matches.isEmpty()) {
                        throw new IllegalArgumentException("option outside a match: " + t + " in " + String.join(" ", tokens));
                    }
                    StringBuilder m = matches.get(matches.size() - 1);
                    String value = tokens.get(++i);
                    m.append(' ').append(not).append(t).append(' ').append(matchValue(t, value));
                }
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("rule without a target: " + String.join(" ", tokens));
        }
        if (targetName.equals("REJECT") && target.indexOf("--reject-with") < 0) {
            target.append(" --reject-with icmp-port-unreachable");
        }
        StringBuilder sb = new StringBuilder("-A ").append(tokens.get(1)).append(src).append(dst).append(in).append(out).append(proto);
        matches.forEach(sb::append);
        return sb.append(target).toString();
    }

    private static String matchValue(String option, String value) {
        return switch (option) {
            case "--comment" -> '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            case "--mark" -> markMask(value);
            case "--probability" -> String.format(Locale.ROOT, "%.11f", Math.round(Double.parseDouble(value) * 0x80000000L) / (double) 0x80000000L);
            default -> value;
        };
    }

    private static int targetOption(String target, List<String> tokens, int i, StringBuilder out) {
        String t = tokens.get(i);
        if (target.equals("MARK")) {
            long v = hex(tokens.get(i + 1));
            switch (t) {
                case "--or-mark" -> out.append(" --set-xmark 0x").append(Long.toHexString(v)).append("/0x").append(Long.toHexString(v));
                case "--xor-mark" -> out.append(" --set-xmark 0x").append(Long.toHexString(v)).append("/0x0");
                case "--set-xmark" -> out.append(" --set-xmark ").append(markMask(tokens.get(i + 1)));
                default -> throw new IllegalArgumentException("MARK option not covered: " + t);
            }
            return i + 1;
        }
        if (t.equals("--random-fully") || t.equals("--random")) {
            out.append(' ').append(t);
            return i;
        }
        out.append(' ').append(t).append(' ').append(tokens.get(i + 1));
        return i + 1;
    }

    /** {@code 0x00004000/0x00004000} → {@code 0x4000/0x4000}. */
    private static String markMask(String value) {
        String[] f = value.split("/");
        String v = "0x" + Long.toHexString(hex(f[0]));
        return f.length == 1 ? v : v + "/0x" + Long.toHexString(hex(f[1]));
    }

    private static long hex(String s) {
        return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
    }

    private static String host(String address) {
        return address.contains("/") ? address : address + "/32";
    }

    /** Splits a restore line on blanks, keeping double-quoted text (without its quotes) as one token. */
    static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ') {
                i++;
            } else if (c == '"') {
                int end = line.indexOf('"', i + 1);
                out.add(line.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = line.indexOf(' ', i);
                end = end < 0 ? n : end;
                out.add(line.substring(i, end));
                i = end;
            }
        }
        return out;
    }
}
