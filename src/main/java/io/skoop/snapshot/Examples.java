package io.skoop.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    private static final String BASE = "/io/skoop/examples/";

    private Examples() {
    }

    /** Example names with their one-line descriptions, in index order. */
    public static Map<String, String> index() {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = Examples.class.getResourceAsStream(BASE + "index.txt")) {
            if (in == null) {
                return out;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] kv = line.split("\t", 2);
                out.put(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The folder of an embedded example.
     *
     * @throws IllegalArgumentException naming the known examples when {@code name} is not one
     */
    public static Path path(String name) {
        Map<String, String> index = index();
        if (!index.containsKey(name)) {
            throw new IllegalArgumentException("no embedded example '" + name + "'; known: " + String.join(", ", index.keySet()));
        }
        URL url = Examples.class.getResource(BASE + name);
        if (url == null) {
            throw new IllegalStateException("example '" + name + "' is listed in index.txt but missing from the jar");
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                return fs.provider().getPath(uri);
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot open embedded example '" + name + "': " + e, e);
        }
    }
}
