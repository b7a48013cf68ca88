package io.skoop.notebook;

/**
 * Cursor positions between Jupyter and Java: the messaging protocol (5.2 and later) counts a cursor in Unicode code
 * points, Java strings in UTF-16 chars; they differ after a character outside the Basic Multilingual Plane.
 */
final class Unicode {
    private Unicode() {
    }

    /** The char index of code point {@code codePoints} in {@code s} (clamped to the string). */
    static int charIndex(String s, int codePoints) {
        int cp = Math.max(0, Math.min(codePoints, s.codePointCount(0, s.length())));
        return s.offsetByCodePoints(0, cp);
    }

    /** The code point index of char index {@code chars} in {@code s}. */
    static int codePointIndex(String s, int chars) {
        return s.codePointCount(0, Math.max(0, Math.min(chars, s.length())));
    }
}
