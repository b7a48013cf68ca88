package io.skoop.diagnose

import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.run.Labs
import io.skoop.lab.run.Probe
import io.skoop.lab.run.Proc
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.model.IpFamily
import io.skoop.model.Level
import io.skoop.model.NetNode
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import java.time.Duration
import java.util.Locale
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * The diagnosis judged by the kernel. Lab clusters of both flannel backends are built for real, probed with real
 * connections, snapshotted with collect-netns.sh, and diagnosed from the snapshot: for every healthy flow and every
 * fault the lab knows, the verdict must equal the probe's outcome (CONNECTED ⇔ REACHABLE without FATAL; TRUNCATED ⇔
 * REACHABLE with a CRITICAL MTU suspicion; REFUSED/TIMEOUT/NO_ROUTE ⇔ UNREACHABLE), and where the kernel fails the flow
 * a FATAL or CRITICAL suspicion on the hop that broke it names the injected cause. Each row is appended to
 * target/diagnose-agreement.md (the agreement table). Needs root: runs in CI; fails (does not skip) under CI without
 * root.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class LabDiagnoseKernelSpec extends Specification {

    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)
    static final Path TABLE = Path.of('target', 'diagnose-agreement.md')

    @Shared Path tmp = Files.createTempDirectory('skoop-lab-diagnose')
    @Shared LabClusters clusters = new LabClusters('skd')
    @Shared Labs labs = clusters.labs
    @Shared Map<String, List> healthy = [:]

    def setupSpec() {
        Files.createDirectories(TABLE.parent)
        TABLE.toFile().text = '| backend | scenario | flow | probe (kernel) | verdict | suspicion on the breaking hop |\n| --- | --- | --- | --- | --- | --- |\n'
    }

    def cleanupSpec() {
        clusters.close()
        tmp.toFile().deleteDir()
    }

    private Lab up(String backend, String suffix) {
        clusters.up(backend, suffix)
    }

    private Diagnostor snapshot(Lab lab, String backend, String name) {
        Path out = tmp.resolve(name)
        LabSnapshot.take(lab, LabClusters.topology(backend), out, 'test')
        return new Diagnostor(Snapshot.open(out))
    }

    /** A healthy lab of the backend and the Diagnostor over its snapshot, made once. */
    private List healthyLab(String backend) {
        healthy.computeIfAbsent(backend) {
            Lab lab = up(backend, 'h' + letter(backend))
            [lab, snapshot(lab, backend, "healthy-$backend")]
        }
    }

    /** {@code -Dskoop.lab.backends=vxlan+v6,host-gw+v6}: run the crossed rows of those backends only (a local shortcut; CI runs all). */
    static final Set<String> ONLY = System.getProperty('skoop.lab.backends')?.split(',')?.toList()?.toSet()

    static List cross(List backends, List rows) {
        LabClusters.cross(ONLY == null ? backends : backends.findAll { it in ONLY }, rows)
    }

    /** Faults of the oracle's list that concern kube-proxy's rules, run in nftables mode too. */
    static final List NFT_FAULTS = LabClusters.ORACLE_FAULTS.findAll { it[0] == 'raw NOTRACK' }

    /** The IPv6 fault of a deleted podCIDR route, run on the host-gw dual-stack backend too (its routes differ from vxlan's). */
    static final List V6_ROUTE_FAULTS = LabClusters.FAULTS_V6.findAll { it[0] == 'IPv6 route to node-2 podCIDR deleted' }

    /** The backends every flow and fault runs on: flannel vxlan and host-gw, with kube-proxy in iptables and in nftables mode. */
    static final List<String> BACKENDS = ['vxlan', 'host-gw', 'vxlan+nft', 'host-gw+nft']

    /** The same cluster dual-stack ({@link LabClusters#dualStack}), every flow probed and diagnosed over IPv6. */
    static final List<String> V6_BACKENDS = ['vxlan+v6', 'host-gw+v6']

    /** One letter per backend, for lab names. */
    static String letter(String backend) {
        [vxlan: 'v', 'host-gw': 'g', 'vxlan+nft': 'w', 'host-gw+nft': 'h', 'vxlan+v6': 'x', 'host-gw+v6': 'y'][backend]
    }

    /** A lab target (node-2, internet, default/client, svc/ns/name, IP) as a diagnosis endpoint; an external host by its address of the family. */
    static String endpoint(Lab lab, String target, IpFamily family = IpFamily.IPv4) {
        LabClusters.endpoint(lab, target, family)
    }

    /** The query of a flow: on a dual-stack backend ({@code +v6}) a named destination is reached at its IPv6 address. */
    static Query query(Lab lab, String backend, String src, String dst, int port, String proto) {
        IpFamily f = LabClusters.family(backend)
        new Query(endpoint(lab, src, f), endpoint(lab, dst, f), String.valueOf(port), Protocol.parse(proto), null, f == IpFamily.IPv6 ? f : null)
    }

    /** A real connection over the backend's family. */
    static Probe.Result probe(Lab lab, String backend, String src, String dst, int port, String proto = 'tcp', Duration timeout = Probe.DEFAULT_TIMEOUT) {
        Probe.run(lab, src, dst, LabClusters.family(backend), port, Protocol.parse(proto), timeout)
    }

    /** A fresh lab of the backend (lab {@code <run>-<prefix>v|g}) with {@code command} run in {@code where}'s namespace. */
    private Lab faulted(String backend, String prefix, String where, Closure<List> command) {
        Lab lab = up(backend, prefix + letter(backend))
        List argv = command(lab)
        Proc.Result injected = Proc.run((['ip', 'netns', 'exec', lab.netns(where)] + argv)*.toString(), null, Duration.ofSeconds(10))
        assert injected.ok(): "${argv.join(' ')} in $where: ${injected.err()}"
        lab
    }

    /** Probes a Service (TCP) until both a connecting and a failing backend were seen, 60 times at most. */
    static List<Probe.Result> untilBoth(Lab lab, String backend, String src, String dst, int port) {
        List<Probe.Result> results = []
        for (int i = 0; i < 60 && !(results.any { it.connected() } && results.any { !it.connected() }); i++) {
            results << probe(lab, backend, src, dst, port, 'tcp', FAIL_TIMEOUT)
        }
        results
    }

    /** [hop, suspicion] of every suspicion of the levels, request graph first. */
    static List<List> suspicions(Diagnosis d, Level... levels) {
        [d.request(), d.reply()].collectMany { p -> p.nodes().collectMany { NetNode n -> n.suspicions().findAll { it.level() in levels }.collect { [n.hop().toString(), it] } } }
                .unique()
    }

    static List<String> delivered(Diagnosis d) {
        d.branches().findAll { it.direction() == Walk.Direction.REQUEST && it.kind() == Outcome.End.Kind.DELIVERED }*.hop()*.toString().unique().sort()
    }

    static synchronized void record(String backend, String scenario, String flow, Probe.Result probe, Diagnosis d, List breaking) {
        String verdict = d.verdict().name() + (d.successProbability() > 0 && d.successProbability() < 1 ? String.format(Locale.ROOT, ' (%.0f%%)', d.successProbability() * 100) : '')
        String sus = breaking == null || breaking.isEmpty() ? '—' : breaking.collect { "${it[1].level()} ${it[0]}: ${it[1].message()}" }.join('<br>')
        Files.writeString(TABLE, "| $backend | $scenario | $flow | ${probe == null ? 'mixed (see spec)' : probe.outcome()} | $verdict | ${sus.replace('|', '\\|')} |\n",
                StandardOpenOption.APPEND)
    }

    @Unroll
    def "#backend: healthy #flow #src -> #dst:#port/#proto: the kernel connects and the diagnosis is REACHABLE via #backends with nothing breaking it"() {
        given:
        def (Lab lab, Diagnostor diagnostor) = healthyLab(backend)

        when:
        Probe.Result p = probe(lab, backend, src, dst, port, proto)
        Diagnosis d = diagnostor.diagnose(query(lab, backend, src, dst, port, proto))
        record(backend, 'healthy', "$src → $dst:$port/$proto", p, d, suspicions(d, Level.FATAL, Level.CRITICAL))

        then:
        p.connected()
        d.verdict() == Verdict.REACHABLE
        d.successProbability() == 1.0d
        suspicions(d, Level.FATAL, Level.CRITICAL) == []
        delivered(d) == backends.collect { it.startsWith('external:') ? 'external:' + endpoint(lab, it.substring(9), LabClusters.family(backend)) : it }.sort()

        where:
        [backend, flow, src, dst, port, proto, backends] << cross(BACKENDS + V6_BACKENDS, [
                ['pod to pod, same node', 'default/client', 'default/web-1', 8080, 'tcp', ['pod:default/web-1']],
                ['pod to pod, cross node', 'default/client', 'default/web-2', 8080, 'tcp', ['pod:default/web-2']],
                ['pod to pod, cross node', 'default/client-2', 'default/web-3', 8081, 'tcp', ['pod:default/web-3']],
                ['pod to pod, UDP, cross node', 'default/client', 'kube-system/coredns', 53, 'udp', ['pod:kube-system/coredns']],
                ['pod to node', 'default/client', 'node-2', 10250, 'tcp', ['node:node-2']],
                ['pod to own node', 'default/client', 'node-1', 10250, 'tcp', ['node:node-1']],
                ['node to pod', 'node-1', 'default/web-3', 8081, 'tcp', ['pod:default/web-3']],
                ['node to node', 'node-1', 'node-3', 10250, 'tcp', ['node:node-3']],
                ['pod to Service, UDP', 'default/client', 'svc/kube-system/kube-dns', 53, 'udp', ['pod:kube-system/coredns']],
                ['pod to Service, TCP', 'default/client-2', 'svc/kube-system/kube-dns', 53, 'tcp', ['pod:kube-system/coredns']],
                ['node to Service', 'node-2', 'svc/kube-system/kube-dns', 53, 'udp', ['pod:kube-system/coredns']],
                ['pod to ClusterIP, 3 backends', 'default/client', 'svc/default/web', 80, 'tcp', ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']],
                ['node to ClusterIP, 3 backends', 'node-3', 'svc/default/web', 80, 'tcp', ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']],
                ['pod to NodePort', 'default/client', 'node-3', 30080, 'tcp', ['pod:default/api-1', 'pod:default/api-2']],
                ['external to NodePort', 'internet', 'node-2', 30080, 'tcp', ['pod:default/api-1', 'pod:default/api-2']],
                ['pod to itself', 'default/web-2', 'default/web-2', 8080, 'tcp', ['pod:default/web-2']],
                ['node to itself', 'node-2', 'node-2', 10250, 'tcp', ['node:node-2']],
                ['pod to its own Service (hairpin)', 'default/web-1', 'svc/default/web', 80, 'tcp', ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']],
                ['pod to external, TCP', 'default/client', 'internet', 80, 'tcp', ['external:internet']],
                ['pod to external, UDP', 'default/web-3', 'internet', 53, 'udp', ['external:internet']],
                ['node to external', 'node-3', 'internet', 80, 'tcp', ['external:internet']],
        ])
    }

    @Unroll
    def "#backend: #src -> #dst:#port/#proto fails in the kernel (#outcome) and the diagnosis is UNREACHABLE with a FATAL on #hop"() {
        given:
        def (Lab lab, Diagnostor diagnostor) = healthyLab(backend)

        when:
        Probe.Result p = probe(lab, backend, src, dst, port, proto, FAIL_TIMEOUT)
        Diagnosis d = diagnostor.diagnose(query(lab, backend, src, dst, port, proto))
        List fatal = suspicions(d, Level.FATAL)
        record(backend, 'nothing listening / nothing routed', "$src → $dst:$port/$proto", p, d, fatal)

        then:
        p.outcome() == outcome
        d.verdict() == Verdict.UNREACHABLE
        fatal.any { it[0] == hop && it[1].message().contains(words) }

        where:
        [backend, src, dst, port, proto, outcome, hop, words] << cross(BACKENDS, [
                ['default/client', 'default/sleeper', 80, 'tcp', Probe.Outcome.REFUSED, 'pod:default/sleeper', 'no socket listens on 10.244.2.4:80/tcp'],
                ['default/client', 'default/sleeper', 53, 'udp', Probe.Outcome.REFUSED, 'pod:default/sleeper', 'no socket listens on 10.244.2.4:53/udp'],
                ['node-1', 'node-2', 10250, 'udp', Probe.Outcome.REFUSED, 'node:node-2', 'no socket listens on 192.168.56.3:10250/udp'],
                ['default/client', '10.244.99.9', 80, 'tcp', Probe.Outcome.TIMEOUT, 'node:node-1', 'has no route to 10.244.99.9'],
        ]) + cross(['vxlan', 'host-gw'], [
                ['default/client', '10.96.0.99', 80, 'tcp', Probe.Outcome.NO_ROUTE, 'node:node-1', 'has no route to 10.96.0.99'],
        ]) + cross(['vxlan+nft', 'host-gw+nft'], [
                // kube-proxy's nftables mode drops traffic to unallocated addresses of the service CIDR (cluster-ips-check)
                ['default/client', '10.96.0.99', 80, 'tcp', Probe.Outcome.TIMEOUT, 'node:node-1', 'nftables: dropped by ip kube-proxy/cluster-ips-check'],
        ]) + cross(V6_BACKENDS, [
                ['default/client', 'default/sleeper', 80, 'tcp', Probe.Outcome.REFUSED, 'pod:default/sleeper', 'no socket listens on [fd00:10:244:2::4]:80/tcp'],
                ['default/client', 'default/sleeper', 53, 'udp', Probe.Outcome.REFUSED, 'pod:default/sleeper', 'no socket listens on [fd00:10:244:2::4]:53/udp'],
                ['node-1', 'node-2', 10250, 'udp', Probe.Outcome.REFUSED, 'node:node-2', 'no socket listens on [fd00:192:168:56::3]:10250/udp'],
                ['default/client', 'fd00:10:244:99::9', 80, 'tcp', Probe.Outcome.TIMEOUT, 'node:node-1', 'has no route to fd00:10:244:99::9'],
                ['default/client', 'fd00:10:96::99', 80, 'tcp', Probe.Outcome.NO_ROUTE, 'node:node-1', 'has no route to fd00:10:96::99'],
        ])
    }

    @Unroll
    def "#backend: fault '#fault' in #where: the kernel ends #src -> #dst:#port as #outcomes, the diagnosis agrees and names it on #hop; #controlSrc -> #controlDst stays REACHABLE"() {
        given: 'a fresh lab where both flows connect'
        Lab lab = up(backend, 'f' + Integer.toString(fault.hashCode() & 0xfff, 36) + letter(backend))
        assert probe(lab, backend, src, dst, port).connected()
        assert probe(lab, backend, controlSrc, controlDst, controlPort).connected()

        when: 'the fault is injected, the kernel probes, and the lab is snapshotted and diagnosed'
        Proc.Result injected = Proc.run((['ip', 'netns', 'exec', lab.netns(where)] + command(lab.topology()))*.toString(), null, Duration.ofSeconds(10))
        Probe.Result broken = probe(lab, backend, src, dst, port, 'tcp', FAIL_TIMEOUT)
        Probe.Result controlled = probe(lab, backend, controlSrc, controlDst, controlPort)
        Diagnostor diagnostor = snapshot(lab, backend, "fault-${backend}-${(fault + where).hashCode() & 0xffff}")
        Diagnosis d = diagnostor.diagnose(query(lab, backend, src, dst, port, 'tcp'))
        Diagnosis control = diagnostor.diagnose(query(lab, backend, controlSrc, controlDst, controlPort, 'tcp'))
        List named = suspicions(d, Level.FATAL, Level.CRITICAL)
        record(backend, "$fault ($where)", "$src → $dst:$port", broken, d, named)

        then: 'the kernel broke the flow'
        injected.ok()
        broken.outcome() in outcomes

        and: 'the verdict equals the probe: a truncated answer is a REACHABLE flow with a CRITICAL; anything else UNREACHABLE with a FATAL'
        if (broken.outcome() == Probe.Outcome.TRUNCATED) {
            assert d.verdict() == Verdict.REACHABLE
            assert suspicions(d, Level.FATAL) == []
            assert suspicions(d, Level.CRITICAL).any { it[0] == hop && it[1].message().contains(words) }
        } else {
            assert d.verdict() == Verdict.UNREACHABLE
            assert suspicions(d, Level.FATAL).any { it[0] == hop && it[1].message().contains(words) }
        }

        and: 'the control flow is untouched, in the kernel and in the diagnosis'
        controlled.connected()
        control.verdict() == Verdict.REACHABLE
        suspicions(control, Level.FATAL) == []

        cleanup:
        labs.down(lab.name())

        where:
        [backend, fault, where, command, src, dst, port, outcomes, controlSrc, controlDst, controlPort, hop, words] << cross(['vxlan', 'host-gw'],
                LabClusters.FAULTS + LabClusters.ORACLE_FAULTS) + cross(['vxlan+nft', 'host-gw+nft'], LabClusters.FAULTS + NFT_FAULTS) +
                cross(['vxlan+v6'], LabClusters.FAULTS_V6) + cross(['host-gw+v6'], V6_ROUTE_FAULTS)
    }

    @Unroll
    def "#backend: bridge-nf-call-iptables=0 on node-1: the kernel answers the Service only from other nodes, the diagnosis is REACHABLE for 2/3 with a CRITICAL on the client"() {
        given:
        Lab lab = faulted(backend, 'brnf', 'node-1') { ['sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0'] }

        when: 'the kernel is probed until both outcomes were seen, then the lab is diagnosed'
        List<Probe.Result> results = untilBoth(lab, backend, 'default/client', 'svc/default/web', 80)
        Diagnosis d = snapshot(lab, backend, "brnf-$backend").diagnose(query(lab, backend, 'default/client', 'svc/default/web', 80, 'tcp'))
        List critical = suspicions(d, Level.CRITICAL)
        record(backend, 'bridge-nf-call-iptables=0 (node-1)', 'default/client → svc/default/web:80', null, d, critical)

        then: 'the kernel: some connect, some do not, never web-1'
        results.any { it.connected() } && results.any { !it.connected() }
        !results.findAll { it.connected() }*.answeredBy().contains('pod default/web-1 8080/tcp')

        and: 'the diagnosis: web-1 is the branch that fails, on its reply'
        d.verdict() == Verdict.REACHABLE
        Math.abs(d.successProbability() - 2 / 3d) < 1e-9
        suspicions(d, Level.FATAL) == []
        critical.any { it[0] == 'pod:default/client' && it[1].message().contains('the destination NAT was not reversed on the way back') }
        d.branches().find { it.direction() == Walk.Direction.REPLY && it.kind() == Outcome.End.Kind.DROPPED }.packet().src().toString() ==
                lab.topology().pod('default/web-1').ip().toString()

        cleanup:
        labs.down(lab.name())

        where:
        backend << ['vxlan', 'host-gw']
    }

    @Unroll
    def "#backend: eth0 MTU 1400 on node-1 breaks only the direction that meets it full-size: client-2 -> web-1 connects (the answer leaves by the small device, PMTU), the diagnosis is REACHABLE without CRITICAL"() {
        given:
        Lab lab = faulted(backend, 'md', 'node-1') { ['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1400'] }

        when:
        Probe.Result p = probe(lab, backend, 'default/client-2', 'default/web-1', 8080, 'tcp')
        Probe.Result broken = probe(lab, backend, 'default/client', 'default/web-2', 8080, 'tcp', FAIL_TIMEOUT)
        Diagnostor diagnostor = snapshot(lab, backend, "mtu-direction-$backend")
        Diagnosis d = diagnostor.diagnose(query(lab, backend, 'default/client-2', 'default/web-1', 8080, 'tcp'))
        Diagnosis other = diagnostor.diagnose(query(lab, backend, 'default/client', 'default/web-2', 8080, 'tcp'))
        record(backend, 'eth0 MTU 1400 (node-1), the answer leaves by it', 'default/client-2 → default/web-1:8080', p, d, suspicions(d, Level.CRITICAL))

        then:
        p.connected()
        d.verdict() == Verdict.REACHABLE
        suspicions(d, Level.FATAL, Level.CRITICAL) == []

        and: 'the other direction: the answer arrives full-size at the small device'
        broken.outcome() == Probe.Outcome.TRUNCATED
        other.verdict() == Verdict.REACHABLE
        suspicions(other, Level.CRITICAL).any { it[0] == 'node:node-1' && it[1].message().startsWith('MTU: eth0 MTU 1400 on node-1') }

        cleanup:
        labs.down(lab.name())

        where:
        backend << ['vxlan', 'host-gw']
    }

    @Unroll
    def "#backend: hairpin off on web-1's bridge port: web-1 reaching its own Service fails only when the DNAT picks web-1; the diagnosis says 2/3 with a CRITICAL naming hairpin"() {
        given:
        Lab lab = faulted(backend, 'hp', 'node-1') { Lab l -> ['bridge', 'link', 'set', 'dev', LabClusters.veth(l.topology(), 'default/web-1'), 'hairpin', 'off'] }

        when: 'the kernel is probed until both outcomes were seen, then the lab is diagnosed'
        List<Probe.Result> results = untilBoth(lab, backend, 'default/web-1', 'svc/default/web', 80)
        Diagnosis d = snapshot(lab, backend, "hairpin-$backend").diagnose(query(lab, backend, 'default/web-1', 'svc/default/web', 80, 'tcp'))
        List critical = suspicions(d, Level.CRITICAL)
        record(backend, 'hairpin off on web-1 (node-1)', 'default/web-1 → svc/default/web:80', null, d, critical)

        then: 'the kernel: some connect, some do not, never web-1 itself'
        results.any { it.connected() } && results.any { !it.connected() }
        !results.findAll { it.connected() }*.answeredBy().contains('pod default/web-1 8080/tcp')

        and:
        d.verdict() == Verdict.REACHABLE
        Math.abs(d.successProbability() - 2 / 3d) < 1e-9
        suspicions(d, Level.FATAL) == []
        critical.any { it[0] == 'node:node-1' && it[1].message().contains('hairpin mode is off') }

        cleanup:
        labs.down(lab.name())

        where:
        backend << ['vxlan', 'host-gw']
    }

    def "the flannel-host-gw example as bundled: web-3 declares a port nobody listens on; the kernel sometimes refuses, the diagnosis says 2/3 with a CRITICAL on web-3"() {
        given:
        String backend = 'host-gw'
        ResolvedTopology t = LabExamples.load('flannel-host-gw').withName("${clusters.run}-hgw")
        Lab lab = labs.up(t, 'example flannel-host-gw', 'flannel-host-gw.yaml', LabExamples.text('flannel-host-gw'), null).lab()
        Path out = tmp.resolve('host-gw-example')
        LabSnapshot.take(lab, LabExamples.text('flannel-host-gw'), out, 'test')

        when:
        Probe.Result refused = probe(lab, backend, 'default/client', 'default/web-3', 8080, 'tcp', FAIL_TIMEOUT)
        Diagnostor diagnostor = new Diagnostor(Snapshot.open(out))
        Diagnosis d = diagnostor.diagnose(query(lab, backend, 'default/client', 'svc/default/web', 80, 'tcp'))
        Diagnosis direct = diagnostor.diagnose(query(lab, backend, 'default/client', 'default/web-3', 8080, 'tcp'))
        record('host-gw (example)', 'web-3 has no listener', 'default/client → svc/default/web:80', null, d, suspicions(d, Level.CRITICAL))
        record('host-gw (example)', 'web-3 has no listener', 'default/client → default/web-3:8080', refused, direct, suspicions(direct, Level.FATAL))

        then:
        refused.outcome() == Probe.Outcome.REFUSED
        direct.verdict() == Verdict.UNREACHABLE
        d.verdict() == Verdict.REACHABLE
        Math.abs(d.successProbability() - 2 / 3d) < 1e-9
        suspicions(d, Level.CRITICAL).any { it[0] == 'pod:default/web-3' && it[1].message().startsWith('no socket listens on') }

        cleanup:
        labs.down(lab.name())
    }
}
