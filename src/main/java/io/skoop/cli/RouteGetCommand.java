package io.skoop.cli;

import picocli.CommandLine.Command;

/** Placeholder replaced by the real {@code route-get} subcommand. */
@Command(name = "route-get", description = "(in progress)")
public class RouteGetCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("route-get is not built yet");
    }
}
