package io.skoop.network

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.diagnose.Verdict
import io.skoop.model.Level
import io.skoop.network.provider.GenericProvider
import io.skoop.plugin.calico.CalicoPlugin
import io.skoop.plugin.flannel.FlannelPlugin
import io.skoop.service.iptables.KubeProxyIptablesProcessor
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.ExampleCopy
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/** Provider → Network → Plugin: the network of a snapshot is assembled from the registered plugins and processors. */
class NetworkSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-network')

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    /** A copy of the example named {@code name} whose snapshot.json has {@code fields} changed. */
    Path relabelled(String name, Map fields) {
        Path dir = ExampleCopy.copy(tmp.resolve(name))
        Path meta = dir.resolve('snapshot.json')
        def m = new JsonSlurper().parse(meta.toFile())
        m.putAll(fields)
        meta.text = JsonOutput.toJson(m)
        dir
    }

    def "the example's network: flannel's plugin (its backend from snapshot.json) and the iptables processor, found through ServiceLoader"() {
        when:
        Network n = Network.of(Snapshot.example('flannel-vxlan'), new GenericProvider())

        then:
        n.provider() == 'generic'
        n.plugin() instanceof FlannelPlugin
        n.plugin().name() == 'flannel'
        n.services() instanceof KubeProxyIptablesProcessor
        n.setup().isEmpty()
        Network.cnis().contains('flannel')
    }

    def "cni calico: Calico's plugin, in the snapshot's cniBackend mode, else its IPPool's; no 'no plugin' INFO"() {
        given: 'the example relabelled as calico, with a VXLAN IPPool'
        Path dir = relabelled("calico-$backend", [cni: 'calico', cniBackend: backend])
        dir.resolve('k8s/ippools.json').text = JsonOutput.toJson([apiVersion: 'v1', kind: 'List', items: [[
                apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: [name: 'default-ipv4-ippool'],
                spec: [cidr: '10.244.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always']]]])

        when:
        Network n = Network.of(Snapshot.open(dir), new GenericProvider())

        then:
        n.plugin() instanceof CalicoPlugin
        n.plugin().name() == 'calico'
        (n.plugin() as CalicoPlugin).mode() == mode
        n.setup().isEmpty()
        Network.cnis() == ['calico', 'flannel']

        where:
        backend || mode
        'bgp'   || 'bgp'
        'ipip'  || 'ipip'
        null    || 'vxlan'
    }

    def "a CNI and a proxy mode nobody registered: simulated all the same, two INFOs say what is not checked"() {
        given: 'the example relabelled as weave with kube-proxy in a mode nobody registered'
        Path dir = relabelled('weave', [cni: 'weave', proxyMode: 'some-mode'])

        when:
        Network n = Network.of(Snapshot.open(dir), new GenericProvider())
        Diagnosis d = new Diagnostor(Snapshot.open(dir)).diagnose(Query.tcp('default/client', 'default/web-2', 8080))

        then:
        n.plugin() == null
        n.services() == null
        n.setup()*.level() == [Level.INFO, Level.INFO]
        n.setup()[0].message().startsWith("CNI 'weave' has no skoop plugin")
        n.setup()[0].message().contains('plugins: ' + Network.cnis().join(', '))
        n.setup()[1].message().startsWith("kube-proxy mode 'some-mode' has no skoop service processor")

        and: 'the walk does not depend on the plugin'
        d.verdict() == Verdict.REACHABLE
        d.suspicions()*.message().containsAll(n.setup()*.message())
    }
}
