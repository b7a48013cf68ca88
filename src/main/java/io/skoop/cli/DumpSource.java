package io.skoop.cli;

import io.skoop.netstack.NetNS;
import io.skoop.snapshot.Examples;
import java.nio.file.Path;

/** Where a netstack command reads its namespace dump: a folder, or an embedded example ({@code --example NAME}). */
final class DumpSource {
    private DumpSource() {
    }

    /**
     * Opens the dump.
     *
     * @param example an embedded example name, or null
     * @param dir     a dump folder, or null
     * @throws UserException when neither or both are given, or the folder is not a dump
     */
    static NetNS open(String example, Path dir) {
        if (example != null && dir != null) {
            throw new UserException("give either DUMPDIR or --example, not both");
        }
        if (example == null && dir == null) {
            throw new UserException("missing DUMPDIR (a folder written by scripts/collect-netns.sh) or --example NAME (embedded: "
                    + String.join(", ", Examples.index().keySet()) + ")");
        }
        try {
            return NetNS.load(example != null ? Examples.path(example) : dir);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }
}
