package io.skoop.lab.kubeproxy

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.LabDiagnoseKernelSpec
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.diagnose.Verdict
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.run.Probe
import io.skoop.lab.run.Proc
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ProxyMode
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.IpFamily
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
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
 * kube-proxy's nftables mode on a dual-stack cluster judged by the kernel: the dual-stack example with
 * {@code proxyMode: nftables}, built once as lab {@code nf6…}; every node holds {@code table ip kube-proxy} and
 * {@code table ip6 kube-proxy} (one proxier per family, {@link KubeProxyNftables} rendering each) and no KUBE-* chain
 * in iptables or ip6tables. Over IPv6, Services reach every backend through the ip6 table's numgen vmap, the NodePort
 * answers on a node's IPv6 address, an unallocated IPv6 cluster IP is dropped (cluster-ips-check); skoop, from the
 * lab's snapshot, agrees: REACHABLE with the IPv6 backends delivered, UNREACHABLE naming the ip6 table's rule. Needs
 * root: fails (does not skip) under CI without root.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class DualStackNftablesKernelSpec extends Specification {

    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)
    static final List<String> WEB = ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8080/tcp']

    @Shared LabClusters clusters = new LabClusters('nf6')
    @Shared String yaml = LabExamples.text('dual-stack').replace('\nnodes:', '\nproxyMode: nftables\nnodes:')
    @Shared ResolvedTopology t = TopologyLoader.parse('dual-stack-nftables.yaml', yaml).withName("${clusters.run}-d")
    @Shared Lab lab
    @Shared Path tmp = Files.createTempDirectory('skoop-nf6')
    @Shared Diagnostor healthy

    def setupSpec() {
        assert t.proxyMode() == ProxyMode.NFTABLES && t.dualStack()
        lab = clusters.labs.up(t, 'test dual-stack nftables', 'dual-stack-nftables.yaml', yaml, null).lab()
    }

    def cleanupSpec() {
        clusters.close()
        tmp.toFile().deleteDir()
    }

    String sh(String target, String cmd, String stdin = null) {
        Proc.Result r = Proc.run(['ip', 'netns', 'exec', lab.netns(target), 'sh', '-c', cmd], stdin, Duration.ofSeconds(20))
        assert r.ok(): "$cmd in $target: $r"
        r.out()
    }

    Probe.Result connect(String src, String dst, int port, Duration timeout = Probe.DEFAULT_TIMEOUT) {
        Probe.run(lab, src, dst, IpFamily.IPv6, port, Protocol.TCP, timeout)
    }

    /** The IPv6 diagnosis of {@code src -> dst:port/tcp}; an external host named by its IPv6 address. */
    Diagnosis diagnose(String src, String dst, int port) {
        healthy.diagnose(new Query(LabClusters.endpoint(lab, src, IpFamily.IPv6), LabClusters.endpoint(lab, dst, IpFamily.IPv6),
                port as String, Protocol.TCP, null, IpFamily.IPv6))
    }

    def "nft -c accepts every node's ip6 table; the kernel holds both tables; no KUBE- chain in iptables or ip6tables"() {
        expect:
        t.nodes().each { n ->
            sh(n.name(), 'nft -c -f -', TopologyServices.nftablesText(t, n.name(), IpFamily.IPv6))
            String v6 = sh(n.name(), 'nft list table ip6 kube-proxy')
            assert v6.contains("elements = { ${n.addressV6()} }")
            // nft lists a one-element anonymous set as the element alone
            assert v6 =~ /ip6 daddr (\{ )?fd00:10:96::\/112( \})? drop/
            assert v6.contains('dnat to [fd00:10:244:1::3]:9090')
            assert (v6 =~ /chain endpoint-/).size() == TopologyServices.servicePorts(t, n.name(), IpFamily.IPv6).sum { it.usableEndpoints().size() }
            assert sh(n.name(), 'nft list table ip kube-proxy').contains("elements = { ${n.address()} }")
            assert !sh(n.name(), 'iptables-save').contains('KUBE-')
            assert !sh(n.name(), 'ip6tables-save').contains('KUBE-')
        }
    }

    def "the snapshot is sound: the engine reads both tables with nothing unsimulated"() {
        when:
        Path dir = tmp.resolve('healthy')
        LabSnapshot.take(lab, yaml, dir, 'test')
        healthy = new Diagnostor(Snapshot.open(dir))

        then:
        SnapshotChecks.problems(dir) == []
    }

    @Unroll
    def "#src -> #dst:#port over IPv6 reaches every backend (#backends); skoop: REACHABLE, delivered to #delivered"() {
        when: 'probing until every backend answered (numgen random picks), at most 60 times'
        List<Probe.Result> results = []
        for (int i = 0; i < 60 && results*.answeredBy() as Set != backends as Set; i++) {
            results << connect(src, dst, port)
        }
        Diagnosis d = diagnose(src, dst, port)

        then:
        results.findAll { !it.connected() }*.summary() == []
        results.every { it.destination().isV6() }
        results*.answeredBy() as Set == backends as Set
        d.verdict() == Verdict.REACHABLE
        LabDiagnoseKernelSpec.delivered(d) == delivered

        where:
        src              | dst                | port  || backends                       | delivered
        'default/client' | 'svc/default/web'  | 80    || WEB                            | ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        'default/client' | 'svc/default/web6' | 80    || WEB                            | ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        'internet'       | 'node-2'           | 30080 || ['pod default/api-1 9090/tcp']  | ['pod:default/api-1']
        'default/client' | 'node-3'           | 30080 || ['pod default/api-1 9090/tcp']  | ['pod:default/api-1']
    }

    def "an unallocated IPv6 cluster IP is dropped (cluster-ips-check), as in IPv4; skoop: UNREACHABLE naming the ip6 table's rule"() {
        when:
        Probe.Result r = connect('default/client', 'fd00:10:96::200', 80, FAIL_TIMEOUT)
        Diagnosis d = diagnose('default/client', 'fd00:10:96::200', 80)
        List<String> node1 = (d.request().nodes() + d.reply().nodes()).findAll { it.hop().toString() == 'node:node-1' }
                .collectMany { it.suspicions().findAll { it.level().breaksFlow() }*.message() }

        then:
        r.outcome() == Probe.Outcome.TIMEOUT
        d.verdict() == Verdict.UNREACHABLE
        node1.any { it.contains('nftables: dropped by ip6 kube-proxy/cluster-ips-check') }
    }
}
