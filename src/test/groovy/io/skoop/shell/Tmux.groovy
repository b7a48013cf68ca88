package io.skoop.shell

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real terminal for shell specs: a tmux server of its own ({@code -L}), one window of 160×50 running a command;
 * {@link #type}/{@link #keys} are {@code send-keys}, {@link #screen} is {@code capture-pane}. {@link #close()} kills
 * the server.
 */
class Tmux implements AutoCloseable {
    final String socket = 'skoop-spec-' + Long.toString(System.nanoTime() % 1_000_000_000L, 36)

    /** Starts {@code command} (a shell command line) in {@code dir} with extra environment variables, {@code columns} wide. */
    Tmux(String command, Path dir, Map<String, String> env = [:], int columns = 160) {
        List<String> cmd = ['tmux', '-L', socket, 'new-session', '-d', '-x', String.valueOf(columns), '-y', '50', '-c', dir.toString()]
        env.each { k, v -> cmd += ['-e', "$k=$v".toString()] }
        tmux(cmd + [command])
    }

    /** Types text literally (no Enter). */
    void type(String text) {
        tmux(['tmux', '-L', socket, 'send-keys', '-l', text])
    }

    /** Sends keys by tmux name: {@code Enter}, {@code Tab}, {@code Up}, {@code C-u}. */
    void keys(String... names) {
        tmux(['tmux', '-L', socket, 'send-keys'] + (names as List))
    }

    /** Types a line and presses Enter. */
    void line(String text) {
        type(text)
        keys('Enter')
    }

    /** The pane's text, scrollback included, as the user sees it. */
    String screen() {
        def p = ['tmux', '-L', socket, 'capture-pane', '-p', '-J', '-S', '-2000'].execute()
        String out = p.text
        p.waitFor(5, TimeUnit.SECONDS)
        out
    }

    /** The pane's text, scrollback included, with the escape codes of its colours and attributes. */
    String escaped() {
        def p = ['tmux', '-L', socket, 'capture-pane', '-p', '-e', '-J', '-S', '-2000'].execute()
        String out = p.text
        p.waitFor(5, TimeUnit.SECONDS)
        out
    }

    /** The pane's visible text only (no scrollback). */
    String visible() {
        def p = ['tmux', '-L', socket, 'capture-pane', '-p', '-J'].execute()
        String out = p.text
        p.waitFor(5, TimeUnit.SECONDS)
        out
    }

    /**
     * Waits until the screen satisfies {@code check} and returns it.
     *
     * @throws AssertionError with the screen when it does not within {@code seconds}
     */
    String waitFor(double seconds = 30, String what, Closure<Boolean> check) {
        long end = System.nanoTime() + (long) (seconds * 1e9)
        String s = screen()
        while (!check(s)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("waited ${seconds}s for ${what}; the terminal shows:\n$s")
            }
            Thread.sleep(50)
            s = screen()
        }
        s
    }

    /** Waits until {@code text} appears {@code times} times. */
    String waitForText(String text, int times = 1, double seconds = 30) {
        waitFor(seconds, "'$text' ×$times") { String s -> s.count(text) >= times }
    }

    /** True while the pane's command runs. */
    boolean alive() {
        def p = ['tmux', '-L', socket, 'list-panes', '-F', '#{pane_dead}'].execute()
        String out = p.text.trim()
        p.waitFor(5, TimeUnit.SECONDS)
        p.exitValue() == 0 && out == '0'
    }

    private static void tmux(List<String> cmd) {
        def p = cmd.execute()
        def err = new StringBuilder()
        p.consumeProcessErrorStream(err)
        assert p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0: "$cmd failed: $err"
    }

    @Override
    void close() {
        ['tmux', '-L', socket, 'kill-server'].execute().waitFor(10, TimeUnit.SECONDS)
    }
}
