package io.skoop.testsupport

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.diagnose.Verdict
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.run.Probe
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.IpFamily
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * One bundled example ({@link LabExamples}) built for real for a spec the kernel judges, as lab
 * {@code <run>-<suffix>}: real connections through it ({@link Probe}), snapshots of it as {@code skoop lab snapshot}
 * writes them, diagnoses of those snapshots, commands in its namespaces, and faults checked against a control flow.
 * Needs root; {@link #close()} takes the lab down and fails when a namespace is left behind ({@link LabClusters}).
 */
class ExampleLab implements AutoCloseable {
    /** How long a probe that must fail may wait. */
    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)

    final String example
    /** The topology text the lab was built from: the example's, or what the edit made of it. */
    final String yaml
    final LabClusters clusters
    final ResolvedTopology topology
    final Lab lab
    final Path tmp = Files.createTempDirectory('skoop-example-lab')

    /**
     * @param prefix three letters naming the spec's run
     * @param suffix the lab's name after the run's
     * @param edit   what to make of the example's text first (e.g. another mode), or null
     */
    ExampleLab(String prefix, String example, String suffix, Closure<String> edit = null) {
        this.example = example
        this.yaml = edit == null ? LabExamples.text(example) : edit(LabExamples.text(example))
        clusters = new LabClusters(prefix)
        try {
            topology = TopologyLoader.parse("${example}.yaml", yaml).withName("${clusters.run}-$suffix")
            lab = clusters.labs.up(topology, "example $example", "${example}.yaml", yaml, null).lab()
        } catch (Throwable t) {
            clusters.close()
            throw t
        }
    }

    /** The lab's snapshot as of now, written to a folder named {@code name}. */
    Path take(String name) {
        Path dir = tmp.resolve(name)
        LabSnapshot.take(lab, yaml, dir, 'test')
        return dir
    }

    /** A diagnostor over {@link #take}. */
    Diagnostor snapshot(String name) {
        return new Diagnostor(Snapshot.open(take(name)))
    }

    static IpFamily family(int f) {
        f == 6 ? IpFamily.IPv6 : IpFamily.IPv4
    }

    /** skoop's diagnosis of {@code src -> dst:port} over IPv{@code fam}; node and external host names become their addresses' targets. */
    Diagnosis diagnose(Diagnostor d, String src, String dst, int fam, int port, String proto = 'tcp') {
        return d.diagnose(new Query(LabClusters.endpoint(lab, src, family(fam)), LabClusters.endpoint(lab, dst, family(fam)), port as String,
                Protocol.parse(proto), null, family(fam)))
    }

    /** A real connection through the kernel. */
    Probe.Result connect(String src, String dst, int fam, int port, String proto = 'tcp', Duration timeout = Probe.DEFAULT_TIMEOUT) {
        return Probe.run(lab, src, dst, family(fam), port, Protocol.parse(proto), timeout)
    }

    String sh(String target, String cmd) {
        LabClusters.sh(lab, target, cmd)
    }

    List<String> lines(String target, String cmd) {
        LabClusters.lines(lab, target, cmd)
    }

    /**
     * A healthy flow: it connects over IPv{@code fam}, answered by one of {@code answeredBy} ({@code "pod default/web-1
     * 8080/tcp"}, several when a Service picks at random), and skoop says REACHABLE with nothing breaking.
     */
    void healthyFlow(Diagnostor d, String src, String dst, int fam, int port, String proto, List<String> answeredBy) {
        Probe.Result r = connect(src, dst, fam, port, proto)
        Diagnosis diagnosis = diagnose(d, src, dst, fam, port, proto)
        assert r.connected()
        assert r.destination().isV6() == (fam == 6)
        assert r.answeredBy() in answeredBy
        assert diagnosis.verdict() == Verdict.REACHABLE
        assert Diagnoses.breakingHops(diagnosis) == [:]
    }

    /**
     * A Service reached over IPv{@code fam} from {@code src}, probed until every one of {@code backends} answered (the
     * proxy picks at random; at most 60 probes, none failing), and skoop delivering to each of {@code deliveredTo}
     * ({@code pod:default/web-1}) with nothing breaking.
     */
    void reachesEveryBackend(Diagnostor d, String src, String service, int fam, int port, List<String> backends, List<String> deliveredTo) {
        List<Probe.Result> results = []
        for (int i = 0; i < 60 && results*.answeredBy() as Set != backends as Set; i++) {
            results << connect(src, service, fam, port)
        }
        Diagnosis diagnosis = diagnose(d, src, service, fam, port)
        assert results.findAll { !it.connected() }*.summary() == []
        assert results*.answeredBy() as Set == backends as Set
        assert diagnosis.verdict() == Verdict.REACHABLE
        assert Diagnoses.breakingHops(diagnosis) == [:]
        assert io.skoop.diagnose.LabDiagnoseKernelSpec.delivered(diagnosis) == deliveredTo
    }

    /**
     * What a CNI programs on {@code node} for its IPv6 VXLAN peers over device {@code dev}, as the kernel lists it: per
     * peer {@code [block, vtep, mac, remote]} the route {@code <block> via <vtep> onlink}, the PERMANENT neighbour
     * {@code <vtep> lladdr <mac>} and the FDB entry {@code <mac> dst <remote>}, and no other neighbour or FDB entry.
     */
    void assertVxlanPeersV6(String node, String dev, List<List> peers) {
        assert lines(node, "ip -6 route show dev $dev").containsAll(peers.collect { "${it[0]} via ${it[1]} metric 1024 onlink pref medium".toString() })
        assert lines(node, "ip -6 neigh show dev $dev").toSorted() == peers.collect { "${it[1]} lladdr ${it[2]} PERMANENT".toString() }.toSorted()
        assert lines(node, "bridge fdb show dev $dev").toSorted() == peers.collect { "${it[2]} dst ${it[3]} self permanent".toString() }.toSorted()
    }

    /** What a fault did: the probe of the flow it must break, of the control that must still connect, and skoop's verdicts on both. */
    static class FaultRun {
        Probe.Result broken
        Probe.Result control
        Diagnosis diagnosis
        Diagnosis controlDiagnosis
    }

    /**
     * Injects a fault ({@code [target, command]} pairs run in the lab's namespaces), probes {@code flow} and
     * {@code control} (each {@code [src, dst, family, port]}), and diagnoses both from a snapshot taken after.
     */
    FaultRun fault(String name, List<List<String>> inject, List flow, List control) {
        inject.each { target, cmd -> sh(target, cmd) }
        FaultRun r = new FaultRun()
        r.broken = connect(flow[0], flow[1], flow[2], flow[3], 'tcp', FAIL_TIMEOUT)
        r.control = connect(control[0], control[1], control[2], control[3])
        Diagnostor after = snapshot(name.replaceAll(/\W+/, '-'))
        r.diagnosis = diagnose(after, flow[0], flow[1], flow[2], flow[3])
        r.controlDiagnosis = diagnose(after, control[0], control[1], control[2], control[3])
        return r
    }

    /**
     * The kernel failed the flow (timeout or no route) and completed the control; skoop says UNREACHABLE with a
     * breaking suspicion on {@code hop} containing {@code words}, and REACHABLE with nothing breaking for the control.
     */
    static void assertFault(FaultRun r, String hop, String words) {
        assert !r.broken.connected()
        assert r.broken.outcome() in [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE]
        assert r.control.connected()
        assert r.diagnosis.verdict() == Verdict.UNREACHABLE
        assert Diagnoses.breakingHops(r.diagnosis)[hop]?.any { it.contains(words) }
        assert r.controlDiagnosis.verdict() == Verdict.REACHABLE
        assert Diagnoses.breakingHops(r.controlDiagnosis) == [:]
    }

    /**
     * An IPv6-only fault on {@code src -> dst:port}: the flow connects over IPv6 before; once {@code inject} ran it fails
     * over IPv6 while the same pair connects over IPv4, and skoop agrees ({@link #assertFault}); {@code repair} then
     * makes it connect again (run also when an assertion failed).
     */
    void ipv6OnlyFault(String name, List<List<String>> inject, List<List<String>> repair, String hop, String words,
                       String src = 'default/client', String dst = 'default/web-2', int port = 8080) {
        assert connect(src, dst, 6, port).connected()
        try {
            assertFault(fault(name, inject, [src, dst, 6, port], [src, dst, 4, port]), hop, words)
        } finally {
            repair.each { target, cmd -> sh(target, cmd) }
        }
        assert connect(src, dst, 6, port).connected()
    }

    @Override
    void close() {
        clusters.close()
        tmp.toFile().deleteDir()
    }
}
