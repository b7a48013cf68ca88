package io.skoop.netstack.parse;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import io.skoop.netstack.socket.ListeningSocket;
import io.skoop.netstack.socket.SocketProcess;
import io.skoop.netstack.socket.Sockets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads sockets.txt, the output of {@code ss -H -t -u -l -n -p -e} (ss(8), iproute2 misc/ss.c).
 *
 * <p>Columns, separated by blanks: {@code Netid State Recv-Q Send-Q Local-Address:Port
 * Peer-Address:Port}, then optionally {@code users:(("name",pid=N,fd=M),...)} (with -p, when
 * permitted) and the extended fields of -e ({@code uid:N ino:N sk:X cgroup:... v6only:0|1 <->}).
 * A header line ({@code Netid State ...}, when -H was not given) is skipped. Without the Netid
 * column (ss given only -t or only -u) the protocol is taken from the state: LISTEN = tcp,
 * UNCONN = udp.
 *
 * <p>Local address forms: {@code 10.0.0.1}, {@code 0.0.0.0}, {@code [fd00::1]}, {@code [::]},
 * {@code [::ffff:10.0.0.1]}, {@code *} (IPv6 wildcard without v6only, i.e. dual-stack), an
 * unbracketed IPv6 address of older ss ({@code :::22}), each optionally followed by
 * {@code %dev} (SO_BINDTODEVICE).
 *
 * <p>Limitation: ss prints {@code v6only} only with -e and only in recent iproute2 (&ge; 4.x);
 * without it an IPv6 wildcard printed as {@code [::]} has an unknown v6only flag (see
 * {@link Sockets#bindV6OnlyDefault()}). Very old ss printed {@code *} also for the IPv4
 * wildcard; skoop reads {@code *} as dual-stack, which accepts the same packets.
 */
public final class SocketParser {
    private static final Pattern USERS = Pattern.compile("users:\\((.*?)\\)(?=\\s|$)");
    private static final Pattern PROC = Pattern.compile("\\(\"((?:[^\"\\\\]|\\\\.)*)\",pid=(\\d+),fd=(\\d+)\\)");
    private static final Pattern INO = Pattern.compile("(?:^|\\s)ino:(\\d+)");
    private static final Pattern V6ONLY = Pattern.compile("(?:^|\\s)v6only:([01])");

    private SocketParser() {
    }

    /** Parses the file at {@code path} (its file name is used in errors). */
    public static Sockets parse(Path path) {
        return parse(path.getFileName().toString(), JsonDump.read(path));
    }

    /**
     * Parses ss output; only TCP and UDP lines are accepted.
     *
     * @param file name used in error messages
     * @throws ParseException naming the line and token for a line with too few columns, an
     *                        unknown Netid, an address or port that does not parse
     */
    public static Sockets parse(String file, String text) {
        List<ListeningSocket> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("Netid ") || line.startsWith("State ")) {
                continue;
            }
            try {
                out.add(parseLine(file, i + 1, line));
            } catch (ParseException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                // a number the model refuses (an inode or uid beyond its range): this line's value is wrong
                throw new ParseException(file, i + 1, line, "a value out of range: " + e.getMessage());
            }
        }
        return Sockets.of(out);
    }

    private static ListeningSocket parseLine(String file, int ln, String line) {
        String[] t = line.split("\\s+");
        int c = 0;
        Protocol proto;
        String first = t[0].toLowerCase(Locale.ROOT);
        if (first.equals("tcp") || first.equals("udp")) {
            proto = Protocol.parse(first);
            c = 1;
        } else if (first.equals("listen")) {
            proto = Protocol.TCP;
        } else if (first.equals("unconn")) {
            proto = Protocol.UDP;
        } else {
            throw new ParseException(file, ln, t[0], "expected Netid tcp or udp (or state LISTEN/UNCONN) at the start of an ss line");
        }
        if (t.length < c + 5) {
            throw new ParseException(file, ln, line, "expected columns State Recv-Q Send-Q Local:Port Peer:Port");
        }
        String state = t[c];
        if (!state.equals("LISTEN") && !state.equals("UNCONN")) {
            throw new ParseException(file, ln, state, "expected state LISTEN or UNCONN (ss -l)");
        }
        String local = t[c + 3];
        int colon = local.lastIndexOf(':');
        if (colon <= 0) {
            throw new ParseException(file, ln, local, "expected ADDRESS:PORT in the local address column");
        }
        int port;
        try {
            port = Integer.parseInt(local.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new ParseException(file, ln, local, "expected a numeric port 0..65535 (ss -n) after the last ':'");
        }
        String host = local.substring(0, colon);
        String dev = null;
        int pct = host.indexOf('%');
        if (pct >= 0) {
            dev = host.substring(pct + 1);
            host = host.substring(0, pct);
        }
        int pos = 0;
        for (int k = 0; k <= c + 4; k++) {
            pos = line.indexOf(t[k], pos) + t[k].length();
        }
        String rest = line.substring(pos);
        Matcher v6m = V6ONLY.matcher(rest);
        Boolean v6only = v6m.find() ? v6m.group(1).equals("1") : null;
        Ip addr;
        if (host.equals("*")) {
            addr = Ip.V6_ANY;
            if (v6only == null) {
                v6only = false;
            }
        } else {
            try {
                addr = Ip.parse(host);
            } catch (IllegalArgumentException e) {
                throw new ParseException(file, ln, host, "expected an IPv4 address, [IPv6 address] or * as local address");
            }
        }
        if (addr.isV4()) {
            v6only = null;
        }
        List<SocketProcess> procs = new ArrayList<>();
        Matcher um = USERS.matcher(rest);
        if (um.find()) {
            Matcher pm = PROC.matcher(um.group(1));
            while (pm.find()) {
                procs.add(new SocketProcess(pm.group(1).replace("\\\"", "\""), Integer.parseInt(pm.group(2)), Integer.parseInt(pm.group(3))));
            }
        }
        Matcher im = INO.matcher(rest);
        Long ino = im.find() ? Long.valueOf(im.group(1)) : null;
        return new ListeningSocket(proto, state, addr, port, dev, v6only, procs, ino, line);
    }
}
