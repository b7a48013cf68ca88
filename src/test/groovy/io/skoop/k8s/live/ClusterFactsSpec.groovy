package io.skoop.k8s.live

import groovy.json.JsonOutput
import io.skoop.testsupport.ExampleCopy
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/** {@link ClusterFacts}: what a cluster runs, decided from its objects, then from what a node shows; each with how. */
class ClusterFactsSpec extends Specification {
    @TempDir Path dir

    void list(String kind, List items) {
        Files.writeString(dir.resolve("${kind}.json"), JsonOutput.toJson([apiVersion: 'v1', kind: 'List', items: items]))
    }

    def "Calico by its DaemonSet, IPVS by kube-proxy's flag, the CIDRs by the control plane's flags"() {
        given:
        list('daemonsets', [[metadata: [namespace: 'kube-system', name: 'calico-node'],
                             spec: [template: [spec: [containers: [[name: 'calico-node', image: 'docker.io/calico/node:v3.28.0']]]]]],
                            [metadata: [namespace: 'kube-system', name: 'kube-proxy'],
                             spec: [template: [spec: [containers: [[name: 'kube-proxy', command: ['/usr/local/bin/kube-proxy', '--proxy-mode=ipvs']]]]]]]])
        list('pods', [[metadata: [namespace: 'kube-system', name: 'kube-apiserver-cp1'],
                       spec: [containers: [[command: ['kube-apiserver', '--service-cluster-ip-range=10.96.0.0/12,fd00:96::/108']]]]],
                      [metadata: [namespace: 'kube-system', name: 'kube-controller-manager-cp1'],
                       spec: [containers: [[command: ['kube-controller-manager', '--cluster-cidr', '192.168.0.0/16']]]]]])

        when:
        ClusterFacts f = ClusterFacts.detect(dir)

        then:
        f.cni() == 'calico'
        f.decidedBy().cni == 'DaemonSet kube-system/calico-node (docker.io/calico/node:v3.28.0)'
        f.proxyMode() == 'ipvs'
        f.decidedBy().proxyMode == 'DaemonSet kube-system/kube-proxy --proxy-mode=ipvs'
        f.serviceCIDR() == '10.96.0.0/12'
        f.decidedBy().serviceCIDR == 'pod kube-system/kube-apiserver-cp1 --service-cluster-ip-range'
        f.clusterCIDR() == '192.168.0.0/16'
        f.cniBackend() == null
    }

    def "nothing in the objects: every field unknown, each saying why; a node's dump then fills in the CNI and kube-proxy's mode"() {
        when:
        ClusterFacts none = ClusterFacts.detect(dir)
        ClusterFacts node = none.refinedBy(ExampleCopy.EXAMPLE.resolve('nodes/node-1/host'), 'node-1')

        then:
        [none.cni(), none.cniBackend(), none.proxyMode(), none.clusterCIDR(), none.serviceCIDR()] == [null] * 5
        none.decidedBy().cni.startsWith('no DaemonSet, ConfigMap or node annotation')
        node.cni() == 'flannel'
        node.cniBackend() == 'vxlan'
        node.proxyMode() == 'iptables'
        node.decidedBy().cni == 'node node-1 has device flannel.1'
        node.decidedBy().proxyMode == "node node-1 has chain KUBE-SERVICES in iptables' nat table"
        node.clusterCIDR() == null
    }

    def "what the objects decided stays, whatever the node shows; an override says it was given"() {
        given:
        ClusterFacts decided = new ClusterFacts('calico', null, 'nftables', null, null, [cni: 'x', proxyMode: 'y'])

        expect:
        decided.refinedBy(ExampleCopy.EXAMPLE.resolve('nodes/node-1/host'), 'node-1').with { [cni(), proxyMode()] } == ['calico', 'nftables']
        decided.overriddenBy(null, null, 'iptables', null, '10.96.0.0/16').decidedBy() == [cni: 'x', proxyMode: 'given (--proxy-mode)',
                                                                                          serviceCIDR: 'given (--service-cidr)']
    }
}
