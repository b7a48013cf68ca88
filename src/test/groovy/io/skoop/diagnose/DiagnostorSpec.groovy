package io.skoop.diagnose

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import io.skoop.model.Level
import io.skoop.model.NetNode
import io.skoop.model.NetNodeType
import io.skoop.model.Protocol
import io.skoop.model.Suspicion
import io.skoop.snapshot.Snapshot
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * The Diagnostor on the embedded flannel-vxlan snapshot (a real lab cluster's dumps: 3 nodes, kube-proxy iptables), and
 * on copies of it with one fault written into the dumps the way the kernel would show it — no root needed. The same
 * flows and faults are judged by the kernel in LabDiagnoseKernelSpec.
 */
class DiagnostorSpec extends Specification {

    static final String EXTERNAL = '203.0.113.10'

    @Shared Snapshot snapshot = Snapshot.example('flannel-vxlan')
    @Shared Diagnostor diagnostor = new Diagnostor(snapshot)
    @Shared Path tmp = Files.createTempDirectory('skoop-diagnose')

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    static Query q(String src, String dst, Object port, String proto = 'tcp') {
        new Query(src, dst, port == null ? null : port.toString(), Protocol.parse(proto))
    }

    static List<String> delivered(Diagnosis d) {
        d.branches().findAll { it.direction() == Walk.Direction.REQUEST && it.kind() == Outcome.End.Kind.DELIVERED }
                .collect { it.hop().toString() }.unique().sort()
    }

    static List<Suspicion> breaking(Diagnosis d) {
        d.allSuspicions().findAll { it.level().breaksFlow() }
    }

    /** The suspicions of {@code level} on {@code hop} in the request or reply graph. */
    static List<String> on(Diagnosis d, String hop, Level level) {
        [d.request(), d.reply()].collectMany { p -> p.nodes().findAll { it.hop().toString() == hop } }
                .collectMany { NetNode n -> n.suspicions().findAll { it.level() == level }*.message() }.unique()
    }

    @Unroll
    def "healthy: #src -> #dst:#port/#proto is REACHABLE, delivered to #backends, and nothing breaks it"() {
        when:
        Diagnosis d = diagnostor.diagnose(q(src, dst, port, proto))

        then:
        d.verdict() == Verdict.REACHABLE
        d.successProbability() == 1.0d
        delivered(d) == backends.sort()
        breaking(d) == []
        d.reply().origins()*.hop()*.toString().sort() == backends.sort()

        where:
        src                | dst                        | port  | proto | backends
        'default/client'   | 'default/web-1'            | 8080  | 'tcp' | ['pod:default/web-1']
        'default/web-2'    | 'default/web-2'            | 8080  | 'tcp' | ['pod:default/web-2']
        'node/node-2'      | 'node/node-2'              | 10250 | 'tcp' | ['node:node-2']
        'default/web-1'    | 'svc/default/web'          | 80    | 'tcp' | ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        'default/client'   | 'default/web-2'            | 8080  | 'tcp' | ['pod:default/web-2']
        'default/client-2' | 'default/web-3'            | 8081  | 'tcp' | ['pod:default/web-3']
        'default/client'   | 'kube-system/coredns'      | 53    | 'udp' | ['pod:kube-system/coredns']
        'default/client'   | 'node/node-2'              | 10250 | 'tcp' | ['node:node-2']
        'default/client'   | 'node/node-1'              | 10250 | 'tcp' | ['node:node-1']
        'node/node-1'      | 'default/web-3'            | 8081  | 'tcp' | ['pod:default/web-3']
        'node/node-1'      | 'node/node-3'              | 10250 | 'tcp' | ['node:node-3']
        'default/client'   | 'svc/kube-system/kube-dns' | 53    | 'udp' | ['pod:kube-system/coredns']
        'default/client-2' | 'svc/kube-system/kube-dns' | 53    | 'tcp' | ['pod:kube-system/coredns']
        'node/node-2'      | 'svc/kube-system/kube-dns' | 53    | 'udp' | ['pod:kube-system/coredns']
        'default/client'   | 'svc/default/web'          | 80    | 'tcp' | ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        'node/node-3'      | 'svc/default/web'          | null  | 'tcp' | ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        'default/client'   | 'node/node-3'              | 30080 | 'tcp' | ['pod:default/api-1', 'pod:default/api-2']
        EXTERNAL           | 'node/node-2'              | 30080 | 'tcp' | ['pod:default/api-1', 'pod:default/api-2']
        'default/client'   | EXTERNAL                   | 80    | 'tcp' | ["external:$EXTERNAL"]
        'default/web-3'    | EXTERNAL                   | 53    | 'udp' | ["external:$EXTERNAL"]
        'node/node-3'      | EXTERNAL                   | 80    | 'tcp' | ["external:$EXTERNAL"]
        '10.244.0.2'       | '10.244.1.2'               | 8080  | 'tcp' | ['pod:default/web-2']
    }

    def "the path is the real one: pod eth0, veth peer, cni0, flannel.1 VXLAN to the node the FDB names, decapsulation, cni0, pod"() {
        when:
        Diagnosis d = diagnostor.diagnose(q('default/client', 'default/web-2', 8080))
        def links = d.request().links()

        then:
        links*.type()*.name() == ['VETH', 'VXLAN', 'VETH']
        links*.source()*.toString() == ['pod:default/client', 'node:node-1', 'node:node-2']
        links[0].sourceAttribute().device() == 'eth0'
        links[0].destinationAttribute().device() == 'vethec56b3b9'
        links[1].packet().toString() ==~ /udp 192\.168\.56\.2:\d+ > 192\.168\.56\.3:8472 encap\(tcp 10\.244\.0\.2:40000 > 10\.244\.1\.2:8080\)/
        links[2].destinationAttribute().device() == 'eth0'
        d.request().node(links[1].destination()).explanation().any { it.startsWith('vxlan flannel.1 (VNI 1, port 8472): decapsulate') }
        d.request().node(links[1].source()).explanation().any { it.contains('FDB 16:a9:02:20:81:10 dst 192.168.56.3') }
        d.reply().links()*.destination()*.toString() == ['node:node-2', 'node:node-1', 'pod:default/client']
    }

    def "a Service is resolved by the node's real rules: three KUBE-SEP branches of 1/3 with DNAT applied, replies un-DNATed"() {
        when:
        Diagnosis d = diagnostor.diagnose(q('default/client', 'svc/default/web', 80))
        NetNode node1 = d.request().node(NetNodeManager.nodeHop('node-1'))
        def branches = d.branches().findAll { it.direction() == Walk.Direction.REQUEST }

        then:
        node1.actions()*.type()*.name().contains('SERVICE')
        branches*.probability().every { Math.abs(it - 1 / 3d) < 1e-9 }
        branches*.packet()*.toString().sort() == ['tcp 10.244.0.2:40000 > 10.244.0.3:8080', 'tcp 10.244.0.2:40000 > 10.244.1.2:8080',
                                                  'tcp 10.244.0.2:40000 > 10.244.2.2:8081']
        node1.explanation().count { it.startsWith('Service default/web port 80/TCP (cluster ip 10.96.0.2:80) -> KUBE-SVC-') } == 3
        d.branches().findAll { it.direction() == Walk.Direction.REPLY }*.packet()*.toString() ==
                ['tcp 10.96.0.2:80 > 10.244.0.2:40000'] * 3
    }

    def "nothing listening: the pod's namespace answers RST, FATAL on the pod naming ip:port/proto"() {
        when:
        Diagnosis d = diagnostor.diagnose(q('default/client', 'default/sleeper', 80))

        then:
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'pod:default/sleeper', Level.FATAL) == ['no socket listens on 10.244.2.4:80/tcp in pod:default/sleeper (the kernel answers RST: connection refused; its sockets.txt is empty: nothing listens on any port there)']
    }

    @Unroll
    def "nothing routed: #dst is lost on the underlay after node-1, FATAL on node-1"() {
        when:
        Diagnosis d = diagnostor.diagnose(q('default/client', dst, 80))

        then:
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'node:node-1', Level.FATAL).any { it.contains(words) }

        where:
        dst           | words
        '10.96.0.99'  | 'has no route to 10.96.0.99: inside the service CIDR 10.96.0.0/16 but no Service has it'
        '10.244.99.9' | 'has no route to 10.244.99.9: inside the cluster CIDR 10.244.0.0/16'
    }

    // ---- faults written into copies of the snapshot ----------------------------------------------------------

    /** A copy of the embedded snapshot with {@code edit} applied to its folder. */
    Diagnostor broken(String name, Closure edit) {
        Path dir = tmp.resolve(name)
        if (!Files.exists(dir)) {
            copy(snapshot.dir(), dir)
            edit(dir)
        }
        new Diagnostor(Snapshot.open(dir))
    }

    static void copy(Path from, Path to) {
        io.skoop.testsupport.ExampleCopy.copy(to, from)
    }

    static void json(Path file, Closure change) {
        def v = new JsonSlurper().parse(file.toFile())
        v = change(v) ?: v
        file.toFile().text = JsonOutput.toJson(v)
    }

    static void linkDown(Path ns, String dev) {
        json(ns.resolve('link.json')) { List l -> l.find { it.ifname == dev }.with { flags.remove('UP'); flags.remove('LOWER_UP'); operstate = 'DOWN' }; l }
        // the kernel removes the routes of a device that goes down
        json(ns.resolve('route.json')) { List r -> r.findAll { it.dev != dev || it.table == 'local' } }
    }

    static Path host(Path dir, String node) { dir.resolve("nodes/$node/host") }

    /** Sets {@code info_slave_data} keys of web-1's bridge port on node-1 (found by its eth0's peer index). */
    static void web1Port(Path dir, Map data) {
        int index = new JsonSlurper().parse(dir.resolve('nodes/node-1/pods/default_web-1/link.json').toFile()).find { it.ifname == 'eth0' }.link_index
        json(host(dir, 'node-1').resolve('link.json')) { List l -> l.find { it.ifindex == index }.linkinfo.info_slave_data.putAll(data); l }
    }

    def "fault: hairpin off on web-1's bridge port -> web-1 reaching its own Service fails when the DNAT picks web-1 (bridged back out of the port it came in on): 2/3 with a CRITICAL naming hairpin"() {
        given:
        Diagnostor x = broken('hairpin') { Path dir -> web1Port(dir, [hairpin: false]) }

        when:
        Diagnosis d = x.diagnose(q('default/web-1', 'svc/default/web', 80))
        Diagnosis other = x.diagnose(q('default/client', 'svc/default/web', 80))

        then:
        d.verdict() == Verdict.REACHABLE
        Math.abs(d.successProbability() - 2 / 3d) < 1e-9
        on(d, 'node:node-1', Level.CRITICAL).any { it.startsWith('hairpin mode is off on bridge port') }
        other.successProbability() == 1.0d
    }

    def "fault: web-1's bridge port disabled -> nothing reaches web-1, and web-1 reaches nothing; the FATAL names the port state"() {
        given:
        Diagnostor x = broken('port-disabled') { Path dir -> web1Port(dir, [state: 'disabled']) }

        when:
        Diagnosis to = x.diagnose(q('default/client', 'default/web-1', 8080))
        Diagnosis from = x.diagnose(q('default/web-1', 'default/web-2', 8080))

        then:
        to.verdict() == Verdict.UNREACHABLE
        on(to, 'node:node-1', Level.FATAL).any { it.contains('is in state disabled: the bridge sends no frames to it') }
        from.verdict() == Verdict.UNREACHABLE
        on(from, 'node:node-1', Level.FATAL).any { it.contains('is in state disabled: the bridge drops the frames it receives') }
    }

    def "fault: arp_ignore=8 on node-2's eth0 -> nobody on node-1 can resolve node-2: FATAL naming the sysctl; with a REACHABLE entry cached it still works, a WARNING says until when"() {
        given:
        Closure ignore = { Path dir ->
            Path f = host(dir, 'node-2').resolve('sysctl.txt')
            f.toFile().text = f.toFile().text.replace('net.ipv4.conf.eth0.arp_ignore = 0', 'net.ipv4.conf.eth0.arp_ignore = 8')
        }
        Diagnostor x = broken('arp-ignore', ignore)
        Diagnostor cached = broken('arp-ignore-cached') { Path dir ->
            ignore(dir)
            json(host(dir, 'node-1').resolve('neigh.json')) { List n -> n + [[dst: '192.168.56.3', dev: 'eth0', lladdr: '02:00:00:00:00:03', state: ['REACHABLE']]] }
        }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))
        Diagnosis c = cached.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'node:node-1', Level.FATAL).any { it.startsWith('node node-2 answers no ARP request for 192.168.56.3 on eth0 (net.ipv4.conf.eth0.arp_ignore, effective 8') }
        c.verdict() == Verdict.REACHABLE
        breaking(c) == []
        on(c, 'node:node-1', Level.WARNING).any { it.contains('still works; once it expires') }
    }

    def "a route to node-1's podCIDR via node-2's own address: on-link; node-1 answers ARP for its VTEP address 10.244.0.0 on eth0 (arp_ignore 0), so node-1's own traffic still gets its answers while a pod's does not"() {
        given:
        Diagnostor x = broken('own-gateway') { Path dir ->
            json(host(dir, 'node-2').resolve('route.json')) { List r ->
                r.find { it.dst == '10.244.0.0/24' }.with { gateway = '192.168.56.3'; dev = 'eth0'; flags = [] }
                r
            }
        }

        when: 'node-1 sends from its flannel.1 address 10.244.0.0 (the source of its route to 10.244.1.0/24); client from a pod address'
        Diagnosis node = x.diagnose(q('node/node-1', 'default/web-2', 8080))
        Diagnosis pod = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        node.verdict() == Verdict.REACHABLE
        breaking(node) == []
        pod.verdict() == Verdict.UNREACHABLE
        on(pod, 'node:node-2', Level.FATAL).any { it.contains('no host on the underlay answers ARP for 10.244.0.2') }
    }

    def "fault: route to node-2's podCIDR deleted on node-1 -> the packet leaves by the default route and is lost; the suspicion names the route flannel installs"() {
        given:
        Diagnostor x = broken('route-del') { Path dir -> json(host(dir, 'node-1').resolve('route.json')) { List r -> r.findAll { it.dst != '10.244.1.0/24' } } }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNREACHABLE
        d.request().links()*.type()*.name() == ['VETH', 'INFRA']
        d.request().links()[1].destination().toString() == 'generic:underlay-router/192.168.56.1'
        d.branches()*.hop()*.toString() == ['generic:underlay-router/192.168.56.1']
        on(d, 'node:node-1', Level.FATAL) == ['10.244.1.2 left by the route via 192.168.56.1 dev eth0 onto the underlay and is lost: the underlay'
                + ' router 192.168.56.1 has no route to 10.244.1.2: pod default/web-2 on node-2: pod and Service addresses exist only inside'
                + ' the nodes; expected: flannel installs `10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink` on node-1']
        x.diagnose(q('default/client', 'default/web-3', 8081)).verdict() == Verdict.REACHABLE
    }

    def "fault: net.ipv4.ip_forward=0 on node-2 -> the decapsulated packet is not forwarded; same-node traffic is bridged and still works"() {
        given:
        Diagnostor x = broken('ip-forward') { Path dir ->
            Path f = host(dir, 'node-2').resolve('sysctl.txt')
            f.toFile().text = f.toFile().text.replaceAll(/(?m)^(net\.ipv4\.ip_forward|net\.ipv4\.conf\.[^.]+\.forwarding) = 1$/, '$1 = 0')
        }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'node:node-2', Level.FATAL).any { it.startsWith('routing fails: EHOSTUNREACH') && it.contains('forwarding is off on flannel.1') }
        on(d, 'node:node-2', Level.WARNING).contains('net.ipv4.ip_forward = 0; flannel needs 1 to forward pod traffic')
        x.diagnose(q('default/client-2', 'default/web-2', 8080)).verdict() == Verdict.REACHABLE
    }

    def "fault: iptables -I FORWARD -j DROP on node-3 -> FATAL naming table, chain, rule number and text"() {
        given:
        Diagnostor x = broken('forward-drop') { Path dir ->
            Path f = host(dir, 'node-3').resolve('iptables.txt')
            f.toFile().text = f.toFile().text.replaceFirst(/(?m)^(\[0:0\] -A FORWARD )/, '[0:0] -A FORWARD -j DROP\n$1')
        }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-3', 8081))

        then:
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'node:node-3', Level.FATAL) == ['iptables: dropped by filter/FORWARD#1 `-A FORWARD -j DROP` (hook FORWARD)']
        x.diagnose(q('default/client', 'default/web-2', 8080)).verdict() == Verdict.REACHABLE
    }

    def "fault: the client's eth0 down -> connect() has no route, FATAL on the pod naming the device"() {
        given:
        Diagnostor x = broken('pod-eth0-down') { Path dir -> linkDown(dir.resolve('nodes/node-1/pods/default_client'), 'eth0') }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNREACHABLE
        d.request().links() == []
        on(d, 'pod:default/client', Level.FATAL).any { it.startsWith('connect() fails: no route to 10.244.1.2 (ENETUNREACH') && it.contains('down in pod:default/client: eth0') }
    }

    def "fault: node-2's eth0 down -> the VXLAN frame from node-1 is not received, FATAL on node-2"() {
        given:
        Diagnostor x = broken('node-eth0-down') { Path dir -> linkDown(host(dir, 'node-2'), 'eth0') }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'node:node-2', Level.FATAL) == ['eth0 is down (DOWN): the packet from node:node-1 is not received']
        x.diagnose(q('default/client-2', 'default/web-2', 8080)).verdict() == Verdict.REACHABLE
    }

    def "fault: eth0 MTU 1400 on node-1 -> still REACHABLE (small packets pass) but CRITICAL on node-1 for the answer's full-size VXLAN frames; same-node flows are untouched"() {
        given:
        Diagnostor x = broken('mtu') { Path dir -> json(host(dir, 'node-1').resolve('link.json')) { List l -> l.find { it.ifname == 'eth0' }.mtu = 1400; l } }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))
        Diagnosis same = x.diagnose(q('default/client', 'default/web-1', 8080))

        then:
        d.verdict() == Verdict.REACHABLE
        on(d, 'node:node-1', Level.CRITICAL) == ['MTU: eth0 MTU 1400 on node-1 < the 1500-byte VXLAN frames (flannel.1 MTU 1450 + 50) that node-2'
                + ' sends back to the client: a receiver drops frames over its MTU (full-size segments of the answer never arrive)']
        on(d, 'node:node-1', Level.FATAL) == []
        same.verdict() == Verdict.REACHABLE
        breaking(same) == []
    }

    def "MTU by direction: eth0 MTU 1400 on node-1 and a client on node-2 -> the answer leaves node-1 by its own small device (fragmented outer packets), only large requests would be lost: a WARNING, no CRITICAL"() {
        given:
        Diagnostor x = broken('mtu-dir') { Path dir -> json(host(dir, 'node-1').resolve('link.json')) { List l -> l.find { it.ifname == 'eth0' }.mtu = 1400; l } }

        when:
        Diagnosis d = x.diagnose(q('default/client-2', 'default/web-1', 8080))

        then:
        d.verdict() == Verdict.REACHABLE
        d.successProbability() == 1.0d
        breaking(d) == []
        on(d, 'node:node-1', Level.WARNING).any { it.startsWith('MTU: eth0 MTU 1400 on node-1 < the 1500-byte VXLAN frames') && it.contains('towards the server')
                && it.endsWith('(requests larger than 1400 bytes are lost)') }
    }

    def "fault: bridge-nf-call-iptables=0 on node-1 -> the same-node backend's reply is bridged without reverse NAT: 2/3 of connections complete"() {
        given:
        Diagnostor x = broken('brnf') { Path dir ->
            Path f = host(dir, 'node-1').resolve('sysctl.txt')
            f.toFile().text = f.toFile().text.replace('net.bridge.bridge-nf-call-iptables = 1', 'net.bridge.bridge-nf-call-iptables = 0')
        }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'svc/default/web', 80))

        then:
        d.verdict() == Verdict.REACHABLE
        Math.abs(d.successProbability() - 2 / 3d) < 1e-9
        on(d, 'pod:default/client', Level.CRITICAL) == ['the reply arrives as tcp 10.244.0.3:8080 > 10.244.0.2:40000 but the client\'s socket is'
                + ' connected to 10.96.0.2:80: the destination NAT was not reversed on the way back; the client answers RST'
                + ' [breaks 33% of new connections: other branches complete]']
        on(d, 'node:node-1', Level.WARNING).any { it.startsWith('net.bridge.bridge-nf-call-iptables = 0') }
    }

    def "fault: node-1's VXLAN FDB entry for node-2's VTEP missing -> the frame is dropped, FATAL naming the MAC"() {
        given:
        Diagnostor x = broken('fdb') { Path dir -> json(host(dir, 'node-1').resolve('fdb.json')) { List l -> l.findAll { it.mac != '16:a9:02:20:81:10' } } }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'node:node-1', Level.FATAL) == ['flannel.1 FDB has no entry for 16:a9:02:20:81:10 (the VTEP of 10.244.1.0): the frame is dropped']
        on(d, 'node:node-1', Level.WARNING).contains('flannel.1 FDB has no entry for 16:a9:02:20:81:10; flannel adds 16:a9:02:20:81:10 dst 192.168.56.3 (node node-2)')
    }

    def "fault: routes pointing node-1 and node-2 at each other -> a forwarding loop ends with a FATAL instead of running forever"() {
        given:
        Diagnostor x = broken('loop') { Path dir ->
            json(host(dir, 'node-1').resolve('route.json')) { List r ->
                r.find { it.dst == '10.244.1.0/24' }.with { gateway = '192.168.56.3'; dev = 'eth0'; flags = [] }; r
            }
            json(host(dir, 'node-2').resolve('route.json')) { List r ->
                r.find { it.dst == '10.244.1.0/24' && it.table == 'main' }.with { gateway = '192.168.56.2'; dev = 'eth0'; remove('prefsrc'); scope = 'global'; protocol = 'boot' }; r
            }
        }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNREACHABLE
        (on(d, 'node:node-1', Level.FATAL) + on(d, 'node:node-2', Level.FATAL)).any { it.startsWith('forwarding loop: tcp 10.244.0.2:40000 > 10.244.1.2:8080 arrives on eth0 again') }
    }

    def "a pod's dump not collected -> UNKNOWN, naming the missing folder, and a cluster-level INFO"() {
        given:
        Diagnostor x = broken('missing') { Path dir -> dir.resolve('nodes/node-2/pods/default_web-2').toFile().deleteDir() }

        when:
        Diagnosis d = x.diagnose(q('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.UNKNOWN
        d.suspicions()*.message() == ['not collected: pod default/web-2 on node-2: no nodes/node-2/pods/default_web-2/']
        on(d, 'pod:default/web-2', Level.WARNING).any { it.startsWith('UNKNOWN: pod default/web-2 on node-2: no nodes/node-2/pods/default_web-2/: the snapshot did not collect it') }
    }

    def "a corrupt dump on the path is an error naming file and line; off the path it is never read"() {
        given:
        Diagnostor x = broken('corrupt') { Path dir ->
            Path f = host(dir, 'node-3').resolve('route.json')
            f.toFile().text = f.toFile().text.substring(0, 300) + '\n garbage'
        }

        when:
        Diagnosis fine = x.diagnose(q('default/client', 'default/web-2', 8080))
        x.diagnose(q('default/client', 'default/web-3', 8081))

        then:
        fine.verdict() == Verdict.REACHABLE
        io.skoop.netstack.parse.ParseException e = thrown()
        e.message.startsWith(tmp.resolve('corrupt/nodes/node-3/host/route.json').toString() + ':1: malformed JSON')
    }

    def "only the namespaces on the path are opened"() {
        given:
        Snapshot s = Snapshot.example('flannel-vxlan')

        when:
        new Diagnostor(s).diagnose(q('default/client', 'default/web-1', 8080))

        then:
        s.openedDumps().sort(false) == ['nodes/node-1/host', 'nodes/node-1/pods/default_client', 'nodes/node-1/pods/default_web-1']
    }

    @Unroll
    def "#example: a cluster IP on a port its Service lacks is diagnosed, not refused as a query: UNREACHABLE, #words on node-1"() {
        given:
        Snapshot s = Snapshot.example(example)
        String ip = s.objects().findService('default', 'web').get().clusterIPs()[0]

        when:
        Diagnosis d = new Diagnostor(s).diagnose(q('default/client', ip, 8080))

        then:
        d.destination().kind() == Target.Kind.SERVICE
        d.destination().servicePort() == null
        d.verdict() == Verdict.UNREACHABLE
        on(d, 'node:node-1', Level.FATAL).any { it.contains(words) }
        d.suspicions()*.message().contains("$ip is the cluster IP of service default/web, which has no port 8080/TCP (ports: http 80/TCP): kube-proxy forwards nothing to it".toString())

        where: 'kube-proxy in nftables mode rejects it in cluster-ips-check (the kernel refuses at once: KubeProxyNftablesKernelSpec); iptables mode has no rule for it: the node routes it onto the underlay'
        example                  || words
        'flannel-vxlan-nftables' || 'ip kube-proxy/cluster-ips-check'
        'flannel-vxlan'          || 'onto the underlay and is lost'
    }

    @Unroll
    def "bad query #src -> #dst:#port is a clear error: #message"() {
        when:
        diagnostor.diagnose(q(src, dst, port))

        then:
        IllegalArgumentException e = thrown()
        e.message == message

        where:
        src              | dst               | port   | message
        'default/clinet' | 'default/web-1'   | 80     | "no pod default/clinet in the snapshot (pods in namespace default: api-1, api-2, client, client-2, sleeper, web-1, web-2, web-3); did you mean 'default/client'?"
        'svc/default/web'| 'default/web-1'   | 80     | 'source svc/default/web is a Service: a connection starts at a pod, a node or an external IP'
        'default/client' | 'default/web-1'   | null   | 'destination default/web-1 needs a port (-p PORT)'
        'default/client' | 'default/web-1'   | 'http' | "port 'http' of default/web-1 is not a number in 1..65535 (a port name works only for a Service)"
        'default/client' | 'svc/default/web' | 8080   | 'service default/web has no port 8080/TCP (ports: http 80/TCP)'
        'default/client' | 'dep/default/web' | 80     | "unknown kind 'dep' in destination dep/default/web: expected NAMESPACE/POD, pod/NAMESPACE/POD, node/NAME, svc/NAMESPACE/NAME or an IP"
        '10.244.1.99'    | 'default/web-1'   | 80     | 'source 10.244.1.99: inside the podCIDR 10.244.1.0/24 of node node-2 but no pod has it: a source must be a pod, a node or an address outside the cluster'
        'node/node-9'    | 'default/web-1'   | 80     | "no node node-9 in the snapshot (nodes: node-1, node-2, node-3); did you mean 'node-1'?"
    }

    def "a pod without an IP as the source or the destination: its phase, not a family it lacks (#role)"() {
        given: 'client is Pending: no podIP, no podIPs'
        Diagnostor d = broken('pending-client') { Path dir ->
            json(dir.resolve('k8s/pods.json')) { Map l ->
                l.items.find { it.metadata.name == 'client' }.status.with { phase = 'Pending'; remove('podIP'); remove('podIPs') }
                l
            }
        }

        when:
        d.diagnose(role == 'source' ? q('default/client', 'default/web-1', 8080) : q('default/web-1', 'default/client', 8080))

        then:
        IllegalArgumentException e = thrown()
        e.message == 'pod default/client has no IP (status.podIP empty; phase Pending)'

        where:
        role << ['source', 'destination']
    }
}
