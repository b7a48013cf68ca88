package io.skoop.netstack.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.skoop.netstack.neigh.Fdb;
import io.skoop.netstack.neigh.FdbEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads fdb.json, the output of {@code bridge -j fdb show} (iproute2 bridge/fdb.c
 * {@code print_fdb}): {@code mac} and {@code ifname} (required), {@code master}, {@code dst},
 * {@code vlan}, {@code port}, {@code vni}, {@code viaIf} (or {@code via}), {@code flags} (array) and {@code state}.
 */
public final class FdbParser {
    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    private FdbParser() {
    }

    /** Parses the file at {@code path} (its file name is used in errors). */
    public static Fdb parse(Path path) {
        return parse(path.getFileName().toString(), JsonDump.read(path));
    }

    /**
     * Parses {@code text}, a {@code bridge -j fdb show} array.
     *
     * @param file name used in error messages
     * @throws ParseException naming the entry and key for malformed JSON, a MAC that is not
     *                        six hex octets, a {@code dst} that is not an address, or non-array flags
     */
    public static Fdb parse(String file, String text) {
        JsonDump d = new JsonDump(file);
        List<JsonNode> entries = d.entries(text);
        List<FdbEntry> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode o = entries.get(i);
            String mac = d.string(o, i, "mac");
            if (!MAC.matcher(mac).matches()) {
                throw d.error(i, "mac", o.get("mac"), "a MAC address like 02:00:00:00:00:01");
            }
            List<String> flags = new ArrayList<>();
            JsonNode f = o.get("flags");
            if (f != null) {
                if (!f.isArray()) {
                    throw d.error(i, "flags", f, "an array");
                }
                f.forEach(x -> flags.add(x.asText()));
            }
            out.add(new FdbEntry(mac, d.string(o, i, "ifname"), d.text(o, i, "master", false), d.ip(o, i, "dst", false),
                    d.integer(o, i, "vlan"), d.integer(o, i, "port"), d.integer(o, i, "vni"),
                    d.text(o, i, o.has("viaIf") ? "viaIf" : "via", false), flags, d.text(o, i, "state", false)));
        }
        return new Fdb(out);
    }
}
