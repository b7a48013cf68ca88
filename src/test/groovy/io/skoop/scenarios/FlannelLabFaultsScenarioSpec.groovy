package io.skoop.scenarios

import io.skoop.dsl.EndpointRef
import io.skoop.dsl.LabView
import io.skoop.dsl.spock.SkoopSpecification
import io.skoop.lab.run.Probe
import io.skoop.model.Level
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import java.time.Duration
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Unroll

/**
 * The faults of docs/lab.md (the list KubeSkoop's e2e suite injects, {@link LabClusters#FAULTS}), each in a fresh
 * flannel-vxlan lab — a fault is easier to inject than to undo (a link set down takes its routes along) — as a user
 * would write them: inject with {@code exec}, diagnose (the snapshot is re-taken), expect the flow broken with a
 * suspicion naming the cause on the hop that breaks it, let the kernel agree, and check that a control flow still
 * works. Needs root (see FlannelLabScenarioSpec).
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'builds lab clusters: needs root')
class FlannelLabFaultsScenarioSpec extends SkoopSpecification {

    /** Unique per run: every lab of this spec is named LAB-<n>, and every namespace starts with that. */
    static final String LAB = 'scf' + Long.toString(System.nanoTime() % 1_000_000L, 36)

    @Shared int built = 0

    /** A lab target as a DSL endpoint: {@code namespace/pod} or a node. */
    EndpointRef endpoint(String target, int port) {
        target.contains('/') ? pod(target, port) : node(target, port)
    }

    @Unroll
    def "#fault on #where: #src -> #dst:#port breaks, skoop names it on #hop and the kernel agrees; #controlSrc -> #controlDst:#controlPort still works"() {
        given: 'a fresh lab'
        LabView cluster = lab('flannel-vxlan', name: "$LAB-${built++}")
        cluster.probeTimeout = Duration.ofMillis(1200)

        when: 'the fault is injected'
        cluster.exec(where, command(cluster.topology))

        then: 'skoop: broken (an MTU black hole lets the connection open: REACHABLE with a CRITICAL), and why'
        def d = level == Level.CRITICAL ? reachable(pod(src), endpoint(dst, port)) : unreachable(pod(src), endpoint(dst, port))
        hasSuspicion(d, on: hop, level: level, message: words)

        and: 'the kernel agrees'
        kernelAgrees(d).outcome() in outcomes

        and: 'the control flow is untouched'
        kernelAgrees(reachable(pod(controlSrc), endpoint(controlDst, controlPort))).connected()

        cleanup:
        cluster?.down()

        where:
        [fault, where, command, src, dst, port, outcomes, controlSrc, controlDst, controlPort, hop, words] << LabClusters.FAULTS
        level = outcomes == [Probe.Outcome.TRUNCATED] ? Level.CRITICAL : Level.FATAL
    }
}
