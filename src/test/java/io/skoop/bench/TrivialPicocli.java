package io.skoop.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The baseline of {@link CliStartBenchmark}: the smallest useful picocli application (one subcommand-less command, one
 * option, one line printed), started on the same JVM as skoop: what any Java command line pays to start.
 */
@Command(name = "trivial", mixinStandardHelpOptions = true, description = "Prints a greeting.")
public class TrivialPicocli implements Callable<Integer> {
    @Option(names = "--name", defaultValue = "world", description = "Who to greet.")
    String name;

    @Override
    public Integer call() {
        System.out.println("hello " + name);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrivialPicocli()).execute(args));
    }
}
