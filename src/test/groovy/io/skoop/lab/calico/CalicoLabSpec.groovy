package io.skoop.lab.calico

import groovy.json.JsonSlurper
import io.skoop.lab.k8s.ClusterObjects
import io.skoop.lab.plan.LabPlan
import io.skoop.lab.plan.LabPlanner
import io.skoop.lab.topology.Cni
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.lab.topology.TopologyLoaderErrorsSpec
import io.skoop.model.Prefix
import io.skoop.netstack.parse.ParseException
import java.time.Instant
import spock.lang.Specification
import spock.lang.Unroll

/**
 * {@code cni: {type: calico}} without root: the loader's keys and errors, Calico IPAM in the resolver (one block per
 * node, ordinals from 0), the build plan (cali veths, proxy ARP, BIRD's routes, no flannel pieces) and the k8s objects
 * of the snapshot. The kernel's verdict on the same example is CalicoLabKernelSpec's.
 */
class CalicoLabSpec extends Specification {

    /** TopologyLoaderErrorsSpec's base file (8 lines) with calico, and three pods on two nodes. */
    static final String BASE = TopologyLoaderErrorsSpec.BASE.replace('{type: flannel}', '{type: calico}') + '''\
pods:
  - name: a
    node: node-1
  - name: b
    node: node-2
  - name: c
    node: node-1
'''

    static ResolvedTopology example = LabExamples.load('calico-bgp')
    static ResolvedTopology vxlan = LabExamples.load('calico-vxlan')

    /** The k8s objects of a lab as kubectl prints them, parsed back: kind file name to its List. */
    static Map<String, Map> objects(ResolvedTopology t) {
        ClusterObjects.render(t, Instant.parse('2026-12-06T10:00:00Z')).collectEntries { kind, list ->
            [kind, new JsonSlurper().parseText(ClusterObjects.print(list)) as Map]
        }
    }

    def "defaults: mode bgp, blockSize 26; a /26 block per node in node order; pods from ordinal 0 of their node's block"() {
        when:
        ResolvedTopology t = TopologyLoader.parse('t.yaml', BASE)

        then:
        t.cni() == new Cni.Calico(Cni.CalicoMode.BGP, 26)
        t.cni().type() == 'calico' && t.cni().modeText() == 'bgp'
        t.nodes()*.podCIDR()*.toString() == ['10.244.0.0/26', '10.244.0.64/26']
        t.pods().collect { "$it.name $it.ip".toString() } == ['a 10.244.0.0', 'b 10.244.0.64', 'c 10.244.0.1']
    }

    def "blockSize 30: every address of a block is handed out (no gateway, network or broadcast held back), then the block is full"() {
        given:
        String yaml = BASE.replace('{type: calico}', '{type: calico, mode: bgp, blockSize: 30}')
        String four = yaml + (1..2).collect { "  - name: x$it\n    node: node-1\n" }.join()

        expect:
        TopologyLoader.parse('t.yaml', four).podsOn('node-1')*.ip()*.toString() == ['10.244.0.0', '10.244.0.1', '10.244.0.2', '10.244.0.3']

        when:
        TopologyLoader.parse('t.yaml', four + '  - name: x3\n    node: node-1\n')

        then:
        def e = thrown(ParseException)
        e.message == 't.yaml:20: block 10.244.0.0/30 of node node-1 has no free address left for pod default/x3'
    }

    def "a written podCIDR pins the node's block; the others take the lowest free blocks around it"() {
        when:
        ResolvedTopology t = TopologyLoader.parse('t.yaml', BASE.replace('  - name: node-1\n', '  - name: node-1\n    podCIDR: 10.244.0.0/26\n')
                .replace('  - name: node-2\n', '  - name: node-0\n  - name: node-2\n    podCIDR: 10.244.0.64/26\n'))

        then:
        t.nodes().collect { "$it.name $it.podCIDR".toString() } == ['node-1 10.244.0.0/26', 'node-0 10.244.0.128/26', 'node-2 10.244.0.64/26']
    }

    def "the calico-bgp example: three blocks, pods on every node, the Services' endpoints"() {
        expect:
        example.name() == 'calico'
        example.cni() == new Cni.Calico(Cni.CalicoMode.BGP, 26)
        example.nodes().collect { "$it.name $it.podCIDR $it.address".toString() } == [
                'node-1 10.244.0.0/26 192.168.56.2', 'node-2 10.244.0.64/26 192.168.56.3', 'node-3 10.244.0.128/26 192.168.56.4']
        example.pods().collect { "${it.key()} ${it.ip()}".toString() } == [
                'default/client 10.244.0.0', 'default/web-1 10.244.0.1', 'default/api-1 10.244.0.2', 'default/web-2 10.244.0.64',
                'default/api-2 10.244.0.65', 'default/client-2 10.244.0.66', 'default/web-3 10.244.0.128', 'kube-system/coredns 10.244.0.129',
                'default/db 10.244.0.130']
        example.policies()*.key() == ['default/db-from-api']
        example.service('web').ports()[0].endpoints()*.pod() == ['default/web-1', 'default/web-2', 'default/web-3']
        example.service('api').service().ports()[0].nodePort() == 30080
    }

    @Unroll
    def "#mistake"() {
        when:
        TopologyLoader.parse('bad.yaml', from == null ? BASE + to : BASE.replace(from, to))

        then:
        def e = thrown(ParseException)
        e.message == message

        where:
        mistake                          | from                          | to                                        || message
        'calico ipip: no ipip module'    | '{type: calico}'              | '{type: calico, mode: ipip}'              || "bad.yaml:2: unknown calico mode (supported: bgp, vxlan; the lab does not build calico ipip: its tunl0 device needs the ipip kernel module, which the lab's kernel lacks) (at 'ipip')"
        'calico mode unknown'            | '{type: calico}'              | '{type: calico, mode: ospf}'              || "bad.yaml:2: unknown calico mode (supported: bgp, vxlan) (at 'ospf')"
        'unknown calico key'             | '{type: calico}'              | '{type: calico, backend: bird}'           || "bad.yaml:2: unknown key in a calico cni (expected one of type, mode, blockSize) (at 'backend')"
        'blockSize too small'            | 'cni: {type: calico}'         | 'cni:\n  type: calico\n  blockSize: 19'   || "bad.yaml:4: expected blockSize as a prefix length 20..32 (Calico's IPv4 IPPool range) (at '19')"
        'blockSize too large'            | '{type: calico}'              | '{type: calico, blockSize: 33}'           || "bad.yaml:2: expected blockSize as a prefix length 20..32 (Calico's IPv4 IPPool range) (at '33')"
        'blockSize not a number'         | '{type: calico}'              | '{type: calico, blockSize: /26}'          || "bad.yaml:2: expected blockSize as a prefix length 20..32 (Calico's IPv4 IPPool range) (at '/26')"
        'pool exhausted'                 | '10.244.0.0/16'               | '10.244.0.0/26'                           || "bad.yaml:8: IP pool (clusterCIDR) 10.244.0.0/26 has no free /26 left for this node's block (pool exhausted) (at 'node-2')"
        'pool smaller than a block'      | '10.244.0.0/16'               | '10.244.0.0/27'                           || "bad.yaml:3: clusterCIDR is smaller than the /26 block allocated to node node-1 (write a podCIDR for each node, or use a /26 or larger clusterCIDR) (at '10.244.0.0/27')"
        'podCIDR not one block'          | '  - name: node-2\n'          | '  - name: node-2\n    podCIDR: 10.244.1.0/24\n' || "bad.yaml:9: with calico a node's podCIDR is its IPAM block: expected a /26 (the cni's blockSize) (at '10.244.1.0/24')"
        'pod IP outside its block'       | '  - name: b\n    node: node-2\n' | '  - name: b\n    node: node-2\n    ip: 10.244.0.5\n' || "bad.yaml:14: ip is outside block 10.244.0.64/26 of node node-2 (at '10.244.0.5')"
        'pod IP taken'                   | null                          | '  - name: d\n    node: node-1\n    ip: 10.244.0.0\n  - name: e\n    node: node-1\n    ip: 10.244.0.0\n' || "bad.yaml:21: ip already used by pod default/d (at '10.244.0.0')"
    }

    @Unroll
    def "host-side veth name: cali + 11 hex of SHA-1(namespace.pod): #ns/#pod -> #veth"() {
        expect:
        Calico.vethName(ns, pod) == veth
        veth.length() == 15

        where: 'values verified on real clusters (felix-facts §5.1)'
        ns      | pod                        || veth
        'default' | 'nginx'                  || 'calic440f455693'
        'alpha'   | 'nginx-dbddb74b8-z9dpn'  || 'cali92d634f8f03'
    }

    def "plan: per pod a cali veth with ee:ee:ee:ee:ee:ee, proxy ARP, its /32 route; in the pod a /32 and 169.254.1.1 as gateway"() {
        given:
        List<String> l = LabPlanner.plan(example).steps()*.shell()
        String veth = Calico.vethName('default', 'web-2')

        expect:
        l.contains("ip -n calico.node.node-2 link add $veth address ee:ee:ee:ee:ee:ee mtu 1500 type veth peer name eth0 address ".toString()
                + "${io.skoop.lab.topology.LabIds.mac('calico', 'default/web-2', 'eth0')} mtu 1500 netns calico.pod.default.web-2")
        l.contains("ip netns exec calico.node.node-2 sysctl -qw net.ipv4.conf.${veth}.route_localnet=1 net.ipv4.neigh.${veth}.proxy_delay=0 ".toString()
                + "net.ipv4.conf.${veth}.proxy_arp=1 net.ipv4.conf.${veth}.forwarding=1")
        l.contains("ip -n calico.node.node-2 route add 10.244.0.64/32 dev $veth scope link".toString())
        l.contains('ip -n calico.pod.default.web-2 addr add 10.244.0.64/32 dev eth0')
        l.contains('ip -n calico.pod.default.web-2 route add 169.254.1.1 dev eth0 scope link')
        l.contains('ip -n calico.pod.default.web-2 route add default via 169.254.1.1 dev eth0')
        // the /32 route follows the veth: the pod's address is never on the node
        l.findIndexOf { it.contains("route add 10.244.0.64/32 dev $veth") } > l.findIndexOf { it.contains("link set $veth up") }
    }

    def "plan: BIRD's routes (a blackhole for the own block, every other block via its node), ip_forward, no bridge, no flannel pieces"() {
        given:
        LabPlan p = LabPlanner.plan(example)
        List<String> l = p.steps()*.shell()

        expect:
        l.contains('ip -n calico.node.node-1 route add blackhole 10.244.0.0/26 proto bird')
        l.contains('ip -n calico.node.node-1 route add 10.244.0.64/26 via 192.168.56.3 dev eth0 proto bird')
        l.contains('ip -n calico.node.node-1 route add 10.244.0.128/26 via 192.168.56.4 dev eth0 proto bird')
        !l.any { it.contains('10.244.0.0/26 via') && it.startsWith('ip -n calico.node.node-1 ') }
        l.findAll { it.startsWith('ip netns exec calico.node.') && it.contains('net.ipv4.ip_forward=1') }.size() == 3
        !l.any { it.contains('cni0') || it.contains('flannel') || it.contains('FLANNEL') || it.contains('MASQUERADE --random-fully') && it.contains('FLANNEL') }
        p.steps().findAll { it.what().endsWith('iptables') || it.what().endsWith('ipsets') }*.what() == ['node-1', 'node-2', 'node-3'].collectMany {
            ["$it: kube-proxy iptables", "$it: felix ipsets", "$it: felix iptables"]*.toString() }
        // no pod route on a node for another node's pods
        !l.any { it.startsWith('ip -n calico.node.node-1 route add 10.244.0.64/32') }
    }

    def "snapshot objects: calico-node in kube-system instead of kube-flannel, IPv4Address annotations in CIDR form, calico-config"() {
        given:
        Map<String, Map> k = ClusterObjects.render(example, Instant.parse('2026-12-06T10:00:00Z')).collectEntries { kind, list ->
            [kind, new JsonSlurper().parseText(ClusterObjects.print(list)) as Map]
        }
        List<Map> pods = k.pods.items
        List<Map> nodes = k.nodes.items

        expect:
        nodes.collect { it.metadata.annotations['projectcalico.org/IPv4Address'] } == ['192.168.56.2/24', '192.168.56.3/24', '192.168.56.4/24']
        nodes.every { n -> !n.metadata.annotations.keySet().any { it.startsWith('flannel') } }
        nodes.every { it.status.conditions.find { c -> c.type == 'NetworkUnavailable' }.reason == 'CalicoIsUp' }
        nodes*.spec*.podCIDR == ['10.244.0.0/26', '10.244.0.64/26', '10.244.0.128/26']
        pods.findAll { it.metadata.name.startsWith('calico-node-') }.sort { it.spec.nodeName }.collect { [it.metadata.namespace, it.spec.nodeName, it.spec.hostNetwork, it.metadata.labels['k8s-app']] } ==
                [['kube-system', 'node-1', true, 'calico-node'], ['kube-system', 'node-2', true, 'calico-node'], ['kube-system', 'node-3', true, 'calico-node']]
        !pods.any { it.metadata.namespace == 'kube-flannel' }
        !k.namespaces.items.any { it.metadata.name == 'kube-flannel' }
        pods.find { it.metadata.name == 'web-2' }.metadata.annotations['cni.projectcalico.org/podIP'] == '10.244.0.64/32'
        Map cfg = k.configmaps.items.find { it.metadata.name == 'calico-config' }
        cfg.metadata.namespace == 'kube-system'
        cfg.data.calico_backend == 'bird'
        cfg.data.veth_mtu == '0'
        cfg.data.cni_network_config.contains('"type": "calico-ipam"')
        !k.configmaps.items.any { it.metadata.name == 'kube-flannel-cfg' }
    }

    def "vxlan: each node's tunnel address is its block's first free address, taken before the pods, which start after it"() {
        when:
        ResolvedTopology t = TopologyLoader.parse('t.yaml', BASE.replace('{type: calico}', '{type: calico, mode: vxlan}')
                .replace('  - name: b\n    node: node-2\n', '  - name: b\n    node: node-2\n    ip: 10.244.0.64\n'))

        then: 'node-1: ordinal 0; node-2: ordinal 0 is written for pod b, so the tunnel takes ordinal 1'
        t.cni() == new Cni.Calico(Cni.CalicoMode.VXLAN, 26)
        t.cni().modeText() == 'vxlan'
        t.nodes().collect { "$it.name $it.podCIDR $it.tunnelAddress".toString() } == ['node-1 10.244.0.0/26 10.244.0.0', 'node-2 10.244.0.64/26 10.244.0.65']
        t.pods().collect { "$it.name $it.ip".toString() } == ['a 10.244.0.1', 'b 10.244.0.64', 'c 10.244.0.2']

        and: 'BGP mode has no tunnel address'
        TopologyLoader.parse('t.yaml', BASE).nodes()*.tunnelAddress() == [null, null]

        when: 'a block whose every address a written pod holds leaves none for the tunnel'
        TopologyLoader.parse('bad.yaml', BASE.replace('{type: calico}', '{type: calico, mode: vxlan, blockSize: 32}')
                .replace('  - name: b\n    node: node-2\n', '  - name: b\n    node: node-2\n    ip: 10.244.0.1\n'))

        then:
        def e = thrown(ParseException)
        e.message == "bad.yaml:8: block 10.244.0.1/32 of node node-2 has no free address left for the node's VXLAN tunnel address"
    }

    def "the calico-vxlan example: the calico-bgp example's nodes, pods, Services and policy, ordinal 0 of each block is the tunnel address"() {
        expect:
        vxlan.name() == 'calico-vxlan'
        vxlan.cni() == new Cni.Calico(Cni.CalicoMode.VXLAN, 26)
        vxlan.nodes().collect { "$it.name $it.podCIDR $it.address $it.tunnelAddress".toString() } == [
                'node-1 10.244.0.0/26 192.168.56.2 10.244.0.0', 'node-2 10.244.0.64/26 192.168.56.3 10.244.0.64',
                'node-3 10.244.0.128/26 192.168.56.4 10.244.0.128']
        vxlan.pods().collect { "${it.key()} ${it.ip()}".toString() } == [
                'default/client 10.244.0.1', 'default/web-1 10.244.0.2', 'default/api-1 10.244.0.3', 'default/web-2 10.244.0.65',
                'default/api-2 10.244.0.66', 'default/client-2 10.244.0.67', 'default/web-3 10.244.0.129', 'kube-system/coredns 10.244.0.130',
                'default/db 10.244.0.131']
        vxlan.pods()*.key() == example.pods()*.key()
        vxlan.policies()*.key() == example.policies()*.key()
        vxlan.services()*.service()*.key() == example.services()*.service()*.key()
        vxlan.service('web').ports()[0].endpoints()*.pod() == ['default/web-1', 'default/web-2', 'default/web-3']
    }

    @Unroll
    def "VTEP MAC as Felix derives it: 0x66 then the first 5 bytes of SHA-1(#node) -> #mac"() {
        expect:
        Calico.vtepMac(vxlan.node(node)) == mac

        where: 'SHA-1 computed independently (python3 hashlib)'
        node     || mac
        'node-1' || '66:b3:68:28:39:8e'
        'node-2' || '66:c0:93:2e:56:2c'
        'node-3' || '66:87:de:de:c9:2e'
    }

    def "plan, vxlan: vxlan.calico per node, per remote node the onlink block route, a permanent neighbour and FDB entry; Felix's blackhole; MTU 1450"() {
        given:
        LabPlan p = LabPlanner.plan(vxlan)
        List<String> l = p.steps()*.shell()
        String ns = 'calico-vxlan.node.node-1'
        String veth = Calico.vethName('default', 'web-2')

        expect: 'the device, its /32 tunnel address, its MTU'
        l.contains("ip -n $ns link add vxlan.calico address 66:b3:68:28:39:8e mtu 1450 type vxlan id 4096 local 192.168.56.2 dev eth0 dstport 4789 nolearning".toString())
        l.contains("ip -n $ns addr add 10.244.0.0/32 dev vxlan.calico".toString())
        l.contains("ip -n $ns link set vxlan.calico up".toString())

        and: 'per remote node: its block via its tunnel address, onlink; its VTEP MAC as neighbour and in the FDB'
        l.contains("ip -n $ns route add 10.244.0.64/26 via 10.244.0.64 dev vxlan.calico onlink".toString())
        l.contains("ip -n $ns route add 10.244.0.128/26 via 10.244.0.128 dev vxlan.calico onlink".toString())
        l.contains("ip -n $ns neigh add 10.244.0.64 lladdr 66:c0:93:2e:56:2c dev vxlan.calico nud permanent".toString())
        l.contains("ip -n $ns neigh add 10.244.0.128 lladdr 66:87:de:de:c9:2e dev vxlan.calico nud permanent".toString())
        l.contains("bridge -n $ns fdb append 66:c0:93:2e:56:2c dev vxlan.calico dst 192.168.56.3 self permanent".toString())
        l.contains("bridge -n $ns fdb append 66:87:de:de:c9:2e dev vxlan.calico dst 192.168.56.4 self permanent".toString())
        l.count { it.startsWith("bridge -n $ns ") } == 2

        and: "Felix's blackhole for the own block (proto 80), no BIRD route, no route via a node address"
        l.contains("ip -n $ns route add blackhole 10.244.0.0/26 proto 80".toString())
        !l.any { it.contains('proto bird') }
        !l.any { it.startsWith("ip -n $ns route add 10.244.0.64/26 via 192.168.56.3") }

        and: 'pod veths with MTU 1450 at both ends, the rest as in BGP mode'
        l.contains("ip -n calico-vxlan.node.node-2 link add $veth address ee:ee:ee:ee:ee:ee mtu 1450 type veth peer name eth0 address ".toString()
                + "${io.skoop.lab.topology.LabIds.mac('calico-vxlan', 'default/web-2', 'eth0')} mtu 1450 netns calico-vxlan.pod.default.web-2")
        l.contains("ip -n calico-vxlan.node.node-2 route add 10.244.0.65/32 dev $veth scope link".toString())
        !l.any { it.contains('cni0') || it.contains('flannel') }
    }

    def "snapshot objects, vxlan: IPv4VXLANTunnelAddr on each node, calico_backend vxlan, the pool's vxlanMode Always"() {
        given:
        Map<String, Map> k = objects(vxlan)
        List<Map> nodes = k.nodes.items

        expect:
        nodes.collect { it.metadata.annotations['projectcalico.org/IPv4VXLANTunnelAddr'] } == ['10.244.0.0', '10.244.0.64', '10.244.0.128']
        nodes.collect { it.metadata.annotations['projectcalico.org/IPv4Address'] } == ['192.168.56.2/24', '192.168.56.3/24', '192.168.56.4/24']
        nodes.every { !it.metadata.annotations.containsKey('projectcalico.org/VXLANTunnelMACAddr') }
        k.configmaps.items.find { it.metadata.name == 'calico-config' }.data.calico_backend == 'vxlan'
        k.pods.items.find { it.metadata.name.startsWith('calico-node-') }.spec.containers[0].env.find { it.name == 'CALICO_IPV4POOL_VXLAN' }.value == 'Always'
        k.ippools.items*.spec*.vxlanMode == ['Always']

        and: 'BGP mode: no tunnel annotation, the pool encapsulates nothing'
        !objects(example).nodes.items.any { it.metadata.annotations.containsKey('projectcalico.org/IPv4VXLANTunnelAddr') }
        objects(example).ippools.items*.spec*.vxlanMode == ['Never']
    }

    @Unroll
    def "#mode: ippools.json and blockaffinities.json as the API server returns Calico's CRDs, read back by KubeObjects; ClusterFacts says #mode"() {
        given:
        ResolvedTopology t = mode == 'vxlan' ? vxlan : example
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory('calico-objects')
        ClusterObjects.write(t, Instant.parse('2026-12-06T10:00:00Z'), dir)
        Map<String, Map> k = objects(t)

        expect: 'the files KubeObjects reads for Calico are written, with the shapes of felix-facts §6'
        io.skoop.snapshot.k8s.KubeObjects.CALICO_FILES.every { java.nio.file.Files.exists(dir.resolve(it)) }
        ClusterObjects.CALICO_KINDS.collect { it + '.json' } == io.skoop.snapshot.k8s.KubeObjects.CALICO_FILES
        k.ippools.items.size() == 1
        Map pool = k.ippools.items[0]
        pool.apiVersion == 'crd.projectcalico.org/v1' && pool.kind == 'IPPool'
        pool.metadata.name == 'default-ipv4-ippool'
        pool.spec == [allowedUses: ['Workload', 'Tunnel'], blockSize: 26, cidr: '10.244.0.0/16', ipipMode: 'Never', natOutgoing: true,
                      nodeSelector: 'all()', vxlanMode: vxlanMode]
        k.blockaffinities.items.collect { [it.apiVersion, it.kind, it.metadata.name, it.spec] } == [
                ['crd.projectcalico.org/v1', 'BlockAffinity', 'node-1-10-244-0-0-26', [cidr: '10.244.0.0/26', deleted: 'false', node: 'node-1', state: 'confirmed']],
                ['crd.projectcalico.org/v1', 'BlockAffinity', 'node-2-10-244-0-64-26', [cidr: '10.244.0.64/26', deleted: 'false', node: 'node-2', state: 'confirmed']],
                ['crd.projectcalico.org/v1', 'BlockAffinity', 'node-3-10-244-0-128-26', [cidr: '10.244.0.128/26', deleted: 'false', node: 'node-3', state: 'confirmed']]]

        and: 'KubeObjects reads them'
        def read = io.skoop.snapshot.k8s.KubeObjects.read(dir)
        read.ipPools() == [new io.skoop.snapshot.k8s.KIPPool('default-ipv4-ippool', Prefix.parse('10.244.0.0/16'), 26, 'Never', vxlanMode, true, false, 'all()')]
        read.ipPools()[0].encapsulation() == mode
        read.blockAffinities().collect { "${it.node()} ${it.cidr()} ${it.isActive()}".toString() } == [
                'node-1 10.244.0.0/26 true', 'node-2 10.244.0.64/26 true', 'node-3 10.244.0.128/26 true']

        and: "ClusterFacts decides the backend from the pool"
        def facts = io.skoop.k8s.live.ClusterFacts.detect(dir)
        facts.cni() == 'calico'
        facts.cniBackend() == mode
        facts.decidedBy().cniBackend == "IPPool default-ipv4-ippool vxlanMode $vxlanMode, ipipMode Never".toString()

        cleanup:
        dir?.toFile()?.deleteDir()

        where:
        mode    || vxlanMode
        'vxlan' || 'Always'
        'bgp'   || 'Never'
    }

    def "flannel labs write no Calico objects"() {
        expect:
        !ClusterObjects.render(LabExamples.load('flannel-vxlan'), Instant.parse('2026-12-06T10:00:00Z')).keySet().any { it in ClusterObjects.CALICO_KINDS }
    }
}
