package io.skoop.cli;

import io.skoop.render.TextRenderer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Help.Ansi;

/**
 * What the standard output is, for text meant for a person: a terminal gets colour (unless {@code --no-color} or the
 * NO_COLOR convention, https://no-color.org, which picocli's {@link Ansi#AUTO} honours with its other switches) and
 * lines fitted to its width ({@code $COLUMNS} when exported, else {@code stty size} on {@code /dev/tty}, else 80);
 * a pipe or a file gets plain lines, unwrapped — unless {@code $COLUMNS} is exported, which asks for that width.
 */
final class Terminals {
    private Terminals() {
    }

    /** The screen text goes to on standard output. */
    static TextRenderer.Screen stdout(boolean noColor) {
        boolean tty = System.console() != null;
        boolean colour = !noColor && tty && Ansi.AUTO.enabled();
        Integer columns = columns(System.getenv("COLUMNS"));
        int width = columns != null ? columns : tty ? sttyColumns() : 0;
        return new TextRenderer.Screen(width == 0 ? 0 : Math.max(40, width), colour);
    }

    /** {@code $COLUMNS} as a number of columns, or null when unset or not a positive number. */
    static Integer columns(String env) {
        if (env == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(env.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The terminal's columns from {@code stty size} (which prints "ROWS COLUMNS"), or 80 when it cannot tell. */
    private static int sttyColumns() {
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                String[] rc = out.split("\\s+");
                Integer c = rc.length == 2 ? columns(rc[1]) : null;
                if (c != null) {
                    return c;
                }
            }
        } catch (IOException e) {
            // no stty or no /dev/tty: the classic width
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 80;
    }
}
