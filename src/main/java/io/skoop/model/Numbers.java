package io.skoop.model;

/** Number syntax shared by the tools skoop mirrors (ip, iptables): decimal or {@code 0x} hex. */
public final class Numbers {
    private Numbers() {
    }

    /**
     * Parses an unsigned value written in decimal or as {@code 0x}-prefixed hex, as ip(8) and
     * iptables(8) accept marks, masks and table ids (strtoul with base 0, without octal).
     *
     * @param max the largest value accepted (e.g. 0xffffffffL for a 32-bit mark)
     * @throws NumberFormatException when the text is not such a number or exceeds max; callers
     *         turn it into a message naming the option and the file or argument
     */
    public static long parseUnsigned(String text, long max) {
        long v = text.startsWith("0x") || text.startsWith("0X") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
        if (v < 0 || v > max) {
            throw new NumberFormatException("out of range 0.." + max + ": " + text);
        }
        return v;
    }
}
