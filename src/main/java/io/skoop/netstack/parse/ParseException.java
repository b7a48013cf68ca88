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
    }

    /** Same, keeping the underlying cause (e.g. a Jackson error). */
    public ParseException(String file, int line, String token, String message, Throwable cause) {
        super(format(file, line, token, message), cause);
        this.file = file;
        this.line = line;
        this.token = token;
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
