package io.skoop.lab.run

import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.SnapshotChecks
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * {@code skoop lab snapshot} on both bundled labs, judged by the engine: every dump (written by collect-netns.sh
 * inside the namespace) reads with no construct we cannot evaluate, and the k8s objects are exactly the topology's.
 * Needs root: runs in CI.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class LabSnapshotKernelSpec extends Specification {

    @Shared Path tmp = Files.createTempDirectory('skoop-lab-snapshot')
    @Shared Labs labs = new Labs(new LabStore(tmp.resolve('state')))
    @Shared String run = 'skt' + Long.toString(System.nanoTime() % 1_000_000L, 36)

    def cleanupSpec() {
        // only this run's labs: list() also shows other labs' namespaces (as orphans of this store), which belong to
        // other specs running at the same time, other test runs or the user
        labs.list().findAll { it.name().startsWith(run) }.each { labs.down(it.name()) }
        assert Labs.netnsList().findAll { it.startsWith(run) } == []
        tmp.toFile().deleteDir()
    }

    def "#example: the snapshot is sound, and a second snapshot into the same folder is refused"() {
        given:
        String yaml = LabExamples.text(example)
        ResolvedTopology t = LabExamples.load(example).withName("$run-${example.length()}")
        Lab lab = labs.up(t, "example $example", "${example}.yaml", yaml, null).lab()
        Path out = tmp.resolve(example)

        when:
        LabSnapshot.Taken taken = LabSnapshot.take(lab, yaml, out, 'test')

        then:
        taken.dumps().size() == t.nodes().size() + t.pods().size()
        SnapshotChecks.problems(out) == []

        when:
        LabSnapshot.take(lab, yaml, out, 'test')

        then:
        LabException e = thrown()
        e.message == "$out is not empty; give a new or empty folder (a snapshot never overwrites files)"

        cleanup:
        labs.down(lab.name())

        where:
        example << ['flannel-vxlan', 'flannel-host-gw']
    }
}
