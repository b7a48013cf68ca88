package io.skoop.plugin.calico

import io.skoop.diagnose.Diagnostor
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.network.Network
import io.skoop.network.provider.GenericProvider
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * The calico-bgp example built for real and snapshotted as {@code skoop lab snapshot} does: what the lab builds is what
 * the plugin expects, so no node and no pod of the healthy lab gives a suspicion, and the plugin's routes are the ones
 * the kernel holds. Needs root.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class CalicoPluginKernelSpec extends Specification {

    @Shared LabClusters clusters = new LabClusters('skp')
    @Shared Lab lab
    @Shared Path tmp = Files.createTempDirectory('skoop-calico-plugin-kernel')
    @Shared Snapshot snapshot

    def setupSpec() {
        ResolvedTopology t = LabExamples.load('calico-bgp').withName("${clusters.run}-cp")
        lab = clusters.labs.up(t, 'example calico-bgp', 'calico-bgp.yaml', LabExamples.text('calico-bgp'), null).lab()
        LabSnapshot.take(lab, LabExamples.text('calico-bgp'), tmp.resolve('healthy'), 'test')
        snapshot = Snapshot.open(tmp.resolve('healthy'))
    }

    def cleanupSpec() {
        clusters.close()
        tmp.toFile().deleteDir()
    }

    def "the healthy lab: Calico's plugin in bgp mode, no suspicion on any node or pod"() {
        given:
        Network n = Network.of(snapshot, new GenericProvider())
        CalicoPlugin p = n.plugin() as CalicoPlugin
        def nodes = snapshot.objects().nodes()

        expect:
        p.mode() == 'bgp'
        n.setup().isEmpty()
        nodes.collectEntries { [(it.name()): p.checkNode(it, snapshot.host(it.name()), nodes)*.message()] }
                .findAll { k, v -> v } == [:]
        snapshot.objects().pods().findAll { !it.hostNetwork() }.collectEntries { pod ->
            def node = snapshot.objects().node(pod.nodeName())
            [(pod.key()): p.checkPod(pod, snapshot.pod(pod.namespace(), pod.name()), node, snapshot.host(node.name()))*.message()]
        }.findAll { k, v -> v } == [:]
    }

    def "the routes the plugin expects on node-2 are those the kernel holds"() {
        given:
        CalicoPlugin p = Network.of(snapshot, new GenericProvider()).plugin() as CalicoPlugin
        def nodes = snapshot.objects().nodes()
        def node2 = snapshot.objects().node('node-2')
        List<String> kernel = io.skoop.netstack.DumpFixtures.netnsOut(lab.netns('node-2'), 'ip', 'route').readLines()*.trim()

        expect:
        ['10.244.0.1', '10.244.0.130', '10.244.0.64', '10.244.0.100'].collect { p.expectedRoute(node2, snapshot.host('node-2'), io.skoop.model.Ip.parse(it), nodes).orElseThrow() }
                .every { it in kernel }
    }
}
