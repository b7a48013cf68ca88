package io.skoop.lab.run

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.LabDiagnoseKernelSpec
import io.skoop.diagnose.Query
import io.skoop.diagnose.Verdict
import io.skoop.lab.calico.Calico
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.Diagnoses
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import io.skoop.testsupport.SnapshotChecks
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.Unroll

/**
 * The calico-vxlan example judged by the kernel: one lab (3 nodes, 9 pods, a NetworkPolicy, a ClusterIP, a NodePort and a DNS Service)
 * built for real; what Felix leaves in VXLAN mode (vxlan.calico, the onlink block routes via the remote tunnel
 * addresses, permanent neighbours and FDB entries, its blackhole) read back from the kernel; every flow probed with real
 * connections and diagnosed REACHABLE from the lab's snapshot; then two faults, each injected and repaired on the same
 * lab, that must break exactly their flow (a control flow keeps working) and that skoop must name on the hop that
 * breaks. Needs root: runs in CI; fails (does not skip) under CI without root.
 *
 * <p>Subclasses run every feature on another topology text ({@link #topologyText()}), e.g.
 * {@link CalicoVxlanNftablesLabKernelSpec} with kube-proxy in nftables mode.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class CalicoVxlanLabKernelSpec extends Specification {

    static final String EXAMPLE = 'calico-vxlan'
    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)
    static final String WEB2 = Calico.vethName('default', 'web-2')
    static final String MAC1 = '66:b3:68:28:39:8e'
    static final String MAC2 = '66:c0:93:2e:56:2c'
    static final String MAC3 = '66:87:de:de:c9:2e'

    @Shared LabClusters clusters = new LabClusters(runPrefix())
    @Shared Lab lab
    @Shared Path tmp = Files.createTempDirectory('skoop-calico-vxlan')
    @Shared Diagnostor healthy

    /** The topology the lab is built from: the calico-vxlan example's text. */
    String topologyText() {
        LabExamples.text(EXAMPLE)
    }

    /** Three letters naming this spec's run: every namespace of its lab starts with them. */
    String runPrefix() {
        'skv'
    }

    def setupSpec() {
        ResolvedTopology t = TopologyLoader.parse("${EXAMPLE}.yaml", topologyText()).withName("${clusters.run}-cv")
        lab = clusters.labs.up(t, "example $EXAMPLE", "${EXAMPLE}.yaml", topologyText(), null).lab()
    }

    def cleanupSpec() {
        clusters.close()
        tmp.toFile().deleteDir()
    }

    /** A snapshot of the lab as it is now (skoop lab snapshot), opened for diagnosis. */
    Diagnostor snapshot(String name) {
        Path dir = tmp.resolve(name)
        LabSnapshot.take(lab, topologyText(), dir, 'test')
        return new Diagnostor(Snapshot.open(dir))
    }

    static Diagnosis verdictOf(Diagnostor d, String src, String dst, int port, String proto = 'tcp') {
        return d.diagnose(new Query(src, dst, port as String, Protocol.parse(proto)))
    }

    static Map<String, List<String>> breakingHops(Diagnosis d) {
        Diagnoses.breakingHops(d)
    }

    Probe.Result connect(String src, String dst, int port, String proto = 'tcp', Duration timeout = Probe.DEFAULT_TIMEOUT) {
        return Probe.run(lab, src, dst, port, Protocol.parse(proto), timeout)
    }

    String sh(String target, String cmd) {
        LabClusters.sh(lab, target, cmd)
    }

    List<String> lines(String target, String cmd) {
        LabClusters.lines(lab, target, cmd)
    }

    def "the kernel holds what Felix programs in VXLAN mode: vxlan.calico, onlink block routes, permanent neighbours and FDB entries"() {
        expect: 'node-2: vxlan.calico with VNI 4096, local its IP, dev eth0, port 4789, no learning, MTU 1450, the VTEP MAC Felix derives'
        String link = sh('node-2', 'ip -d link show vxlan.calico')
        link.contains('mtu 1450')
        link.contains("link/ether $MAC2")
        link.contains('vxlan id 4096 local 192.168.56.3 dev eth0')
        link.contains('dstport 4789')
        link.contains('nolearning')
        sh('node-2', 'ip -4 -o addr show dev vxlan.calico').contains('inet 10.244.0.64/32')

        and: "its own block blackholed by Felix (proto 80), every other block via that node's tunnel address, onlink"
        lines('node-2', 'ip route').containsAll([
                'blackhole 10.244.0.64/26 proto 80',
                '10.244.0.0/26 via 10.244.0.0 dev vxlan.calico onlink',
                '10.244.0.128/26 via 10.244.0.128 dev vxlan.calico onlink',
                "10.244.0.65 dev $WEB2 scope link".toString()])
        !sh('node-2', 'ip route').contains('proto bird')

        and: 'the remote VTEPs: permanent neighbours, permanent FDB entries to the remote node IPs'
        lines('node-2', 'ip neigh show dev vxlan.calico').toSorted() == ["10.244.0.0 lladdr $MAC1 PERMANENT", "10.244.0.128 lladdr $MAC3 PERMANENT"]*.toString()
        lines('node-2', 'bridge fdb show dev vxlan.calico').toSorted() == ["$MAC3 dst 192.168.56.4 self permanent", "$MAC1 dst 192.168.56.2 self permanent"]*.toString().toSorted()

        and: 'pods: MTU 1450 at both ends of their veth, a /32 behind 169.254.1.1'
        sh('node-2', "ip -o link show $WEB2").contains('mtu 1450')
        sh('default/web-2', 'ip -o link show eth0').contains('mtu 1450')
        sh('default/web-2', 'ip -4 -o addr show dev eth0').contains('inet 10.244.0.65/32')
        lines('default/web-2', 'ip route') == ['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link']
    }

    def "the lab's snapshot is sound: every dump read with nothing unknown, cniBackend vxlan, Calico's IPPool and BlockAffinities on disk"() {
        when:
        healthy = snapshot('healthy')
        Path dir = tmp.resolve('healthy')

        then:
        SnapshotChecks.problems(dir) == []
        io.skoop.snapshot.SnapshotMeta.read(dir).cniBackend() == 'vxlan'
        io.skoop.snapshot.k8s.KubeObjects.read(io.skoop.snapshot.SnapshotLayout.k8s(dir)).ipPools()*.encapsulation() == ['vxlan']
        io.skoop.snapshot.k8s.KubeObjects.read(io.skoop.snapshot.SnapshotLayout.k8s(dir)).blockAffinities()*.node() == ['node-1', 'node-2', 'node-3']
    }

    @Unroll
    def "#flow: #src -> #dst:#port/#proto connects (#answeredBy); skoop: REACHABLE, nothing breaking"() {
        when:
        Probe.Result r = connect(src, dst, port, proto)
        healthy = healthy ?: snapshot('healthy')
        Diagnosis d = verdictOf(healthy, src, dst, port, proto)

        then:
        r.connected()
        r.answeredBy() == answeredBy
        d.verdict() == Verdict.REACHABLE
        breakingHops(d) == [:]

        where: 'every way a packet crosses vxlan.calico: pod and node sources, pod and node destinations, both protocols'
        flow                              | src                | dst                        | port  | proto || answeredBy
        'pod to pod, same node'           | 'default/client'   | 'default/api-1'            | 9090  | 'tcp' || 'pod default/api-1 9090/tcp'
        'pod to pod, node-1 to node-2'    | 'default/client'   | 'default/web-2'            | 8080  | 'tcp' || 'pod default/web-2 8080/tcp'
        'pod to pod, node-2 to node-3'    | 'default/client-2' | 'default/web-3'            | 8081  | 'tcp' || 'pod default/web-3 8081/tcp'
        'pod to pod, UDP, node-2 to -3'   | 'default/client-2' | 'kube-system/coredns'      | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'pod to node (reply tunnelled)'   | 'default/client-2' | 'node-3'                   | 10250 | 'tcp' || 'node node-3 10250/tcp'
        'pod to own node'                 | 'default/client-2' | 'node-2'                   | 10250 | 'tcp' || 'node node-2 10250/tcp'
        'node to pod (from tunnel addr)'  | 'node-3'           | 'default/web-1'            | 8080  | 'tcp' || 'pod default/web-1 8080/tcp'
        'node to pod, UDP'                | 'node-1'           | 'kube-system/coredns'      | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'node to own pod'                 | 'node-1'           | 'default/web-1'            | 8080  | 'tcp' || 'pod default/web-1 8080/tcp'
        'pod to Service, UDP'             | 'default/client'   | 'svc/kube-system/kube-dns' | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'node to Service, TCP'            | 'node-1'           | 'svc/kube-system/kube-dns' | 53    | 'tcp' || 'pod kube-system/coredns 53/tcp'
    }

    def "the example's NetworkPolicy through the tunnel: #src -> default/db:5432 #outcome; skoop agrees and names the policy"() {
        when:
        Probe.Result r = connect(src, 'default/db', 5432, 'tcp', allowed ? Probe.DEFAULT_TIMEOUT : FAIL_TIMEOUT)
        Diagnosis d = verdictOf(healthy, src, 'default/db', 5432)

        then: 'Felix on node-3 drops what db-from-api does not allow, in db\'s cali-tw- chain'
        r.connected() == allowed
        d.verdict() == (allowed ? Verdict.REACHABLE : Verdict.UNREACHABLE)
        allowed ? breakingHops(d) == [:] : breakingHops(d)['node:node-3'].any { it.contains('cali-tw-' + Calico.vethName('default', 'db')) }
        d.policies()*.explain().join(' ').contains(words)

        where:
        src             | allowed || outcome      | words
        'default/client' | false  || 'is denied'  | 'denied by the ingress of default/db-from-api'
        'default/api-2'  | true   || 'connects'   | 'allowed by NetworkPolicy default/db-from-api ingress[0] from[0] ports[0]'
    }

    @Unroll
    def "#flow: #src -> #dst:#port reaches every endpoint through the DNAT and the tunnel; skoop: REACHABLE, delivered to each"() {
        when: 'probing until every backend answered (kube-proxy picks at random), at most 60 times'
        List<Probe.Result> results = LabClusters.probeUntilEveryBackend(lab, src, dst, port, 'tcp', backends, 60)
        Diagnosis d = verdictOf(healthy, src, dst, port)

        then:
        results.findAll { !it.connected() }*.summary() == []
        results*.answeredBy() as Set == backends as Set
        d.verdict() == Verdict.REACHABLE
        breakingHops(d) == [:]
        LabDiagnoseKernelSpec.delivered(d) == backends.collect { 'pod:' + it.split(' ')[1] }.sort()

        where:
        flow               | src              | dst               | port  || backends
        'pod to ClusterIP' | 'default/client' | 'svc/default/web' | 80    || ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']
        'node to NodePort' | 'node-1'         | 'node-3'          | 30080 || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
    }

    @Unroll
    def "fault '#fault' breaks #src -> #dst:#port while #controlSrc -> #controlDst:#controlPort connects; skoop names it on #hop; repaired, it connects again"() {
        given:
        assert connect(src, dst, port).connected()

        when:
        inject.each { target, cmd -> sh(target, cmd) }
        Probe.Result broken = connect(src, dst, port, 'tcp', FAIL_TIMEOUT)
        Probe.Result control = connect(controlSrc, controlDst, controlPort)
        Diagnostor after = snapshot(fault.replaceAll(/\W+/, '-'))
        Diagnosis d = verdictOf(after, src, dst, port)
        Diagnosis c = verdictOf(after, controlSrc, controlDst, controlPort)

        then: 'the kernel fails the flow and completes the control; skoop agrees and says why on the hop that breaks'
        !broken.connected()
        broken.outcome() in [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE]
        control.connected()
        d.verdict() == Verdict.UNREACHABLE
        breakingHops(d)[hop]?.any { it.contains(words) }
        c.verdict() == Verdict.REACHABLE

        cleanup:
        repair.each { target, cmd -> sh(target, cmd) }
        assert connect(src, dst, port).connected()

        where:
        [fault, inject, repair, src, dst, controlSrc, controlDst, controlPort, port, hop, words] << [
                // node-2 takes the VXLAN frames in (UDP 4789 on eth0) but has no up device to decapsulate them; node-1's
                // pods still reach node-3. Down also drops the device's routes and neighbours: the repair programs them again.
                ['vxlan.calico down on node-2',
                 [['node-2', 'ip link set vxlan.calico down']],
                 [['node-2', 'ip link set vxlan.calico up'
                         + ' && ip route replace 10.244.0.0/26 via 10.244.0.0 dev vxlan.calico onlink'
                         + ' && ip route replace 10.244.0.128/26 via 10.244.0.128 dev vxlan.calico onlink'
                         + " && ip neigh replace 10.244.0.0 lladdr $MAC1 dev vxlan.calico nud permanent"
                         + " && ip neigh replace 10.244.0.128 lladdr $MAC3 dev vxlan.calico nud permanent"]],
                 'default/client', 'default/web-2', 'default/client', 'default/web-3', 8081, 8080,
                 'node:node-2', 'vxlan.calico is down'],
                // node-1 knows node-2's VTEP MAC but no longer where to send its frames; node-1 still reaches node-3
                ['node-2\'s FDB entry deleted on node-1',
                 [['node-1', "bridge fdb del $MAC2 dev vxlan.calico dst 192.168.56.3 self"]],
                 [['node-1', "bridge fdb append $MAC2 dev vxlan.calico dst 192.168.56.3 self permanent"]],
                 'default/client', 'default/web-2', 'default/client', 'default/web-3', 8081, 8080,
                 'node:node-1', "FDB has no entry for $MAC2".toString()],
        ]
    }
}
