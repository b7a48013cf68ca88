package io.skoop.notebook;

import groovy.lang.Binding;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyCodeSource;
import groovy.lang.GroovyShell;
import groovy.lang.Script;
import groovy.transform.ThreadInterrupt;
import io.skoop.dsl.Session;
import io.skoop.dsl.Verbs;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codehaus.groovy.ast.ImportNode;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.customizers.ASTTransformationCustomizer;
import org.codehaus.groovy.control.customizers.ImportCustomizer;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.codehaus.groovy.runtime.MethodClosure;

/**
 * The evaluator of notebook cells — the Jupyter kernel's and the headless runner's (one evaluator, DESIGN.md §5): the
 * skoop DSL as runbooks have it (base script {@code io.skoop.dsl.SkoopScript}: every verb by name, {@code tcp},
 * {@code udp}, {@code help()}, {@code lab { }}, {@code display(x)}), with a session's memory across cells:
 * <ul>
 * <li>{@code def} and typed variables, imports, classes and methods a cell defines are there in the next cells
 *     ({@link SessionScope}: a top-level {@code def x = ...} assigns the binding; methods are carried over as closures
 *     of the binding; classes stay in the evaluator's class loader);</li>
 * <li>the session — the snapshot being worked on — is the binding's {@code skoopSession}, as in the shell and
 *     runbooks;</li>
 * <li>magics: a line {@code %name args} (or {@code x = %name args}) runs {@link Magics}' magic; a cell starting with
 *     {@code %%name} hands its body to the cell magic;</li>
 * <li>a long cell can be {@linkplain #interrupt() interrupted}: every loop, closure and method of a cell checks the
 *     thread's interrupt flag (Groovy's {@link ThreadInterrupt}), and so does the Diagnostor's walk; the session
 *     survives;</li>
 * <li>a failing cell throws {@link CellError}: the message, and the lines of the cells it went through — no frames
 *     of skoop or Groovy (an internal error's whole trace goes to the log stream).</li>
 * </ul>
 * Cells run one at a time; {@link #interrupt()} may be called from another thread.
 */
public final class CellEvaluator {
    /** The base class of every cell (Groovy: named, not referenced — Java compiles first). */
    static final String BASE_SCRIPT = "io.skoop.dsl.SkoopScript";

    /** {@code %name args}, optionally assigned ({@code x = %name args}); the magic runs where it is written. */
    private static final Pattern LINE_MAGIC = Pattern.compile("^(\\s*(?:[\\p{L}_$][\\p{L}\\p{N}_$]*\\s*=\\s*)?)%([A-Za-z]\\w*)(.*)$");
    /** A cell magic: {@code %%name args} on the first line, the body after it. */
    private static final Pattern CELL_MAGIC = Pattern.compile("\\A%%([A-Za-z]\\w*)([^\\n]*)(?:\\n(.*))?\\z", Pattern.DOTALL);

    /**
     * What a cell gave back.
     *
     * @param value the value of its last statement
     * @param shown false when nothing is to be shown: the last statement declares or assigns, the cell ends with
     *              {@code ;}, or the value is null
     */
    public record Result(Object value, boolean shown) {
        static Result of(Object value, boolean shown) {
            return new Result(value, shown && value != null);
        }
    }

    /**
     * A compiled cell's source: its label, where its first line is in what the user wrote ({@code %%time}'s body starts
     * on the cell's line 2), and its lines.
     */
    record CellSource(String label, int lineOffset, List<String> lines) {
        /** The line the user sees for line {@code n} of the compiled source. */
        int userLine(int n) {
            return n + lineOffset;
        }

        /** Line {@code n} of the compiled source, or null. */
        String code(int n) {
            return n >= 1 && n <= lines.size() ? lines.get(n - 1) : null;
        }
    }

    private final Session session;
    private final Binding binding;
    private final CellClassLoader loader;
    private final ImportCustomizer imports = new ImportCustomizer();
    private final Set<String> importKeys = new HashSet<>();
    private final Set<String> hostVariables = new HashSet<>();
    private final SessionScope scope = new SessionScope();
    private final Map<String, CellSource> cells = new HashMap<>();
    private final Magics magics;
    private final PrintStream log;
    private int counter;
    private Thread running;
    private boolean interruptRequested;

    /**
     * @param session the session the cells work on (its snapshot may be chosen already)
     * @param log     where an internal error's whole stack trace goes (the kernel's log, not the notebook)
     */
    public CellEvaluator(Session session, PrintStream log) {
        this(session, log, new Binding());
    }

    /**
     * An evaluator whose variables live in {@code binding} (the shell's, so its completion sees them).
     *
     * @param session the session the cells work on
     * @param log     where an internal error's whole stack trace goes
     * @param binding the variables the cells share
     */
    public CellEvaluator(Session session, PrintStream log, Binding binding) {
        this.session = session;
        this.log = log;
        this.binding = binding;
        CompilerConfiguration config = new CompilerConfiguration();
        config.setScriptBaseClass(BASE_SCRIPT);
        for (String p : Verbs.IMPORTS) {
            imports.addStarImports(p.substring(0, p.length() - 2));
        }
        // scope first: it records the imports the cell wrote, before the session's own are added to the cell
        config.addCompilationCustomizers(scope, imports, new ASTTransformationCustomizer(ThreadInterrupt.class));
        this.loader = new CellClassLoader(CellEvaluator.class.getClassLoader(), config);
        this.magics = new Magics(this);
        binding.setVariable("skoopSession", session);
        binding.setVariable("skoopMagics", magics);
    }

    /** The session the cells work on. */
    public Session session() {
        return session;
    }

    /** The variables cells share (name → value), the DSL's {@code skoopSession} and {@code skoopMagics} among them. */
    public Binding binding() {
        return binding;
    }

    /** The magics. */
    public Magics magics() {
        return magics;
    }

    /**
     * Where {@code display(x)} in a cell sends {@code x} (the kernel publishes it, the runner keeps it as an output);
     * without one, {@code display} prints.
     */
    public void onDisplay(Consumer<Object> display) {
        binding.setVariable("skoopDisplay", display);
    }

    /**
     * Runs one cell.
     *
     * @param code  the cell's source
     * @param label how errors name the cell ({@code In [3]}, {@code cell 4})
     * @return its value and whether to show it
     * @throws CellError when it does not compile, fails or is interrupted
     */
    public Result eval(String code, String label) {
        magics.cellLabel(label);
        Matcher cell = CELL_MAGIC.matcher(code);
        if (cell.matches()) {
            return magics.cell(cell.group(1), cell.group(2).trim(), cell.group(3) == null ? "" : cell.group(3), label);
        }
        return evalGroovy(code, label, 0);
    }

    /** Runs Groovy code as a cell whose first line is line {@code lineOffset + 1} of what the user wrote. */
    Result evalGroovy(String code, String label, int lineOffset) {
        String name = "Cell" + (++counter) + ".groovy";
        CellSource src = new CellSource(label, lineOffset, List.of(code.split("\n", -1)));
        cells.put(name, src);
        SessionScope.Capture capture = new SessionScope.Capture();
        Class<?> compiled;
        scope.captureInto(capture);
        try {
            compiled = loader.parseClass(new GroovyCodeSource(withMagicCalls(code, lineOffset), name, GroovyShell.DEFAULT_CODE_BASE), false);
        } catch (MultipleCompilationErrorsException e) {
            throw CellError.compile(e, src);
        } finally {
            scope.captureInto(null);
        }
        keepImports(capture);
        if (!Script.class.isAssignableFrom(compiled)) {
            return Result.of(null, false); // the cell only defines classes (a class is not a script: it has no statements)
        }
        Script script = InvokerHelper.createScript(compiled, binding);
        Thread outer; // a cell running this one (%time CODE runs CODE as a cell of its own, inside the cell's line)
        synchronized (this) {
            outer = running;
            running = Thread.currentThread();
        }
        try {
            Object value = script.run();
            return Result.of(value, !capture.endsInAssignment && !code.strip().endsWith(";"));
        } catch (Throwable t) {
            throw CellError.runtime(t, cells, interrupted(), log);
        } finally {
            keepMethods(capture, script);
            if (capture.methods.isEmpty()) {
                // nothing refers to the cell's script class any more (a shell evaluates a few per line): let it go
                loader.forget(script.getClass().getName());
            }
            synchronized (this) {
                running = outer;
                if (outer == null && interruptRequested) {
                    Thread.interrupted(); // the request is spent: the next cell starts clean
                    interruptRequested = false;
                }
            }
        }
    }

    private synchronized boolean interrupted() {
        return interruptRequested;
    }

    /**
     * Stops the cell that is running (from another thread): interrupts its thread, so the cell's next loop turn,
     * closure or method call — or the Diagnostor's next hop — throws; the cell fails with "Interrupted" and the
     * session stays as it was at that point. Does nothing when no cell runs.
     *
     * @return true when a cell was running
     */
    public synchronized boolean interrupt() {
        if (running == null) {
            return false;
        }
        interruptRequested = true;
        running.interrupt();
        return true;
    }

    /** The class loader of the cells: it keeps the classes they define (so later cells use them) and forgets the rest. */
    private static final class CellClassLoader extends GroovyClassLoader {
        CellClassLoader(ClassLoader parent, CompilerConfiguration config) {
            super(parent, config);
        }

        void forget(String className) {
            removeClassCacheEntry(className);
        }
    }

    /** The cell with each magic line turned into a call of {@link Magics#line} on the same line. */
    static String withMagicCalls(String code, int lineOffset) {
        String[] lines = code.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = LINE_MAGIC.matcher(lines[i]);
            if (m.matches() && !insideString(lines, i)) {
                sb.append(m.group(1)).append("skoopMagics.line(").append(literal(m.group(2))).append(", ").append(literal(m.group(3).strip()))
                        .append(", ").append(i + 1 + lineOffset).append(')');
            } else {
                sb.append(lines[i]);
            }
            if (i < lines.length - 1) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** True when line {@code i} starts inside a triple-quoted string opened on an earlier line. */
    private static boolean insideString(String[] lines, int i) {
        int open = 0;
        for (int j = 0; j < i; j++) {
            open += count(lines[j], "\"\"\"") + count(lines[j], "'''");
        }
        return open % 2 == 1;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    /** {@code s} as a single-quoted Groovy string literal (no interpolation). */
    static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** The imports a cell wrote, kept for the cells after it. */
    private void keepImports(SessionScope.Capture capture) {
        for (ImportNode in : capture.imports) {
            String key = (in.isStatic() ? "static " : "") + (in.isStar() ? "*" : "") + in.getText();
            if (!importKeys.add(key)) {
                continue;
            }
            if (in.isStatic() && in.isStar()) {
                imports.addStaticStars(in.getClassName());
            } else if (in.isStatic()) {
                imports.addStaticImport(in.getAlias(), in.getClassName(), in.getFieldName());
            } else if (in.isStar()) {
                imports.addStarImports(in.getPackageName());
            } else {
                imports.addImport(in.getAlias(), in.getClassName());
            }
        }
    }

    /** The methods a cell defined, as closures of the binding: the next cells call them by name. */
    private void keepMethods(SessionScope.Capture capture, Script script) {
        for (String m : capture.methods) {
            binding.setVariable(m, new MethodClosure(script, m));
        }
    }

    /** Sets a variable the cells get from their host ({@code displays}); it is not one of {@link #userVariables()}. */
    public void bind(String name, Object value) {
        hostVariables.add(name);
        binding.setVariable(name, value);
    }

    /** The names of the binding's variables a user made (not the DSL's own {@code skoop*} ones, nor the host's), sorted. */
    public List<String> userVariables() {
        @SuppressWarnings("unchecked")
        Map<String, Object> vars = binding.getVariables();
        return vars.keySet().stream().filter(k -> !k.startsWith("skoop") && !hostVariables.contains(k)).sorted().toList();
    }
}
