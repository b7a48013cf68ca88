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

    def "Calico by its DaemonSet, IPVS by kube-proxy's flag, the CIDRs by the control plane's flags (both families of a dual-stack one)"() {
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
        f.serviceCIDR() == '10.96.0.0/12,fd00:96::/108'
        f.decidedBy().serviceCIDR == 'pod kube-system/kube-apiserver-cp1 --service-cluster-ip-range'
        f.clusterCIDR() == '192.168.0.0/16'
        f.cniBackend() == null
    }

    def "Calico's backend: the enabled IPv4 IPPool's modes decide (#pool), else calico-config's calico_backend"() {
        given: 'a calico-node DaemonSet, calico-config as manifests/calico.yaml has it, and the IPPools'
        list('daemonsets', [[metadata: [namespace: 'kube-system', name: 'calico-node'],
                             spec: [template: [spec: [containers: [[name: 'calico-node', image: 'docker.io/calico/node:v3.28.0']]]]]]])
        list('configmaps', [[metadata: [namespace: 'kube-system', name: 'calico-config'], data: [calico_backend: 'bird', veth_mtu: '0']]])
        if (pools != null) {
            list('ippools', pools)
        }

        when:
        ClusterFacts f = ClusterFacts.detect(dir)

        then:
        f.cniBackend() == backend
        f.decidedBy().cniBackend == how
        f.clusterCIDR() == (pools ? '192.168.0.0/16' : null)

        where:
        pool           | pools                                                                                                    || backend | how
        'IPIP Always'  | [pool('default-ipv4-ippool', 'Always', 'Never')]                                                         || 'ipip'  | 'IPPool default-ipv4-ippool vxlanMode Never, ipipMode Always'
        'VXLAN Cross'  | [pool('default-ipv4-ippool', 'Never', 'CrossSubnet')]                                                   || 'vxlan' | 'IPPool default-ipv4-ippool vxlanMode CrossSubnet, ipipMode Never'
        'neither'      | [pool('default-ipv4-ippool', null, null)]                                                                || 'bgp'   | 'IPPool default-ipv4-ippool vxlanMode Never, ipipMode Never'
        'disabled, v6' | [pool('old', 'Always', 'Never') + [spec: [cidr: '10.0.0.0/8', ipipMode: 'Always', disabled: true]],
                          pool('v6', null, null) + [spec: [cidr: 'fd00::/48']], pool('default-ipv4-ippool', null, null)]          || 'bgp'   | 'IPPool default-ipv4-ippool vxlanMode Never, ipipMode Never'
        'no IPPool'    | null                                                                                                     || 'bgp'   | 'ConfigMap kube-system/calico-config calico_backend: bird (BGP; IPIP when the IPPool says so, and no IPPool was listed)'
    }

    static Map pool(String name, String ipip, String vxlan) {
        [apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: [name: name],
         spec: [allowedUses: ['Workload', 'Tunnel'], blockSize: 26, cidr: '192.168.0.0/16', natOutgoing: true, nodeSelector: 'all()']
                 + (ipip ? [ipipMode: ipip] : [:]) + (vxlan ? [vxlanMode: vxlan] : [:])]
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
