package io.skoop.plugin.calico

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Suspicion
import io.skoop.netstack.NetNS
import io.skoop.snapshot.k8s.KBlockAffinity
import io.skoop.snapshot.k8s.KNode
import io.skoop.snapshot.k8s.KPod
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * Calico's intent against node-1 and its pod default/client as the kernel holds them in BGP and in VXLAN mode
 * (src/test/resources/plugin/calico: dumps of namespaces built by capture.sh as calico-node and the Calico CNI plugin
 * leave them): the healthy dumps give no suspicion, and each deviation, made by editing a copy of a dump as the tool
 * would print it, gives exactly its own suspicion naming the device, route or sysctl.
 */
class CalicoPluginSpec extends Specification {

    static final String CLIENT = 'calia7a3e029a7b'
    static final String WEB1 = 'cali0761ccbeace'

    @Shared Path tmp = Files.createTempDirectory('skoop-calico-plugin')

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    static KNode node(String name, String ip, String block, String tunnel = null) {
        Map<String, String> a = ['projectcalico.org/IPv4Address': ip + '/24']
        if (tunnel != null) {
            a['projectcalico.org/IPv4VXLANTunnelAddr'] = tunnel
        }
        new KNode(name, [:], a, [Prefix.parse(block)], [Ip.parse(ip)], [], null)
    }

    static KPod pod(String name, String node, String ip) {
        new KPod('default', name, null, [:], node, false, 'Running', [Ip.parse(ip)], null, null, [])
    }

    static final List<KNode> BGP_NODES = [node('node-1', '192.168.56.2', '10.244.0.0/26'), node('node-2', '192.168.56.3', '10.244.0.64/26'),
                                          node('node-3', '192.168.56.4', '10.244.0.128/26')]
    static final List<KNode> VXLAN_NODES = [node('node-1', '192.168.56.2', '10.244.0.0/26', '10.244.0.0'),
                                            node('node-2', '192.168.56.3', '10.244.0.64/26', '10.244.0.64'),
                                            node('node-3', '192.168.56.4', '10.244.0.128/26', '10.244.0.128')]
    static final List<KPod> BGP_PODS = [pod('client', 'node-1', '10.244.0.0'), pod('web-1', 'node-1', '10.244.0.1'), pod('web-2', 'node-2', '10.244.0.64')]
    static final List<KPod> VXLAN_PODS = [pod('client', 'node-1', '10.244.0.1'), pod('web-1', 'node-1', '10.244.0.2'), pod('web-2', 'node-2', '10.244.0.65')]

    static CalicoPlugin plugin(String mode, List<KBlockAffinity> affinities = []) {
        new CalicoPlugin(mode, mode == 'vxlan' ? VXLAN_PODS : BGP_PODS, affinities)
    }

    static List<KNode> nodes(String mode) {
        mode == 'vxlan' ? VXLAN_NODES : BGP_NODES
    }

    /** The fixture of a mode: ipip has none (the kernel here has no IPIP), it is checked against the BGP node's dump. */
    static String fixture(String mode) {
        mode == 'vxlan' ? 'vxlan' : 'bgp'
    }

    /** A copy of fixture {@code name} edited by {@code edit} (given the copy's folder), opened. */
    NetNS dump(String name, Closure edit = null) {
        Path src = Paths.get(CalicoPluginSpec.getResource("/plugin/calico/${name}").toURI())
        Path dir = Files.createTempDirectory(tmp, name)
        Files.list(src).each { Files.copy(it, dir.resolve(it.fileName)) }
        edit?.call(dir)
        NetNS.load(dir)
    }

    /** Rewrites a JSON file of a dump with {@code change} (given the parsed list, returning the new one). */
    static void json(Path file, Closure change) {
        def v = change(new JsonSlurper().parse(file.toFile()))
        file.text = JsonOutput.toJson(v)
    }

    /** Sets sysctl {@code key} to {@code value}, or removes it when value is null. */
    static void sysctl(Path dir, String key, String value) {
        Path f = dir.resolve('sysctl.txt')
        List<String> lines = f.readLines().findAll { !it.startsWith(key + ' = ') }
        f.text = (lines + (value == null ? [] : ["$key = $value".toString()])).join('\n') + '\n'
    }

    static List<String> text(List<Suspicion> s) {
        s.collect { "${it.level()} ${it.message()}".toString() }
    }

    List<String> checkNode(String mode, Closure edit = null, CalicoPlugin p = plugin(mode)) {
        text(p.checkNode(nodes(mode)[0], dump("${fixture(mode)}-node-1", edit), nodes(mode)))
    }

    List<String> checkPod(String mode, Closure edit = null, Closure editNode = null) {
        CalicoPlugin p = plugin(mode)
        KPod client = (mode == 'vxlan' ? VXLAN_PODS : BGP_PODS)[0]
        text(p.checkPod(client, dump("${fixture(mode)}-client", edit), nodes(mode)[0], dump("${fixture(mode)}-node-1", editNode)))
    }

    def "the veth name is Calico's: cali + 11 hex of SHA-1(namespace.pod), verified on real clusters (felix-facts §5.1)"() {
        expect:
        CalicoNames.vethName('default', 'nginx') == 'calic440f455693'
        CalicoNames.vethName('alpha', 'nginx-dbddb74b8-z9dpn') == 'cali92d634f8f03'
        CalicoNames.vethName('default', 'client') == CLIENT
        io.skoop.lab.calico.Calico.vethName('default', 'client') == CLIENT
    }

    @Unroll
    def "healthy #mode node and pod: no suspicion"() {
        expect:
        checkNode(mode) == []
        checkPod(mode) == []

        where:
        mode << ['bgp', 'vxlan']
    }

    def "Calico enforces NetworkPolicies, also on a pod's egress to its own node"() {
        expect:
        plugin('bgp').enforcesNetworkPolicy()
        plugin('bgp').policesEgressToOwnNode()
        plugin('bgp').name() == 'calico'
        new CalicoPlugin('bird', [], []).mode() == 'bgp'
        new CalicoPlugin(null, [], []).mode() == 'bgp'
    }

    @Unroll
    def "node, #mode, #deviation: #expected"() {
        expect:
        checkNode(mode, edit) == [expected]

        where:
        mode    | deviation                     | edit                                                                                                  || expected
        'bgp'   | 'ip_forward=0'                | { Path d -> sysctl(d, 'net.ipv4.ip_forward', '0') }                                                   || 'WARNING net.ipv4.ip_forward = 0; Calico needs 1 (Felix\'s IPForwarding) to forward pod traffic'
        'bgp'   | 'ip_forward not collected'    | { Path d -> sysctl(d, 'net.ipv4.ip_forward', null) }                                                  || 'INFO net.ipv4.ip_forward not collected: whether node node-1 forwards pod traffic is not checked'
        'bgp'   | 'missing veth'                | { Path d -> removeDevice(d, CLIENT) }                                                                 || "WARNING no host-side veth $CLIENT for pod default/client (the Calico CNI plugin names it cali + 11 hex digits of SHA-1(\"default.client\"))"
        'bgp'   | 'veth down'                   | { Path d -> down(d, CLIENT) }                                                                         || "WARNING $CLIENT (host side of pod default/client) is down"
        'bgp'   | 'proxy_arp=0'                 | { Path d -> sysctl(d, "net.ipv4.conf.${CLIENT}.proxy_arp", '0') }                                     || "WARNING net.ipv4.conf.${CLIENT}.proxy_arp = 0: nothing answers pod default/client's ARP for its gateway 169.254.1.1 (the Calico CNI plugin and Felix set 1)"
        'bgp'   | 'proxy_arp not collected'     | { Path d -> sysctl(d, "net.ipv4.conf.${CLIENT}.proxy_arp", null) }                                    || "INFO net.ipv4.conf.${CLIENT}.proxy_arp not collected: whether $CLIENT answers pod default/client's ARP for 169.254.1.1 is not checked"
        'bgp'   | 'missing /32 route'           | { Path d -> removeRoutes(d) { it.dst == '10.244.0.0' } }                                              || "WARNING no route `10.244.0.0 dev $CLIENT scope link` for pod default/client (the Calico CNI plugin installs it): 10.244.0.0 is routed by `blackhole 10.244.0.0/26 proto bird` (EINVAL)"
        'bgp'   | 'missing blackhole'           | { Path d -> removeRoutes(d) { it.type == 'blackhole' } }                                              || 'WARNING no `blackhole 10.244.0.0/26 proto bird` for block 10.244.0.0/26 of node node-1 (BIRD installs it): addresses of the block that no pod holds follow the node\'s other routes instead of being dropped'
        'bgp'   | 'remote block via wrong node' | { Path d -> json(d.resolve('route.json')) { l -> l.find { it.dst == '10.244.0.64/26' }.gateway = '192.168.56.4'; l } } || 'WARNING block 10.244.0.64/26 of node node-2 is routed via 192.168.56.4 dev eth0; BIRD installs `10.244.0.64/26 via 192.168.56.3 dev eth0 proto bird`'
        'bgp'   | 'missing remote block route'  | { Path d -> removeRoutes(d) { it.dst == '10.244.0.128/26' } }                                         || 'WARNING block 10.244.0.128/26 of node node-3 is routed via 192.168.56.1 dev eth0; BIRD installs `10.244.0.128/26 via 192.168.56.4 dev eth0 proto bird`'
        'vxlan' | 'missing blackhole'           | { Path d -> removeRoutes(d) { it.type == 'blackhole' } }                                              || 'WARNING no `blackhole 10.244.0.0/26 proto 80` for block 10.244.0.0/26 of node node-1 (Felix installs it): addresses of the block that no pod holds follow the node\'s other routes instead of being dropped'
        'vxlan' | 'vxlan.calico missing'        | { Path d -> removeDevice(d, 'vxlan.calico') }                                                         || 'WARNING no vxlan.calico device (Felix in VXLAN mode creates it)'
        'vxlan' | 'vxlan.calico wrong VNI'      | { Path d -> json(d.resolve('link.json')) { l -> l.find { it.ifname == 'vxlan.calico' }.linkinfo.info_data.id = 1; l } } || 'WARNING vxlan.calico has VNI 1, Calico uses 4096'
        'vxlan' | 'vxlan.calico wrong port'     | { Path d -> json(d.resolve('link.json')) { l -> l.find { it.ifname == 'vxlan.calico' }.linkinfo.info_data.port = 8472; l } } || 'WARNING vxlan.calico uses UDP port 8472, Calico uses 4789'
        'vxlan' | 'vxlan.calico down'           | { Path d -> down(d, 'vxlan.calico') }                                                                 || 'WARNING vxlan.calico is down'
        'vxlan' | 'vxlan.calico MTU 1500'       | { Path d -> json(d.resolve('link.json')) { l -> l.find { it.ifname == 'vxlan.calico' }.mtu = 1500; l } } || 'WARNING vxlan.calico MTU 1500 + 50 bytes of VXLAN overhead = 1550 exceeds eth0 MTU 1500: full-size packets between nodes cannot cross (Calico sets vxlan.calico MTU = 1450)'
        'vxlan' | 'vxlan.calico lacks address'  | { Path d -> json(d.resolve('addr.json')) { l -> l.find { it.ifname == 'vxlan.calico' }.addr_info = []; l } } || 'WARNING vxlan.calico lacks Calico\'s address 10.244.0.0/32 (projectcalico.org/IPv4VXLANTunnelAddr of node node-1)'
        'vxlan' | 'remote block route via eth0' | { Path d -> json(d.resolve('route.json')) { l -> l.find { it.dst == '10.244.0.64/26' }.with { gateway = '192.168.56.3'; dev = 'eth0'; flags = [] }; l } } || 'WARNING block 10.244.0.64/26 of node node-2 is routed via 192.168.56.3 dev eth0; Felix installs `10.244.0.64/26 via 10.244.0.64 dev vxlan.calico onlink`'
        'vxlan' | 'missing neighbour'           | { Path d -> json(d.resolve('neigh.json')) { l -> l.findAll { it.dst != '10.244.0.64' } } }           || 'WARNING no neighbour 10.244.0.64 on vxlan.calico (VTEP of node node-2)'
        'vxlan' | 'neighbour not permanent'     | { Path d -> json(d.resolve('neigh.json')) { l -> l.find { it.dst == '10.244.0.64' }.state = ['STALE']; l } } || 'WARNING neighbour 10.244.0.64 on vxlan.calico is STALE, not PERMANENT as Calico adds it (VTEP of node node-2)'
        'vxlan' | 'missing FDB entry'           | { Path d -> json(d.resolve('fdb.json')) { l -> l.findAll { it.dst != '192.168.56.3' } } }            || 'WARNING vxlan.calico FDB has no entry for 66:c0:93:2e:56:2c; Calico adds 66:c0:93:2e:56:2c dst 192.168.56.3 (node node-2)'
        'vxlan' | 'FDB entry to the wrong node' | { Path d -> json(d.resolve('fdb.json')) { l -> l.find { it.dst == '192.168.56.3' }.dst = '192.168.56.9'; l } } || 'WARNING vxlan.calico FDB sends 66:c0:93:2e:56:2c to [192.168.56.9]; Calico adds 66:c0:93:2e:56:2c dst 192.168.56.3 (node node-2)'
    }

    def "vxlan: a node's VXLANTunnelMACAddr annotation is the MAC its neighbour must have"() {
        given:
        List<KNode> ns = [VXLAN_NODES[0], new KNode('node-2', [:], VXLAN_NODES[1].annotations() + ['projectcalico.org/VXLANTunnelMACAddr': '66:AA:BB:CC:DD:EE'],
                VXLAN_NODES[1].podCIDRs(), VXLAN_NODES[1].internalIPs(), [], null), VXLAN_NODES[2]]

        expect:
        text(plugin('vxlan').checkNode(ns[0], dump('vxlan-node-1'), ns)) == [
                'WARNING neighbour 10.244.0.64 on vxlan.calico has lladdr 66:c0:93:2e:56:2c, node node-2\'s projectcalico.org/VXLANTunnelMACAddr is 66:aa:bb:cc:dd:ee',
                'WARNING vxlan.calico FDB has no entry for 66:aa:bb:cc:dd:ee; Calico adds 66:aa:bb:cc:dd:ee dst 192.168.56.3 (node node-2)']
    }

    def "blocks: confirmed BlockAffinities when the snapshot has any, else the podCIDR"() {
        given:
        List<KBlockAffinity> affinities = [
                new KBlockAffinity('node-1-10-244-0-0-26', Prefix.parse('10.244.0.0/26'), 'node-1', 'confirmed', false),
                new KBlockAffinity('node-2-10-244-0-64-26', Prefix.parse('10.244.0.64/26'), 'node-2', 'confirmed', false),
                new KBlockAffinity('node-2-10-244-1-0-26', Prefix.parse('10.244.1.0/26'), 'node-2', 'confirmed', false),
                new KBlockAffinity('node-2-10-244-2-0-26', Prefix.parse('10.244.2.0/26'), 'node-2', 'pending', false),
                new KBlockAffinity('node-3-10-244-0-128-26', Prefix.parse('10.244.0.128/26'), 'node-3', 'confirmed', true)]
        CalicoPlugin p = plugin('bgp', affinities)

        expect: 'a second confirmed block of node-2, a pending one left out, node-3 with a deleted affinity has none'
        p.blocks(BGP_NODES[1])*.toString() == ['10.244.0.64/26', '10.244.1.0/26']
        p.blocks(BGP_NODES[2]) == []
        plugin('bgp').blocks(BGP_NODES[2])*.toString() == ['10.244.0.128/26']

        and: 'node-1 has no route for node-2\'s second block'
        checkNode('bgp', null, p) == ['WARNING block 10.244.1.0/26 of node node-2 is routed via 192.168.56.1 dev eth0; BIRD installs `10.244.1.0/26 via 192.168.56.3 dev eth0 proto bird`']
    }

    @Unroll
    def "pod, #mode, #deviation: #expected"() {
        expect:
        checkPod(mode, edit, editNode) == [expected]

        where:
        mode    | deviation                       | edit                                                                                 | editNode                                                            || expected
        'bgp'   | 'no 169.254.1.1 route'          | { Path d -> removeRoutes(d) { it.dst == '169.254.1.1' } }                            | null                                                                || 'WARNING no route `169.254.1.1 dev eth0 scope link` (the Calico CNI plugin installs it: the pod\'s gateway is on-link)'
        'bgp'   | 'no default route'              | { Path d -> removeRoutes(d) { it.dst == 'default' } }                                | null                                                                || 'WARNING default route is missing; the Calico CNI plugin installs `default via 169.254.1.1 dev eth0`'
        'bgp'   | 'default route elsewhere'       | { Path d -> json(d.resolve('route.json')) { l -> l.find { it.dst == 'default' }.gateway = '169.254.1.2'; l } } | null              || 'WARNING default route is `default via 169.254.1.2 dev eth0`; the Calico CNI plugin installs `default via 169.254.1.1 dev eth0`'
        'bgp'   | 'pod IP not a /32'              | { Path d -> json(d.resolve('addr.json')) { l -> l.find { it.ifname == 'eth0' }.addr_info[0].prefixlen = 24; l } } | null           || 'WARNING eth0 holds 10.244.0.0/24; the Calico CNI plugin gives a pod its address as a /32 (everything else is reached via 169.254.1.1)'
        'bgp'   | 'pod IP missing'                | { Path d -> json(d.resolve('addr.json')) { l -> l.find { it.ifname == 'eth0' }.addr_info = []; l } } | null                        || 'WARNING eth0 lacks the pod IP 10.244.0.0/32 (the Calico CNI plugin puts it there)'
        'bgp'   | 'eth0 MTU differs from the veth'| { Path d -> mtu(d, 'eth0', 1400) }                                                   | null                                                                || "WARNING eth0 MTU 1400 differs from its host side $CLIENT MTU 1500 on node node-1 (the Calico CNI plugin gives both the same)"
        'vxlan' | 'MTU 1500 in VXLAN mode'        | { Path d -> mtu(d, 'eth0', 1500) }                                                   | { Path d -> mtu(d, CLIENT, 1500) }                                  || "WARNING eth0 MTU 1500 (and $CLIENT's) exceeds Calico's 1450 in vxlan mode (eth0 MTU 1500 of node node-1 − 50 bytes of encapsulation): full-size packets to other nodes cannot cross"
        'vxlan' | 'MTU 1400 in VXLAN mode'        | { Path d -> mtu(d, 'eth0', 1400) }                                                   | { Path d -> mtu(d, CLIENT, 1400) }                                  || "INFO eth0 MTU 1400 (and $CLIENT's) is below Calico's 1450 in vxlan mode (eth0 MTU 1500 of node node-1 − 50 bytes of encapsulation)"
    }

    def "a pod without eth0"() {
        expect:
        checkPod('bgp', { Path d -> removeDevice(d, 'eth0') }) == ['WARNING no eth0 (the Calico CNI plugin creates it)']
    }

    def "a mode skoop does not know: the workloads are checked, the routes between nodes are not"() {
        expect:
        text(new CalicoPlugin('none', BGP_PODS, []).checkNode(BGP_NODES[0], dump('bgp-node-1'), BGP_NODES)) ==
                ["INFO Calico mode 'none' is not one skoop knows (bgp, vxlan, ipip): the routes between nodes are not checked"]
        new CalicoPlugin('none', BGP_PODS, []).expectedRoute(BGP_NODES[0], dump('bgp-node-1'), Ip.parse('10.244.0.70'), BGP_NODES).isEmpty()
    }

    @Unroll
    def "expected route on node-1 in #mode mode for #dst: #route"() {
        expect:
        plugin(mode).expectedRoute(nodes(mode)[0], dump("${fixture(mode)}-node-1"), Ip.parse(dst), nodes(mode)).orElse(null) == route

        where:
        mode    | dst            || route
        'bgp'   | '10.244.0.70'  || '10.244.0.64/26 via 192.168.56.3 dev eth0 proto bird'
        'bgp'   | '10.244.0.130' || '10.244.0.128/26 via 192.168.56.4 dev eth0 proto bird'
        'bgp'   | '10.244.0.0'   || "10.244.0.0 dev $CLIENT scope link"
        'bgp'   | '10.244.0.1'   || "10.244.0.1 dev $WEB1 scope link"
        'bgp'   | '10.244.0.9'   || 'blackhole 10.244.0.0/26 proto bird'
        'bgp'   | '10.245.0.1'   || null
        'vxlan' | '10.244.0.70'  || '10.244.0.64/26 via 10.244.0.64 dev vxlan.calico onlink'
        'vxlan' | '10.244.0.1'   || "10.244.0.1 dev $CLIENT scope link"
        'vxlan' | '10.244.0.9'   || 'blackhole 10.244.0.0/26 proto 80'
        'ipip'  | '10.244.0.70'  || '10.244.0.64/26 via 192.168.56.3 dev tunl0 proto bird onlink'
    }

    def "ipip: tunl0 missing, and block routes that do not use it"() {
        expect:
        checkNode('ipip') == [
                'WARNING no tunl0 device (the kernel\'s ipip fallback device, Calico\'s IPIP mode routes over it)',
                'WARNING block 10.244.0.64/26 of node node-2 is routed via 192.168.56.3 dev eth0; BIRD installs `10.244.0.64/26 via 192.168.56.3 dev tunl0 proto bird onlink`',
                'WARNING block 10.244.0.128/26 of node node-3 is routed via 192.168.56.4 dev eth0; BIRD installs `10.244.0.128/26 via 192.168.56.4 dev tunl0 proto bird onlink`']
    }

    // ------------------------------------------------------------------ dual-stack (bgp6-* fixtures: the calico-dual-stack lab)

    static final String API1 = 'cali41e47e3dbec'

    static KNode node6(String name, String ip, String ip6, String block, String block6) {
        new KNode(name, [:], ['projectcalico.org/IPv4Address': ip + '/24', 'projectcalico.org/IPv6Address': ip6 + '/64'],
                [Prefix.parse(block), Prefix.parse(block6)], [Ip.parse(ip), Ip.parse(ip6)], [], null)
    }

    static KPod pod6(String name, String node, String ip, String ip6) {
        new KPod('default', name, null, [:], node, false, 'Running', [Ip.parse(ip), Ip.parse(ip6)], null, null, [])
    }

    static final List<KNode> DS_NODES = [node6('node-1', '192.168.56.2', 'fd00:192:168:56::2', '10.244.0.0/26', 'fd00:10:244::/122'),
                                         node6('node-2', '192.168.56.3', 'fd00:192:168:56::3', '10.244.0.64/26', 'fd00:10:244::40/122'),
                                         node6('node-3', '192.168.56.4', 'fd00:192:168:56::4', '10.244.0.128/26', 'fd00:10:244::80/122')]
    static final List<KPod> DS_PODS = [pod6('client', 'node-1', '10.244.0.0', 'fd00:10:244::'), pod6('web-1', 'node-1', '10.244.0.1', 'fd00:10:244::1'),
                                       pod6('api-1', 'node-1', '10.244.0.2', 'fd00:10:244::2'), pod6('web-2', 'node-2', '10.244.0.64', 'fd00:10:244::40')]

    List<String> checkNode6(Closure edit = null, String mode = 'bgp') {
        text(new CalicoPlugin(mode, DS_PODS, []).checkNode(DS_NODES[0], dump('bgp6-node-1', edit), DS_NODES))
    }

    List<String> checkPod6(Closure edit = null) {
        text(new CalicoPlugin('bgp', DS_PODS, []).checkPod(DS_PODS[0], dump('bgp6-client', edit), DS_NODES[0], dump('bgp6-node-1')))
    }

    static void removeRoutes6(Path d, Closure<Boolean> which) {
        json(d.resolve('route6.json')) { l -> l.findAll { !which(it) } }
    }

    def "dual-stack: the healthy node and pod give no suspicion; both families' blocks are the node's"() {
        expect:
        checkNode6() == []
        checkPod6() == []
        new CalicoPlugin('bgp', DS_PODS, []).blocks(DS_NODES[1], true)*.toString() == ['fd00:10:244::40/122']
        new CalicoPlugin('bgp', DS_PODS, []).blocks(DS_NODES[1])*.toString() == ['10.244.0.64/26']
        CalicoPlugin.nodeIp(DS_NODES[1], true) == Ip.parse('fd00:192:168:56::3')
    }

    @Unroll
    def "dual-stack node, #deviation: #expected"() {
        expect:
        checkNode6(edit) == [expected]

        where:
        deviation                          | edit                                                                                         || expected
        'IPv6 forwarding off'              | { Path d -> sysctl(d, 'net.ipv6.conf.all.forwarding', '0') }                                 || 'WARNING net.ipv6.conf.all.forwarding = 0; Calico needs 1 to forward pods\' IPv6 traffic (calico-node sets it when IPv6 is enabled)'
        'missing /128 route'               | { Path d -> removeRoutes6(d) { it.dst == 'fd00:10:244::' } }                                  || "WARNING no route `fd00:10:244:: dev $CLIENT` for pod default/client (the Calico CNI plugin installs it): fd00:10:244:: is routed by `blackhole fd00:10:244::/122 dev lo proto bird metric 1024` (EINVAL)"
        'veth without its link-local'      | { Path d -> json(d.resolve('addr.json')) { l -> l.find { it.ifname == CLIENT }.addr_info = []; l } } || "WARNING $CLIENT (host side of pod default/client) lacks its link-local address fe80::ecee:eeff:feee:eeee, the pod's IPv6 gateway: nothing answers the pod's neighbour solicitations for it (the kernel derives it from the veth's MAC ee:ee:ee:ee:ee:ee when IPv6 is on for the device)"
        'missing IPv6 blackhole'           | { Path d -> removeRoutes6(d) { it.type == 'blackhole' } }                                     || 'WARNING no `blackhole fd00:10:244::/122 proto bird` for block fd00:10:244::/122 of node node-1 (BIRD installs it): addresses of the block that no pod holds follow the node\'s other routes instead of being dropped'
        'IPv6 block via the wrong node'    | { Path d -> json(d.resolve('route6.json')) { l -> l.find { it.dst == 'fd00:10:244::40/122' }.gateway = 'fd00:192:168:56::4'; l } } || 'WARNING IPv6 block fd00:10:244::40/122 of node node-2 is routed via fd00:192:168:56::4 dev eth0; BIRD installs `fd00:10:244::40/122 via fd00:192:168:56::3 dev eth0 proto bird`'
        'missing IPv6 block route'         | { Path d -> removeRoutes6(d) { it.dst == 'fd00:10:244::80/122' } }                            || 'WARNING IPv6 block fd00:10:244::80/122 of node node-3 is routed via fd00:192:168:56::1 dev eth0; BIRD installs `fd00:10:244::80/122 via fd00:192:168:56::4 dev eth0 proto bird`'
    }

    def "dual-stack in ipip mode: IPv6 between nodes is said to be unchecked, not judged"() {
        expect:
        checkNode6(null, 'ipip').contains('INFO IPv6 between nodes in Calico\'s ipip mode is not checked (skoop models IPv6 blocks in bgp and vxlan mode)')
        new CalicoPlugin('ipip', DS_PODS, []).expectedRoute(DS_NODES[0], dump('bgp6-node-1'), Ip.parse('fd00:10:244::41'), DS_NODES).isEmpty()
    }

    @Unroll
    def "dual-stack pod, #deviation: #expected"() {
        expect:
        checkPod6(edit) == [expected]

        where:
        deviation              | edit                                                                                                              || expected
        'no IPv6 default'      | { Path d -> removeRoutes6(d) { it.dst == 'default' } }                                                            || 'WARNING IPv6 default route is missing; the Calico CNI plugin installs `default via fe80::ecee:eeff:feee:eeee dev eth0` (the host-side veth\'s link-local address)'
        'IPv6 default elsewhere' | { Path d -> json(d.resolve('route6.json')) { l -> l.find { it.dst == 'default' }.gateway = 'fe80::1'; l } }    || 'WARNING IPv6 default route is `default via fe80::1 dev eth0 metric 1024`; the Calico CNI plugin installs `default via fe80::ecee:eeff:feee:eeee dev eth0` (the host-side veth\'s link-local address)'
        'pod IPv6 missing'     | { Path d -> json(d.resolve('addr.json')) { l -> l.find { it.ifname == 'eth0' }.addr_info.removeIf { it.local == 'fd00:10:244::' }; l } } || 'WARNING eth0 lacks the pod IP fd00:10:244::/128 (the Calico CNI plugin puts it there)'
    }

    @Unroll
    def "expected IPv6 route on node-1 for #dst: #route"() {
        expect:
        new CalicoPlugin('bgp', DS_PODS, []).expectedRoute(DS_NODES[0], dump('bgp6-node-1'), Ip.parse(dst), DS_NODES).orElse(null) == route

        where:
        dst               || route
        'fd00:10:244::41' || 'fd00:10:244::40/122 via fd00:192:168:56::3 dev eth0 proto bird'
        'fd00:10:244::'   || "fd00:10:244:: dev $CLIENT"
        'fd00:10:244::2'  || "fd00:10:244::2 dev $API1"
        'fd00:10:244::9'  || 'blackhole fd00:10:244::/122 proto bird'
        '10.244.0.70'     || '10.244.0.64/26 via 192.168.56.3 dev eth0 proto bird'
    }

    // vxlan6-* fixtures: the calico-dual-stack lab in vxlan mode (tunnel addresses: ordinal 0 of each block)

    static KNode nodeX6(String name, String ip, String ip6, String block, String block6) {
        KNode n = node6(name, ip, ip6, block, block6)
        new KNode(name, [:], n.annotations() + ['projectcalico.org/IPv4VXLANTunnelAddr': Prefix.parse(block).address().toString(),
                'projectcalico.org/IPv6VXLANTunnelAddr': Prefix.parse(block6).address().toString()], n.podCIDRs(), n.internalIPs(), [], null)
    }

    static final List<KNode> VX6_NODES = [nodeX6('node-1', '192.168.56.2', 'fd00:192:168:56::2', '10.244.0.0/26', 'fd00:10:244::/122'),
                                          nodeX6('node-2', '192.168.56.3', 'fd00:192:168:56::3', '10.244.0.64/26', 'fd00:10:244::40/122'),
                                          nodeX6('node-3', '192.168.56.4', 'fd00:192:168:56::4', '10.244.0.128/26', 'fd00:10:244::80/122')]
    static final List<KPod> VX6_PODS = [pod6('client', 'node-1', '10.244.0.1', 'fd00:10:244::1'), pod6('web-1', 'node-1', '10.244.0.2', 'fd00:10:244::2'),
                                        pod6('api-1', 'node-1', '10.244.0.3', 'fd00:10:244::3'), pod6('web-2', 'node-2', '10.244.0.65', 'fd00:10:244::41')]

    List<String> checkNodeX6(Closure edit = null) {
        text(new CalicoPlugin('vxlan', VX6_PODS, []).checkNode(VX6_NODES[0], dump('vxlan6-node-1', edit), VX6_NODES))
    }

    def "dual-stack vxlan: the healthy node and pod give no suspicion; pods are expected at the IPv6 VXLAN MTU (1500 - 70)"() {
        expect:
        checkNodeX6() == []
        text(new CalicoPlugin('vxlan', VX6_PODS, []).checkPod(VX6_PODS[0], dump('vxlan6-client'), VX6_NODES[0], dump('vxlan6-node-1'))) == []
        text(new CalicoPlugin('vxlan', VX6_PODS, []).checkPod(VX6_PODS[0], dump('vxlan6-client') { Path d -> mtu(d, 'eth0', 1450) }, VX6_NODES[0],
                dump('vxlan6-node-1') { Path d -> mtu(d, 'calia7a3e029a7b', 1450) })) == [
                "WARNING eth0 MTU 1450 (and calia7a3e029a7b's) exceeds Calico's 1430 in vxlan mode (eth0 MTU 1500 of node node-1 − 70 bytes of encapsulation over IPv6, the smallest MTU of the enabled ones): full-size packets to other nodes cannot cross"]
    }

    @Unroll
    def "dual-stack vxlan node, #deviation: #expected"() {
        expect:
        checkNodeX6(edit) == [expected]

        where:
        deviation                        | edit                                                                                                   || expected
        'vxlan-v6.calico missing'        | { Path d -> removeDevice(d, 'vxlan-v6.calico') }                                                       || 'WARNING no vxlan-v6.calico device (Felix in VXLAN mode with IPv6 creates it)'
        'vxlan-v6.calico down'           | { Path d -> down(d, 'vxlan-v6.calico') }                                                               || 'WARNING vxlan-v6.calico is down'
        'IPv6 FDB entry missing'         | { Path d -> json(d.resolve('fdb.json')) { l -> l.findAll { it.dst != 'fd00:192:168:56::3' } } }         || 'WARNING vxlan-v6.calico FDB has no entry for 66:1a:96:15:e3:d8; Calico adds 66:1a:96:15:e3:d8 dst fd00:192:168:56::3 (node node-2)'
        'IPv6 block routed via eth0'     | { Path d -> json(d.resolve('route6.json')) { l -> l.find { it.dst == 'fd00:10:244::40/122' }.with { gateway = 'fd00:192:168:56::3'; dev = 'eth0'; flags = [] }; l } } || 'WARNING IPv6 block fd00:10:244::40/122 of node node-2 is routed via fd00:192:168:56::3 dev eth0; Felix installs `fd00:10:244::40/122 via fd00:10:244::40 dev vxlan-v6.calico onlink`'
    }

    def "expected IPv6 route in vxlan mode: via the remote node's IPv6 tunnel address over vxlan-v6.calico"() {
        expect:
        new CalicoPlugin('vxlan', VX6_PODS, []).expectedRoute(VX6_NODES[0], dump('vxlan6-node-1'), Ip.parse('fd00:10:244::41'), VX6_NODES).orElse(null) ==
                'fd00:10:244::40/122 via fd00:10:244::40 dev vxlan-v6.calico onlink'
    }

    // ------------------------------------------------------------------ editing a dump as the tools print it

    /** Removes device {@code name} from link.json and addr.json, and the routes through it, as deleting it does. */
    static void removeDevice(Path d, String name) {
        json(d.resolve('link.json')) { l -> l.findAll { it.ifname != name } }
        json(d.resolve('addr.json')) { l -> l.findAll { it.ifname != name } }
        removeRoutes(d) { it.dev == name }
        json(d.resolve('neigh.json')) { l -> l.findAll { it.dev != name } }
        json(d.resolve('fdb.json')) { l -> l.findAll { it.ifname != name } }
    }

    static void removeRoutes(Path d, Closure<Boolean> which) {
        json(d.resolve('route.json')) { l -> l.findAll { !which(it) } }
    }

    /** Sets device {@code name} administratively down in link.json. */
    static void down(Path d, String name) {
        json(d.resolve('link.json')) { l -> l.find { it.ifname == name }.with { flags.remove('UP'); flags.remove('LOWER_UP'); operstate = 'DOWN' }; l }
    }

    static void mtu(Path d, String name, int mtu) {
        json(d.resolve('link.json')) { l -> l.find { it.ifname == name }.mtu = mtu; l }
    }
}
