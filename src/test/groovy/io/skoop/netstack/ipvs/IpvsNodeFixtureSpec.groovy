package io.skoop.netstack.ipvs

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.netstack.NetNS
import io.skoop.netstack.netfilter.FinalVerdict
import io.skoop.netstack.netfilter.Path as NfPath
import io.skoop.netstack.netfilter.TraceBranch
import io.skoop.netstack.netfilter.TraceRequest
import io.skoop.netstack.netfilter.TraceResult
import io.skoop.netstack.netfilter.TraceStep
import io.skoop.netstack.route.RouteQuery
import io.skoop.testsupport.ExampleCopy
import io.skoop.testsupport.IpvsSnapshot
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

/**
 * The IPVS node fixture (src/test/resources/netstack/ipvs-node: node-1 of the flannel-vxlan snapshot in kube-proxy's
 * IPVS mode, written by {@link IpvsSnapshot}; its README says how) read as a namespace dump: kube-ipvs0, the ipsets,
 * the IPVS-mode rules and ipvsadm -Sn together on the simulated path. Not kernel-judged: this kernel has no ip_vs.
 *
 * <p>{@code -Dskoop.ipvs.regenerate=true} rewrites the fixture; {@code -Dskoop.ipvs.snapshot=DIR} writes the whole
 * IPVS snapshot to DIR (to try {@code scripts/skoop diagnose --snapshot DIR}).
 */
class IpvsNodeFixtureSpec extends Specification {
    static final Path FIXTURE = Path.of('src/test/resources/netstack/ipvs-node')
    @Shared Path tmp = Files.createTempDirectory('skoop-ipvs-node')

    static NetNS ns() {
        NetNS.load(FIXTURE)
    }

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    @Requires({ System.getProperty('skoop.ipvs.regenerate') == 'true' })
    def "regenerate the fixture"() {
        when:
        Path snap = IpvsSnapshot.build(tmp.resolve('regen'))
        Files.createDirectories(FIXTURE)
        Files.list(snap.resolve('nodes/node-1/host')).forEach { Files.copy(it, FIXTURE.resolve(it.fileName.toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING) }

        then:
        Files.exists(FIXTURE.resolve('ipvs.txt'))
    }

    @Requires({ System.getProperty('skoop.ipvs.snapshot') })
    def "write the IPVS snapshot"() {
        when:
        Path out = Path.of(System.getProperty('skoop.ipvs.snapshot'))

        then:
        IpvsSnapshot.build(out) == out
    }

    def "the checked-in fixture is what IpvsSnapshot writes for node-1 (no drift)"() {
        when:
        Path snap = IpvsSnapshot.build(tmp.resolve('check'))
        Path host = snap.resolve('nodes/node-1/host')

        then:
        Files.list(host).map { it.fileName.toString() }.sorted().toList().every { String f ->
            host.resolve(f).text == FIXTURE.resolve(f).text
        }
    }

    def "the dump: ipvsadm -Sn virtual services, kube-ipvs0 down holding the ClusterIPs, VIPs local, ipsets"() {
        expect:
        ns().ipvs().services()*.key() == ['-t 10.96.0.3:8080', '-t 192.168.56.2:30080', '-t 10.96.0.3:9100', '-t 192.168.56.2:30000',
                                        '-t 10.96.0.1:443', '-t 10.96.0.2:80', '-u 10.96.0.10:53', '-t 10.96.0.10:53']
        ns().ipvs().services().find { it.key() == '-t 10.96.0.2:80' }.realServers()*.address()*.toString() == ['10.244.0.3', '10.244.1.2', '10.244.2.2']
         !ns().interfaces().byName('kube-ipvs0').get().isUp()
        ns().interfaces().byName('kube-ipvs0').get().kind() == 'dummy'
        ns().routeGet(RouteQuery.to(Ip.parse('10.96.0.2'))).toString().startsWith('local 10.96.0.2 dev lo src 10.96.0.2')
        ns().routeGet(RouteQuery.to(Ip.parse('10.96.0.2'))).toString().contains('local 10.96.0.2 dev kube-ipvs0 table local proto kernel scope host')
        ns().ipsets().get('KUBE-CLUSTER-IP').isPresent()
        ns().ipsets().get('KUBE-LOOP-BACK').isPresent()
    }

    def "a pod's SYN to default/web's ClusterIP through the node's own rules, ipsets and IPVS: three branches of 1/3, each NATed to an endpoint"() {
        when:
        TraceResult r = ns().trace(TraceRequest.of(Packet.parse('tcp 10.244.0.2:40000 > 10.96.0.2:80'), NfPath.FORWARD).withIif('cni0'))

        then:
        r.branches().size() == 3
        r.branches()*.verdict() == [FinalVerdict.FORWARDED] * 3
        r.branches()*.packet()*.dst()*.toString() == ['10.244.0.3', '10.244.1.2', '10.244.2.2']
        r.branches()*.device() == ['cni0', 'flannel.1', 'flannel.1']
        r.branches().every { Math.abs(it.probability() - 1 / 3d) < 1e-9 }
        r.branches()[0].matchedRules().collect { "${it.table()}/${it.chain()}#${it.origin().position()}".toString() }.containsAll(
                ['nat/KUBE-SERVICES#3', 'filter/KUBE-IPVS-FILTER#2'])
    }

    def "hairpin: web-1 to its own Service, IPVS picks web-1: KUBE-LOOP-BACK masquerades it (the source becomes cni0's address)"() {
        when:
        TraceBranch b = ns().trace(TraceRequest.of(Packet.parse('tcp 10.244.0.3:40000 > 10.96.0.2:80'), NfPath.FORWARD).withIif('cni0'))
                .branches().find { it.packet().dst().toString() == '10.244.0.3' }

        then:
        b.packet().src().toString() == '10.244.0.1'
        b.matchedRules().any { it.chain() == 'KUBE-POSTROUTING' && it.text().contains('KUBE-LOOP-BACK') }
    }

    def "a ClusterIP port without a virtual service: KUBE-IPVS-FILTER rejects the new connection (KUBE-IPVS-IPS)"() {
        when:
        TraceBranch b = ns().trace(TraceRequest.of(Packet.parse('tcp 10.244.0.2:40000 > 10.96.0.2:81'), NfPath.FORWARD).withIif('cni0')).branches()[0]

        then:
        b.verdict() == FinalVerdict.REJECT
        b.detail().startsWith('rejected by filter/KUBE-IPVS-FILTER#6')
        b.steps().every { !(it instanceof TraceStep.IpvsScheduled) }
    }

    def "ipvs.txt not collected on a node with kube-ipvs0: a packet to a kube-ipvs0 address ends UNKNOWN saying why, not delivered"() {
        given: 'the fixture with ipvsadm recorded as failed'
        Path dir = tmp.resolve('failed')
        Files.createDirectories(dir)
        Files.list(FIXTURE).forEach { Files.copy(it, dir.resolve(it.fileName.toString())) }
        Path meta = dir.resolve('meta.json')
        meta.text = meta.text.replaceFirst(/\{"file": "ipvs.txt".*\}/, '{"file": "ipvs.txt", "tool": "ipvsadm", "command": "ipvsadm -Sn",' +
                ' "status": "failed", "exit": 2, "stderr": "Can\'t initialize ipvs: Protocol not available"}')

        when:
        TraceBranch b = NetNS.load(dir).trace(TraceRequest.of(Packet.parse('tcp 10.244.0.2:40000 > 10.96.0.2:80'), NfPath.FORWARD)
                .withIif('cni0')).branches()[0]

        then:
        b.verdict() == FinalVerdict.UNKNOWN
        b.detail().startsWith('IPVS: 10.96.0.2 is an address of kube-ipvs0 (kube-proxy\'s IPVS mode) but the virtual services are not known (')
        b.detail().contains('ipvs.txt')
    }
}
