package io.skoop.snapshot

import io.skoop.bench.LargeSnapshot
import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Verdict
import io.skoop.lab.flannel.Flannel
import io.skoop.lab.kubeproxy.TopologyServices
import io.skoop.lab.topology.ResolvedService
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.SnapshotChecks
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

/**
 * The benchmarks' synthetic snapshot generator (io.skoop.bench.LargeSnapshot, docs/benchmarks.md) on a small instance
 * of the same cluster (20 nodes, 300 pods, 100 Services): the snapshot is sound by the rules every lab snapshot
 * follows, and a pod→Service diagnosis on it is REACHABLE and opens the dumps of the hops on the path only.
 */
class LargeSnapshotSpec extends Specification {

    @Shared
    @TempDir
    Path tmp

    @Shared
    LargeSnapshot.Generated generated

    @Shared
    Path dir

    def setupSpec() {
        dir = tmp.resolve('small')
        generated = LargeSnapshot.generate(LargeSnapshot.Shape.SMALL, dir)
    }

    def "the snapshot is sound: one dump per node and pod, every dump read with nothing unknown, k8s objects those of topology.yaml"() {
        expect:
        Snapshot.open(dir).missingDumps() == []
        SnapshotChecks.problems(dir) == []
    }

    def "the cluster has the shape asked for: every 50th Service without endpoints, every 5th a NodePort"() {
        given:
        ResolvedTopology t = generated.topology()
        List<ResolvedService.Port> ports = t.services()*.ports().flatten()

        expect:
        t.nodes().size() == 20
        t.pods().size() == 300
        t.services().size() == 100
        t.nodes().every { n -> t.podsOn(n.name()).size() == 15 }
        ports.size() == 110
        ports.sum { it.endpoints().size() } == 98 * 3 + 10 * 3
        t.services().count { it.service().type().name() == 'NodePort' } == 20
    }

    def "identical files are hard links, every node has its own iptables.txt"() {
        given:
        Path a = SnapshotLayout.pod(dir, 'node-0001', 'ns-00', 'svc-00000-0')
        Path b = SnapshotLayout.pod(dir, 'node-0002', 'ns-00', 'svc-00000-1')

        expect:
        Files.isSameFile(a.resolve('rule.json'), b.resolve('rule.json'))
        Files.isSameFile(a.resolve('sockets.txt'), b.resolve('sockets.txt'))
        !Files.isSameFile(a.resolve('addr.json'), b.resolve('addr.json'))
        !Files.isSameFile(SnapshotLayout.host(dir, 'node-0001').resolve('iptables.txt'), SnapshotLayout.host(dir, 'node-0002').resolve('iptables.txt'))
        generated.links() > generated.files()
    }

    def "a pod→Service diagnosis is REACHABLE without a suspicion and opens only the client, its node, the endpoints and theirs"() {
        given:
        Snapshot snap = Snapshot.open(dir)
        def query = LargeSnapshot.Shape.SMALL.query()
        ResolvedTopology t = generated.topology()
        ResolvedService svc = t.service(query.destination().substring('svc/'.length()))
        def client = t.pod(query.source())
        def backends = svc.port('http').endpoints().collect { t.pod(it.pod()) }

        when:
        Diagnosis d = new Diagnostor(snap).diagnose(query)

        then:
        d.verdict() == Verdict.REACHABLE
        d.successProbability() > 0.999
        d.allSuspicions() == []
        backends*.node().toSet().size() == 3
        !(client.node() in backends*.node())

        and: 'the dumps opened are those of the hops, no other node or pod (in the order the walk first needed them)'
        d.opened().toSet() == snap.openedDumps().toSet()
        d.opened().size() == snap.openedDumps().size()
        snap.openedDumps().toSet() == (([client] + backends).collectMany { p ->
            ["nodes/${p.node()}/host".toString(), "nodes/${p.node()}/pods/${p.namespace()}_${p.name()}".toString()]
        } as Set)
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
    def "the kernel agrees: a node's iptables.txt is what iptables-legacy-save -c prints after the lab's two restores"() {
        given:
        KernelLab lab = new KernelLab()
        String ns = lab.netns('synth')
        def node = generated.topology().nodes()[2]

        when:
        lab.execInput(ns, TopologyServices.iptablesRestoreText(generated.topology(), node.name()), 'iptables-legacy-restore')
        lab.execInput(ns, Flannel.iptablesRestoreText(generated.topology(), node), 'iptables-legacy-restore', '--noflush')
        String kernel = lab.exec(ns, 'iptables-legacy-save', '-c')

        then: 'the same bytes but for the time in the comment lines'
        undated(SnapshotLayout.host(dir, node.name()).resolve('iptables.txt').toFile().text) == undated(kernel)

        cleanup:
        lab?.close()
    }

    static String undated(String saved) {
        saved.replaceAll(/(?m)^(#.*) on \w{3} \w{3} [ \d]\d [\d:]{8} \d{4}$/, '$1')
    }
}
