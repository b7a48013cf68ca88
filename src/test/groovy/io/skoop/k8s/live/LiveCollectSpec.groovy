package io.skoop.k8s.live

import io.skoop.testsupport.Cli
import groovy.json.JsonSlurper
import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.diagnose.Verdict
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.snapshot.k8s.KubeObjects
import io.skoop.testsupport.ExampleCopy
import io.skoop.testsupport.MockApiServer
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * {@code skoop collect} against an API server over real HTTP (fabric8's mock in CRUD mode) that holds the embedded
 * example's objects: the objects come back as the example has them, the CNI, proxy mode and CIDRs are decided from
 * them with reasons, and — with the example's node dumps beside them — the diagnosis is the example's.
 */
class LiveCollectSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-live')
    @Shared MockApiServer api = new MockApiServer(MockApiServer.items(ExampleCopy.EXAMPLE.resolve('k8s'),
            ['namespaces', 'nodes', 'pods', 'services', 'endpointslices', 'configmaps']), tmp)
    @Shared Path kubeconfig = api.kubeconfig

    def cleanupSpec() {
        api.close()
        tmp.toFile().deleteDir()
    }

    /** Every record component but {@code uid}, per record, as a set. */
    static Set withoutUid(List<Record> records) {
        records.collect { r -> r.class.recordComponents.findAll { it.name != 'uid' }.collect { it.accessor.invoke(r) } } as Set
    }

    static List run(String... args) {
        Cli.run(args)
    }

    def "collect --objects-only: every kind as a kubectl List, the objects the example has, snapshot.json with how each fact was decided"() {
        given:
        Path out = tmp.resolve('objects')

        when:
        def (code, text, err) = run('collect', '--kubeconfig', kubeconfig.toString(), '--objects-only', out.toString())
        KubeObjects live = KubeObjects.read(out.resolve('k8s'))
        KubeObjects example = KubeObjects.read(ExampleCopy.EXAMPLE.resolve('k8s'))
        def meta = new JsonSlurper().parse(out.resolve('snapshot.json').toFile())

        then:
        code == 0
        err == ''
        text.startsWith("snapshot of cluster mock (${api.url()}, from $kubeconfig) in $out")
        text.contains('objects: 6 namespaces, 3 nodes, 16 pods, 4 services, 5 endpointslices, 2 configmaps, 0 networkpolicies, 0 daemonsets')
        LiveObjects.KINDS.every { Files.isRegularFile(out.resolve("k8s/${it.file()}.json")) }

        and: 'each item carries the apiVersion and kind kubectl adds'
        def pods = new JsonSlurper().parse(out.resolve('k8s/pods.json').toFile())
        pods.kind == 'List' && pods.items.every { it.apiVersion == 'v1' && it.kind == 'Pod' }
        new JsonSlurper().parse(out.resolve('k8s/endpointslices.json').toFile()).items.every { it.apiVersion == 'discovery.k8s.io/v1' }

        and: 'the objects the diagnosis reads are the example\'s'
        // the API server gives every object it creates a uid of its own, as a real one does: compare all else
        withoutUid(live.pods()) == withoutUid(example.pods())
        withoutUid(live.services()) == withoutUid(example.services())
        live.namespaces() as Set == example.namespaces() as Set
        live.nodes() as Set == example.nodes() as Set
        live.endpointSlices() as Set == example.endpointSlices() as Set
        live.configMaps() as Set == example.configMaps() as Set

        and: 'what runs, decided from the objects, each with its reason; no service CIDR in these objects'
        meta.source == 'cluster'
        meta.name == 'mock'
        meta.cni == 'flannel'
        meta.cniBackend == 'vxlan'
        meta.proxyMode == 'iptables'
        meta.clusterCIDR == '10.244.0.0/16'
        meta.serviceCIDR == null
        meta.decidedBy.cni == 'ConfigMap kube-flannel/kube-flannel-cfg'
        meta.decidedBy.cniBackend == 'ConfigMap kube-flannel/kube-flannel-cfg net-conf.json Backend.Type'
        meta.decidedBy.proxyMode == 'ConfigMap kube-system/kube-proxy config.conf mode: iptables'
        meta.decidedBy.clusterCIDR == "ConfigMap kube-system/kube-proxy config.conf clusterCIDR (flannel's Network agrees)"
        meta.decidedBy.serviceCIDR == "not found in kube-apiserver's flags or kubeadm-config (give --service-cidr)"
    }

    def "with the nodes' dumps beside the objects (collected by hand), the diagnosis is the example's; without them it is UNKNOWN, naming the missing dump"() {
        given:
        Path out = tmp.resolve('full')
        Path bare = tmp.resolve('bare')
        run('collect', '--kubeconfig', kubeconfig.toString(), '--objects-only', '--service-cidr', '10.96.0.0/16', out.toString())
        run('collect', '--kubeconfig', kubeconfig.toString(), '--objects-only', bare.toString())
        ExampleCopy.copy(out.resolve('nodes'), ExampleCopy.EXAMPLE.resolve('nodes'))
        Query q = new Query('default/client', 'svc/default/web', null, Protocol.TCP)

        when:
        Diagnosis live = new Diagnostor(Snapshot.open(out)).diagnose(q)
        Diagnosis example = new Diagnostor(Snapshot.example('flannel-vxlan')).diagnose(q)
        Diagnosis missing = new Diagnostor(Snapshot.open(bare)).diagnose(q)

        then:
        live.verdict() == Verdict.REACHABLE
        live.verdict() == example.verdict()
        live.successProbability() == example.successProbability()
        live.branches().collect { [it.direction(), it.kind(), it.hop(), it.reason()] } == example.branches().collect { [it.direction(), it.kind(), it.hop(), it.reason()] }
        live.suspicions()*.message() == example.suspicions()*.message()

        and:
        missing.verdict() == Verdict.UNKNOWN
        (missing.suspicions() + missing.request().nodes().collectMany { it.suspicions() })*.message().any { it.contains('nodes/node-1') || it.contains('node-1') && it.contains('dump') }
    }

    def "collector pods that never start (this API server runs no pods): each node named NOT collected, exit 1, the objects kept, no pod left"() {
        given:
        Path out = tmp.resolve('no-collectors')

        when:
        def (code, text, err) = run('collect', '--kubeconfig', kubeconfig.toString(), '--timeout', '1', '--nodes', 'node-1,node-3', out.toString())

        then:
        code == 1
        err == ''
        text.readLines().findAll { it.contains('NOT collected') }.size() == 2
        text.contains('nodes/node-1: NOT collected: the collector pod skoop/skoop-collector-node-1-')
        text.contains('on node node-1 did not start within 1 s (Pending); --timeout S waits longer, --image IMAGE picks another image')
        text.contains('nodes without a dump: node-2 (not in --nodes)')
        Files.isRegularFile(out.resolve('k8s/pods.json'))
        Files.isRegularFile(out.resolve('snapshot.json'))
        api.server.createClient().withCloseable { it.pods().inNamespace('skoop').list().items.isEmpty() }
    }

    def "--nodes names a node the cluster does not have: exit 2 with close matches, nothing written"() {
        given:
        Path out = tmp.resolve('bad-node')

        when:
        def (code, text, err) = run('collect', '--kubeconfig', kubeconfig.toString(), '--nodes', 'node-7', out.toString())

        then:
        code == 2
        err.trim() == "skoop: error: --nodes node-7: the cluster has no node node-7; did you mean 'node-1'?"
        !Files.exists(out)
    }

    def "--print-rbac: the reader ClusterRole covers every kind collect lists; the collector Role lives in its namespace"() {
        when:
        def (code, text, err) = run('collect', '--print-rbac', '--namespace-for-collectors', 'netdiag')
        def docs = new org.yaml.snakeyaml.Yaml().loadAll(text).toList()

        then:
        code == 0
        docs*.kind == ['ClusterRole', 'Role']
        docs[0].metadata.name == 'skoop-reader'
        LiveObjects.KINDS.every { k -> docs[0].rules.any { k.group() in it.apiGroups && k.resource() in it.resources && it.verbs == ['get', 'list'] } }
        docs[1].metadata == [name: 'skoop-collector', namespace: 'netdiag']
        docs[1].rules.any { it.resources == ['pods/exec'] && 'create' in it.verbs }
        text.contains('kubectl create clusterrolebinding skoop-reader --clusterrole=skoop-reader --user=USER')
    }
}
