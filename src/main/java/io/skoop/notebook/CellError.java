package io.skoop.notebook;

import groovy.lang.MissingPropertyException;
import io.skoop.dsl.Mistakes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.runtime.InvokerInvocationException;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * A cell that failed, as Jupyter reports it (an {@code error} output): {@link #ename()} (the kind: {@code SyntaxError},
 * {@code Interrupted}, or the exception's simple class name), {@link #evalue()} (one line: what went wrong) and
 * {@link #traceback()}: that line, then where — each line of the cells the failure went through, outermost first,
 * numbered as the user sees the cell ({@code In [3], line 2: d = diagnose(...)}), with a caret under the column of a
 * syntax error. No frame of skoop, Groovy or Java is shown: a user's mistake is its message; an internal error says so
 * and leaves its whole stack trace in the log.
 */
public final class CellError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String ename;
    private final String evalue;
    private final List<String> traceback;
    private final boolean internal;
    private final boolean thrownByCell;

    CellError(String ename, String evalue, List<String> traceback, Throwable cause) {
        this(ename, evalue, traceback, cause, false, false);
    }

    CellError(String ename, String evalue, List<String> traceback, Throwable cause, boolean internal, boolean thrownByCell) {
        super(ename + ": " + evalue, cause, false, false);
        this.ename = ename;
        this.evalue = evalue;
        this.traceback = List.copyOf(traceback);
        this.internal = internal;
        this.thrownByCell = thrownByCell;
    }

    /** True when the cell's own code threw it ({@code throw new ...} in a cell or a method a cell defined). */
    public boolean thrownByCell() {
        return thrownByCell;
    }

    /**
     * True when it is a mistake in using skoop — a bad argument, an unknown pod, no snapshot yet, a file that cannot be
     * written ({@link Mistakes#isSessionMistake}) — which a shell or runbook reports as its one-line message, rather than
     * an exception the cell's own code threw.
     */
    public boolean mistake() {
        return !thrownByCell && getCause() != null && Mistakes.isSessionMistake(getCause());
    }

    /** True when the failure began inside skoop's own code and is no user mistake: a bug (its cause is the exception). */
    public boolean internal() {
        return internal;
    }

    /** The kind of failure ({@code SyntaxError}, {@code Interrupted}, {@code IllegalArgumentException}, ...). */
    public String ename() {
        return ename;
    }

    /** What went wrong, one line. */
    public String evalue() {
        return evalue;
    }

    /** {@code ename: evalue}, then the cell lines it happened at (each a line of text, no newlines). */
    public List<String> traceback() {
        return traceback;
    }

    /** A cell that does not compile: every syntax error with its line and column, the line, a caret under the column. */
    static CellError compile(MultipleCompilationErrorsException e, CellEvaluator.CellSource src) {
        List<String> lines = new ArrayList<>();
        String first = null;
        int more = 0;
        for (Message m : e.getErrorCollector().getErrors()) {
            String text;
            int line = -1;
            int column = -1;
            if (m instanceof SyntaxErrorMessage sm) {
                SyntaxException se = sm.getCause();
                line = se.getLine();
                column = se.getStartColumn();
                text = se.getOriginalMessage();
            } else {
                java.io.StringWriter w = new java.io.StringWriter();
                m.write(new java.io.PrintWriter(w));
                text = w.toString().strip();
            }
            String code = line > 0 ? src.code(line) : null;
            line = line > 0 ? src.userLine(line) : line;
            String where = line > 0 ? String.format(Locale.ROOT, "line %d, column %d: ", line, column) : "";
            if (first == null) {
                first = where + text;
            } else {
                more++;
            }
            lines.add("SyntaxError: " + where + text);
            if (code != null) {
                lines.add("  " + src.label() + ", line " + line + ":");
                lines.add("    " + code);
                if (column > 0) {
                    lines.add("    " + " ".repeat(Math.min(column - 1, code.length())) + "^");
                }
            }
        }
        return new CellError("SyntaxError", (first == null ? "does not compile" : first) + (more > 0 ? " (and " + more + " more)" : ""),
                lines, e);
    }

    /**
     * A cell that threw {@code thrown} while running.
     *
     * @param cells       every cell run so far, by script file name (a method of an earlier cell may be where it failed)
     * @param interrupted true when the cell was asked to stop: the failure is reported as {@code Interrupted}
     * @param log         where an internal error's stack trace goes
     */
    static CellError runtime(Throwable thrown, Map<String, CellEvaluator.CellSource> cells, boolean interrupted, PrintStream log) {
        Throwable t = unwrap(thrown);
        List<String> where = where(t, cells);
        String ename;
        String evalue;
        boolean bug = false;
        if (interrupted || t instanceof InterruptedException || t instanceof CancellationException) {
            ename = "Interrupted";
            evalue = "the cell was interrupted" + (where.isEmpty() ? "" : " (" + where.get(where.size() - 1).strip() + ")")
                    + "; the session is kept";
        } else if (t instanceof MissingPropertyException mp && mp.getType() != null && cells.containsKey(mp.getType().getSimpleName() + ".groovy")) {
            ename = "MissingPropertyException";
            evalue = "'" + mp.getProperty() + "' is not defined: no variable of that name in this session, and no verb";
        } else if (Mistakes.isSessionMistake(t) || !internal(t)) {
            ename = t.getClass().getSimpleName();
            evalue = message(t);
        } else {
            ename = t.getClass().getSimpleName();
            evalue = "internal error in skoop (please report; the whole stack trace is in the kernel's log): " + message(t);
            bug = true;
            log.println("skoop: internal error in a cell: " + t);
            t.printStackTrace(log);
            log.flush();
        }
        List<String> tb = new ArrayList<>();
        tb.add(ename + ": " + evalue);
        tb.addAll(where);
        StackTraceElement[] st = t.getStackTrace();
        boolean own = st.length > 0 && st[0].getFileName() != null && cells.containsKey(st[0].getFileName());
        return new CellError(ename, evalue, tb, t, bug, own);
    }

    /** The cell lines in {@code t}'s stack, outermost first: {@code   In [3], line 2: d = diagnose(...)}. */
    private static List<String> where(Throwable t, Map<String, CellEvaluator.CellSource> cells) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement f : t.getStackTrace()) {
            CellEvaluator.CellSource src = f.getFileName() == null ? null : cells.get(f.getFileName());
            if (src == null || f.getLineNumber() <= 0) {
                continue;
            }
            String code = src.code(f.getLineNumber());
            String line = "  " + src.label() + ", line " + src.userLine(f.getLineNumber()) + (code == null ? "" : ": " + code.strip());
            if (out.isEmpty() || !out.get(out.size() - 1).equals(line)) {
                out.add(line);
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** True when the failure began inside skoop's own code (not in a cell, Groovy's dispatch or a library the cell called). */
    private static boolean internal(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length > 0 && st[0].getClassName().startsWith("io.skoop.") && !(t instanceof groovy.lang.GroovyRuntimeException);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getName() : m.strip().replace('\n', ' ');
    }

    /** The exception a cell's own code threw, out of the wrappers of reflection and Groovy's dispatch. */
    private static Throwable unwrap(Throwable t) {
        Throwable x = t;
        while ((x instanceof InvokerInvocationException || x instanceof java.lang.reflect.InvocationTargetException
                || x instanceof java.lang.reflect.UndeclaredThrowableException || x instanceof ExceptionInInitializerError) && x.getCause() != null) {
            x = x.getCause();
        }
        return x;
    }
}
