package io.skoop.lab.kubeproxy

import groovy.json.JsonSlurper
import io.skoop.lab.plan.LabNetns
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.run.Probe
import io.skoop.lab.run.Proc
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ProxyMode
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.Protocol
import io.skoop.snapshot.SnapshotLayout
import io.skoop.snapshot.SnapshotMeta
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
 * kube-proxy's nftables mode judged by the kernel: the flannel-vxlan-nftables example (plus a NodePort Service that
 * selects no pod) built once as lab {@code nftkp…}, {@code table ip kube-proxy} from {@link KubeProxyNftables} loaded
 * with {@code nft -f} on every node. nft accepts every node's text ({@code nft -c}) and holds it; iptables has
 * flannel's chains and no KUBE-* chain; every Service port reaches every one of its backends (the listener's banner
 * says which answered, conntrack says where the DNAT went); NodePorts answer from outside and from a node on the
 * primary node IP only; a Service without endpoints is refused at once (reject-chain); pods reach pods; the snapshot
 * carries the table in nft.json and says proxyMode nftables. Needs root: fails (does not skip) under CI without root.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class KubeProxyNftablesKernelSpec extends Specification {

    static final String EXAMPLE = 'flannel-vxlan-nftables'
    /** A NodePort Service whose selector matches no pod: kube-proxy has no endpoints for it. */
    static final String RETIRED = '''  - name: retired
    type: NodePort
    selector: {app: retired}
    ports:
      - {name: http, port: 80, nodePort: 30090}
'''
    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)

    @Shared LabClusters clusters = new LabClusters('nftkp')
    @Shared String yaml = LabExamples.text(EXAMPLE).replace('externalHosts:', RETIRED + 'externalHosts:')
    @Shared ResolvedTopology t = TopologyLoader.parse("${EXAMPLE}.yaml", yaml).withName("${clusters.run}-n")
    @Shared Lab lab
    @Shared Path tmp = Files.createTempDirectory('skoop-nftkp')

    def setupSpec() {
        assert t.proxyMode() == ProxyMode.NFTABLES
        lab = clusters.labs.up(t, "test $EXAMPLE", "${EXAMPLE}.yaml", yaml, null).lab()
    }

    def cleanupSpec() {
        clusters.close()
        tmp.toFile().deleteDir()
    }

    Probe.Result connect(String src, String dst, int port, String proto = 'tcp', Duration timeout = Probe.DEFAULT_TIMEOUT) {
        Probe.run(lab, src, dst, port, Protocol.parse(proto), timeout)
    }

    /** Runs {@code cmd} in the network namespace of {@code target} (a node or a pod); fails on a non-zero exit. */
    String sh(String target, String cmd, String stdin = null) {
        Proc.Result r = Proc.run(['ip', 'netns', 'exec', lab.netns(target), 'sh', '-c', cmd], stdin, Duration.ofSeconds(20))
        assert r.ok(): "$cmd in $target: $r"
        r.out()
    }

    def "nft -c accepts every node's table; the kernel holds it; iptables has flannel's chains and no KUBE- chain"() {
        expect:
        t.nodes().each { n ->
            String text = TopologyServices.nftablesText(t, n.name())
            sh(n.name(), 'nft -c -f -', text)
            String listed = sh(n.name(), 'nft list table ip kube-proxy')
            // nft prints a priority by name (dstnat - 10) or as the number, depending on how it reads the hook's family
            assert listed =~ /chain filter-output-post-dnat \{\n\t\ttype filter hook output priority (dstnat \+ 10|-90); policy accept;/
            assert listed =~ /chain filter-forward \{\n\t\ttype filter hook forward priority (dstnat - 10|-110); policy accept;/
            assert listed =~ /chain nat-postrouting \{\n\t\ttype nat hook postrouting priority (srcnat|100); policy accept;/
            assert listed.contains("elements = { ${n.address()} }")
            assert listed.contains('numgen random mod 3 vmap { 0 : goto endpoint-')
            // one chain per endpoint of every service port, one service chain per port with endpoints
            int endpoints = TopologyServices.servicePorts(t, n.name()).sum { it.usableEndpoints().size() }
            assert (listed =~ /chain endpoint-/).size() == endpoints
            assert (listed =~ /chain service-[A-Z2-7]{8}-/).size() == 5
            String saved = sh(n.name(), 'iptables-save')
            assert !saved.contains('KUBE-')
            assert saved.contains(':FLANNEL-POSTRTG') && saved.contains(':FLANNEL-FWD')
            assert sh(n.name(), 'sysctl -n net.ipv4.conf.all.route_localnet').trim() == '0'
        }
    }

    @Unroll
    def "#src -> #dst:#port/#proto reaches every backend through the numgen vmap: #backends"() {
        when: 'probing until every backend answered (numgen random picks), at most 60 times'
        List<Probe.Result> results = LabClusters.probeUntilEveryBackend(lab, src, dst, port, proto, backends, 60)

        then:
        results.findAll { !it.connected() }*.summary() == []
        results*.answeredBy() as Set == backends as Set

        where:
        src              | dst                        | port  | proto || backends
        'default/client' | 'svc/default/web'          | 80    | 'tcp' || ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']
        'default/client' | 'svc/default/api'          | 8080  | 'tcp' || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
        'default/client' | 'svc/default/api'          | 9100  | 'tcp' || ['pod default/api-1 9100/tcp', 'pod default/api-2 9100/tcp']
        'default/client' | 'svc/kube-system/kube-dns' | 53    | 'udp' || ['pod kube-system/coredns 53/udp']
        'default/client' | 'svc/kube-system/kube-dns' | 53    | 'tcp' || ['pod kube-system/coredns 53/tcp']
        'node-2'         | 'svc/default/web'          | 80    | 'tcp' || ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']
        'default/web-1'  | 'svc/default/web'          | 80    | 'tcp' || ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']
        'internet'       | 'node-2'                   | 30080 | 'tcp' || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
        'node-1'         | 'node-3'                   | 30080 | 'tcp' || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
        'node-1'         | 'node-1'                   | 30080 | 'tcp' || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
        'default/client' | 'node-3'                   | 30080 | 'tcp' || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
    }

    def "conntrack on node-1: the client's connections to web's cluster IP were DNATed to each of its endpoints"() {
        when:
        String ct = sh('node-1', "conntrack -L -p tcp --orig-dst ${t.service('web').service().clusterIP()} 2>/dev/null")
        // each line holds the original tuple, then the reply tuple: the reply's source is the endpoint the DNAT chose
        Set<String> endpoints = ct.readLines().collect { line -> (line =~ /src=(\S+)/).collect { it[1] }[1] } as Set

        then:
        endpoints == ['10.244.0.3', '10.244.1.2', '10.244.2.2'] as Set
    }

    def "external NodePort traffic is masqueraded (mark 0x4000, then masquerade): the backend answers the node, not the external host"() {
        when:
        assert connect('internet', 'node-2', 30080).connected()
        String ct = sh('node-2', 'conntrack -L -p tcp --orig-port-dst 30080 2>/dev/null')
        List<List<String>> tuples = ct.readLines().collect { line -> (line =~ /dst=(\S+)/).collect { it[1] } }

        then: 'original destination the node IP; reply destination (the SNATed source) not 203.0.113.10'
        !tuples.isEmpty()
        tuples.every { it[0] == '192.168.56.3' && it[1] != '203.0.113.10' }
    }

    def "NodePorts answer on the primary node IP only (nodeport-ips): the cni0 gateway address is not a NodePort address"() {
        when: "client -> node-1's cni0 address :30080: not in nodeport-ips, so the node's own socket table answers: nothing listens"
        Probe.Result r = connect('default/client', ResolvedTopology.podGateway(t.node('node-1')).toString(), 30080, 'tcp', FAIL_TIMEOUT)

        then:
        r.outcome() == Probe.Outcome.REFUSED
    }

    @Unroll
    def "no endpoints or no such port: #src -> #dst:#port/#proto is #outcome (#why)"() {
        when:
        Probe.Result r = connect(src, dst, port, proto, FAIL_TIMEOUT)

        then:
        r.outcome() == outcome
        outcome != Probe.Outcome.REFUSED || r.elapsed() < Duration.ofMillis(500)

        where:
        src              | dst                 | port  | proto || outcome                 | why
        'default/client' | 'svc/default/retired' | 80  | 'tcp' || Probe.Outcome.REFUSED   | 'no-endpoint-services: goto reject-chain, from filter-forward'
        'node-1'         | 'svc/default/retired' | 80  | 'tcp' || Probe.Outcome.REFUSED   | 'no-endpoint-services, from filter-output'
        'internet'       | 'node-2'            | 30090 | 'tcp' || Probe.Outcome.REFUSED   | 'no-endpoint-nodeports, from filter-input'
        'default/client' | '10.96.0.2'         | 81    | 'tcp' || Probe.Outcome.REFUSED   | 'cluster-ips-check: a cluster IP without that port is rejected'
        'default/client' | '10.96.0.200'       | 80    | 'tcp' || Probe.Outcome.TIMEOUT   | 'cluster-ips-check: an unallocated cluster IP is dropped'
    }

    @Unroll
    def "pods reach pods: #src -> #dst:#port/#proto (answered by #dst)"() {
        when:
        Probe.Result r = connect(src, dst, port, proto)

        then:
        r.connected()
        r.answeredBy() == "pod $dst $port/$proto".toString()

        where:
        src                | dst                   | port | proto
        'default/client'   | 'default/web-1'       | 8080 | 'tcp'
        'default/client'   | 'default/web-2'       | 8080 | 'tcp'
        'default/client-2' | 'default/web-3'       | 8081 | 'tcp'
        'default/client'   | 'kube-system/coredns' | 53   | 'udp'
    }

    def "the snapshot: nft.json of every node holds table ip kube-proxy, proxyMode nftables in snapshot.json and the kube-proxy ConfigMap"() {
        when:
        Path dir = tmp.resolve('snap')
        LabSnapshot.take(lab, yaml, dir, 'test')
        def meta = SnapshotMeta.read(dir)
        def configMaps = new JsonSlurper().parse(SnapshotLayout.k8s(dir).resolve('configmaps.json').toFile())
        String conf = configMaps.items.find { it.metadata.namespace == 'kube-system' && it.metadata.name == 'kube-proxy' }.data['config.conf']

        then:
        meta.proxyMode() == 'nftables'
        conf.readLines().contains('mode: nftables')
        t.nodes().every { n ->
            def nft = new JsonSlurper().parse(SnapshotLayout.host(dir, n.name()).resolve('nft.json').toFile())
            def tables = nft.nftables.findAll { it.table }*.table
            def chains = nft.nftables.findAll { it.chain && it.chain.table == 'kube-proxy' }*.chain
            tables.any { it.family == 'ip' && it.name == 'kube-proxy' } &&
                    chains.find { it.name == 'filter-output-post-dnat' }?.prio == -90 &&
                    chains.find { it.name == 'nat-prerouting' }?.prio == -100 &&
                    chains.count { it.name.startsWith('endpoint-') } == TopologyServices.servicePorts(t, n.name()).sum { it.usableEndpoints().size() }
        }
        !Files.readString(SnapshotLayout.host(dir, 'node-1').resolve('iptables.txt')).contains('KUBE-')

        and: 'sound: the engine simulates kube-proxy\'s table (nothing left unsimulated)'
        SnapshotChecks.problems(dir) == []
    }

    def "reprogramming the same topology replaces the table and the iptables tables: same rules, still every backend"() {
        given:
        String before = sh('node-1', 'nft list table ip kube-proxy')

        when:
        lab = clusters.labs.reprogram(lab, t, yaml)

        then:
        sh('node-1', 'nft list table ip kube-proxy') == before
        !sh('node-1', 'iptables-save').contains('KUBE-')
        (sh('node-1', 'iptables-save -t nat') =~ /-A POSTROUTING .*FLANNEL-POSTRTG/).size() == 1
        LabClusters.probeUntilEveryBackend(lab, 'default/client', 'svc/default/api', 8080, 'tcp',
                ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp'], 60)*.answeredBy() as Set
                == ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp'] as Set
    }
}
