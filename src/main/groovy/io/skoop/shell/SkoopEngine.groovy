package io.skoop.shell

import io.skoop.dsl.Session
import io.skoop.notebook.CellEvaluator
import org.apache.groovy.groovysh.jline.GroovyEngine

/**
 * groovysh's script engine with skoop's cell evaluator underneath (DESIGN.md §5: one evaluator for the shell, runbooks
 * and notebooks): every statement the shell runs is a cell of a {@link CellEvaluator} working on the engine's own
 * binding, so groovysh's completion and its commands see the variables, while the statement gets the notebook's
 * semantics — the DSL's base script, {@code def} variables, methods, classes and imports kept, magics
 * ({@code %diagnose ...}), errors at the statement's lines without Java frames, and interruption: Ctrl-C stops a long
 * statement ({@link #interrupt()}) and the session stays.
 */
class SkoopEngine extends GroovyEngine {
    /** The evaluator statements run in. */
    final CellEvaluator evaluator
    private int statements

    SkoopEngine(Session session) {
        super()
        evaluator = new CellEvaluator(session, System.err, sharedData)
    }

    /**
     * Runs {@code statement} as a cell ({@code input N} in error messages) and returns its value. An import is also
     * given to groovysh's engine, whose completion offers the imported names.
     *
     * @throws io.skoop.notebook.CellError when it does not compile, fails or is interrupted
     */
    @Override
    Object execute(String statement) {
        if (statement ==~ /(?s)\s*import\s+[\w.*]+(\s+as\s+\w+)?\s*;?\s*/) {
            super.execute(statement)
        }
        evaluator.eval(statement, "input ${++statements}").value()
    }

    /** Stops the running statement; false when none runs. */
    boolean interrupt() {
        evaluator.interrupt()
    }
}
