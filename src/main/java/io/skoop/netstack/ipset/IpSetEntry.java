package io.skoop.netstack.ipset;

import java.util.List;

/**
 * One {@code add SET ENTRY [options]} line of {@code ipset save}.
 *
 * @param elements the components, one per dimension of the set type
 * @param nomatch  true for a {@code nomatch} entry of a hash:net* set: a lookup that finds it
 *                 (as the most specific) answers "not in set"
 * @param timeout  remaining lifetime in seconds when the set has timeouts (0 = permanent), else null
 * @param packets  the entry's packet counter (sets with {@code counters}), else null
 * @param bytes    the entry's byte counter, else null
 * @param comment  the entry's comment (sets with {@code comment}), else null
 * @param skbinfo  the {@code skbmark}/{@code skbprio}/{@code skbqueue} options as text, possibly empty
 * @param unknown  options this skoop does not know, as text; an entry with such options answers UNKNOWN instead of MATCH
 * @param line     the 1-based line in the file
 */
public record IpSetEntry(List<Element> elements, boolean nomatch, Long timeout, Long packets, Long bytes, String comment,
                         List<String> skbinfo, List<String> unknown, int line) {

    public IpSetEntry {
        elements = List.copyOf(elements);
        skbinfo = List.copyOf(skbinfo);
        unknown = List.copyOf(unknown);
    }

    /** The entry as ipset writes it: components joined by commas. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Element e : elements) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e);
        }
        return sb.toString();
    }
}
