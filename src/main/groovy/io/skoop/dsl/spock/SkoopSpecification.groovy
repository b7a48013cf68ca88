package io.skoop.dsl.spock

import io.skoop.dsl.DiagnosisView
import io.skoop.dsl.EndpointRef
import io.skoop.dsl.LabBuilder
import io.skoop.dsl.LabDocument
import io.skoop.dsl.LabView
import io.skoop.dsl.Session
import io.skoop.dsl.Verbs
import io.skoop.lab.run.Probe
import io.skoop.model.Level
import io.skoop.model.NetNode
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import java.util.regex.Pattern
import spock.lang.Shared
import spock.lang.Specification

/**
 * The Spock scenario kit: write a network's expectations as specs over a snapshot.
 * <pre>
 * class MyClusterSpec extends SkoopSpecification {
 *     def setupSpec() { example('flannel-vxlan') }          // or snapshot('/path')
 *
 *     def "the client reaches the web Service"() {
 *         expect:
 *         reachable(pod('default/client'), service('default/web', 80))
 *     }
 *
 *     def "nothing listens on the sleeper"() {
 *         expect:
 *         hasSuspicion(unreachable(pod('default/client'), pod('default/sleeper', 80)), on: 'pod:default/sleeper', level: FATAL, message: ~/no socket/)
 *     }
 * }
 * </pre>
 * A failed expectation throws an AssertionError whose message is the whole diagnosis (path, suspicions, verdict),
 * so the report says where the packet went. Over a lab cluster ({@code lab('flannel-vxlan')}, {@code lab { ... }}),
 * {@link #kernelAgrees} checks a diagnosis against a real connection (src/test/groovy/io/skoop/scenarios/
 * FlannelLabScenarioSpec.groovy). The endpoints and verbs are the DSL's (docs/dsl.md). Spock is not part of
 * skoop's runtime: add spock-core (2.4-groovy-5.0) to the project that uses the kit.
 */
abstract class SkoopSpecification extends Specification {
    private static final Verbs VERBS = Verbs.standard()

    /** The snapshot the spec works on, shared by its features. */
    @Shared
    Session skoopSession = new Session()

    /** Works on an embedded snapshot. */
    Snapshot example(String name) {
        (Snapshot) VERBS.invoke(skoopSession, 'example', [name] as Object[])
    }

    /** Works on a snapshot folder. */
    Snapshot snapshot(String path) {
        (Snapshot) VERBS.invoke(skoopSession, 'snapshot', [path] as Object[])
    }

    /** Every other DSL verb by name ({@code routeGet}, {@code trace}, {@code netns}, {@code netnode}, {@code packet}). */
    def methodMissing(String name, Object args) {
        VERBS.invoke(skoopSession, name, (Object[]) args)
    }

    /** The lab of the latest {@code lab(...)}: what {@link #kernelAgrees} probes. */
    @Shared
    LabView skoopLab

    /**
     * Brings a lab up (a topology file or a lab example; {@code name:} renames it) or takes the lab that is up with
     * that name, and works on its snapshot (docs/dsl.md, Labs). Needs root. The lab stays up: take it down in
     * {@code cleanupSpec()} with {@code down()} on what this returned.
     */
    LabView lab(Map options = [:], String source) {
        skoopLab = (LabView) VERBS.invoke(skoopSession, 'lab', (options ? [options, source] : [source]) as Object[])
    }

    /** Builds a lab from the closure ({@link LabBuilder}) and works on its snapshot. */
    LabView lab(Map options = [:], @DelegatesTo(value = LabBuilder, strategy = Closure.DELEGATE_FIRST) Closure spec) {
        LabDocument doc = LabBuilder.build(spec)
        skoopLab = (LabView) VERBS.invoke(skoopSession, 'lab', (options ? [options, doc] : [doc]) as Object[])
    }

    /**
     * Expects the kernel to agree with a diagnosis: probes the same flow in the lab (DESIGN.md §3: a connection the
     * kernel completes is REACHABLE without a FATAL; one it cannot complete carries a FATAL or CRITICAL).
     *
     * @return the probe (its {@code outcome()}, {@code answeredBy()})
     * @throws AssertionError with the probe, the verdict and the whole diagnosis when they disagree
     */
    Probe.Result kernelAgrees(DiagnosisView d, LabView lab = skoopLab) {
        if (lab == null) {
            throw new IllegalStateException('kernelAgrees needs a lab: start with lab(...)')
        }
        LabView.KernelCheck c = lab.check(d)
        if (!c.agrees()) {
            throw new AssertionError("the kernel and skoop disagree about ${d.diagnosis.query()}\n${c}\n\n${d}")
        }
        c.probe()
    }

    /** A pod, {@code namespace/name}, with the port to reach it on. */
    EndpointRef pod(String name, Object port = null, Protocol protocol = null) {
        endpoint('pod', name, port, protocol)
    }

    /** A node by name. */
    EndpointRef node(String name, Object port = null, Protocol protocol = null) {
        endpoint('node', name, port, protocol)
    }

    /** A Service, {@code namespace/name}, and its port (number or name). */
    EndpointRef service(String name, Object port = null, Protocol protocol = null) {
        endpoint('service', name, port, protocol)
    }

    /** An IP address. */
    EndpointRef ip(String address, Object port = null, Protocol protocol = null) {
        endpoint('ip', address, port, protocol)
    }

    private EndpointRef endpoint(String verb, String name, Object port, Protocol protocol) {
        (EndpointRef) VERBS.invoke(skoopSession, verb, [name, port, protocol] as Object[])
    }

    Protocol getTcp() {
        Protocol.TCP
    }

    Protocol getUdp() {
        Protocol.UDP
    }

    Level getFATAL() {
        Level.FATAL
    }

    Level getCRITICAL() {
        Level.CRITICAL
    }

    Level getWARNING() {
        Level.WARNING
    }

    Level getINFO() {
        Level.INFO
    }

    /** The diagnosis of a new connection (docs/diagnose.md). */
    DiagnosisView diagnose(EndpointRef source, EndpointRef destination, Protocol protocol = null) {
        diagnose([:], source, destination, protocol)
    }

    /**
     * The diagnosis of a new connection with the DSL verb's named arguments: {@code family: 4} or {@code 6} reaches a
     * dual-stack destination at its address of that family (docs/dsl.md).
     *
     * @throws IllegalArgumentException as the verb {@code diagnose}: a bad family, a destination without such an address
     */
    DiagnosisView diagnose(Map named, EndpointRef source, EndpointRef destination, Protocol protocol = null) {
        (DiagnosisView) VERBS.invoke(skoopSession, 'diagnose', [named, source, destination, protocol] as Object[])
    }

    /**
     * Expects the connection to succeed.
     *
     * @return the diagnosis (for further checks)
     * @throws AssertionError with the whole diagnosis when it is not REACHABLE
     */
    DiagnosisView reachable(EndpointRef source, EndpointRef destination, Protocol protocol = null) {
        reachable([:], source, destination, protocol)
    }

    /** {@link #reachable(EndpointRef, EndpointRef, Protocol)} with {@code diagnose}'s named arguments ({@code family: 6}). */
    DiagnosisView reachable(Map named, EndpointRef source, EndpointRef destination, Protocol protocol = null) {
        expectVerdict(diagnose(named, source, destination, protocol), true)
    }

    /**
     * Expects the connection to fail.
     *
     * @return the diagnosis (pass it to {@link #hasSuspicion} to say why it must fail)
     * @throws AssertionError with the whole diagnosis when it is REACHABLE
     */
    DiagnosisView unreachable(EndpointRef source, EndpointRef destination, Protocol protocol = null) {
        unreachable([:], source, destination, protocol)
    }

    /** {@link #unreachable(EndpointRef, EndpointRef, Protocol)} with {@code diagnose}'s named arguments ({@code family: 6}). */
    DiagnosisView unreachable(Map named, EndpointRef source, EndpointRef destination, Protocol protocol = null) {
        expectVerdict(diagnose(named, source, destination, protocol), false)
    }

    private static DiagnosisView expectVerdict(DiagnosisView d, boolean reachable) {
        if (d.reachable != reachable) {
            throw new AssertionError("expected ${d.diagnosis.query()} to be ${reachable ? 'REACHABLE' : 'not reachable'}, but it is ${d.verdict}\n\n${d}")
        }
        d
    }

    /**
     * Expects a suspicion: on a hop ({@code on: 'node:node-1'}, or any), of a level ({@code level: FATAL}, or any),
     * whose message contains a text or matches a pattern ({@code message: ~/route/}).
     *
     * @return true
     * @throws AssertionError listing every suspicion by hop when none matches
     */
    boolean hasSuspicion(Map criteria, DiagnosisView d) {
        String on = criteria.on
        Level level = (Level) criteria.level
        Object message = criteria.message
        List<List> all = [d.diagnosis.request(), d.diagnosis.reply()].collectMany { p ->
            p.nodes().collectMany { NetNode n -> n.suspicions().collect { [n.hop().toString(), it] } }
        }
        boolean found = all.any { hop, s ->
            (on == null || hop == on) && (level == null || s.level() == level) && (message == null
                    || (message instanceof Pattern ? ((Pattern) message).matcher(s.message()).find() : s.message().contains(message.toString())))
        }
        if (!found) {
            throw new AssertionError("no suspicion" + (on ? " on $on" : '') + (level ? " of level $level" : '') + (message != null ? " matching $message" : '')
                    + "; suspicions:\n" + (all ? all.collect { "  ${it[0]}: ${it[1]}" }.join('\n') : '  none') + "\n\n${d}")
        }
        true
    }
}
