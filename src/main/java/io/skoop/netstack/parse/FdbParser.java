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
        return parse(path.getFileName().toString(), DumpJson.read(path));
    }

    /**
     * Parses {@code text}, a {@code bridge -j fdb show} array.
     *
     * @param file name used in error messages
     * @throws ParseException naming the element and field for malformed JSON, a MAC that is not
     *                        six hex octets, a {@code dst} that is not an address, or non-array flags
     */
    public static Fdb parse(String file, String text) {
        JsonNode arr = DumpJson.array(file, text);
        List<FdbEntry> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode o = DumpJson.object(file, arr, i);
            String mac = DumpJson.text(file, o, i, "mac");
            if (!MAC.matcher(mac).matches()) {
                throw new ParseException(file, 0, mac, "element " + i + ": expected a MAC address like 02:00:00:00:00:01 in field 'mac'");
            }
            List<String> flags = new ArrayList<>();
            JsonNode f = o.get("flags");
            if (f != null) {
                if (!f.isArray()) {
                    throw new ParseException(file, 0, f.toString(), "element " + i + ": expected 'flags' to be an array");
                }
                f.forEach(x -> flags.add(x.asText()));
            }
            String dst = DumpJson.optText(file, o, i, "dst");
            out.add(new FdbEntry(mac, DumpJson.text(file, o, i, "ifname"), DumpJson.optText(file, o, i, "master"),
                    dst == null ? null : DumpJson.ip(file, i, "dst", dst),
                    DumpJson.optInt(file, o, i, "vlan"), DumpJson.optInt(file, o, i, "port"),
                    DumpJson.optInt(file, o, i, "vni"), o.has("viaIf") ? DumpJson.optText(file, o, i, "viaIf") : DumpJson.optText(file, o, i, "via"),
                    flags, DumpJson.optText(file, o, i, "state")));
        }
        return new Fdb(out);
    }
}
