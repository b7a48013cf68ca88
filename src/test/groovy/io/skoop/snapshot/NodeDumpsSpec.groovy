package io.skoop.snapshot

import io.skoop.snapshot.k8s.KubeObjects
import io.skoop.testsupport.ExampleCopy
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/**
 * {@link NodeDumps}: a node dump laid out as collect-node.sh writes it (made here from the embedded example's dumps)
 * goes into a snapshot by the pods' addresses alone: found, missing, claimed twice, and namespaces of no pod.
 */
class NodeDumpsSpec extends Specification {
    @TempDir Path dir
    static final Path NODES = ExampleCopy.EXAMPLE.resolve('nodes')
    KubeObjects objects = KubeObjects.read(ExampleCopy.EXAMPLE.resolve('k8s'))

    /** A collect-node.sh output for node-1: host, and netns/ID copied from the example's pod dumps. */
    Path nodeDump(Map<String, String> netns) {
        Path d = dir.resolve('dump')
        ExampleCopy.copy(d.resolve('host'), NODES.resolve('node-1/host'))
        netns.each { id, pod -> ExampleCopy.copy(d.resolve("netns/$id"), NODES.resolve(pod)) }
        d
    }

    def "each pod namespace by its address; a pod no namespace holds is missing; another node's pod is left out"() {
        given: 'client and web-1 of node-1 under runtime names, api-1 not dumped, a pod of node-2 seen too (one machine)'
        Path dump = nodeDump(['cni-1111': 'node-1/pods/default_client', 'cni-2222': 'node-1/pods/default_web-1',
                              'pid-77': 'node-2/pods/default_web-2'])
        Path snap = dir.resolve('snap')

        when:
        NodeDumps.Arranged a = NodeDumps.arrange(dump, 'node-1', objects, snap)

        then:
        a.pods() == ['default/client', 'default/web-1']
        a.missing() == ['default/api-1']
        a.ambiguous() == []
        a.others() == ['pid-77']
        Files.readString(snap.resolve('nodes/node-1/pods/default_client/addr.json')) == Files.readString(NODES.resolve('node-1/pods/default_client/addr.json'))
        Files.isRegularFile(snap.resolve('nodes/node-1/host/route.json'))
        !Files.exists(snap.resolve('nodes/node-1/pods/default_web-2'))
    }

    def "two namespaces holding one pod's address: neither is taken, both are named"() {
        given:
        Path dump = nodeDump(['a': 'node-1/pods/default_client', 'b': 'node-1/pods/default_client'])

        when:
        NodeDumps.Arranged a = NodeDumps.arrange(dump, 'node-1', objects, dir.resolve('snap'))

        then:
        a.pods() == []
        a.ambiguous() == ['default/client (a, b)']
        !Files.exists(dir.resolve('snap/nodes/node-1/pods/default_client'))
    }

    def "a namespace whose addresses cannot be read matches nothing and says why"() {
        given:
        Path dump = nodeDump(['broken': 'node-1/pods/default_client'])
        Files.writeString(dump.resolve('netns/broken/addr.json'), '[{"ifname": ')

        when:
        NodeDumps.Arranged a = NodeDumps.arrange(dump, 'node-1', objects, dir.resolve('snap'))

        then:
        a.pods() == []
        a.missing().contains('default/client')
        a.others().size() == 1
        a.others()[0].startsWith('broken (unreadable: ')
        a.others()[0].contains('addr.json')
    }

    def "mistakes: #why"() {
        when:
        NodeDumps.arrange(make(dir), node, objects, dir.resolve('snap'))

        then:
        IllegalArgumentException e = thrown()
        e.message.replace(dir.toString(), 'DIR') == message

        where:
        why           | node     | make                                                   || message
        'no such node'| 'node-9' | { Path d -> d }                                        || "--node-dump node-9=DIR: the cluster has no node node-9; did you mean 'node-1'?"
        'no host/'    | 'node-1' | { Path d -> Files.createDirectories(d.resolve('x')) } || '--node-dump node-1=DIR/x: not what scripts/collect-node.sh writes (no DIR/x/host)'
    }
}
