package io.skoop.testsupport

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path

/**
 * A kube-proxy IPVS-mode snapshot made from the embedded flannel-vxlan one (captured from the kernel, kube-proxy in
 * iptables mode): this kernel has no ip_vs, so the IPVS dumps are written from the facts, as
 * src/test/resources/netstack/ipvs-node/README.md says. Per node, from the snapshot's Services and EndpointSlices, as
 * kubernetes pkg/proxy/ipvs/proxier.go writes them:
 * <ul>
 * <li>ipvs.txt ({@code ipvsadm -Sn}): a virtual service per ClusterIP port and per node port on the node's InternalIP
 *     (scheduler rr), a masquerading real server of weight 1 per ready endpoint;</li>
 * <li>ipset.txt ({@code ipset save}, the shape this kernel's ipset prints): KUBE-CLUSTER-IP, KUBE-LOOP-BACK,
 *     KUBE-NODE-PORT-TCP, KUBE-IPVS-IPS and the (empty) sets the filter rules name;</li>
 * <li>iptables.txt: kube-proxy's IPVS-mode filter and nat tables (KUBE-SERVICES with the ipset matches,
 *     KUBE-NODE-PORT, KUBE-MARK-MASQ, KUBE-POSTROUTING with KUBE-LOOP-BACK, KUBE-IPVS-FILTER), flannel's chains kept;
 *     nft.json without tables (the rules as iptables-legacy holds them);</li>
 * <li>link.json / addr.json / route.json: the dummy device kube-ipvs0, down, holding every ClusterIP as a /32, and the
 *     local-table routes the kernel makes for them (their shape captured from this kernel on a down device).</li>
 * </ul>
 * snapshot.json's proxyMode is {@code ipvs}; meta.json records ipvs.txt as collected.
 */
class IpvsSnapshot {
    static final String CLUSTER_CIDR = '10.244.0.0/16'
    /** {@code nft -j list ruleset} of a namespace without nftables tables (nftables 1.0.6). */
    static final String NFT_EMPTY = '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}]}\n'

    /** The IPVS snapshot at {@code to}; {@code edit} (given the copy's folder) changes it further. Returns {@code to}. */
    static Path build(Path to, Closure edit = null) {
        ExampleCopy.copy(to, ExampleCopy.EXAMPLE)
        Map k8s = [services: items(to, 'services'), slices: items(to, 'endpointslices'), nodes: items(to, 'nodes')]
        Files.list(to.resolve('nodes')).sorted().forEach { Path node -> writeNode(node.resolve('host'), node.fileName.toString(), k8s) }
        Path meta = to.resolve('snapshot.json')
        meta.text = meta.text.replace('"proxyMode" : "iptables"', '"proxyMode" : "ipvs"')
        edit?.call(to)
        to
    }

    /** Writes node {@code name}'s IPVS-mode dumps into {@code host}. */
    static void writeNode(Path host, String name, Map k8s) {
        String nodeIp = k8s.nodes.find { it.metadata.name == name }.status.addresses.find { it.type == 'InternalIP' }.address
        List<Map> vs = virtualServices(k8s, nodeIp)
        List<String> vips = vs.findAll { it.clusterIp }.collect { it.addr }.unique()
        host.resolve('ipvs.txt').text = ipvsadm(vs)
        host.resolve('ipset.txt').text = ipset(vs, name)
        Path ipt = host.resolve('iptables.txt')
        ipt.text = iptables(ipt.text)
        // the rewritten rules are held as iptables-legacy holds them: not in nft.json (the iptables-nft copy there is of
        // the iptables-mode rules, and skoop cross-checks the two: NetNS.iptablesNftMismatches)
        host.resolve('nft.json').text = NFT_EMPTY
        Path meta = host.resolve('meta.json')
        meta.text = meta.text.replaceFirst(/\{"file": "ipvs.txt".*\}/,
                '{"file": "ipvs.txt", "tool": "ipvsadm", "command": "ipvsadm -Sn", "status": "ok", "exit": 0, "stderr": ""}')
        List links = json(host.resolve('link.json'))
        int index = (links*.ifindex.max() as int) + 1
        Map dev = [ifindex: index, ifname: 'kube-ipvs0', flags: ['BROADCAST', 'NOARP'], mtu: 1500, qdisc: 'noop', operstate: 'DOWN',
                   linkmode: 'DEFAULT', group: 'default', txqlen: 1000, link_type: 'ether', address: 'be:3c:6e:0d:4e:' + String.format('%02x', index),
                   broadcast: 'ff:ff:ff:ff:ff:ff', promiscuity: 0, allmulti: 0, min_mtu: 0, max_mtu: 0, linkinfo: [info_kind: 'dummy'],
                   inet6_addr_gen_mode: 'eui64', num_tx_queues: 1, num_rx_queues: 1, gso_max_size: 65536, gso_max_segs: 65535]
        links << dev
        write(host.resolve('link.json'), links)
        List addrs = json(host.resolve('addr.json'))
        addrs << [ifindex: index, ifname: 'kube-ipvs0', flags: ['BROADCAST', 'NOARP'], mtu: 1500, qdisc: 'noop', operstate: 'DOWN', group: 'default',
                  txqlen: 1000, link_type: 'ether', address: dev.address, broadcast: 'ff:ff:ff:ff:ff:ff',
                  addr_info: vips.collect { [family: 'inet', local: it, prefixlen: 32, scope: 'global', label: 'kube-ipvs0',
                                             valid_life_time: 4294967295L, preferred_life_time: 4294967295L] }]
        write(host.resolve('addr.json'), addrs)
        List routes = json(host.resolve('route.json'))
        vips.each { routes << [type: 'local', dst: it, dev: 'kube-ipvs0', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: it, flags: []] }
        write(host.resolve('route.json'), routes)
    }

    /** [proto, addr, port, clusterIp, service, reals: [[ip, port, local node]]] per virtual service. */
    static List<Map> virtualServices(Map k8s, String nodeIp) {
        List<Map> out = []
        k8s.services.each { Map svc ->
            String key = svc.metadata.namespace + '/' + svc.metadata.name
            svc.spec.ports.each { Map port ->
                List reals = []
                k8s.slices.findAll { it.metadata.namespace == svc.metadata.namespace && it.metadata.labels?.get('kubernetes.io/service-name') == svc.metadata.name }
                        .each { Map slice ->
                            Map sp = slice.ports?.find { it.name == port.name && it.protocol == port.protocol }
                            if (sp != null) {
                                slice.endpoints?.findAll { it.conditions?.ready != false }?.each { ep ->
                                    reals << [ip: ep.addresses[0], port: sp.port, node: ep.nodeName]
                                }
                            }
                        }
                String proto = port.protocol.toLowerCase()
                svc.spec.clusterIPs.each { out << [proto: proto, addr: it, port: port.port, clusterIp: true, service: key, reals: reals] }
                if (port.nodePort) {
                    out << [proto: proto, addr: nodeIp, port: port.nodePort, clusterIp: false, service: key, reals: reals]
                }
            }
        }
        out
    }

    static String ipvsadm(List<Map> vs) {
        StringBuilder sb = new StringBuilder()
        vs.each { v ->
            String key = "-${v.proto == 'tcp' ? 't' : 'u'} ${v.addr}:${v.port}"
            sb << "-A $key -s rr\n"
            v.reals.each { r -> sb << "-a $key -r ${r.ip}:${r.port} -m -w 1\n" }
        }
        sb.toString()
    }

    static String ipset(List<Map> vs, String node) {
        List<String> clusterIp = vs.findAll { it.clusterIp }.collect { "${it.addr},${it.proto}:${it.port}".toString() }
        List<String> loopBack = vs.collectMany { v -> v.reals.findAll { it.node == node }.collect { "${it.ip},${v.proto}:${it.port},${it.ip}".toString() } }.unique()
        List<String> nodePorts = vs.findAll { !it.clusterIp && it.proto == 'tcp' }.collect { it.port.toString() }.unique()
        List<String> ips = vs.findAll { it.clusterIp }.collect { it.addr }.unique()
        String hash = 'family inet hashsize 1024 maxelem 65536 bucketsize 12 initval'
        StringBuilder sb = new StringBuilder()
        set(sb, "KUBE-CLUSTER-IP hash:ip,port $hash 0x5fbab935", clusterIp)
        set(sb, "KUBE-LOOP-BACK hash:ip,port,ip $hash 0x4041d43c", loopBack)
        set(sb, 'KUBE-NODE-PORT-TCP bitmap:port range 0-65535', nodePorts)
        set(sb, "KUBE-IPVS-IPS hash:ip $hash 0x1b7c5a29", ips)
        set(sb, "KUBE-LOAD-BALANCER hash:ip,port $hash 0x6d0e8c11", [])
        set(sb, "KUBE-EXTERNAL-IP hash:ip,port $hash 0x2f4a9b07", [])
        set(sb, "KUBE-EXTERNAL-IP-LOCAL hash:ip,port $hash 0x7c21d3e5", [])
        set(sb, 'KUBE-HEALTH-CHECK-NODE-PORT bitmap:port range 0-65535', [])
        sb.toString()
    }

    private static void set(StringBuilder sb, String create, List<String> members) {
        String name = create.split(' ')[0]
        sb << "create $create\n"
        members.each { sb << "add $name $it\n" }
    }

    /** The captured iptables-save with kube-proxy's iptables-mode filter and nat rules replaced by its IPVS-mode ones. */
    static String iptables(String captured) {
        List<String> flannelFilter = captured.readLines().findAll { it.contains('-A FLANNEL-FWD') }
        List<String> flannelNat = captured.readLines().findAll { it.contains('-A FLANNEL-POSTRTG') }
        String header = captured.readLines()[0]
        String footer = captured.readLines().find { it.startsWith('# Completed') }
        String filter = """\
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:FLANNEL-FWD - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-IPVS-FILTER - [0:0]
:KUBE-IPVS-OUT-FILTER - [0:0]
:KUBE-NODE-PORT - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SOURCE-RANGES-FIREWALL - [0:0]
[0:0] -A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER
[0:0] -A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
[0:0] -A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT
[0:0] -A INPUT -j KUBE-FIREWALL
[0:0] -A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
[0:0] -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
[0:0] -A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
[0:0] -A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER
[0:0] -A OUTPUT -j KUBE-FIREWALL
${flannelFilter.join('\n')}
[0:0] -A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
[0:0] -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
[0:0] -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
[0:0] -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
[0:0] -A KUBE-IPVS-FILTER -m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN
[0:0] -A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN
[0:0] -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN
[0:0] -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN
[0:0] -A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN
[0:0] -A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT --reject-with icmp-port-unreachable
[0:0] -A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT
[0:0] -A KUBE-SOURCE-RANGES-FIREWALL -j DROP
COMMIT
"""
        String nat = """\
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:FLANNEL-POSTRTG - [0:0]
:KUBE-LOAD-BALANCER - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODE-PORT - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SERVICES - [0:0]
[0:0] -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
[0:0] -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
[0:0] -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
[0:0] -A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
${flannelNat.join('\n')}
[0:0] -A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
[0:0] -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
[0:0] -A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ
[0:0] -A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE
[0:0] -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
[0:0] -A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
[0:0] -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
[0:0] -A KUBE-SERVICES ! -s ${CLUSTER_CIDR} -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ
[0:0] -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
[0:0] -A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT
COMMIT
"""
        return "$header\n$filter$footer\n$header\n$nat$footer\n"
    }

    static List items(Path snapshot, String kind) {
        (new JsonSlurper().parse(snapshot.resolve("k8s/${kind}.json").toFile()) as Map).items as List
    }

    static List json(Path p) {
        new JsonSlurper().parse(p.toFile()) as List
    }

    static void write(Path p, Object o) {
        p.text = JsonOutput.toJson(o)
    }
}
