package io.skoop.cli;

import io.skoop.dsl.Session;
import io.skoop.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code skoop run} (runbooks) and {@code skoop notebook run} (notebooks) take alike: parameters and a first snapshot. */
final class ScriptOptions {
    private ScriptOptions() {
    }

    /**
     * {@code --param NAME=VALUE} values, in order.
     *
     * @throws IllegalArgumentException for one without {@code =} or without a name
     */
    static Map<String, String> params(List<String> given) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : given) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--param " + p + ": expected NAME=VALUE");
            }
            out.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return out;
    }

    /** Starts {@code session} on the example or the snapshot folder given (neither: no snapshot yet). */
    static void start(Session session, String example, Path snapshot) {
        if (example != null) {
            session.use(Snapshot.example(example));
        } else if (snapshot != null) {
            session.use(Snapshot.open(snapshot));
        }
    }
}
