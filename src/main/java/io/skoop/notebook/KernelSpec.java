package io.skoop.notebook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.kitfox.svg.SVGDiagram;
import com.kitfox.svg.SVGException;
import com.kitfox.svg.SVGUniverse;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * skoop's Jupyter kernelspec (jupyter_client's "Kernel specs"): a folder {@code skoop} with {@code kernel.json} —
 * {@code argv} that starts the kernel on {@code {connection_file}}, display name {@value #DISPLAY_NAME}, language
 * {@code groovy}, {@code interrupt_mode: message} (Jupyter interrupts with an {@code interrupt_request}, not SIGINT,
 * which would end a JVM) — and the logo as {@code logo-svg.svg}, {@code logo-32x32.png} and {@code logo-64x64.png}
 * (drawn from the SVG by svgSalamander). Jupyter Notebook, JupyterLab, nbconvert and VS Code find a kernelspec under
 * {@code kernels/} of a Jupyter data folder: {@code ~/.local/share/jupyter} (per user; {@code $JUPYTER_DATA_DIR}
 * overrides), {@code PREFIX/share/jupyter}, or a folder on {@code $JUPYTER_PATH}.
 */
public final class KernelSpec {
    /** The kernel's name (its folder), what a notebook's metadata names. */
    public static final String NAME = "skoop";
    /** What Jupyter's kernel menus show. */
    public static final String DISPLAY_NAME = "skoop (Groovy)";

    private KernelSpec() {
    }

    /**
     * The user's Jupyter kernels folder, as jupyter_core finds it on Linux: {@code $JUPYTER_DATA_DIR/kernels}, else
     * {@code $XDG_DATA_HOME/jupyter/kernels}, else {@code ~/.local/share/jupyter/kernels} — {@code ~} being
     * {@code $HOME} as Python expands it (Java's {@code user.home} is the passwd entry's, which may differ).
     */
    public static Path userKernels() {
        String data = System.getenv("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) {
            return Path.of(data, "kernels");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        String home = System.getenv("HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".local", "share");
        return base.resolve("jupyter").resolve("kernels");
    }

    /** The kernels folder of an installation prefix: {@code PREFIX/share/jupyter/kernels}. */
    public static Path prefixKernels(Path prefix) {
        return prefix.resolve("share").resolve("jupyter").resolve("kernels");
    }

    /**
     * Writes the kernelspec into {@code kernels/skoop}, replacing one that is there.
     *
     * @param kernels the kernels folder
     * @param argv    the command that starts the kernel; one element is {@code {connection_file}}
     * @return the kernelspec's folder
     * @throws UncheckedIOException when it cannot be written
     */
    public static Path install(Path kernels, List<String> argv) {
        if (!argv.contains("{connection_file}")) {
            throw new IllegalArgumentException("the kernel's argv must pass {connection_file}: " + argv);
        }
        Path dir = kernels.resolve(NAME);
        try {
            Files.createDirectories(dir);
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("argv", argv);
            spec.put("display_name", DISPLAY_NAME);
            spec.put("language", "groovy");
            spec.put("interrupt_mode", "message");
            spec.put("env", Map.of());
            spec.put("metadata", Map.of("debugger", false));
            Files.writeString(dir.resolve("kernel.json"), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(spec) + "\n");
            byte[] svg;
            try (InputStream in = KernelSpec.class.getResourceAsStream("logo.svg")) {
                svg = in.readAllBytes();
            }
            Files.write(dir.resolve("logo-svg.svg"), svg);
            for (int size : new int[] {32, 64}) {
                ImageIO.write(png(svg, size), "png", dir.resolve("logo-" + size + "x" + size + ".png").toFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kernelspec to " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** The logo drawn at {@code size}×{@code size} pixels (RGBA). */
    static BufferedImage png(byte[] svg, int size) {
        SVGUniverse universe = new SVGUniverse();
        try {
            URI uri = universe.loadSVG(new java.io.ByteArrayInputStream(svg), "logo.svg");
            SVGDiagram diagram = universe.getDiagram(uri);
            diagram.setIgnoringClipHeuristic(true);
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.transform(AffineTransform.getScaleInstance(size / diagram.getWidth(), size / diagram.getHeight()));
            diagram.render(g);
            g.dispose();
            return img;
        } catch (SVGException | IOException e) {
            throw new IllegalStateException("cannot draw the logo: " + e.getMessage(), e);
        }
    }

    /** The kernel.json text of an installed spec (for messages and tests). */
    static String read(Path dir) throws IOException {
        return Files.readString(dir.resolve("kernel.json"), StandardCharsets.UTF_8);
    }
}
