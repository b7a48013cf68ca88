package io.skoop.netstack.parse;

import io.skoop.netstack.sysctl.Sysctls;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads sysctl.txt, the output of {@code sysctl -a}: one {@code key = value} per line
 * (procps sysctl(8)). Values may be empty ({@code kernel.domainname = }) and may contain tabs
 * ({@code net.ipv4.ip_local_port_range = 32768\t60999}); they are kept verbatim (the single
 * space after '=' removed). A file whose content has several lines is printed by sysctl as the
 * same key on several lines ({@code kernel.core_modes = file}, {@code ... = pipe}); those values
 * are joined with newlines.
 */
public final class SysctlParser {
    private SysctlParser() {
    }

    /** Parses the file at {@code path} (its file name is used in errors). */
    public static Sysctls parse(Path path) {
        return parse(path.getFileName().toString(), JsonDump.read(path));
    }

    /**
     * Parses {@code sysctl -a} text.
     *
     * @param file name used in error messages
     * @throws ParseException naming the line when it has no " = " or an empty or malformed key
     */
    public static Sysctls parse(String file, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf(" =");
            if (eq <= 0) {
                throw new ParseException(file, i + 1, line, "expected 'key = value'");
            }
            String key = line.substring(0, eq);
            if (!key.matches("[A-Za-z0-9_][^\\s=]*")) {
                throw new ParseException(file, i + 1, key, "expected a sysctl key like net.ipv4.ip_forward");
            }
            String value = line.substring(eq + 2);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            m.merge(key, value, (a, b) -> a + "\n" + b);
        }
        return new Sysctls(m);
    }
}
