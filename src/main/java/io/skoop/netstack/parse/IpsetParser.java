package io.skoop.netstack.parse;

import io.skoop.model.Prefix;
import io.skoop.netstack.ipset.CreateOptions;
import io.skoop.netstack.ipset.Element;
import io.skoop.netstack.ipset.IpSet;
import io.skoop.netstack.ipset.IpSetEntry;
import io.skoop.netstack.ipset.IpSets;
import io.skoop.netstack.ipset.SetType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads ipset.txt, the output of {@code ipset save} (ipset(8); the restore format): a
 * {@code create NAME TYPE [options]} line per set followed by its {@code add NAME ENTRY [options]}
 * lines. Every set type of ipset 7 is understood ({@link SetType}); a type that is not is kept
 * as {@link SetType#UNKNOWN} with its entries as text.
 *
 * <p>Entry components by dimension: IP {@code 10.0.0.1} (masked to the set's netmask), NET
 * {@code 10.0.0.0/8} or a host, PORT {@code [proto:]port[-port]} or {@code icmp:TYPE},
 * MARK {@code 0x4000}, IFACE {@code name} or {@code physdev:name}, MAC six hex octets, SET a set
 * name. Entry options: {@code nomatch}, {@code timeout N}, {@code packets N}, {@code bytes N},
 * {@code comment "text"}, {@code skbmark M[/MASK]}, {@code skbprio X:Y}, {@code skbqueue N};
 * others are kept as unknown text.
 */
public final class IpsetParser {
    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");

    private IpsetParser() {
    }

    /** Parses the file at {@code path} (its file name is used in errors). */
    public static IpSets parse(Path path) {
        return parse(path.getFileName().toString(), JsonDump.read(path));
    }

    private static final class Builder {
        final String name;
        final SetType type;
        final String typeName;
        final CreateOptions options;
        final int line;
        final List<IpSetEntry> entries = new ArrayList<>();

        Builder(String name, SetType type, String typeName, CreateOptions options, int line) {
            this.name = name;
            this.type = type;
            this.typeName = typeName;
            this.options = options;
            this.line = line;
        }
    }

    /**
     * Parses {@code ipset save} text.
     *
     * @param file name used in error messages
     * @throws ParseException naming line and token for a line that is not create/add, an add to a
     *                        set not created above, an entry whose components do not fit the
     *                        type (wrong count, bad address or family, bad port, MAC, mark), or
     *                        an option missing its argument
     */
    public static IpSets parse(String file, String text) {
        Map<String, Builder> sets = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int ln = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> t = tokens(file, ln, line);
            String cmd = t.get(0);
            if (t.size() < 3) {
                throw new ParseException(file, ln, line, "expected 'create NAME TYPE [options]' or 'add NAME ENTRY [options]'");
            }
            String name = t.get(1);
            if (cmd.equals("create") || cmd.equals("-N") || cmd.equals("n")) {
                if (sets.containsKey(name)) {
                    throw new ParseException(file, ln, name, "set created twice");
                }
                String typeName = t.get(2);
                sets.put(name, new Builder(name, SetType.of(typeName), typeName, createOptions(file, ln, t.subList(3, t.size())), ln));
            } else if (cmd.equals("add") || cmd.equals("-A") || cmd.equals("a")) {
                Builder b = sets.get(name);
                if (b == null) {
                    throw new ParseException(file, ln, name, "add to a set not created above");
                }
                try {
                    b.entries.add(entry(file, ln, b, t.get(2), t.subList(3, t.size())));
                } catch (ParseException e) {
                    throw e;
                } catch (IllegalArgumentException e) {
                    // a number or prefix the model refuses (a count beyond 64 bits, /-1): this line's value is wrong
                    throw new ParseException(file, ln, t.get(2), "a value out of range: " + e.getMessage());
                }
            } else {
                throw new ParseException(file, ln, cmd, "expected 'create' or 'add'");
            }
        }
        List<IpSet> out = new ArrayList<>();
        for (Builder b : sets.values()) {
            out.add(new IpSet(b.name, b.type, b.typeName, b.options, b.entries, b.line));
        }
        return new IpSets(out);
    }

    /** Splits at blanks; a double-quoted token (a comment) may contain blanks and keeps no quotes. */
    private static List<String> tokens(String file, int ln, String line) {
        List<String> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int end = line.indexOf('"', i + 1);
                if (end < 0) {
                    throw new ParseException(file, ln, line.substring(i), "unterminated quoted string");
                }
                out.add(line.substring(i + 1, end));
                i = end + 1;
            } else {
                int j = i;
                while (j < n && !Character.isWhitespace(line.charAt(j))) {
                    j++;
                }
                out.add(line.substring(i, j));
                i = j;
            }
        }
        return out;
    }

    private static CreateOptions createOptions(String file, int ln, List<String> t) {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (int k = 0; k < t.size(); k++) {
            String o = t.get(k);
            if (o.equals("-4") || o.equals("-6")) {
                m.put("family", o.equals("-6") ? "inet6" : "inet");
            } else if (CreateOptions.WITH_ARG.contains(o)) {
                if (k + 1 >= t.size()) {
                    throw new ParseException(file, ln, o, "create option needs an argument");
                }
                String v = t.get(++k);
                if (!o.equals("family") && !o.equals("range") && !o.equals("bitmask") && !v.matches("(0x[0-9a-fA-F]+|\\d+)")) {
                    throw new ParseException(file, ln, v, "expected a number after '" + o + "'");
                }
                if (o.equals("family") && !v.equals("inet") && !v.equals("inet6")) {
                    throw new ParseException(file, ln, v, "expected family inet or inet6");
                }
                m.put(o, v);
            } else if (CreateOptions.FLAGS.contains(o)) {
                m.put(o, "");
            } else {
                unknown.add(o);
            }
        }
        return new CreateOptions(m, unknown);
    }

    private static IpSetEntry entry(String file, int ln, Builder set, String text, List<String> opts) {
        List<Element> els = new ArrayList<>();
        if (set.type == SetType.UNKNOWN) {
            els.add(new Element.Unknown(text));
        } else if (set.type == SetType.LIST_SET) {
            els.add(new Element.SetName(text));
        } else {
            String[] parts = text.split(",", -1);
            List<SetType.Dim> dims = set.type.dims();
            boolean optionalMac = set.type == SetType.BITMAP_IP_MAC && parts.length == 1;
            if (parts.length != dims.size() && !optionalMac) {
                throw new ParseException(file, ln, text, "expected " + dims.size() + " comma-separated components for " + set.typeName);
            }
            for (int d = 0; d < parts.length; d++) {
                els.add(component(file, ln, set, dims.get(d), parts[d]));
            }
        }
        boolean nomatch = false;
        Long timeout = null, packets = null, bytes = null;
        String comment = null;
        List<String> skb = new ArrayList<>(), unknown = new ArrayList<>();
        for (int k = 0; k < opts.size(); k++) {
            String o = opts.get(k);
            switch (o) {
                case "nomatch" -> nomatch = true;
                case "timeout" -> timeout = number(file, ln, opts, ++k, o);
                case "packets" -> packets = number(file, ln, opts, ++k, o);
                case "bytes" -> bytes = number(file, ln, opts, ++k, o);
                case "comment" -> comment = arg(file, ln, opts, ++k, o);
                case "skbmark", "skbprio", "skbqueue" -> skb.add(o + " " + arg(file, ln, opts, ++k, o));
                default -> unknown.add(o);
            }
        }
        return new IpSetEntry(els, nomatch, timeout, packets, bytes, comment, skb, unknown, ln);
    }

    private static String arg(String file, int ln, List<String> t, int k, String opt) {
        if (k >= t.size()) {
            throw new ParseException(file, ln, opt, "entry option needs an argument");
        }
        return t.get(k);
    }

    private static Long number(String file, int ln, List<String> t, int k, String opt) {
        String v = arg(file, ln, t, k, opt);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ParseException(file, ln, v, "expected a number after '" + opt + "'");
        }
    }

    private static Element component(String file, int ln, Builder set, SetType.Dim dim, String s) {
        return switch (dim) {
            case IP, NET -> address(file, ln, set, dim, s);
            case PORT -> port(file, ln, set, s);
            case MARK -> {
                try {
                    yield new Element.Mark(Long.decode(s) & 0xffffffffL);
                } catch (NumberFormatException e) {
                    throw new ParseException(file, ln, s, "expected a mark like 0x4000");
                }
            }
            case IFACE -> s.startsWith("physdev:") ? new Element.Iface(s.substring(8), true) : new Element.Iface(s, false);
            case MAC -> {
                if (!MAC.matcher(s).matches()) {
                    throw new ParseException(file, ln, s, "expected a MAC address like 02:00:00:00:00:01");
                }
                yield new Element.Mac(s.toLowerCase(Locale.ROOT));
            }
            case SET -> new Element.SetName(s);
        };
    }

    private static Element address(String file, int ln, Builder set, SetType.Dim dim, String s) {
        Prefix p;
        try {
            p = Prefix.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ParseException(file, ln, s, "expected an IP address" + (dim == SetType.Dim.NET ? " or CIDR network" : ""));
        }
        if (dim == SetType.Dim.IP && !p.isHost()) {
            throw new ParseException(file, ln, s, "expected a single address in an IP component of " + set.typeName);
        }
        boolean v6 = "inet6".equals(set.options.family());
        if (p.isV6() != v6) {
            throw new ParseException(file, ln, s, "address family does not match the set's family " + (v6 ? "inet6" : "inet"));
        }
        Integer netmask = set.options.netmask();
        if (dim == SetType.Dim.IP && netmask != null && netmask < p.address().bitLength()) {
            p = new Prefix(p.address(), netmask);
        }
        return new Element.Addr(p);
    }

    private static Element port(String file, int ln, Builder set, String s) {
        String proto = set.type == SetType.BITMAP_PORT ? null : "tcp";
        String rest = s;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            proto = s.substring(0, colon).toLowerCase(Locale.ROOT);
            rest = s.substring(colon + 1);
            if (set.type == SetType.BITMAP_PORT) {
                proto = null; // bitmap:port stores the port only
            }
        }
        if (proto != null && (proto.equals("icmp") || proto.equals("icmpv6") || proto.equals("ipv6-icmp"))) {
            return new Element.Port(proto, 0, 0, rest);
        }
        var m = PORT_RANGE.matcher(rest);
        if (!m.matches()) {
            throw new ParseException(file, ln, s, "expected [PROTO:]PORT or PORT-PORT");
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        if (from > 65535 || to > 65535 || to < from) {
            throw new ParseException(file, ln, s, "expected ports 0..65535 with FROM <= TO");
        }
        return new Element.Port(proto, from, to, null);
    }
}
