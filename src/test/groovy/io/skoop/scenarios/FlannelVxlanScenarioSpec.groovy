package io.skoop.scenarios

import io.skoop.dsl.spock.SkoopSpecification

/**
 * A scenario a user could copy: the expectations of the embedded flannel-vxlan cluster, written with the Spock
 * scenario kit. Replace {@code example('flannel-vxlan')} by {@code snapshot('/path/to/your/snapshot')}.
 */
class FlannelVxlanScenarioSpec extends SkoopSpecification {

    def setupSpec() {
        example('flannel-vxlan')            // snapshot('/path/to/your/snapshot')
    }

    def "clients reach the web Service on every backend"() {
        expect:
        reachable(pod('default/client'), service('default/web', 80))
        reachable(pod('default/client-2'), service('default/web', 'http'))
        reachable(node('node-3'), service('default/web', 80))
    }

    def "DNS answers over UDP and TCP"() {
        expect:
        reachable(pod('default/client'), service('kube-system/kube-dns', 53, udp))
        reachable(pod('default/client'), service('kube-system/kube-dns', 53))
    }

    def "the api NodePort answers from outside the cluster"() {
        expect:
        reachable(ip('203.0.113.10'), node('node-2', 30080))
    }

    def "pods cross nodes over VXLAN, and the kubelet port answers pods"() {
        expect:
        reachable(pod('default/client'), pod('default/web-2', 8080)).diagnosis.request().links()*.type()*.name().contains('VXLAN')
        reachable(pod('default/client'), node('node-2', 10250))
    }

    def "nothing listens on the sleeper: refused in the pod"() {
        expect:
        hasSuspicion(unreachable(pod('default/client'), pod('default/sleeper', 80)), on: 'pod:default/sleeper', level: FATAL, message: ~/no socket listens/)
    }

    def "addresses no pod or Service has are lost on the underlay"() {
        expect:
        hasSuspicion(unreachable(pod('default/client'), ip('10.96.0.99', 80)), on: 'node:node-1', level: FATAL, message: 'no Service has it')
    }
}
