package io.skoop.snapshot;

import java.nio.file.Path;
import java.util.Map;

/**
 * The examples embedded in the jar (src/main/resources/io/skoop/examples/): dumps that need
 * neither a cluster nor root. {@code index.txt} there lists one example per line as
 * {@code NAME<TAB>description}; each example is a folder of that name.
 *
 * <p>Paths returned work the same whether skoop runs from classes on disk or from the jar
 * (a zip file system is opened once and kept open).
 */
public final class Examples {
    private static final Embedded EXAMPLES = new Embedded("/io/skoop/examples/", "example");

    private Examples() {
    }

    /** Example names with their one-line descriptions, in index order. */
    public static Map<String, String> index() {
        return EXAMPLES.index();
    }

    /**
     * The folder of an embedded example.
     *
     * @throws IllegalArgumentException naming the known examples when {@code name} is not one
     */
    public static Path path(String name) {
        return EXAMPLES.path(name);
    }
}
