package io.skoop.dsl;

import io.skoop.diagnose.Diagnosis;
import io.skoop.diagnose.Verdict;
import io.skoop.model.Suspicion;
import io.skoop.render.JsonRenderer;
import io.skoop.render.OutputFormat;
import io.skoop.render.TextRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A diagnosis as scripts use it: printed it is the text report; {@code verdict}, {@code reachable},
 * {@code suspicions}, {@code explain()}, {@code json()}, {@code svg()}, {@code save('out.svg')}.
 */
public final class DiagnosisView {
    private final Diagnosis diagnosis;

    public DiagnosisView(Diagnosis diagnosis) {
        this.diagnosis = diagnosis;
    }

    /** The underlying result (paths, branches, suspicions). */
    public Diagnosis getDiagnosis() {
        return diagnosis;
    }

    /** REACHABLE, UNREACHABLE or UNKNOWN. */
    public Verdict getVerdict() {
        return diagnosis.verdict();
    }

    /** True when REACHABLE. */
    public boolean isReachable() {
        return diagnosis.reachable();
    }

    /** Every suspicion, cluster-level first. */
    public List<Suspicion> getSuspicions() {
        return diagnosis.allSuspicions();
    }

    /**
     * What the NetworkPolicies intend for the flow's pod pairs ({@code d.policies} in a script): one verdict per pair
     * the data path reached, naming the deciding policy and rule; empty without policies.
     */
    public List<io.skoop.plugin.networkpolicy.PolicyVerdict> getPolicies() {
        return diagnosis.policies();
    }

    /** The text report with every hop's decisions (routes, rules, lookups). */
    public String explain() {
        return new TextRenderer(true).render(diagnosis);
    }

    /** The JSON form (docs/diagnose-json.md). */
    public String json() {
        return new JsonRenderer().render(diagnosis);
    }

    /** The graph as SVG (graphviz). */
    public String svg() {
        return new String(OutputFormat.SVG.render(diagnosis, false), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Writes the diagnosis to {@code file} in the format its extension names ({@code .txt .json .dot .svg .png .html}).
     *
     * @return the file
     * @throws IllegalArgumentException for another extension
     */
    public Path save(String file) {
        Path p = Path.of(file);
        String name = p.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        OutputFormat f = OutputFormat.parse(ext.equals("txt") ? "text" : ext);
        try {
            Files.write(p, f.render(diagnosis, true));
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "its folder does not exist"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
            throw new UncheckedIOException("cannot write " + p + ": " + why, e);
        }
        return p;
    }

    /**
     * Writes the diagnosis where a session's {@code /render} or {@code %render} asks: to {@code target} (format by
     * extension, as {@link #save}), or when {@code target} is a folder to {@code skoop-diagnosis.svg} in it, or
     * {@code skoop-diagnosis-2.svg}, {@code -3}... the first name not taken — nothing is overwritten unless
     * {@code force}.
     *
     * @return "wrote FILE (N bytes)"
     * @throws IllegalArgumentException when {@code target} exists and {@code force} is false, or for an unknown extension
     * @throws UncheckedIOException     when the file cannot be written
     */
    public String render(Path target, boolean force, String forceHint) {
        Path file = target;
        if (Files.isDirectory(file)) {
            file = freeName(file, "skoop-diagnosis", "svg");
        }
        if (Files.exists(file) && !force) {
            throw new IllegalArgumentException(file + " exists; give another name, or " + forceHint + " " + file + " to overwrite it");
        }
        Path written = save(file.toString());
        try {
            return "wrote " + written.toAbsolutePath().normalize() + " (" + Files.size(written) + " bytes)";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back " + written + ": " + e.getMessage(), e);
        }
    }

    /** {@code dir/base.ext}, or {@code base-2.ext}, {@code base-3.ext}... the first that does not exist. */
    public static Path freeName(Path dir, String base, String ext) {
        Path p = dir.resolve(base + "." + ext);
        for (int i = 2; Files.exists(p); i++) {
            p = dir.resolve(base + "-" + i + "." + ext);
        }
        return p;
    }

    @Override
    public String toString() {
        return new TextRenderer(false).render(diagnosis);
    }
}
