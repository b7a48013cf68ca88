package io.skoop.snapshot;

import io.skoop.model.Names;
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
 * A classpath folder of embedded folders, indexed by its {@code index.txt}: one entry per line as
 * {@code NAME<TAB>description} ({@code #} starts a comment line); each entry is a sub-folder of that name.
 * {@link Examples} (netns dumps) and {@link Snapshot#example} (cluster snapshots) are two of them.
 *
 * <p>Paths returned work the same whether skoop runs from classes on disk or from the jar (a zip file system is
 * opened once and kept open).
 */
final class Embedded {
    private final String base;
    private final String what;

    /**
     * @param base the classpath folder, starting and ending with {@code /}
     * @param what what an entry is, for messages ({@code example}, {@code snapshot})
     */
    Embedded(String base, String what) {
        this.base = base;
        this.what = what;
    }

    /** Names with their one-line descriptions, in index order (empty when there is no index). */
    Map<String, String> index() {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = Embedded.class.getResourceAsStream(base + "index.txt")) {
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
     * The folder of one entry.
     *
     * @throws IllegalArgumentException naming the known entries when {@code name} is not one
     */
    Path path(String name) {
        Map<String, String> index = index();
        if (!index.containsKey(name)) {
            throw new IllegalArgumentException("no embedded " + what + " '" + name + "'; known: " + String.join(", ", index.keySet())
                    + Names.didYouMean(name, index.keySet()));
        }
        URL url = Embedded.class.getResource(base + name);
        if (url == null) {
            throw new IllegalStateException(what + " '" + name + "' is listed in index.txt but missing from the jar");
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
            throw new IllegalStateException("cannot open embedded " + what + " '" + name + "': " + e, e);
        }
    }
}
