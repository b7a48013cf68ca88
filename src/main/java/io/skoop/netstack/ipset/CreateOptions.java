package io.skoop.netstack.ipset;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of a {@code create} line (ipset(8) "CREATE-OPTIONS"): {@code family},
 * {@code hashsize}, {@code maxelem}, {@code bucketsize}, {@code initval}, {@code timeout},
 * {@code counters}, {@code comment}, {@code skbinfo}, {@code forceadd}, {@code range},
 * {@code netmask}, {@code bitmask}, {@code markmask}, {@code size}. Flags map to "".
 *
 * @param values  option → argument text ("" for flags), in file order
 * @param unknown tokens this skoop does not know, as text
 */
public record CreateOptions(Map<String, String> values, List<String> unknown) {

    /** Options that take an argument. */
    public static final List<String> WITH_ARG = List.of("family", "hashsize", "maxelem", "bucketsize", "initval", "timeout",
            "range", "netmask", "bitmask", "markmask", "size");
    /** Options that are flags. */
    public static final List<String> FLAGS = List.of("counters", "comment", "skbinfo", "forceadd");

    public CreateOptions {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        unknown = List.copyOf(unknown);
    }

    /** The argument of {@code name} ("" for a flag that is set). */
    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** True when flag or option {@code name} is present. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** {@code inet} or {@code inet6} (ipset's default inet for types with addresses); null for family-free types. */
    public String family() {
        return values.get("family");
    }

    /** {@code hashsize}, or null. */
    public Long hashsize() {
        return num("hashsize");
    }

    /** {@code maxelem}, or null. */
    public Long maxelem() {
        return num("maxelem");
    }

    /** The default entry {@code timeout} in seconds, or null when the set has no timeouts. */
    public Long timeout() {
        return num("timeout");
    }

    /** {@code netmask} (prefix length the addresses are masked to), or null. */
    public Integer netmask() {
        Long n = num("netmask");
        return n == null ? null : n.intValue();
    }

    /** {@code markmask} (hash:ip,mark; default 0xffffffff), or null. */
    public Long markmask() {
        return num("markmask");
    }

    /** {@code size} of a list:set, or null. */
    public Long size() {
        return num("size");
    }

    /** {@code range} of a bitmap set as written ({@code 10.96.0.0-10.96.255.255}, {@code 1-1024}), or null. */
    public String range() {
        return values.get("range");
    }

    private Long num(String name) {
        String v = values.get(name);
        return v == null ? null : Long.decode(v);
    }
}
