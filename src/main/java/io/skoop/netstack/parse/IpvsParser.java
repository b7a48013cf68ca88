package io.skoop.netstack.parse;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import io.skoop.netstack.ipvs.ForwardMethod;
import io.skoop.netstack.ipvs.IpvsTable;
import io.skoop.netstack.ipvs.RealServer;
import io.skoop.netstack.ipvs.VirtualService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ipvs.txt, the output of {@code ipvsadm -Sn} (ipvsadm(8); ipvsadm.c
 * {@code print_service_entry} with FMT_RULE): one {@code -A} line per virtual service, then one
 * {@code -a} line per real server of it, e.g.
 * <pre>
 * -A -t 10.96.0.1:443 -s rr
 * -a -t 10.96.0.1:443 -r 172.18.0.2:6443 -m -w 1
 * -A -u 10.96.0.10:53 -s rr -p 10800
 * -A -f 100 -s wrr
 * </pre>
 * Options this skoop does not know are kept as text on the service or real server. Without {@code -n}, ipvsadm prints
 * ports by their /etc/services name ({@code -A -t 10.96.0.10:domain -s rr}): the names Kubernetes nodes commonly show
 * are read ({@link PortNames}); another name, or an address printed as a host name, fails naming the fix (collect with
 * {@code ipvsadm -Sn}).
 */
public final class IpvsParser {
    private IpvsParser() {
    }

    /** Parses the file at {@code path} (its file name is used in errors). */
    public static IpvsTable parse(Path path) {
        return parse(path.getFileName().toString(), JsonDump.read(path));
    }

    private record Key(Protocol proto, Ip addr, int port, Long fwmark, boolean v6, String text) {
    }

    private static final class Builder {
        final List<String> rest = new ArrayList<>();
        Key key;
        String sched = "wlc";
        Integer persistence;
        String netmask;
        List<String> flags = List.of();
        final List<RealServer> reals = new ArrayList<>();
    }

    /**
     * Parses {@code ipvsadm -Sn} text.
     *
     * @param file name used in error messages
     * @throws ParseException naming line and token for a line that is neither -A nor -a, a
     *                        service address or real server that does not parse, a real server
     *                        of a service not defined above it, or a missing option argument
     */
    public static IpvsTable parse(String file, String text) {
        Map<String, Builder> services = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int ln = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] t = line.split("\\s+");
            String cmd = t[0];
            if (!cmd.equals("-A") && !cmd.equals("-a")) {
                throw new ParseException(file, ln, cmd, "expected -A (virtual service) or -a (real server)");
            }
            Key key = null;
            Builder b = new Builder();
            Ip real = null;
            int realPort = 0;
            ForwardMethod method = ForwardMethod.GATEWAYING; // ipvsadm's default forwarding method
            int weight = 1;
            Integer upper = null, lower = null;
            boolean v6 = false;
            List<String> unknown = new ArrayList<>();
            for (int k = 1; k < t.length; k++) {
                String o = t[k];
                switch (o) {
                    case "-t", "--tcp-service", "-u", "--udp-service", "--sctp-service" -> {
                        String v = arg(file, ln, t, ++k, o);
                        Protocol p = o.startsWith("-t") || o.equals("--tcp-service") ? Protocol.TCP
                                : o.equals("-u") || o.equals("--udp-service") ? Protocol.UDP : Protocol.SCTP;
                        Object[] hp = hostPort(file, ln, v);
                        key = new Key(p, (Ip) hp[0], (Integer) hp[1], null, ((Ip) hp[0]).isV6(), o + " " + v);
                    }
                    case "-f", "--fwmark-service" -> {
                        String v = arg(file, ln, t, ++k, o);
                        try {
                            key = new Key(null, null, 0, Long.decode(v), false, "-f " + v);
                        } catch (NumberFormatException e) {
                            throw new ParseException(file, ln, v, "expected a firewall mark number after " + o);
                        }
                    }
                    case "-6", "--ipv6" -> v6 = true;
                    case "-s", "--scheduler" -> b.sched = arg(file, ln, t, ++k, o);
                    case "-p", "--persistent" -> b.persistence = intArg(file, ln, t, ++k, o);
                    case "-M", "--netmask" -> b.netmask = arg(file, ln, t, ++k, o);
                    case "-b", "--sched-flags" -> b.flags = List.of(arg(file, ln, t, ++k, o).split(","));
                    case "-r", "--real-server" -> {
                        Object[] hp = hostPort(file, ln, arg(file, ln, t, ++k, o));
                        real = (Ip) hp[0];
                        realPort = (Integer) hp[1];
                    }
                    case "-w", "--weight" -> weight = intArg(file, ln, t, ++k, o);
                    case "-x", "--u-threshold" -> upper = intArg(file, ln, t, ++k, o);
                    case "-y", "--l-threshold" -> lower = intArg(file, ln, t, ++k, o);
                    default -> {
                        ForwardMethod m = ForwardMethod.ofSwitch(o);
                        if (m != null) {
                            method = m;
                        } else {
                            unknown.add(o);
                        }
                    }
                }
            }
            if (key == null) {
                throw new ParseException(file, ln, line, "expected a service: -t|-u|--sctp-service ADDR:PORT or -f MARK");
            }
            if (v6 && key.fwmark() != null) {
                key = new Key(null, null, 0, key.fwmark(), true, key.text() + " -6");
            } else if (key.fwmark() != null) {
                key = new Key(null, null, 0, key.fwmark(), false, key.text());
            }
            String id = key.text();
            if (cmd.equals("-A")) {
                if (services.containsKey(id)) {
                    throw new ParseException(file, ln, id, "virtual service defined twice");
                }
                b.key = key;
                b.rest.addAll(unknown);
                services.put(id, b);
            } else {
                Builder s = services.get(id);
                if (s == null) {
                    throw new ParseException(file, ln, id, "real server of a virtual service not defined by an -A line above");
                }
                if (real == null) {
                    throw new ParseException(file, ln, line, "expected -r ADDR:PORT for a real server");
                }
                s.reals.add(new RealServer(real, realPort, method, weight, upper, lower, unknown));
            }
        }
        List<VirtualService> out = new ArrayList<>();
        for (Builder b : services.values()) {
            Key k = b.key;
            out.add(new VirtualService(k.proto(), k.addr(), k.port(), k.fwmark(), k.v6(), b.sched, b.persistence, b.netmask,
                    b.flags, b.reals, b.rest));
        }
        return new IpvsTable(out);
    }

    private static String arg(String file, int ln, String[] t, int k, String opt) {
        if (k >= t.length) {
            throw new ParseException(file, ln, opt, "option needs an argument");
        }
        return t[k];
    }

    private static int intArg(String file, int ln, String[] t, int k, String opt) {
        String v = arg(file, ln, t, k, opt);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ParseException(file, ln, v, "expected a number after " + opt);
        }
    }

    /** {@code 10.0.0.1:80}, {@code [fd00::1]:80}, or a bare address (port 0). */
    private static Object[] hostPort(String file, int ln, String v) {
        String host = v;
        int port = 0;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new ParseException(file, ln, v, "missing ']' in an IPv6 address:port");
            }
            host = v.substring(1, close);
            if (close + 1 < v.length()) {
                if (v.charAt(close + 1) != ':') {
                    throw new ParseException(file, ln, v, "expected ':PORT' after ']'");
                }
                port = port(file, ln, v, v.substring(close + 2));
            }
        } else if (v.indexOf(':') >= 0) {
            host = v.substring(0, v.lastIndexOf(':'));
            port = port(file, ln, v, v.substring(v.lastIndexOf(':') + 1));
        }
        try {
            return new Object[] {Ip.parse(host), port};
        } catch (IllegalArgumentException e) {
            boolean name = !host.isEmpty() && host.chars().anyMatch(Character::isLetter) && host.chars().noneMatch(c -> c == ':')
                    && host.matches("[A-Za-z0-9._-]+");
            throw new ParseException(file, ln, v, name
                    ? "the address is a host name ('" + host + "'): ipvsadm -S without -n resolves addresses to names, which skoop"
                    + " cannot map back; collect with ipvsadm -Sn"
                    : "expected ADDRESS:PORT with a numeric address (collect with ipvsadm -Sn)");
        }
    }

    private static int port(String file, int ln, String whole, String p) {
        if (!p.isEmpty() && !Character.isDigit(p.charAt(0))) {
            return PortNames.number(p).orElseThrow(() -> new ParseException(file, ln, whole, "port name '" + p + "' is not one skoop"
                    + " knows (ipvsadm -S without -n prints /etc/services names); collect with ipvsadm -Sn"));
        }
        try {
            int n = Integer.parseInt(p);
            if (n < 0 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ParseException(file, ln, whole, "expected a port 0..65535");
        }
    }
}
