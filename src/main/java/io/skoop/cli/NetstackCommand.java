package io.skoop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code skoop netstack …}: the engine on one network-namespace dump (see docs/netns-dump.md). */
@Command(name = "netstack", mixinStandardHelpOptions = true,
        description = "Query one network namespace dump: routing (like ip route get) and netfilter traces.",
        subcommands = {RouteGetCommand.class, TraceCommand.class})
public class NetstackCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
