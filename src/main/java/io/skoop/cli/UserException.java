package io.skoop.cli;

/** A user mistake detected by a command (missing file, unknown name): printed without a stack trace, exit 2. */
public class UserException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }
}
