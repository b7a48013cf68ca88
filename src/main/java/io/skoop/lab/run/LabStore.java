package io.skoop.lab.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.TopologyLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the lab remembers what it built: one folder per lab under {@code /run/skoop/labs} (a tmpfs, so it goes
 * away at reboot together with the namespaces), or under {@code $SKOOP_LAB_STATE_DIR}. A folder holds
 * {@code lab.json} ({@link Entry}) and {@code topology.yaml}, the topology text exactly as given. The entry is
 * written before the first namespace is created, so {@code skoop lab down} finds everything also after an
 * interrupted {@code up}.
 */
public final class LabStore {

    /** The environment variable that moves the state folder (tests use it). */
    public static final String ENV = "SKOOP_LAB_STATE_DIR";
    /** The default state folder. */
    public static final Path DEFAULT_DIR = Path.of("/run/skoop/labs");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    /** A store in {@code dir} (created on first save). */
    public LabStore(Path dir) {
        this.dir = dir;
    }

    /** The system property that moves the state folder, before {@link #ENV} (for tests in one JVM). */
    public static final String PROPERTY = "skoop.lab.stateDir";

    /** The store in system property {@value #PROPERTY}, else {@code $SKOOP_LAB_STATE_DIR}, else {@link #DEFAULT_DIR}. */
    public static LabStore fromEnvironment() {
        String env = System.getProperty(PROPERTY, System.getenv(ENV));
        return new LabStore(env != null && !env.isBlank() ? Path.of(env) : DEFAULT_DIR);
    }

    /** The state folder. */
    public Path dir() {
        return dir;
    }

    /**
     * What a lab is.
     *
     * @param name       the lab's name (prefix of its namespaces)
     * @param source     where its topology came from: {@code example flannel-vxlan} or the file's path
     * @param fileName   the topology's file name, as its error messages name it
     * @param createdAt  when {@code up} started (ISO-8601 UTC)
     * @param status     {@code building} while {@code up} runs (or after it was interrupted), {@code up} when done
     * @param namespaces every namespace it creates
     */
    public record Entry(String name, String source, String fileName, String createdAt, String status, List<String> namespaces) {
        public Entry {
            namespaces = List.copyOf(namespaces);
        }

        /** The same entry with another status. */
        public Entry withStatus(String newStatus) {
            return new Entry(name, source, fileName, createdAt, newStatus, namespaces);
        }
    }

    /** Writes a lab's entry and, when not null, its topology text. */
    public void save(Entry e, String topologyYaml) {
        Path d = dir.resolve(e.name());
        try {
            Files.createDirectories(d);
            if (topologyYaml != null) {
                Files.writeString(d.resolve("topology.yaml"), topologyYaml, StandardCharsets.UTF_8);
            }
            Path tmp = d.resolve("lab.json.tmp");
            JSON.writeValue(tmp.toFile(), e);
            Files.move(tmp, d.resolve("lab.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException x) {
            throw new LabException("cannot write the lab state in " + d + ": " + x.getMessage());
        }
    }

    /** The entry of lab {@code name}, if there is one. */
    public Optional<Entry> read(String name) {
        Path f = dir.resolve(name).resolve("lab.json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), Entry.class));
        } catch (IOException x) {
            throw new LabException("cannot read the lab state " + f + ": " + x.getMessage() + " (skoop lab down " + name
                    + " removes the lab's namespaces anyway)");
        }
    }

    /** The topology of a saved lab, resolved again from the saved text (resolution is deterministic). */
    public ResolvedTopology topology(Entry e) {
        ResolvedTopology t = TopologyLoader.parse(e.fileName(), topologyText(e));
        return t.name().equals(e.name()) ? t : t.withName(e.name());
    }

    /** The topology text a lab was built from, exactly as given. */
    public String topologyText(Entry e) {
        Path f = dir.resolve(e.name()).resolve("topology.yaml");
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException x) {
            throw new LabException("cannot read " + f + ": " + x.getMessage());
        }
    }

    /** Every saved lab, by name. */
    public List<Entry> all() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.sorted(Comparator.naturalOrder()).toList()) {
                read(d.getFileName().toString()).ifPresent(out::add);
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return out;
    }

    /** Forgets lab {@code name} (its folder). */
    public void delete(String name) {
        Path d = dir.resolve(name);
        if (!Files.isDirectory(d)) {
            return;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException x) {
            throw new LabException("cannot remove the lab state " + d + ": " + x.getMessage());
        }
    }
}
