package io.skoop.bench;

import io.skoop.dsl.Session;
import io.skoop.notebook.CellEvaluator;
import io.skoop.notebook.Displays;
import java.util.concurrent.TimeUnit;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A diagnose cell in a notebook after the first, as the kernel runs it: the cell compiled and run by the notebook's
 * evaluator (a pod→Service diagnosis of the embedded example) and its value rendered for Jupyter — the text report,
 * the HTML summary, the graph laid out by Graphviz as SVG, the JSON. Target: under 300 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NotebookCellBenchmark {
    static final String CELL = "d = diagnose(pod('default/client'), service('default/web', 80))\nd";

    CellEvaluator evaluator;
    Displays displays;

    @Setup
    public void setUp() {
        evaluator = new CellEvaluator(new Session(), System.err);
        displays = new Displays();
        evaluator.eval("example('flannel-vxlan')", "setup");
        displays.render(evaluator.eval(CELL, "first").value());
    }

    /** The cell run and its value rendered as the kernel publishes it. */
    @Benchmark
    public DisplayData diagnoseCell() {
        return displays.render(evaluator.eval(CELL, "bench").value());
    }
}
