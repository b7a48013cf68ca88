package io.skoop.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress indicator on standard error (me.tongfei:progressbar) for work whose length is not known ahead — opening a
 * snapshot, walking a diagnosis: it appears only when the work is still running after {@code delayMillis} (one second
 * by default: a quick command prints nothing), shows the steps done and the latest one, and is removed when the work
 * ends. Nothing is shown unless the command runs interactively (a console: standard input and output are a terminal),
 * so pipes, CI logs and scripts stay clean. {@code SKOOP_PROGRESS} overrides: {@code 0} never, {@code always} at once,
 * console or not (for tests).
 */
final class Progress implements AutoCloseable {
    private final String task;
    private final AtomicReference<String> latest = new AtomicReference<>("");
    private final Thread starter;
    private volatile long steps;
    private volatile ProgressBar bar;
    private volatile boolean closed;

    /**
     * @param max         the number of steps when known ahead (a bar with a percentage), else -1 (a count)
     * @param delayMillis when to show the bar; negative: never (no thread is started)
     */
    private Progress(String task, long max, long delayMillis, PrintStream err) {
        this.task = task;
        if (delayMillis < 0) {
            this.starter = null;
            return;
        }
        this.starter = new Thread(() -> {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (!closed) {
                    bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                            .setUpdateIntervalMillis(100).continuousUpdate().hideEta()
                            .setConsumer(new ConsoleProgressBarConsumer(err)).clearDisplayOnFinish().build();
                    bar.stepTo(steps);
                    bar.setExtraMessage(latest.get());
                }
            }
        }, "skoop-progress");
        starter.setDaemon(true);
        starter.start();
    }

    /** A progress display for {@code task} on standard error, or one that shows nothing (no console, SKOOP_PROGRESS=0). */
    static Progress start(String task) {
        return start(task, -1);
    }

    /**
     * A progress display for {@code task} of {@code max} steps (-1: not known ahead) on standard error, or one that
     * shows nothing (no console, SKOOP_PROGRESS=0).
     */
    static Progress start(String task, long max) {
        String mode = System.getenv().getOrDefault("SKOOP_PROGRESS", "auto");
        if (mode.equals("0") || mode.equals("auto") && System.console() == null) {
            return new Progress(task, max, -1, System.err);
        }
        return new Progress(task, max, mode.equals("always") ? 0 : 1000, System.err);
    }

    /** One more step done: {@code what} is shown next to the count. */
    void step(String what) {
        steps++;
        latest.set(what);
        ProgressBar b = bar;
        if (b != null) {
            b.step();
            b.setExtraMessage(what);
        }
    }

    /** Ends the display (the bar is cleared from the terminal). */
    @Override
    public synchronized void close() {
        closed = true;
        if (starter != null) {
            starter.interrupt();
        }
        if (bar != null) {
            bar.close();
        }
    }

    @Override
    public String toString() {
        return "Progress[" + task + ", " + steps + " steps]";
    }
}
