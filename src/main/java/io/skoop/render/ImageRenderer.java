package io.skoop.render;

import guru.nidi.graphviz.engine.Format;
import guru.nidi.graphviz.engine.Graphviz;
import guru.nidi.graphviz.engine.GraphvizException;
import guru.nidi.graphviz.engine.Renderer;
import io.skoop.diagnose.Diagnosis;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A diagnosis drawn as an image: the graph of {@link DotRenderer}, laid out by Graphviz's {@code dot} algorithm through
 * graphviz-java with the chosen {@link LayoutEngine}. SVG comes straight from the engine; PNG is that SVG rasterized by
 * svgSalamander (headless AWT, no display needed) at 1:1 scale, so both engines give the same kind of PNG.
 *
 * <p>graphviz-java's engine is JVM-wide: renders from several threads are serialized here.
 */
public final class ImageRenderer {
    private final LayoutEngine engine;
    private final DotRenderer graphs = new DotRenderer();

    /** Renders with {@link LayoutEngine#auto()}: {@code dot} when it is on the PATH, else the bundled engine. */
    public ImageRenderer() {
        this(LayoutEngine.auto());
    }

    /** @param engine the engine to render with */
    public ImageRenderer(LayoutEngine engine) {
        this.engine = engine;
    }

    /** The engine this renderer uses. */
    public LayoutEngine engine() {
        return engine;
    }

    /**
     * The diagnosis as an SVG document (UTF-8 text; its {@code <title>} elements name the hops).
     *
     * @throws IllegalStateException when the engine cannot start or fails, with graphviz-java's reason
     */
    public String svg(Diagnosis d) {
        synchronized (LayoutEngine.class) {
            return run(() -> renderer(d, Format.SVG).toString());
        }
    }

    /**
     * The diagnosis as a PNG image (8-bit RGBA, 72 dpi; a pixel per point of the layout).
     *
     * @throws IllegalStateException when the engine cannot start or fails, with graphviz-java's reason
     */
    public byte[] png(Diagnosis d) {
        synchronized (LayoutEngine.class) {
            return run(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    renderer(d, Format.PNG).toOutputStream(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);   // a byte array stream does not fail
                }
                return out.toByteArray();
            });
        }
    }

    private Renderer renderer(Diagnosis d, Format format) {
        engine.activate();
        return Graphviz.fromGraph(graphs.graph(d)).render(format);
    }

    private <T> T run(Supplier<T> render) {
        try {
            return render.get();
        } catch (GraphvizException e) {
            throw new IllegalStateException("Graphviz (" + engine.name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + " engine) failed: " + e.getMessage(), e);
        }
    }
}
