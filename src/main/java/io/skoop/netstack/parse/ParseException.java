package io.skoop.netstack.parse;

/**
 * Malformed tool output: names the file, the 1-based line (0 when the format has no lines
 * that matter, e.g. JSON where Jackson's location is used instead), the offending token and
 * what was expected. Its message is meant for users: {@code iptables.txt:12: unknown option
 * '--to-destinaton' (expected an option of the DNAT target)}.
 */
public class ParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String token;
    private final String detail;

    /**
     * @param file    the file (or source name) being parsed
     * @param line    1-based line number, or 0 when unknown
     * @param token   the offending token, or null
     * @param message what was wrong and what was expected
     */
    public ParseException(String file, int line, String token, String message) {
        super(format(file, line, token, message));
        this.file = file;
        this.line = line;
        this.token = token;
        this.detail = message;
    }

    /** Same, keeping the underlying cause (e.g. a Jackson error). */
    public ParseException(String file, int line, String token, String message, Throwable cause) {
        super(format(file, line, token, message), cause);
        this.file = file;
        this.line = line;
        this.token = token;
        this.detail = message;
    }

    /**
     * The same error naming {@code path} as its file — a dump's parser knows a file by its name ({@code iptables.txt}),
     * its caller by its place ({@code SNAPSHOT/nodes/node-2/host/iptables.txt}), which says which of many nodes it is.
     */
    public ParseException at(java.nio.file.Path path) {
        return new ParseException(path.toString(), line, token, detail, getCause() != null ? getCause() : this);
    }

    private static String format(String file, int line, String token, String message) {
        StringBuilder sb = new StringBuilder(file == null ? "<input>" : file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ").append(message);
        if (token != null) {
            sb.append(" (at '").append(token).append("')");
        }
        return sb.toString();
    }

    /**
     * A file that cannot be read, as a parse error naming it (a user's input problem, not skoop's): not UTF-8 (the tools
     * write UTF-8), permission denied, a folder where a file should be, ...
     */
    public static ParseException unreadable(java.nio.file.Path path, java.io.IOException e) {
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return new ParseException(path.toString(), 0, null, "not UTF-8 text (the tools write UTF-8; was the file copied or "
                    + "edited with another encoding?)", e);
        }
        String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ParseException(path.toString(), 0, null, "cannot read: " + why, e);
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String token() {
        return token;
    }
}
