package io.skoop.cli;

import picocli.CommandLine.Command;

/** Placeholder replaced by the real {@code trace} subcommand. */
@Command(name = "trace", description = "(in progress)")
public class TraceCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("trace is not built yet");
    }
}
