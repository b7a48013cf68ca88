package io.skoop.notebook;

import groovy.lang.GroovySystem;
import io.skoop.dsl.Session;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;

/**
 * skoop's Jupyter kernel: the skoop Groovy DSL in notebooks (Jupyter messaging protocol 5.3 through jjava's
 * {@link BaseKernel}: ZeroMQ sockets, HMAC signatures, MIME display data). It adds no logic over the notebook's
 * {@link CellEvaluator} (the headless runner's too): a cell runs there, its value is shown through {@link Displays},
 * {@code display(x)} publishes {@code display_data}, a failure is an {@code error} output at the cell's own lines.
 *
 * <p>Cells run one at a time on a thread of their own, so an {@code interrupt_request} (kernelspec
 * {@code interrupt_mode: message}, on the control channel) stops a long cell while the shell channel keeps serving;
 * standard output and error stream to the notebook while the cell runs. {@link #complete}, {@link #inspect} and
 * {@link #isComplete} are {@link Completions}, {@link Inspector} and {@link IsComplete}.
 */
public final class SkoopKernel extends BaseKernel {
    private final CellEvaluator evaluator;
    private final Displays displays;
    private final Completions completions;
    private final Inspector inspector;
    private final PrintStream log;
    private final CellIO cellIO;
    private final ExecutorService cells = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "skoop-cell");
        t.setDaemon(true);
        return t;
    });

    /**
     * A kernel working on {@code session}.
     *
     * @param log the kernel's own log (its standard error as started: Jupyter's server log), where internal errors go
     */
    public SkoopKernel(Session session, PrintStream log) {
        this(session, new Renderer(), log);
    }

    private SkoopKernel(Session session, Renderer renderer, PrintStream log) {
        this(session, renderer, new CellIO(), log);
    }

    private SkoopKernel(Session session, Renderer renderer, CellIO cellIO, PrintStream log) {
        super("skoop", version(), language(), List.of(new HelpLink("skoop notebooks (docs/notebooks.md)",
                        "https://github.com/skoop/skoop/blob/main/docs/notebooks.md")), null, cellIO,
                new CommManager(), renderer, null, null, false, new StringStyler.Builder().build());
        this.cellIO = cellIO;
        this.log = log;
        this.displays = new Displays(renderer);
        this.evaluator = new CellEvaluator(session, log);
        this.completions = new Completions(evaluator);
        this.inspector = new Inspector(evaluator);
        evaluator.bind("displays", displays);
        evaluator.onDisplay(value -> io.display.display(displays.render(value)));
    }

    /** The jar's Implementation-Version (the Maven project's version), or "development build" when run from classes. */
    static String version() {
        String v = SkoopKernel.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    private static LanguageInfo language() {
        return new LanguageInfo.Builder("groovy").version(GroovySystem.getVersion()).mimetype("text/x-groovy").fileExtension(".groovy")
                .pygments("groovy").codemirror("groovy").build();
    }

    /** How values are shown. */
    public Displays displays() {
        return displays;
    }

    /** The evaluator cells run in. */
    public CellEvaluator evaluator() {
        return evaluator;
    }

    @Override
    public String getBanner() {
        return "skoop (Groovy " + GroovySystem.getVersion() + ", Java " + System.getProperty("java.version")
                + "): the skoop DSL — %help for the magics, help() for the verbs";
    }

    /**
     * Runs a cell (what BaseKernel's handler does, with the cell on the cell thread and skoop's error output): publishes
     * the input, streams its output, publishes its value ({@code execute_result}) unless it shows none, and replies.
     * The execution count advances for cells that store history (not for silent ones), as IPython's does.
     */
    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        commManager.setMessageContext(message);
        ExecuteRequest request = message.getContent();
        boolean counted = request.shouldStoreHistory() && !request.isSilent();
        int count = counted ? executionCount.getAndIncrement() : executionCount.get();
        env.setBusyDeferIdle();
        env.publish(new PublishExecuteInput(request.getCode(), count));
        replaceOutputStreams(env);
        cellIO.attach(env);
        env.defer(() -> cellIO.detach(env));
        cellIO.stdin(request.isStdinEnabled());
        try {
            CellEvaluator.Result r = run(request.getCode(), "In [" + count + "]");
            flush();
            if (r.shown() && !request.isSilent()) {
                env.publish(new PublishExecuteResult(count, displays.render(r.value())));
            }
            env.defer().reply(new ExecuteReply(count, Collections.emptyMap()));
        } catch (CellError e) {
            flush();
            ErrorReply error = new ErrorReply(e.ename(), e.evalue(), e.traceback());
            error.setExecutionCount(count);
            env.publish(new PublishError(e.ename(), e.evalue(), e.traceback()));
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), error);
        }
    }

    /** The cell's standard streams and display, attached to the request being served (what BaseKernel's handler does). */
    private static final class CellIO extends JupyterIO {
        CellIO() {
            super(StandardCharsets.UTF_8);
        }

        void attach(ShellReplyEnvironment env) {
            setEnv(env);
        }

        void detach(ShellReplyEnvironment env) {
            retractEnv(env);
        }

        void stdin(boolean enabled) {
            setJupyterInEnabled(enabled);
        }
    }

    private void flush() {
        io.out.flush();
        io.err.flush();
    }

    /** Runs a cell on the cell thread and waits for it; a failure to render its value is a cell error too. */
    private CellEvaluator.Result run(String code, String label) {
        Future<CellEvaluator.Result> f = cells.submit(() -> evaluator.eval(code, label));
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CellError c) {
                throw c;
            }
            throw internal(e.getCause());
        } catch (InterruptedException e) {
            evaluator.interrupt();
            Thread.currentThread().interrupt();
            throw new CellError("Interrupted", "the kernel is shutting down", List.of("Interrupted: the kernel is shutting down"), e);
        }
    }

    private CellError internal(Throwable t) {
        log.println("skoop: internal error in the kernel: " + t);
        t.printStackTrace(log);
        String v = "internal error in skoop (please report; the whole stack trace is in the kernel's log): " + t;
        return new CellError(t.getClass().getSimpleName(), v, List.of(t.getClass().getSimpleName() + ": " + v), t, true, false);
    }

    /** Not used: cells run through {@link #handleExecuteRequest}. Runs {@code code} as a cell and gives its value. */
    @Override
    public Object evalRaw(String code) {
        return evaluator.eval(code, "eval").value();
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        String text = inspector.inspect(code, Unicode.charIndex(code, at));
        return text == null ? null : new DisplayData(text);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        Completions.Completion c = completions.complete(code, Unicode.charIndex(code, at));
        return new ReplacementOptions(c.matches(), Unicode.codePointIndex(code, c.start()), Unicode.codePointIndex(code, c.end()));
    }

    @Override
    public String isComplete(String code) {
        IsComplete.Answer a = IsComplete.check(code);
        return switch (a.status()) {
            case "complete" -> IS_COMPLETE_YES;
            case "invalid" -> IS_COMPLETE_BAD;
            default -> a.indent();
        };
    }

    /**
     * Answers {@code kernel_info_request} as BaseKernel does, with the {@code status: ok} every reply of the protocol
     * carries (jjava's reply leaves it out).
     */
    @Override
    protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
        env.setBusyDeferIdle();
        env.reply(new InfoReply(getName(), getVersion(), getLanguageInfo(), getBanner(), getHelpLinks()));
    }

    /** jjava's kernel_info reply with its status. */
    private static final class InfoReply extends KernelInfoReply {
        @SuppressWarnings("unused") // serialized by jjava's Gson
        private final String status = "ok";

        InfoReply(String name, String version, LanguageInfo language, String banner, List<HelpLink> links) {
            super(Header.PROTOCOL_VERISON, name, version, language, banner, links);
        }
    }

    /** Stops the running cell (an {@code interrupt_request}); the session stays. */
    @Override
    public void interrupt() {
        evaluator.interrupt();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        evaluator.interrupt();
        cells.shutdownNow();
        super.onShutdown(isRestarting);
    }
}
