package io.skoop.notebook;

import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.Phases;

/**
 * Whether a cell's code is ready to run (the kernel's answer to an {@code is_complete_request}, which consoles ask
 * before running what was typed on Enter): it parses ({@code complete}); it is the beginning of something that can
 * still parse — a bracket, string or comment left open, a line ending in an operator, comma or dot
 * ({@code incomplete}, with the indent of the next line: four blanks per open bracket); or it cannot parse whatever
 * follows ({@code invalid}). Magic lines count as complete statements.
 */
public final class IsComplete {
    /**
     * The answer.
     *
     * @param status complete, incomplete or invalid (the protocol's words)
     * @param indent for incomplete: what the next line starts with; else empty
     */
    public record Answer(String status, String indent) {
    }

    private IsComplete() {
    }

    /** Whether {@code code} is complete, incomplete or invalid. */
    public static Answer check(String code) {
        if (code.isBlank()) {
            return new Answer("complete", "");
        }
        CompilationUnit cu = new CompilationUnit(new CompilerConfiguration());
        cu.addSource("Check.groovy", CellEvaluator.withMagicCalls(code, 0));
        try {
            cu.compile(Phases.CONVERSION);
            return new Answer("complete", "");
        } catch (MultipleCompilationErrorsException e) {
            int open = openBrackets(code);
            if (open < OPEN_STRING) {
                return new Answer("invalid", "");
            }
            String trimmed = code.stripTrailing();
            char last = trimmed.charAt(trimmed.length() - 1);
            if (open > 0 || open == OPEN_STRING || "+-*/%=&|^<>?:,.\\([{".indexOf(last) >= 0) {
                return new Answer("incomplete", "    ".repeat(Math.max(0, open)));
            }
            return new Answer("invalid", "");
        }
    }

    /** {@link #openBrackets} when a string or block comment is left open. */
    private static final int OPEN_STRING = -1;

    /**
     * How many brackets are open at the end of {@code code} (strings and comments skipped), {@link #OPEN_STRING} when
     * a string or block comment is, or a negative count when more close than open (invalid).
     */
    static int openBrackets(String code) {
        int depth = 0;
        int i = 0;
        int n = code.length();
        while (i < n) {
            char c = code.charAt(i);
            if (code.startsWith("//", i)) {
                int nl = code.indexOf('\n', i);
                i = nl < 0 ? n : nl;
            } else if (code.startsWith("/*", i)) {
                int close = code.indexOf("*/", i + 2);
                if (close < 0) {
                    return OPEN_STRING;
                }
                i = close + 2;
            } else if (code.startsWith("\"\"\"", i) || code.startsWith("'''", i)) {
                String q = code.substring(i, i + 3);
                int close = code.indexOf(q, i + 3);
                if (close < 0) {
                    return OPEN_STRING;
                }
                i = close + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && code.charAt(j) != c && code.charAt(j) != '\n') {
                    j += code.charAt(j) == '\\' ? 2 : 1;
                }
                if (j >= n || code.charAt(j) == '\n') {
                    return OPEN_STRING;
                }
                i = j + 1;
            } else {
                if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if (c == ')' || c == ']' || c == '}') {
                    depth--;
                    if (depth < 0) {
                        return -2;
                    }
                }
                i++;
            }
        }
        return depth;
    }
}
