package io.skoop.dsl;

import io.skoop.diagnose.Diagnostor;
import io.skoop.snapshot.Snapshot;

/**
 * What a script works on (the DSL's Context): the snapshot chosen by {@code example(...)} or {@code snapshot(...)}
 * (or by the command line that started the script), and its Diagnostor, made once. Not thread-safe.
 */
public final class Session {
    private Snapshot snapshot;
    private Diagnostor diagnostor;
    private final java.util.Map<String, String> given = new java.util.LinkedHashMap<>();
    private boolean describeOnly;

    /** A session for a runbook: the {@code --param} values given, and whether the runner only wants the parameters. */
    public static Session forRunbook(java.util.Map<String, String> given, boolean describeOnly) {
        Session s = new Session();
        s.given.putAll(given);
        s.describeOnly = describeOnly;
        return s;
    }

    /** The {@code --param name=value} values of a runbook run (empty otherwise). */
    public java.util.Map<String, String> given() {
        return java.util.Collections.unmodifiableMap(given);
    }

    /** True when a runbook is run only to read its parameters ({@link Runbook.Described}). */
    public boolean describeOnly() {
        return describeOnly;
    }

    private Stepper stepper;
    private DiagnosisView last;

    /**
     * Diagnoses {@code q} on the current snapshot and remembers the result as {@link #last()} (what the shell's
     * {@code /explain} and {@code /render} work on).
     *
     * @throws IllegalArgumentException for an endpoint the snapshot does not have (naming the known ones)
     */
    public DiagnosisView diagnose(io.skoop.diagnose.Query q) {
        last = new DiagnosisView(diagnostor().diagnose(q));
        return last;
    }

    /** The latest diagnosis of this session. @throws IllegalStateException when nothing was diagnosed yet */
    public DiagnosisView last() {
        if (last == null) {
            throw new IllegalStateException("nothing diagnosed yet: diagnose(pod('default/client'), service('default/web', 80))"
                    + " or /diagnose default/client svc/default/web");
        }
        return last;
    }

    private java.util.function.Supplier<Snapshot> refresh;

    /** Works on {@code s} from now on (a pending {@link #refreshBeforeNextUse refresh} is dropped). */
    public Snapshot use(Snapshot s) {
        this.refresh = null;
        this.snapshot = s;
        this.diagnostor = null;
        this.stepper = null;
        this.last = null;
        return s;
    }

    /** Starts stepping by hand from a new client (a fresh walk). */
    Stepper.NetNodeView startStepping(io.skoop.model.Hop client) {
        stepper = new Stepper(diagnostor(), client);
        return stepper.netnode(client);
    }

    /** A NetNode of the walk being stepped. @throws IllegalStateException when no walk was started */
    Stepper.NetNodeView stepAt(io.skoop.model.Hop hop) {
        if (stepper == null) {
            throw new IllegalStateException("start with netnode(pod('ns/name')) (or node/ip): the client of the walk to step through");
        }
        return stepper.netnode(hop);
    }

    /**
     * Marks the snapshot out of date (a lab was changed): the next verb that reads it first works on what
     * {@code refresh} returns, once, however many changes came before.
     */
    public void refreshBeforeNextUse(java.util.function.Supplier<Snapshot> refresh) {
        this.refresh = refresh;
    }

    private void refreshIfDue() {
        if (refresh != null) {
            java.util.function.Supplier<Snapshot> r = refresh;
            refresh = null;
            use(r.get());
        }
    }

    /** The current snapshot. @throws IllegalStateException telling how to choose one when none was */
    public Snapshot snapshot() {
        refreshIfDue();
        if (snapshot == null) {
            throw new IllegalStateException("no snapshot yet: start with example('flannel-vxlan'), snapshot('/path/to/snapshot') or lab('flannel-vxlan')");
        }
        return snapshot;
    }

    /** True when a snapshot was chosen. */
    public boolean hasSnapshot() {
        return snapshot != null || refresh != null;
    }

    /** The Diagnostor of the current snapshot. */
    public Diagnostor diagnostor() {
        refreshIfDue();
        if (diagnostor == null) {
            diagnostor = new Diagnostor(snapshot());
        }
        return diagnostor;
    }
}
