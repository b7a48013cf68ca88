package io.skoop.render;

import guru.nidi.graphviz.engine.EngineResult;
import guru.nidi.graphviz.engine.Graphviz;
import guru.nidi.graphviz.engine.GraphvizCmdLineEngine;
import guru.nidi.graphviz.engine.GraphvizException;
import guru.nidi.graphviz.engine.GraphvizV8Engine;
import guru.nidi.graphviz.engine.Options;
import guru.nidi.graphviz.engine.Rasterizer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Which Graphviz lays out and draws the graphs of {@link ImageRenderer}: Graphviz's own {@code dot} program when it is
 * on the PATH, else graphviz-java's bundled engine (viz.js, Graphviz compiled to JavaScript, run in V8 through J2V8).
 * Nashorn is not offered: graphviz-java refuses it on Java 15 and later.
 *
 * <p>graphviz-java keeps one engine per JVM; {@link #activate()} installs this one when another (or none) is
 * installed. Two adjustments to graphviz-java's engines:
 * <ul>
 *   <li>the command-line engine runs {@code dot} through pipes: graphviz-java's own writes a folder per image under
 *       {@code $TMPDIR/GraphvizJava} and never removes it;</li>
 *   <li>J2V8 unpacks its native library (linux x86_64) into a fresh temporary folder per JVM, deleted at exit,
 *       instead of {@code $HOME}, so that processes never share, half-write or leave the file behind.</li>
 * </ul>
 * Both write the arrows {@code ->} and {@code >} of link labels in SVG as characters rather than as {@code &#45;&gt;}
 * and {@code &gt;} (the same XML): svgSalamander, which draws the PNGs, drops the spaces around references. A lone
 * {@code &#45;} stays: inside the comments Graphviz writes, two plain hyphens in a row would not be XML.
 */
public enum LayoutEngine {
    /** Graphviz's {@code dot} program, run once per image (Debian package {@code graphviz}). */
    COMMAND_LINE,
    /** viz.js in J2V8's embedded V8: no program needed; the first image of a JVM pays about a second to start V8. */
    JAVASCRIPT;

    private static LayoutEngine active;

    /** {@link #COMMAND_LINE} when an executable {@code dot} is in a folder of the PATH environment variable, else {@link #JAVASCRIPT}. */
    public static LayoutEngine auto() {
        return dotOnPath(System.getenv("PATH")) ? COMMAND_LINE : JAVASCRIPT;
    }

    /** True when an executable file named {@code dot} is in one of the folders of {@code path} (a PATH value; null is empty). */
    public static boolean dotOnPath(String path) {
        if (path == null) {
            return false;
        }
        return Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isEmpty())
                .map(dir -> Path.of(dir, "dot")).anyMatch(f -> Files.isRegularFile(f) && Files.isExecutable(f));
    }

    /**
     * Makes this the engine graphviz-java renders with (JVM-wide), starting it now (V8: about a second); does nothing
     * when it already is. An engine that cannot start ({@code dot} missing, the native library refused) is not
     * reported here: the next render fails with graphviz-java's "None of the provided engines could be initialized".
     */
    public void activate() {
        synchronized (LayoutEngine.class) {
            if (active == this) {
                return;
            }
            Graphviz.useEngine(this == COMMAND_LINE ? new PipedCmdLineEngine() : new V8Engine(nativeLibraryFolder()));
            active = this;
        }
    }

    /** {@code &#45;&gt;} and {@code &gt;} in SVG written as the characters: the same document, drawn right by svgSalamander. */
    static String plainReferences(String svg) {
        return svg.replace("&#45;&gt;", "->").replace("&gt;", ">");
    }

    private static String nativeLibraryFolder() {
        try {
            Path dir = Files.createTempDirectory("skoop-j2v8-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "skoop-j2v8-cleanup"));
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for the J2V8 native library", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }

    /** graphviz-java's command-line engine (its start-up check that {@code dot} is on the PATH), run through pipes. */
    private static final class PipedCmdLineEngine extends GraphvizCmdLineEngine {
        @Override
        public EngineResult execute(String src, Options options, Rasterizer rasterizer) {
            String layout = options.engine == null ? "dot" : options.engine.toString().toLowerCase(Locale.ROOT);
            try {
                Process p = new ProcessBuilder(List.of(layout, "-Tsvg")).start();
                CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
                try (OutputStream in = p.getOutputStream()) {
                    in.write(src.getBytes(StandardCharsets.UTF_8));
                }
                String svg = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new GraphvizException(layout + " exited with " + p.exitValue() + ": "
                            + new String(err.join(), StandardCharsets.UTF_8).trim());
                }
                return EngineResult.fromString(plainReferences(svg));
            } catch (IOException e) {
                throw new GraphvizException("cannot run " + layout + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GraphvizException("interrupted while " + layout + " ran", e);
            }
        }

        private static byte[] readAll(InputStream s) {
            try (s) {
                return s.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** graphviz-java's J2V8 engine, its SVG with plain references. */
    private static final class V8Engine extends GraphvizV8Engine {
        V8Engine(String extractionPath) {
            super(extractionPath);
        }

        @Override
        public EngineResult execute(String src, Options options, Rasterizer rasterizer) {
            return super.execute(src, options, rasterizer).mapString(LayoutEngine::plainReferences);
        }
    }
}
