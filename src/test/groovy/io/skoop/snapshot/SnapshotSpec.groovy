package io.skoop.snapshot

import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.parse.ParseException
import io.skoop.netstack.route.RouteQuery
import io.skoop.snapshot.k8s.KService
import java.nio.file.FileSystems
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer
import java.nio.file.Files
import java.nio.file.Path
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

/** Reading a cluster snapshot (docs/snapshot.md): the embedded flannel-vxlan one, and broken copies of it. */
class SnapshotSpec extends Specification {

    @Shared Snapshot snap = Snapshot.example('flannel-vxlan')
    /** The same cluster as allocated by the topology loader: the snapshot's objects must agree with it. */
    @Shared ResolvedTopology topo = TopologyLoader.parse('topology.yaml', Files.readString(snap.dir().resolve('topology.yaml')))

    @TempDir Path tmp

    /** A writable copy of the embedded snapshot. */
    Path copy() {
        Path to = tmp.resolve('snap')
        Files.walk(snap.dir()).each { p ->
            Path t = to.resolve(snap.dir().relativize(p).toString())
            Files.isDirectory(p) ? Files.createDirectories(t) : Files.copy(p, t)
        }
        to
    }

    /** Replaces {@code good} by {@code bad} on the first line of {@code file} that is {@code good} (and a comma); its index. */
    static int edit(Path file, String good, String bad) {
        List<String> lines = Files.readAllLines(file)
        int at = lines.findIndexOf { it.trim().replaceAll(/,$/, '') == good }
        assert at >= 0
        lines[at] = lines[at].replace(good, bad)
        Files.write(file, lines)
        at
    }

    def "the embedded snapshots are indexed; an unknown name lists the known ones"() {
        expect:
        Snapshot.examples().keySet() as List == ['flannel-vxlan', 'flannel-vxlan-nftables', 'calico-bgp', 'dual-stack']
        snap.meta().with { [source(), cni(), cniBackend(), proxyMode(), clusterCIDR(), serviceCIDR()] } ==
                ['lab', 'flannel', 'vxlan', 'iptables', '10.244.0.0/16', '10.96.0.0/16']

        when:
        Snapshot.example('flannel-vxlna')

        then:
        IllegalArgumentException e = thrown()
        e.message.contains('flannel-vxlan')
    }

    def "docs/snapshot.md: the Java example runs (as Groovy) and prints the output the page shows"() {
        given:
        String doc = Files.readString(Path.of('docs/snapshot.md'))
        String section = doc.substring(doc.indexOf('## Reading a snapshot (Java)'))
        String code = section.substring(section.indexOf('```java\n') + 8, section.indexOf('```\n', section.indexOf('```java\n') + 8))
        int text = section.indexOf('```text\n') + 8
        String shown = section.substring(text, section.indexOf('```\n', text))
        def imports = new ImportCustomizer().addStarImports('io.skoop.snapshot', 'io.skoop.snapshot.k8s', 'io.skoop.k8s',
                'io.skoop.model', 'io.skoop.netstack', 'io.skoop.netstack.route', 'java.nio.file')
        def out = new ByteArrayOutputStream()
        PrintStream saved = System.out

        when:
        System.setOut(new PrintStream(out, true, 'UTF-8'))
        try {
            new GroovyShell(new CompilerConfiguration().addCompilationCustomizers(imports)).evaluate(code)
        } finally {
            System.setOut(saved)
        }

        then:
        out.toString('UTF-8') == shown
    }

    def "nodes: podCIDRs, InternalIPs, Ready and flannel's annotations are those the topology allocated"() {
        expect:
        snap.objects().nodes()*.name() == topo.nodes()*.name()
        topo.nodes().each { n ->
            def k = snap.objects().node(n.name())
            assert k.podCIDRs() == [n.podCIDR()]
            assert k.internalIPs() == [n.address()]
            assert k.externalIPs() == []
            assert k.isReady() && k.ready().reason() == 'KubeletReady'
            assert k.annotations()['flannel.alpha.coreos.com/public-ip'] == n.address().toString()
            assert k.annotations()['flannel.alpha.coreos.com/backend-type'] == 'vxlan'
        }
        snap.objects().node('node-1').labels().containsKey('node-role.kubernetes.io/control-plane')
    }

    def "pods: IPs, node, phase, Ready and container ports are the topology's; the DaemonSet pods are hostNetwork on their node's address"() {
        expect:
        topo.pods().each { p ->
            def k = snap.objects().pod(p.namespace(), p.name())
            assert k.podIPs() == [p.ip()] && k.podIP() == p.ip()
            assert k.nodeName() == p.node()
            assert !k.hostNetwork() && k.isRunning() && k.isReady()
            assert k.hostIP() == topo.node(p.node()).address()
            assert k.labels() == p.labels()
            assert k.ports().collect { [it.name(), it.containerPort(), it.protocol()] } == p.ports().collect { [it.name(), it.port(), it.protocol()] }
        }
        def daemons = snap.objects().pods().findAll { it.hostNetwork() }
        daemons*.namespace().toSet() == ['kube-flannel', 'kube-system'] as Set
        daemons.size() == 2 * topo.nodes().size()
        daemons.every { it.podIPs() == [topo.node(it.nodeName()).address()] }
        snap.objects().pod('kube-system', 'coredns').namedPort('dns', Protocol.UDP).get().containerPort() == 53
        snap.objects().pod('kube-system', 'coredns').namedPort('dns', Protocol.TCP).isEmpty()
    }

    def "services: cluster IPs, types, ports with int-or-string targetPorts and node ports are the topology's, plus default/kubernetes"() {
        expect:
        topo.services().each { rs ->
            def s = rs.service()
            def k = snap.objects().service(s.namespace(), s.name())
            assert k.clusterIPs() == [s.clusterIP()] && !k.headless()
            assert k.type() == s.type().name()
            assert k.selector() == s.selector() && k.hasSelector()
            assert k.ports().collect { [it.name(), it.port(), it.protocol(), it.nodePort() ?: 0] } ==
                    rs.ports().collect { [it.port().name(), it.port().port(), it.port().protocol(), it.port().nodePort()] }
            assert k.ports().collect { it.targetPort().toString() } == s.ports().collect { it.targetPort().name() ?: String.valueOf(it.targetPort().number()) }
            assert k.externalIPs() == [] && k.loadBalancerIngress() == []
        }
        with(snap.objects().service('default', 'kubernetes')) {
            clusterIPs() == [Ip.parse('10.96.0.1')]
            ports() == [new KService.Port('https', 443, Protocol.TCP, new KService.TargetPort(6443, null), null)]
            !hasSelector()
        }
        snap.objects().service('default', 'web').ports()[0].targetPort() == new KService.TargetPort(0, 'http')
        snap.objects().service('default', 'api').externalTrafficPolicy() == 'Cluster'
    }

    def "EndpointSlices: one per distinct port list, conditions as written (null = unknown) and read per the API"() {
        given:
        def o = snap.objects()

        expect:
        o.endpointSlices(o.service('default', 'web')).collect { s -> [s.ports()*.port(), s.endpoints()*.targetRef()*.name()] } as Set ==
                [[[8080], ['web-1', 'web-2']], [[8081], ['web-3']]] as Set
        o.endpointSlices(o.service('default', 'web')).every { it.isIp() && it.addressType() == 'IPv4' && it.serviceName() == 'web' }
        with(o.endpointSlices(o.service('default', 'kubernetes')).first().endpoints().first()) {
            addresses() == [Ip.parse('192.168.56.2')]
            conditions().ready() && conditions().serving() == null && conditions().terminating() == null
            conditions().isServing() && !conditions().isTerminating()
            nodeName() == null && targetRef() == null
        }
        o.endpointSlices(o.service('kube-system', 'kube-dns')).first().ports().collect { [it.name(), it.port(), it.protocol()] } ==
                [['dns', 53, Protocol.UDP], ['dns-tcp', 53, Protocol.TCP]]
    }

    def "namespaces and ConfigMaps"() {
        expect:
        snap.objects().namespaces()*.name().containsAll(['default', 'kube-system', 'kube-flannel', 'staging'])
        snap.objects().namespaces().every { it.phase() == 'Active' && it.labels()['kubernetes.io/metadata.name'] == it.name() }
        snap.objects().configMap('kube-system', 'kube-proxy').data()['config.conf'].contains('mode: iptables')
        snap.objects().configMap('kube-flannel', 'kube-flannel-cfg').data()['net-conf.json'].contains('"Network": "10.244.0.0/16"')
    }

    def "network namespaces open on first use and are kept; hostNetwork pods get their node's; the others stay untouched"() {
        given: 'a copy whose node-2 routes are corrupt: reading them would fail'
        Path dir = copy()
        Files.writeString(dir.resolve('nodes/node-2/host/route.json'), '[{"dst": ')
        Snapshot s = Snapshot.open(dir)

        expect: 'nothing is opened by open()'
        s.openedDumps() == []

        when:
        def client = s.pod('default', 'client')

        then:
        client.routeGet(RouteQuery.to(Ip.parse('10.96.0.2'))).toString().contains('via 10.244.0.1')
        s.pod('default', 'client').is(client)
        s.openedDumps() == ['nodes/node-1/pods/default_client']

        when:
        def node1 = s.host('node-1')
        def proxy = s.pod('kube-system', s.objects().pods().find { it.name().startsWith('kube-proxy') && it.nodeName() == 'node-1' }.name())

        then:
        proxy.is(node1)
        node1.interfaces().byName('flannel.1').isPresent()
        s.openedDumps() == ['nodes/node-1/pods/default_client', 'nodes/node-1/host']

        when: 'the corrupt namespace is read only when asked for'
        s.host('node-2').router()

        then:
        ParseException e = thrown()
        e.file().endsWith('nodes/node-2/host/route.json')
    }

    def "a snapshot reads the same from a zip file system (the jar)"() {
        given:
        Path zip = tmp.resolve('snap.zip')
        Path dir = copy()
        new ZipOutputStream(Files.newOutputStream(zip)).withCloseable { out ->
            Files.walk(dir).filter { Files.isRegularFile(it) }.each { p ->
                out.putNextEntry(new ZipEntry('flannel-vxlan/' + dir.relativize(p)))
                out.write(Files.readAllBytes(p))
                out.closeEntry()
            }
        }
        def fs = FileSystems.newFileSystem(zip)

        when:
        Snapshot s = Snapshot.open(fs.getPath('/flannel-vxlan'))

        then:
        s.meta().name() == 'vxlan'
        s.objects().pods().size() == snap.objects().pods().size()
        s.pod('default', 'web-3').sockets().toString().contains('8081')
        s.missingDumps() == []

        cleanup:
        fs?.close()
    }

    def "malformed JSON in a k8s file: a ParseException naming the file and Jackson's line"() {
        given:
        Path dir = copy()
        Path pods = dir.resolve('k8s/pods.json')
        int at = edit(pods, '"nodeName": "node-2"', '"nodeName": "node-2" oops')

        when:
        Snapshot.open(dir)

        then:
        ParseException e = thrown()
        e.file() == pods.toString()
        e.line() == at + 1
        e.message.startsWith(pods.toString() + ':' + (at + 1) + ': not a kubectl List of Pod objects')
    }

    def "a value of the wrong shape (#bad in #file) names the file, a line and the value"() {
        given:
        Path dir = copy()
        Path f = dir.resolve('k8s').resolve(file)
        int at = edit(f, good, bad)

        when:
        Snapshot.open(dir)

        then:
        ParseException e = thrown()
        e.file() == f.toString()
        exactLine ? e.line() == at + 1 : e.line() > at // Jackson's location: at the value, or after the object
        e.message.contains(message)

        where:
        file                  | good                         | bad                          | exactLine | message
        'pods.json'           | '"podIP": "10.244.1.2"'      | '"podIP": "10.244.1.256"'    | true      | "(at items[6].status.podIP): not an IPv4 or IPv6 address: '10.244.1.256'"
        'nodes.json'          | '"podCIDR": "10.244.1.0/24"' | '"podCIDR": "10.244.1.0/33"' | true      | "(at items[1].spec.podCIDR): prefix length 33 out of range in '10.244.1.0/33'"
        'services.json'       | '"protocol": "TCP"'          | '"protocol": "QUIC"'         | true      | "unknown protocol 'QUIC'"
        'services.json'       | '"10.96.0.2"'                | '"10.96.0.x"'                | false     | "'10.96.0.x'"
        'nodes.json'          | '"address": "192.168.56.3"'  | '"address": "192.168.56.x"'  | false     | "'192.168.56.x'"
        'endpointslices.json' | '"10.244.2.2"'               | '"10.244.2.x"'               | false     | "'10.244.2.x'"
    }

    def "a missing k8s file is a ParseException naming it and what k8s/ holds"() {
        given:
        Path dir = copy()
        Files.delete(dir.resolve('k8s/services.json'))

        when:
        Snapshot.open(dir)

        then:
        ParseException e = thrown()
        e.file() == dir.resolve('k8s/services.json').toString()
        e.message.contains('missing') && e.message.contains('kubectl get <kind> -A -o json')
    }

    def "a folder without snapshot.json is refused, saying what a snapshot folder is"() {
        when:
        Snapshot.open(dir)

        then:
        IllegalArgumentException e = thrown()
        e.message.contains('has no snapshot.json')
        e.message.contains('k8s/<kind>.json') && e.message.contains('nodes/<node>/host/')
        e.message.contains('looks like the netns dump') == dump

        where:
        dir                             | dump
        Examples.path('node1')          | true
        Path.of('src/test/groovy')      | false
    }

    def "missing dumps: listed by missingDumps(), and asking for one says so"() {
        given:
        Path dir = copy()
        dir.resolve('nodes/node-3/pods/default_sleeper').toFile().deleteDir()
        dir.resolve('nodes/node-2/host').toFile().deleteDir()
        Snapshot s = Snapshot.open(dir)

        expect:
        s.missingDumps()*.toString() == ['node node-2: no nodes/node-2/host/', 'pod default/sleeper on node-3: no nodes/node-3/pods/default_sleeper/']
        s.missingDumps()*.isNode() == [true, false]
        snap.missingDumps() == []

        when:
        s.pod('default', 'sleeper')

        then:
        IllegalArgumentException e = thrown()
        e.message == 'the snapshot holds no network namespace of pod default/sleeper: nodes/node-3/pods/default_sleeper/ is missing (see missingDumps())'
    }

    def "an unknown pod or node: an error listing the namespace's pods and the closest name"() {
        when:
        snap.pod('default', 'clinet')

        then:
        IllegalArgumentException e = thrown()
        e.message.startsWith('no pod default/clinet in the snapshot (pods in namespace default: api-1, api-2, client, ')
        e.message.endsWith("; did you mean 'default/client'?")

        when:
        snap.host('node-4')

        then:
        e = thrown(IllegalArgumentException)
        e.message.startsWith('no node node-4 in the snapshot (nodes: node-1, node-2, node-3)')
        e.message.contains('did you mean')
    }

    def "Prefix and Ip values are parsed on the way"() {
        expect:
        snap.objects().node('node-2').podCIDRs() == [Prefix.parse('10.244.1.0/24')]
        snap.objects().node('node-2').podCIDRContains(Ip.parse('10.244.1.77'))
    }
}
