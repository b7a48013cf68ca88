package io.skoop.k8s.live

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.run.LabStore
import io.skoop.lab.run.Labs
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.Cli
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.MockApiServer
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * A "live" collection of a lab, as a user without collector pods makes it: {@code scripts/collect-node.sh} run in each
 * node's namespace (it finds every namespace on this machine: its own node's pods, the other nodes', the underlay) and
 * {@code skoop collect --node-dump} against an API server (real HTTP) holding the lab's objects. The pods' namespaces
 * are told apart by their addresses alone, and the diagnoses equal those of {@code skoop lab snapshot} on the same lab,
 * so the kernel's agreement with the lab snapshot carries over. Needs root: runs in CI.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class LiveNodeDumpKernelSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-live-lab')
    @Shared Labs labs = new Labs(new LabStore(tmp.resolve('state')))
    @Shared Lab lab
    @Shared MockApiServer api
    @Shared Path reference = tmp.resolve('lab-snapshot')

    def setupSpec() {
        String yaml = LabExamples.text('flannel-host-gw')
        ResolvedTopology t = LabExamples.load('flannel-host-gw').withName('lv' + Long.toString(System.nanoTime() % 100_000L, 36))
        lab = labs.up(t, 'example flannel-host-gw', 'flannel-host-gw.yaml', yaml, null).lab()
        LabSnapshot.take(lab, yaml, reference, 'test')
        api = new MockApiServer(MockApiServer.items(reference.resolve('k8s'),
                ['namespaces', 'nodes', 'pods', 'services', 'endpointslices', 'configmaps']), tmp)
    }

    def cleanupSpec() {
        api?.close()
        if (lab != null) {
            labs.down(lab.name())
        }
        tmp.toFile().deleteDir()
    }

    def "collect-node.sh on each node + collect --node-dump: every pod namespace found by its address, the lab snapshot's diagnoses"() {
        given: 'each node dumped from inside its namespace, as on a real node'
        Map<String, Path> dumps = [:]
        lab.topology().nodes().each { n ->
            Path d = tmp.resolve("dump-${n.name()}")
            def r = io.skoop.lab.run.Proc.run(['ip', 'netns', 'exec', lab.netns(n.name()), 'bash', 'scripts/collect-node.sh', d.toString()],
                    null, Duration.ofSeconds(120))
            assert r.ok(): r.err()
            dumps[n.name()] = d
        }
        Path out = tmp.resolve('live')

        when:
        List<String> args = ['collect', '--kubeconfig', api.kubeconfig.toString(), '--service-cidr', lab.topology().serviceCIDR().toString()]
        dumps.each { node, d -> args += ['--node-dump', "$node=$d".toString()] }
        def (code, text, err) = Cli.run((args + [out.toString()]) as String[])

        then: 'the node and pod folders are the lab snapshot\'s'
        code == 0
        err == ''
        folders(out) == folders(reference)
        !text.contains('nodes without a dump')
        text =~ /nodes\/node-1: host, \d+ pod namespaces/
        text =~ /other namespaces hold no address of a pod of node-1 \(left out\)/   // the other nodes' pods, the underlay…

        and: 'the diagnoses agree with the lab snapshot\'s'
        Diagnostor live = new Diagnostor(Snapshot.open(out))
        Diagnostor ref = new Diagnostor(Snapshot.open(reference))
        [['default/client', 'svc/default/web', null], ['default/client', 'default/web-2', '8080'], ['default/client', 'node/node-2', '10250'],
         ['default/client', 'default/sleeper', '80']].every { src, dst, port ->
            Query q = new Query(src, dst, port, Protocol.TCP)
            same(live.diagnose(q), ref.diagnose(q))
        }
    }

    /** Every dump folder of a snapshot: {@code nodes/NODE/host}, {@code nodes/NODE/pods/NS_POD}. */
    static Set<String> folders(Path snapshot) {
        Files.walk(snapshot.resolve('nodes')).withCloseable { s ->
            s.filter { Files.exists(it.resolve('meta.json')) }.collect { snapshot.relativize(it).toString() } as Set
        }
    }

    static boolean same(Diagnosis a, Diagnosis b) {
        assert a.verdict() == b.verdict()
        assert a.successProbability() == b.successProbability()
        assert a.branches().collect { [it.direction(), it.kind(), it.hop(), it.reason()] } == b.branches().collect { [it.direction(), it.kind(), it.hop(), it.reason()] }
        true
    }
}
