package io.skoop.lab.run;

/**
 * A lab operation that cannot be done as asked, with a message for the user: not root, a lab that is (not) up,
 * a kernel command that failed (naming the step, the command and its error output).
 */
public class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }
}
