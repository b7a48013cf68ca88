package io.skoop.netstack.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.skoop.model.Ip;
import io.skoop.netstack.neigh.NeighState;
import io.skoop.netstack.neigh.Neighbour;
import io.skoop.netstack.neigh.NeighbourTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads neigh.json, the output of {@code ip -j neigh show} (also {@code ip -j neigh show nud all}
 * and {@code ip -j neigh show proxy}; iproute2 ip/ipneigh.c {@code print_neigh}).
 *
 * <p>Each element: {@code dst} (required), {@code dev}, {@code lladdr}, {@code state} (array of
 * NUD names), flag keys whose value is JSON null ({@code router}, {@code proxy},
 * {@code extern_learn}, ...). Unknown states are kept as {@link NeighState#UNKNOWN} with their
 * text; unknown keys with a null value are kept as flags; other unknown keys (e.g. {@code probes})
 * are ignored since they do not change forwarding.
 */
public final class NeighParser {
    private static final Set<String> KNOWN = Set.of("dst", "dev", "lladdr", "state", "router", "proxy");

    private NeighParser() {
    }

    /** Parses the file at {@code path} (its file name is used in errors). */
    public static NeighbourTable parse(Path path) {
        return parse(path.getFileName().toString(), JsonDump.read(path));
    }

    /**
     * Parses {@code text}, an {@code ip -j neigh show} array.
     *
     * @param file name used in error messages
     * @throws ParseException naming the entry and key when the JSON is malformed, an address
     *                        is not an address, or {@code state} is not an array of strings
     */
    public static NeighbourTable parse(String file, String text) {
        JsonDump d = new JsonDump(file);
        List<JsonNode> entries = d.entries(text);
        List<Neighbour> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode o = entries.get(i);
            Ip dst = d.ip(o, i, "dst", true);
            List<NeighState> states = new ArrayList<>();
            List<String> raw = new ArrayList<>();
            JsonNode st = o.get("state");
            if (st != null) {
                if (!st.isArray()) {
                    throw d.error(i, "state", st, "an array of NUD state names");
                }
                for (JsonNode s : st) {
                    if (!s.isTextual()) {
                        throw d.error(i, "state", s, "a NUD state name");
                    }
                    raw.add(s.asText());
                    states.add(NeighState.of(s.asText()));
                }
            }
            List<String> flags = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KNOWN.contains(k) && o.get(k).isNull()) {
                    flags.add(k);
                }
            }
            out.add(new Neighbour(dst, d.text(o, i, "dev", false), d.text(o, i, "lladdr", false), states, raw,
                    o.has("router"), o.has("proxy"), flags));
        }
        return new NeighbourTable(out);
    }
}
