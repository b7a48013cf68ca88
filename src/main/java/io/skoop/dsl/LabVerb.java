package io.skoop.dsl;

import io.skoop.lab.plan.LabPlanner;
import io.skoop.lab.run.Lab;
import io.skoop.lab.run.LabException;
import io.skoop.lab.run.LabStore;
import io.skoop.lab.run.Labs;
import io.skoop.lab.topology.LabExamples;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.TopologyLoader;
import io.skoop.model.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The {@code lab} verb: brings a lab cluster up on this machine (docs/lab.md), or takes one that is up, snapshots it
 * and makes the session work on the snapshot, so every other verb diagnoses the lab; returns a {@link LabView}.
 *
 * <p>The source is a text or a {@link LabDocument} (what {@code lab { ... }} builds). A text is, first match wins:
 * <ol>
 * <li>an existing topology file ({@code lab('topologies/demo.yaml')});</li>
 * <li>the name of a lab that is up ({@code lab('vxlan')}, what {@code skoop-shell --lab NAME} calls): its current
 *     state is snapshotted, nothing is built;</li>
 * <li>a lab example ({@code lab('flannel-vxlan')}, {@link LabExamples}).</li>
 * </ol>
 * Anything else is an error listing the examples and the labs that are up, with the closest name. A topology whose
 * lab (by name) is up already is not built again: that lab is snapshotted — when it was built from the same topology;
 * from another one it is an error. Needs root; without, a {@link LabException} says so (after the source was read, so
 * a mistake in it is reported first).
 */
final class LabVerb extends Verbs.Base {
    private final Supplier<Labs> labs;
    private final BooleanSupplier root;

    /** The verb on the lab store of this machine ({@link LabStore#fromEnvironment()}). */
    LabVerb() {
        this(() -> new Labs(LabStore.fromEnvironment()), Labs::isRoot);
    }

    /**
     * The verb on other labs, with another test for root (tests).
     *
     * @param labs the lab operations to use, asked on each call
     * @param root whether this process may build labs
     */
    LabVerb(Supplier<Labs> labs, BooleanSupplier root) {
        super(new VerbDescriptor("lab", "build a lab cluster out of network namespaces (or take one that is up) and work on its snapshot;"
                + " needs root (docs/dsl.md, Labs)",
                List.of(Param.required("source", "String", "a topology file, a lab that is up, or a lab example (" + String.join(", ", LabExamples.names())
                                + "); lab { ... } builds one"),
                        Param.optional("name", "String", "the lab's name (default: the topology's); prefixes its namespaces")),
                "def vxlan = lab('flannel-vxlan'); vxlan.exec('node-1', 'ip link set eth0 mtu 1400')").returning(LabView.class));
        this.labs = labs;
        this.root = root;
    }

    /**
     * Where a topology came from.
     *
     * @param yaml     its text (null for a lab that is up)
     * @param fileName what its errors name
     * @param source   what {@code skoop lab list} shows
     * @param topology resolved (null for a lab that is up)
     * @param upLab    the name of the lab that is up, or null
     */
    private record Source(String yaml, String fileName, String source, ResolvedTopology topology, String upLab) {
    }

    @Override
    public Object call(Session session, Args args) {
        Object given = args.get("source");
        String rename = args.string("name");
        Labs l = labs.get();
        Source s;
        if (given instanceof LabDocument d) {
            s = new Source(d.yaml(), d.fileName(), d.fileName(), d.resolve(), null);
        } else if (given instanceof CharSequence c) {
            s = fromText(l, c.toString());
        } else {
            throw new IllegalArgumentException("lab needs a topology file, the name of a lab that is up or a lab example ("
                    + String.join(", ", LabExamples.names()) + "), or lab { ... }; got " + (given == null ? "nothing" : given.getClass().getSimpleName()
                    + " '" + given + "'"));
        }
        if (rename != null) {
            if (s.upLab() != null) {
                throw new IllegalArgumentException("lab: name: renames a topology (a file, an example or lab { }), not lab " + s.upLab() + " that is up");
            }
            s = new Source(s.yaml(), s.fileName(), s.source(), s.topology().withName(rename), null);
        }
        String what = given instanceof LabDocument d ? d.fileName() : "lab('" + given + "')";
        if (!root.getAsBoolean()) {
            throw new LabException(what + " needs root (CAP_NET_ADMIN, to create and enter network namespaces): run the script as root, e.g. with"
                    + " sudo; diagnosing a snapshot (example(...), snapshot(...)) needs no root");
        }
        String name = s.upLab() != null ? s.upLab() : s.topology().name();
        Optional<LabStore.Entry> up = l.store().read(name);
        Lab lab;
        String yaml;
        Duration upTime = null;
        if (up.isPresent()) {
            LabStore.Entry e = up.get();
            if (!"up".equals(e.status())) {
                throw new LabException("lab " + name + " is half-built (status " + e.status() + ": an interrupted up); remove it with skoop lab down " + name);
            }
            lab = l.open(name);
            if (s.topology() != null && !LabPlanner.plan(s.topology()).steps().equals(LabPlanner.plan(lab.topology()).steps())) {
                throw new LabException("a lab named " + name + " is up already, built from another topology (" + e.source() + "); take it down first"
                        + " (skoop lab down " + name + ") or give this one another name: lab(..., name: 'other')");
            }
            yaml = l.store().topologyText(e);
        } else {
            Labs.Built b = l.up(s.topology(), s.source(), s.fileName(), s.yaml(), null);
            lab = b.lab();
            yaml = s.yaml();
            upTime = b.elapsed();
        }
        LabView view = new LabView(session, l, lab, yaml, upTime);
        view.snapshot();
        return view;
    }

    /** A text source, by the precedence in the class comment. */
    private static Source fromText(Labs l, String text) {
        Path file = null;
        try {
            file = Path.of(text);
        } catch (InvalidPathException e) {
            // not a file name; maybe a lab or an example
        }
        if (file != null && Files.isRegularFile(file)) {
            String yaml;
            try {
                yaml = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the topology file " + file + ": " + e.getMessage(), e);
            }
            return new Source(yaml, text, file.toAbsolutePath().normalize().toString(), TopologyLoader.parse(text, yaml), null);
        }
        if (l.store().read(text).isPresent()) {
            return new Source(null, null, null, null, text);
        }
        if (LabExamples.names().contains(text)) {
            return new Source(LabExamples.text(text), text + ".yaml", "example " + text, LabExamples.load(text), null);
        }
        List<String> up = l.store().all().stream().map(LabStore.Entry::name).toList();
        List<String> names = new ArrayList<>(LabExamples.names());
        names.addAll(up);
        throw new IllegalArgumentException("lab: '" + text + "' is not a topology file, a lab that is up or a lab example; examples: "
                + String.join(", ", LabExamples.names()) + "; labs up: " + (up.isEmpty() ? "none" : String.join(", ", up)) + Names.didYouMean(text, names));
    }
}
