package io.skoop.lab.run

import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.model.Protocol
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import java.time.Duration
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * The lab judged by the kernel: both bundled flannel clusters (3 nodes, 10 pods, 3 Services, one external host) are
 * built for real and probed with real connections — every flow the issue lists, healthy, then each fault injected the
 * way KubeSkoop's e2e suite injects them, each in a fresh lab, with a control probe that must keep working.
 * Needs root: runs in CI; fails (does not skip) under CI without root.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class LabKernelSpec extends Specification {

    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)

    @Shared LabClusters clusters = new LabClusters('skt')
    @Shared Labs labs = clusters.labs
    @Shared Map<String, Lab> healthy = [:]

    def cleanupSpec() {
        clusters.close()
    }

    /**
     * The flannel-vxlan example's cluster with the given flannel backend: both backends are probed on the same pods
     * and Services (the host-gw example, which has a broken backend, has its own feature below).
     */
    private Lab up(String backend, String suffix) {
        clusters.up(backend, suffix)
    }

    private Lab healthyLab(String example) {
        healthy.computeIfAbsent(example) { up(example, example == 'vxlan' ? 'vx' : 'gw') }
    }

    static List cross(List backends, List rows) {
        LabClusters.cross(backends, rows)
    }

    static Probe.Result probe(Lab lab, String src, String dst, int port, String proto = 'tcp', Duration timeout = Probe.DEFAULT_TIMEOUT) {
        Probe.run(lab, src, dst, port, Protocol.parse(proto), timeout)
    }

    @Unroll
    def "#example: #flow #src -> #dst:#port/#proto connects, answered by #answeredBy"() {
        given:
        Lab lab = healthyLab(example)

        when:
        Probe.Result r = probe(lab, src, dst, port, proto)

        then:
        r.connected()
        r.answeredBy() == answeredBy

        where:
        [example, flow, src, dst, port, proto, answeredBy] << cross(['vxlan', 'host-gw'], [
                ['pod to pod, same node', 'default/client', 'default/web-1', 8080, 'tcp', 'pod default/web-1 8080/tcp'],
                ['pod to pod, cross node', 'default/client', 'default/web-2', 8080, 'tcp', 'pod default/web-2 8080/tcp'],
                ['pod to pod, cross node', 'default/client-2', 'default/web-3', 8081, 'tcp', 'pod default/web-3 8081/tcp'],
                ['pod to pod, UDP, cross node', 'default/client', 'kube-system/coredns', 53, 'udp', 'pod kube-system/coredns 53/udp'],
                ['pod to node', 'default/client', 'node-2', 10250, 'tcp', 'node node-2 10250/tcp'],
                ['pod to own node', 'default/client', 'node-1', 10250, 'tcp', 'node node-1 10250/tcp'],
                ['node to pod', 'node-1', 'default/web-3', 8081, 'tcp', 'pod default/web-3 8081/tcp'],
                ['node to node', 'node-1', 'node-3', 10250, 'tcp', 'node node-3 10250/tcp'],
                ['pod to Service, UDP', 'default/client', 'svc/kube-system/kube-dns', 53, 'udp', 'pod kube-system/coredns 53/udp'],
                ['pod to Service, TCP', 'default/client-2', 'svc/kube-system/kube-dns', 53, 'tcp', 'pod kube-system/coredns 53/tcp'],
                ['node to Service', 'node-2', 'svc/kube-system/kube-dns', 53, 'udp', 'pod kube-system/coredns 53/udp'],
                ['pod to external, TCP', 'default/client', 'internet', 80, 'tcp', 'external internet 80/tcp'],
                ['pod to external, UDP', 'default/web-3', 'internet', 53, 'udp', 'external internet 53/udp'],
                ['node to external', 'node-3', 'internet', 80, 'tcp', 'external internet 80/tcp'],
        ])
    }

    @Unroll
    def "#example: #flow #src -> #dst:#port/#proto reaches every endpoint through the DNAT"() {
        given:
        Lab lab = healthyLab(example)

        when: 'probing until every backend answered (the statistic ladder picks at random), at most 80 times'
        List<Probe.Result> results = LabClusters.probeUntilEveryBackend(lab, src, dst, port, proto, backends, 80)

        then:
        results.findAll { !it.connected() }*.summary() == []
        results*.answeredBy() as Set == backends as Set

        where:
        [example, flow, src, dst, port, proto, backends] << cross(['vxlan', 'host-gw'], [
                ['pod to ClusterIP', 'default/client', 'svc/default/web', 80, 'tcp',
                 ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']],
                ['node to ClusterIP', 'node-3', 'svc/default/web', 80, 'tcp',
                 ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']],
                ['pod to NodePort', 'default/client', 'node-3', 30080, 'tcp', ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']],
                ['external to NodePort', 'internet', 'node-2', 30080, 'tcp', ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']],
        ])
    }

    @Unroll
    def "#example: nothing listening or nothing routed: #src -> #dst:#port/#proto is #outcome"() {
        given:
        Lab lab = healthyLab(example)

        when:
        Probe.Result r = probe(lab, src, dst, port, proto, FAIL_TIMEOUT)

        then:
        !r.connected()
        r.outcome() == outcome

        where:
        [example, src, dst, port, proto, outcome] << cross(['vxlan', 'host-gw'], [
                ['default/client', 'default/sleeper', 80, 'tcp', Probe.Outcome.REFUSED],
                ['default/client', 'default/sleeper', 53, 'udp', Probe.Outcome.REFUSED],
                ['node-1', 'node-2', 10250, 'udp', Probe.Outcome.REFUSED],
                // masqueraded to the node's address, the underlay router answers "net unreachable"
                ['default/client', '10.96.0.99', 80, 'tcp', Probe.Outcome.NO_ROUTE],
                // inside the cluster CIDR: not masqueraded, and the router has no way back to the pod
                ['default/client', '10.244.99.9', 80, 'tcp', Probe.Outcome.TIMEOUT],
        ])
    }

    @Unroll
    def "#example: fault '#fault' in #where breaks #src -> #dst:#port (#outcomes) while #controlSrc -> #controlDst:#controlPort still connects"() {
        given: 'a fresh lab where the probe connects'
        Lab lab = up(example, 'f' + Integer.toString(fault.hashCode() & 0xfff, 36) + (example == 'vxlan' ? 'v' : 'g'))
        assert probe(lab, src, dst, port).connected()
        assert probe(lab, controlSrc, controlDst, controlPort).connected()

        when: 'the fault is injected with skoop lab exec'
        List<String> cmd = ['ip', 'netns', 'exec', lab.netns(where)] + command(lab.topology())
        Proc.Result injected = Proc.run(cmd, null, Duration.ofSeconds(10))
        Probe.Result broken = probe(lab, src, dst, port, 'tcp', FAIL_TIMEOUT)
        Probe.Result control = probe(lab, controlSrc, controlDst, controlPort)

        then:
        injected.ok()
        !broken.connected()
        broken.outcome() in outcomes
        control.connected()

        cleanup:
        labs.down(lab.name())

        where:
        [example, fault, where, command, src, dst, port, outcomes, controlSrc, controlDst, controlPort, blamed, words] << cross(['vxlan', 'host-gw'], LabClusters.FAULTS)
    }

    @Unroll
    def "#example: with bridge-nf-call-iptables=0 on node-1 the Service answers only from other nodes (no reverse NAT on the bridge)"() {
        given:
        Lab lab = up(example, 'brnf' + (example == 'vxlan' ? 'v' : 'g'))
        Proc.Result injected = Proc.run(['ip', 'netns', 'exec', lab.netns('node-1'), 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0'], null,
                Duration.ofSeconds(10))

        when: 'the client on node-1 probes the Service until both kinds of outcome were seen, at most 60 times'
        List<Probe.Result> results = []
        for (int i = 0; i < 60 && !(results.any { it.connected() } && results.any { !it.connected() }); i++) {
            results << probe(lab, 'default/client', 'svc/default/web', 80, 'tcp', FAIL_TIMEOUT)
        }

        then: 'the backend on node-1 (web-1) never answers through the Service: its reply is bridged back without un-DNAT'
        injected.ok()
        results.any { !it.connected() }
        (results.findAll { it.connected() }*.answeredBy() as Set) - ['pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp'] == [] as Set
        results.any { it.connected() }

        cleanup:
        labs.down(lab.name())

        where:
        example << ['vxlan', 'host-gw']
    }

    def "the flannel-host-gw example as bundled: its web-3 backend declares a port nobody listens on, so the Service sometimes refuses"() {
        given:
        ResolvedTopology t = LabExamples.load('flannel-host-gw').withName("${clusters.run}-hgw")
        Lab lab = labs.up(t, 'example flannel-host-gw', 'flannel-host-gw.yaml', LabExamples.text('flannel-host-gw'), null).lab()

        when: 'probing until web-1, web-2 and a refusal were all seen, at most 80 times'
        List<Probe.Result> results = []
        Set<String> seen = []
        for (int i = 0; i < 80 && seen != ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'REFUSED'] as Set; i++) {
            Probe.Result r = probe(lab, 'default/client', 'svc/default/web', 80)
            results << r
            seen << (r.connected() ? r.answeredBy() : r.outcome().name())
        }

        then:
        seen == ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'REFUSED'] as Set
        probe(lab, 'default/client', 'default/web-3', 8080, 'tcp', FAIL_TIMEOUT).outcome() == Probe.Outcome.REFUSED
        probe(lab, 'default/client', 'svc/kube-system/kube-dns', 53, 'udp').connected()
        probe(lab, 'node-3', 'internet', 443).answeredBy() == 'external internet 443/tcp'

        cleanup:
        labs.down(lab.name())
    }
}
