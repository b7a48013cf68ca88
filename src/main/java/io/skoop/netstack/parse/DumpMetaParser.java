package io.skoop.netstack.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.skoop.netstack.DumpMeta;
import io.skoop.netstack.DumpMeta.Collected;
import io.skoop.netstack.DumpMeta.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads meta.json written by scripts/collect-netns.sh (schema in docs/netns-dump.md).
 */
public final class DumpMetaParser {
    private DumpMetaParser() {
    }

    /** Parses the file at {@code path} (its file name is used in errors). */
    public static DumpMeta parse(Path path) {
        return parse(path.getFileName().toString(), JsonDump.read(path));
    }

    /**
     * Parses meta.json text.
     *
     * @param file name used in error messages
     * @throws ParseException for malformed JSON, a missing field, or a format version other than
     *                        {@link DumpMeta#FORMAT_VERSION}
     */
    public static DumpMeta parse(String file, String text) {
        JsonDump d = new JsonDump(file);
        JsonNode o = d.tree(text);
        if (!o.isObject()) {
            throw new ParseException(file, 1, o.getNodeType().name(), "expected a JSON object");
        }
        JsonNode f = o.get("format");
        if (f == null || !f.isInt()) {
            throw d.error(JsonDump.TOP, "format", f, "an integer");
        }
        if (f.intValue() != DumpMeta.FORMAT_VERSION) {
            throw new ParseException(file, 0, f.toString(), "key 'format': unsupported dump format version (expected "
                    + DumpMeta.FORMAT_VERSION + ")");
        }
        JsonNode arr = o.get("collected");
        if (arr == null || !arr.isArray()) {
            throw d.error(JsonDump.TOP, "collected", arr, "an array");
        }
        List<Collected> cs = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode c = arr.get(i);
            if (!c.isObject()) {
                throw d.error(i, null, c, "a JSON object in 'collected'");
            }
            String st = d.string(c, i, "status");
            Status status;
            try {
                status = Status.valueOf(st.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                status = Status.UNKNOWN;
            }
            Integer exit = d.integer(c, i, "exit");
            cs.add(new Collected(d.string(c, i, "file"), d.string(c, i, "tool"), d.string(c, i, "command"), status, st,
                    exit == null ? 0 : exit, nz(d.text(c, i, "stderr", false))));
        }
        return new DumpMeta(f.intValue(), nz(d.text(o, JsonDump.TOP, "hostname", false)), nz(d.text(o, JsonDump.TOP, "kernel", false)),
                nz(d.text(o, JsonDump.TOP, "time", false)), nz(d.text(o, JsonDump.TOP, "netns", false)), cs);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
