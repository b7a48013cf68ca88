package io.skoop.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.netstack.parse.ParseException;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.netstack.route.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skoop netstack route-get (DUMPDIR | --example NAME) DST [from SRC] [iif DEV] [oif DEV] [mark N] [--json]}:
 * {@code ip route get} on a namespace dump folder. Text output prints like ip plus the decision
 * steps; {@code --json} prints the keys of {@code ip -j route get} (and {@code error} with the
 * errno name on failure). {@code --batch FILE} reads one query per line (same words; blank lines
 * and {@code #} comments skipped; {@code -} is stdin) and prints one JSON object per line.
 * Exit 1 when a single lookup fails as the kernel's would, 2 on usage errors or bad input.
 */
@Command(name = "route-get", mixinStandardHelpOptions = true,
        description = "Like 'ip route get' on a network-namespace dump: policy rules, tables, errno, and the decision steps.")
public class RouteGetCommand implements Callable<Integer> {
    /** Built on first use: picocli instantiates every command to build the command line, whatever runs. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "DUMPDIR WORDS",
            description = "DUMPDIR (a namespace folder written by scripts/collect-netns.sh; omitted with --example), then"
                    + " DST [from SRC] [iif DEV] [oif DEV] [mark N] [ipproto P] [sport N] [dport N] [tos N] [uid N]")
    List<String> positional = List.of();

    @Option(names = "--example", paramLabel = "NAME", description = "use an embedded example dump instead of DUMPDIR (e.g. node1)")
    String example;

    private List<String> words = List.of();

    @Option(names = "--json", description = "print the answer as ip -j route get does")
    boolean json;

    @Option(names = "--batch", paramLabel = "FILE", description = "one query per line ('-' for stdin); prints JSON lines")
    String batch;

    @Override
    public Integer call() throws IOException {
        Path dir = null;
        words = positional;
        if (example == null && !positional.isEmpty()) {
            dir = Path.of(positional.get(0));
            words = positional.subList(1, positional.size());
        }
        Router router = DumpSource.open(example, dir).router();
        PrintWriter out = spec.commandLine().getOut();
        if (batch != null) {
            if (!words.isEmpty()) {
                throw new UserException("--batch takes the queries from FILE; do not give a query on the command line too");
            }
            runBatch(router, out);
            out.flush();
            return 0;
        }
        if (words.isEmpty()) {
            throw new UserException("missing destination (usage: route-get DUMPDIR DST [from SRC] [iif DEV] [oif DEV] [mark N] [--json])");
        }
        RouteResult r = router.lookup(RouteQuery.parse(words));
        out.print(json ? toJson(r) + "\n" : r.toString());
        out.flush();
        return r.ok() ? 0 : 1;
    }

    private void runBatch(Router router, PrintWriter out) throws IOException {
        try (BufferedReader in = batch.equals("-") ? new BufferedReader(new java.io.InputStreamReader(System.in))
                : Files.newBufferedReader(Path.of(batch))) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                RouteResult r;
                try {
                    r = router.lookup(RouteQuery.parse(Arrays.asList(t.split("\\s+"))));
                } catch (IllegalArgumentException e) {
                    throw new ParseException(batch, n, t, e.getMessage());
                }
                out.println(toJson(r));
            }
        }
    }

    private static String toJson(RouteResult r) {
        try {
            return Json.MAPPER.writeValueAsString(r.toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
