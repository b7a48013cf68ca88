package io.skoop.testsupport

import java.nio.file.Files
import java.nio.file.Path

/** Copies of the embedded flannel-vxlan snapshot (its source folder) for specs that break or change files. */
class ExampleCopy {
    /** The embedded example's source folder (the cwd of Maven tests is the project root). */
    static final Path EXAMPLE = Path.of('src/main/resources/io/skoop/snapshots/flannel-vxlan')

    /** Copies the folder {@code from} (default: the example) to {@code to}, folders and files; returns {@code to}. */
    static Path copy(Path to, Path from = EXAMPLE) {
        Files.walk(from).forEach { p ->
            Path t = to.resolve(from.relativize(p).toString())
            Files.isDirectory(p) ? Files.createDirectories(t) : Files.copy(p, t)
        }
        to
    }
}
