package io.skoop.scenarios

import io.skoop.dsl.LabView
import io.skoop.dsl.spock.SkoopSpecification
import io.skoop.testsupport.KernelLab
import java.time.Duration
import spock.lang.IgnoreIf
import spock.lang.Shared

import static io.skoop.lab.run.Probe.Outcome.TIMEOUT
import static io.skoop.lab.run.Probe.Outcome.TRUNCATED

/**
 * A scenario a user could copy: a real flannel-vxlan cluster built in network namespaces on this machine, its healthy
 * flows diagnosed from its snapshot and checked against real connections, then faults injected and undone. Needs
 * root (the lab builds namespaces); CI runs it as root and fails without (KernelLab), a developer without root sees
 * a SKIPPED line. For your own cluster: lab('my-topology.yaml') or lab { ... } (docs/dsl.md, Labs).
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'builds a lab cluster: needs root')
class FlannelLabScenarioSpec extends SkoopSpecification {

    /** The lab's name prefixes every namespace it makes: unique per run, so runs never collide. */
    static final String LAB = 'scv' + Long.toString(System.nanoTime() % 1_000_000L, 36)

    @Shared LabView cluster

    def setupSpec() {
        cluster = lab('flannel-vxlan', name: LAB)          // brings it up and works on its snapshot
        cluster.probeTimeout = Duration.ofMillis(1200)      // a failing probe gives up after 1.2 s
    }

    def cleanupSpec() {
        cluster?.down()                                     // removes every namespace named LAB.*; fails if one is left
    }

    def "clients reach the web Service, and the kernel agrees"() {
        expect:
        kernelAgrees(reachable(pod('default/client'), service('default/web', 80))).connected()
        kernelAgrees(reachable(node('node-3'), service('default/web', 'http'))).connected()
    }

    def "pods cross nodes over VXLAN"() {
        when:
        def d = reachable(pod('default/client'), pod('default/web-2', 8080))

        then:
        d.diagnosis.request().links()*.type()*.name().contains('VXLAN')
        kernelAgrees(d).answeredBy() == 'pod default/web-2 8080/tcp'
    }

    def "DNS answers over UDP, and the NodePort answers the external host"() {
        expect:
        kernelAgrees(reachable(pod('default/client'), service('kube-system/kube-dns', 53, udp))).connected()
        kernelAgrees(reachable(ip('203.0.113.10'), node('node-2', 30080))).connected()
    }

    def "an INPUT DROP on node-2 cuts its kubelet port off; undone, it answers again"() {
        when: 'the fault: the next diagnosis re-takes the snapshot'
        cluster.exec('node-2', 'iptables -I INPUT -j DROP')

        then:
        def broken = unreachable(pod('default/client'), node('node-2', 10250))
        hasSuspicion(broken, on: 'node:node-2', level: FATAL, message: 'dropped by filter/INPUT#1')
        kernelAgrees(broken).outcome() == TIMEOUT

        when: 'undone'
        cluster.exec('node-2', 'iptables -D INPUT -j DROP')

        then:
        kernelAgrees(reachable(pod('default/client'), node('node-2', 10250))).connected()
    }

    def "MTU 1400 on node-1's eth0: the connection opens but full-sized packets are lost; undone, they pass"() {
        when:
        cluster.exec('node-1', 'ip link set dev eth0 mtu 1400')

        then: 'REACHABLE, with a CRITICAL on the MTU; the kernel gets the banner, not the rest'
        def d = reachable(pod('default/client'), pod('default/web-2', 8080))
        hasSuspicion(d, on: 'node:node-1', level: CRITICAL, message: 'eth0 MTU 1400')
        kernelAgrees(d).outcome() == TRUNCATED

        when:
        cluster.exec('node-1', 'ip link set dev eth0 mtu 1500')

        then:
        kernelAgrees(reachable(pod('default/client'), pod('default/web-2', 8080))).connected()
    }
}
