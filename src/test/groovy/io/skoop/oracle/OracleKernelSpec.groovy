package io.skoop.oracle

import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * The randomized kernel oracle ({@link Oracle}) over a fixed set of seeds: every flow of every scenario must agree
 * with the kernel. {@code -Doracle.seeds=1-500} (or scripts/oracle) runs a long sweep; the report is
 * target/oracle/report.md, and each disagreeing scenario's snapshot and story are kept in target/oracle/seed-N/.
 * Needs root: runs in CI; fails (does not skip) under CI without root.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class OracleKernelSpec extends Specification {

    /** The seeds CI runs: a fixed set sized to stay within a few minutes. */
    static final String CI_SEEDS = '1-20'
    static final Path OUT = Path.of('target', 'oracle')

    @Shared LabClusters clusters = new LabClusters('orc')
    @Shared Oracle oracle
    @Shared List<Oracle.Row> rows = Collections.synchronizedList([])

    def setupSpec() {
        Files.createDirectories(OUT)
        oracle = new Oracle(clusters.labs, clusters.run, OUT)
    }

    def cleanupSpec() {
        Files.writeString(OUT.resolve('report.md'), Oracle.report(rows, seedSpec()))
        clusters.close()
    }

    static String seedSpec() {
        System.getProperty('oracle.seeds', CI_SEEDS)
    }

    @Unroll
    def "oracle seed #seed: every flow's verdict equals the kernel's outcome"() {
        when:
        List<Oracle.Row> scenario = oracle.scenario(seed)
        rows.addAll(scenario)
        List<Oracle.Row> wrong = scenario.findAll { !it.agrees }

        then:
        wrong.isEmpty() || { throw new AssertionError(wrong*.describe().join('\n\n') + "\n(kept in ${OUT.resolve("seed-$seed")})") }()

        where:
        seed << Oracle.seeds(seedSpec())
    }

    def "over all the seeds, a FATAL or CRITICAL on the breaking hop names the cause of at least 95% of the flows a fault broke"() {
        given: 'the flows of every seed above (features run in order)'
        List<Oracle.Row> broken = rows.findAll { it.named != null }
        List<Oracle.Row> unnamed = broken.findAll { !it.named }

        expect:
        !rows.isEmpty()
        broken.size() - unnamed.size() >= 0.95d * broken.size() || { throw new AssertionError("cause named for ${broken.size() - unnamed.size()}"
                + " of ${broken.size()} broken flows:\n" + unnamed*.describe().join('\n\n')) }()
    }
}
