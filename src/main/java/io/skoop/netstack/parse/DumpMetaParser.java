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
        return parse(path.getFileName().toString(), DumpJson.read(path));
    }

    /**
     * Parses meta.json text.
     *
     * @param file name used in error messages
     * @throws ParseException for malformed JSON, a missing field, or a format version other than
     *                        {@link DumpMeta#FORMAT_VERSION}
     */
    public static DumpMeta parse(String file, String text) {
        JsonNode o = DumpJson.tree(file, text);
        if (!o.isObject()) {
            throw new ParseException(file, 1, o.getNodeType().name(), "expected a JSON object");
        }
        JsonNode f = o.get("format");
        if (f == null || !f.isInt()) {
            throw new ParseException(file, 0, String.valueOf(f), "expected an integer field 'format'");
        }
        if (f.intValue() != DumpMeta.FORMAT_VERSION) {
            throw new ParseException(file, 0, f.toString(), "unsupported dump format version (expected " + DumpMeta.FORMAT_VERSION + ")");
        }
        JsonNode arr = o.get("collected");
        if (arr == null || !arr.isArray()) {
            throw new ParseException(file, 0, String.valueOf(arr), "expected an array field 'collected'");
        }
        List<Collected> cs = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode c = DumpJson.object(file, arr, i);
            String st = DumpJson.text(file, c, i, "status");
            Status status;
            try {
                status = Status.valueOf(st.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                status = Status.UNKNOWN;
            }
            Integer exit = DumpJson.optInt(file, c, i, "exit");
            cs.add(new Collected(DumpJson.text(file, c, i, "file"), DumpJson.text(file, c, i, "tool"),
                    DumpJson.text(file, c, i, "command"), status, st, exit == null ? 0 : exit,
                    nz(DumpJson.optText(file, c, i, "stderr"))));
        }
        return new DumpMeta(f.intValue(), nz(DumpJson.optText(file, o, 0, "hostname")), nz(DumpJson.optText(file, o, 0, "kernel")),
                nz(DumpJson.optText(file, o, 0, "time")), nz(DumpJson.optText(file, o, 0, "netns")), cs);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
