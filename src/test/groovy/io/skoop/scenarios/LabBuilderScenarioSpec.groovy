package io.skoop.scenarios

import io.skoop.dsl.LabView
import io.skoop.dsl.spock.SkoopSpecification
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared

/**
 * A cluster written in the spec itself with the {@code lab { }} builder (the keys of a topology file as calls,
 * docs/lab.md): two nodes on flannel's host-gw backend, a web backend behind a NodePort Service, a UDP DNS Service and
 * a host outside the cluster. The lab is really built; skoop diagnoses its snapshot and the kernel judges. Needs root
 * (see FlannelLabScenarioSpec).
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'builds a lab cluster: needs root')
class LabBuilderScenarioSpec extends SkoopSpecification {

    static final String LAB = 'scb' + Long.toString(System.nanoTime() % 1_000_000L, 36)

    @Shared LabView cluster

    def setupSpec() {
        cluster = lab {
            name LAB
            cni 'flannel', backend: 'host-gw'
            clusterCIDR '10.244.0.0/16'; serviceCIDR '10.96.0.0/16'; underlay '192.168.56.0/24'
            node 'node-1'
            node 'node-2', listeners: [[port: 10250]]
            pod 'default/client', node: 'node-1'
            pod 'default/web-1', node: 'node-2', labels: [app: 'web'], ports: [[name: 'http', port: 8080]]
            pod 'kube-system/dns', node: 'node-2', labels: [app: 'dns'], ports: [[name: 'dns', port: 53, protocol: udp]]
            service 'default/web', type: 'NodePort', selector: [app: 'web'], ports: [[port: 80, targetPort: 'http', nodePort: 30080]]
            service 'kube-system/dns', clusterIP: '10.96.0.10', selector: [app: 'dns'], ports: [[port: 53, targetPort: 'dns', protocol: udp]]
            externalHost 'internet', address: '203.0.113.10', listeners: [[port: 80]]
        }
    }

    def cleanupSpec() {
        cluster?.down()
    }

    def "the lab runs the topology the builder wrote, with every address allocated as in a file"() {
        expect:
        cluster.topology.pod('default/web-1').ip().toString() == '10.244.1.2'
        cluster.topology.service('default/web').service().clusterIP().toString() == '10.96.0.2'
        routeGet(node('node-1'), '10.244.1.2').summary() == '10.244.1.2 via 192.168.56.3 dev eth0 src 192.168.56.2'
    }

    def "the client reaches the web Service, DNS and the world; the world reaches the NodePort; the kernel agrees each time"() {
        expect:
        kernelAgrees(reachable(pod('default/client'), service('default/web', 80))).answeredBy() == 'pod default/web-1 8080/tcp'
        kernelAgrees(reachable(pod('default/client'), service('kube-system/dns', 53, udp))).connected()
        kernelAgrees(reachable(pod('default/client'), ip('203.0.113.10', 80))).connected()
        kernelAgrees(reachable(ip('203.0.113.10'), node('node-1', 30080))).connected()
    }

    def "ip_forward=0 on node-2: nothing is routed to its pods; undone, it is again"() {
        when:
        cluster.exec('node-2', 'sysctl -qw net.ipv4.ip_forward=0')

        then:
        def d = unreachable(pod('default/client'), service('default/web', 80))
        hasSuspicion(d, on: 'node:node-2', level: FATAL, message: 'forwarding is off')
        !kernelAgrees(d).connected()

        when:
        cluster.exec('node-2', 'sysctl -qw net.ipv4.ip_forward=1')

        then:
        kernelAgrees(reachable(pod('default/client'), service('default/web', 80))).connected()
    }
}
