package io.skoop.testsupport

import java.nio.file.Path

/** Reads fixtures under src/test/resources (on the test classpath). */
class Fixtures {
    /** The text of the resource at {@code path} (relative to the classpath root, no leading slash). */
    static String text(String path) {
        URL u = Fixtures.getResource('/' + path)
        if (u == null) {
            throw new IllegalArgumentException("no fixture $path")
        }
        return u.getText('UTF-8')
    }

    /** The resource as a file path. */
    static Path path(String path) {
        return Path.of(Fixtures.getResource('/' + path).toURI())
    }
}
