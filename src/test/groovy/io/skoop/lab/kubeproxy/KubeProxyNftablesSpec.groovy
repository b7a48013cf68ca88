package io.skoop.lab.kubeproxy

import io.skoop.lab.plan.LabPlanner
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ProxyMode
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.parse.ParseException
import spock.lang.Shared
import spock.lang.Specification

/**
 * The shape of the {@code ip kube-proxy} table {@link KubeProxyNftables} renders, against kubernetes
 * pkg/proxy/nftables/proxier.go (chain names, base chains and priorities, verdict maps, per-service and per-endpoint
 * chains) and the names in its proxier_test.go expectations. That nft accepts it and that it works is
 * {@code KubeProxyNftablesKernelSpec}'s part.
 */
class KubeProxyNftablesSpec extends Specification {

    static final NodeContext NODE = NodeContext.of('node-1', Ip.parse('192.168.56.2'), Prefix.parse('10.0.0.0/8'))

    static ServiceEndpoint ep(String ip, int port = 80) {
        ServiceEndpoint.ready(Ip.parse(ip), port)
    }

    /** svc1: ClusterIP, one endpoint; svc4: NodePort 3001, two endpoints; svc6: no endpoints; svc7: NodePort, no endpoints. */
    static List<ServicePort> small() {
        [ServicePort.of('ns1', 'svc1', 'p80', Protocol.TCP, Ip.parse('172.30.0.41'), 80, 0, [ep('10.180.0.1')]),
         ServicePort.of('ns4', 'svc4', 'p80', Protocol.TCP, Ip.parse('172.30.0.44'), 80, 3001, [ep('10.180.0.5'), ep('10.180.0.4')]),
         ServicePort.of('ns6', 'svc6', 'p80', Protocol.TCP, Ip.parse('172.30.0.46'), 80, 0, []),
         ServicePort.of('ns7', 'svc7', 'p53', Protocol.UDP, Ip.parse('172.30.0.47'), 53, 3007, [])]
    }

    static List<String> lines(String text) {
        text.readLines()
    }

    def "chain names hash as kube-proxy's servicePortChainNameBase/servicePortEndpointChainNameBase (values from proxier_test.go)"() {
        given:
        ServicePort s = ServicePort.of(ns, name, 'p80', Protocol.TCP, Ip.parse('172.30.0.41'), 80, 0, [])

        expect:
        KubeProxyNftables.serviceChain(s) == service
        KubeProxyNftables.externalChain(s) == service.replace('service-', 'external-')
        KubeProxyNftables.endpointChain(s, ep(endpoint)) == endpointChain

        where:
        ns    | name   | endpoint      || service                              | endpointChain
        'ns1' | 'svc1' | '10.180.0.1'  || 'service-ULMVA6XW-ns1/svc1/tcp/p80'   | 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80'
        'ns2' | 'svc2' | '10.180.0.2'  || 'service-42NFTM6N-ns2/svc2/tcp/p80'   | 'endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80'
        'ns4' | 'svc4' | '10.180.0.4'  || 'service-LAUZTJTB-ns4/svc4/tcp/p80'   | 'endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80'
        'ns4' | 'svc4' | '10.180.0.5'  || 'service-LAUZTJTB-ns4/svc4/tcp/p80'   | 'endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80'
    }

    def "hashAndTruncate keeps names up to 240 characters and cuts longer ones with '...'"() {
        expect:
        KubeProxyNftables.hashAndTruncate('a' * 231).length() == 240
        KubeProxyNftables.hashAndTruncate('a' * 232).length() == 240
        KubeProxyNftables.hashAndTruncate('a' * 232).endsWith('a...')
        KubeProxyNftables.hashAndTruncate('ns1/svc1/tcp/p80') ==~ /[A-Z2-7]{8}-ns1\/svc1\/tcp\/p80/
    }

    def "the table, its base chains at kube-proxy's priorities and the jumps into the regular chains"() {
        when:
        List<String> l = lines(KubeProxyNftables.render(NODE, small(), [Prefix.parse('172.30.0.0/16')]).text())

        then: 'the lab replaces the table whole, then writes it as setupNFTables does'
        l[0..2] == ['add table ip kube-proxy', 'delete table ip kube-proxy', 'add table ip kube-proxy { comment "rules for kube-proxy" ; }']

        and: 'filter chains at dstnat-10, filter-output-post-dnat at dstnat+10, nat at dstnat and srcnat'
        l.findAll { it.contains(' hook ') } == [
                'add chain ip kube-proxy filter-prerouting { type filter hook prerouting priority -110 ; }',
                'add chain ip kube-proxy filter-input { type filter hook input priority -110 ; }',
                'add chain ip kube-proxy filter-forward { type filter hook forward priority -110 ; }',
                'add chain ip kube-proxy filter-output { type filter hook output priority -110 ; }',
                'add chain ip kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }',
                'add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }',
                'add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }',
                'add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }']

        and: 'the base chains only jump (nftablesJumpChains)'
        l.findAll { it ==~ /add rule ip kube-proxy (filter|nat)-\S+ .*/ } == [
                'add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check',
                'add rule ip kube-proxy filter-input ct state new jump service-endpoints-check',
                'add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check',
                'add rule ip kube-proxy filter-output ct state new jump service-endpoints-check',
                'add rule ip kube-proxy filter-prerouting ct state new jump firewall-check',
                'add rule ip kube-proxy filter-output ct state new jump firewall-check',
                'add rule ip kube-proxy nat-output jump services',
                'add rule ip kube-proxy nat-prerouting jump services',
                'add rule ip kube-proxy nat-postrouting jump masquerading',
                'add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check',
                'add rule ip kube-proxy filter-output-post-dnat ct state new jump cluster-ips-check']

        and: 'masquerading by mark 0x4000 (bit 14), fully random'
        l.containsAll([
                'add rule ip kube-proxy mark-for-masquerade mark set mark or 0x00004000',
                'add rule ip kube-proxy masquerading mark and 0x00004000 == 0 return',
                'add rule ip kube-proxy masquerading mark set mark xor 0x00004000',
                'add rule ip kube-proxy masquerading masquerade fully-random'])
    }

    def "dispatch: verdict maps keyed daddr . l4proto . dport and l4proto . dport, the NodePort only on the primary node IP"() {
        when:
        List<String> l = lines(KubeProxyNftables.render(NODE, small(), [Prefix.parse('172.30.0.0/16')]).text())

        then:
        l.containsAll([
                'add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }',
                'add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }',
                'add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips',
                'add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports',
                'add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }',
                'add element ip kube-proxy nodeport-ips { 192.168.56.2 }',
                'add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }',
                'add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
                'add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"',
                'add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }',
                'add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips'])
        l.findAll { it.startsWith('add element ip kube-proxy cluster-ips ') } == (41..47).findAll { it in [41, 44, 46, 47] }
                .collect { "add element ip kube-proxy cluster-ips { 172.30.0.$it }".toString() }
        l.findAll { it.startsWith('add element ip kube-proxy firewall-ips') } == []
    }

    def "a service port with endpoints: service chain with the numgen vmap, endpoint chains with hairpin masquerade and dnat"() {
        when:
        List<String> l = lines(KubeProxyNftables.render(NODE, small(), []).text())

        then: 'svc1 exactly as in kube-proxy proxier_test.go'
        l.containsAll([
                'add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }',
                'add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade',
                'add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }',
                'add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade',
                'add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80'])

        and: 'svc4: endpoints sorted, one numgen over both; the node port through the external chain (masquerade, then the service)'
        l.containsAll([
                'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }',
                'add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }',
                'add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade',
                'add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80'])

        and: 'every chain a rule or element names is created before it'
        l.findAll { it ==~ /.*(goto|jump) \S+.*/ }.every { line ->
            (line =~ /(?:goto|jump) ([^\s}]+)/).collect { it[1] }.every { c ->
                int made = l.indexOf(l.find { it.startsWith("add chain ip kube-proxy $c") })
                made >= 0 && made < l.indexOf(line)
            }
        }
    }

    def "a service port without endpoints: no chains, its cluster IP and node port rejected through reject-chain"() {
        when:
        def r = KubeProxyNftables.render(NODE, small(), [])
        List<String> l = lines(r.text())

        then:
        l.containsAll([
                'add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }',
                'add rule ip kube-proxy reject-chain reject',
                'add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services',
                'add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
                'add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }',
                'add element ip kube-proxy no-endpoint-services { 172.30.0.47 . udp . 53 comment "ns7/svc7:p53" : goto reject-chain }',
                'add element ip kube-proxy no-endpoint-nodeports { udp . 3007 comment "ns7/svc7:p53" : goto reject-chain }'])
        !r.chains().any { it.contains('ns6/') || it.contains('ns7/') }
        !l.any { it.contains('service-ips { 172.30.0.46') }

        and: 'no drop of unallocated cluster IPs when no ServiceCIDR is known'
        !l.any { it.contains('Drop traffic to unallocated ClusterIPs') }
    }

    def "a node without an address (#ipX): NodePorts on every local address but localhost (kube-proxy's MatchAll form and noLocalhost), nodeport-ips deleted"() {
        when:
        def node = new NodeContext('n', [], Prefix.parse(cidr), 14, true)
        List<String> l = lines(KubeProxyNftables.render(node, ports, []).text())

        then:
        l.contains("add rule $ipX kube-proxy services fib daddr type local $noLocalhost meta l4proto . th dport vmap @service-nodeports".toString())
        l.contains("add rule $ipX kube-proxy nodeport-endpoints-check $noLocalhost meta l4proto . th dport vmap @no-endpoint-nodeports".toString())
        l.contains("delete set $ipX kube-proxy nodeport-ips".toString())

        where:
        ipX   | cidr               | ports    || noLocalhost
        'ip'  | '10.0.0.0/8'       | small()  || 'ip daddr != 127.0.0.0/8'
        'ip6' | 'fd00:10:244::/56' | small6() || 'ip6 daddr != ::1'
    }

    def "addresses of the other family and repeated service ports are refused as by the iptables generator: #what"() {
        when:
        KubeProxyNftables.render(node, ports, cidrs.collect { Prefix.parse(it) })

        then:
        IllegalArgumentException e = thrown()
        e.message.contains(words)

        where:
        what                                  | node  | cidrs               | ports                                                                                || words
        'IPv6 cluster IP, IPv4 proxier'       | NODE  | []                  | [ServicePort.of('a', 'b', '', Protocol.TCP, Ip.parse('fd00::1'), 80, 0, [])]      || 'IPv4 addresses only'
        'IPv4 cluster IP, IPv6 proxier'       | NODE6 | []                  | [ServicePort.of('a', 'b', '', Protocol.TCP, Ip.parse('10.0.0.1'), 80, 0, [])]     || 'IPv6 addresses only'
        'IPv4 endpoint, IPv6 proxier'         | NODE6 | []                  | [ServicePort.of('a', 'b', '', Protocol.TCP, Ip.parse('fd00::1'), 80, 0, [ep('10.0.0.2')])] || 'IPv6 addresses only'
        'IPv6 service CIDR, IPv4 proxier'     | NODE  | ['fd00:30::/112']   | []                                                                                   || "the IPv4 proxier's service CIDRs are IPv4; got fd00:30::/112"
        'IPv4 service CIDR, IPv6 proxier'     | NODE6 | ['172.30.0.0/16']   | []                                                                                   || "the IPv6 proxier's service CIDRs are IPv6; got 172.30.0.0/16"
        'a service port twice'                | NODE  | []                  | [ServicePort.of('a', 'b', '', Protocol.TCP, Ip.parse('10.0.0.1'), 80, 0, []),
                                                                               ServicePort.of('a', 'b', '', Protocol.TCP, Ip.parse('10.0.0.1'), 81, 0, [])]     || 'given twice'
    }

    // ---- the IPv6 proxier: table ip6 kube-proxy

    static final NodeContext NODE6 = NodeContext.of('node-1', Ip.parse('fd00:192:168:56::2'), Prefix.parse('fd00:10:244::/56'))

    /** svc1: ClusterIP, one endpoint; svc4: NodePort 3001, two endpoints; svc6: no endpoints; svc7: NodePort, no endpoints. */
    static List<ServicePort> small6() {
        [ServicePort.of('ns1', 'svc1', 'p80', Protocol.TCP, Ip.parse('fd00:30::41'), 80, 0, [ep('fd00:10:244:1::1')]),
         ServicePort.of('ns4', 'svc4', 'p80', Protocol.TCP, Ip.parse('fd00:30::44'), 80, 3001, [ep('fd00:10:244:1::5'), ep('fd00:10:244:1::4')]),
         ServicePort.of('ns6', 'svc6', 'p80', Protocol.TCP, Ip.parse('fd00:30::46'), 80, 0, []),
         ServicePort.of('ns7', 'svc7', 'p53', Protocol.UDP, Ip.parse('fd00:30::47'), 53, 3007, [])]
    }

    @Shared
    List<String> v6 = lines(KubeProxyNftables.render(NODE6, small6(), [Prefix.parse('fd00:30::/112')]).text())

    def "IPv6 proxier (#what): #line"() {
        expect:
        v6.contains(line)

        where:
        what                                   | line
        'the table, replaced whole'            | 'add table ip6 kube-proxy'
        'the table, replaced whole'            | 'delete table ip6 kube-proxy'
        'the table, replaced whole'            | 'add table ip6 kube-proxy { comment "rules for kube-proxy" ; }'
        'base chains as in IPv4'               | 'add chain ip6 kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }'
        'base chains as in IPv4'               | 'add rule ip6 kube-proxy nat-prerouting jump services'
        'masquerade mark as in IPv4'           | 'add rule ip6 kube-proxy masquerading mark and 0x00004000 == 0 return'
        'ipv6_addr keys'                       | 'add set ip6 kube-proxy cluster-ips { type ipv6_addr ; comment "Active ClusterIPs" ; }'
        'ipv6_addr keys'                       | 'add set ip6 kube-proxy nodeport-ips { type ipv6_addr ; comment "IPs that accept NodePort traffic" ; }'
        'ipv6_addr keys'                       | 'add map ip6 kube-proxy service-ips { type ipv6_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }'
        'ipv6_addr keys'                       | 'add map ip6 kube-proxy no-endpoint-services { type ipv6_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }'
        'ipv6_addr keys'                       | 'add map ip6 kube-proxy firewall-ips { type ipv6_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }'
        'node ports: l4proto . dport only'     | 'add map ip6 kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }'
        'ip6 daddr dispatch'                   | 'add rule ip6 kube-proxy services ip6 daddr . meta l4proto . th dport vmap @service-ips'
        'ip6 daddr dispatch'                   | 'add rule ip6 kube-proxy services ip6 daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports'
        'ip6 daddr dispatch'                   | 'add rule ip6 kube-proxy service-endpoints-check ip6 daddr . meta l4proto . th dport vmap @no-endpoint-services'
        'ip6 daddr dispatch'                   | 'add rule ip6 kube-proxy nodeport-endpoints-check ip6 daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports'
        'ip6 daddr dispatch'                   | 'add rule ip6 kube-proxy firewall-check ip6 daddr . meta l4proto . th dport vmap @firewall-ips'
        'the primary IPv6 node IP'             | 'add element ip6 kube-proxy nodeport-ips { fd00:192:168:56::2 }'
        'the IPv6 service CIDR'                | 'add rule ip6 kube-proxy cluster-ips-check ip6 daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"'
        'the IPv6 service CIDR'                | 'add rule ip6 kube-proxy cluster-ips-check ip6 daddr { fd00:30::/112 } drop comment "Drop traffic to unallocated ClusterIPs"'
        'IPv6 cluster IPs'                     | 'add element ip6 kube-proxy cluster-ips { fd00:30::41 }'
        'IPv6 cluster IPs'                     | 'add element ip6 kube-proxy service-ips { fd00:30::41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }'
        'the IPv6 cluster CIDR detects local'  | 'add rule ip6 kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip6 daddr fd00:30::41 tcp dport 80 ip6 saddr != fd00:10:244::/56 jump mark-for-masquerade'
        'endpoint chains: colons to dots'      | 'add rule ip6 kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-MJMXXO6E-ns1/svc1/tcp/p80__fd00.10.244.1..1/80 }'
        'hairpin: ip6 saddr'                   | 'add rule ip6 kube-proxy endpoint-MJMXXO6E-ns1/svc1/tcp/p80__fd00.10.244.1..1/80 ip6 saddr fd00:10:244:1::1 jump mark-for-masquerade'
        'dnat to [addr]:port'                  | 'add rule ip6 kube-proxy endpoint-MJMXXO6E-ns1/svc1/tcp/p80__fd00.10.244.1..1/80 meta l4proto tcp dnat to [fd00:10:244:1::1]:80'
        'node port through the external chain' | 'add element ip6 kube-proxy service-nodeports { tcp . 3001 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }'
        'node port through the external chain' | 'add rule ip6 kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80'
        'no endpoints: rejected'               | 'add element ip6 kube-proxy no-endpoint-services { fd00:30::46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }'
        'no endpoints: rejected'               | 'add element ip6 kube-proxy no-endpoint-nodeports { udp . 3007 comment "ns7/svc7:p53" : goto reject-chain }'
    }

    def "IPv6 proxier: endpoints sorted by [ip]:port, nothing of IPv4 in the table"() {
        expect:
        v6.findAll { it.contains(' dnat to ') }*.replaceAll(/.* dnat to /, '') == ['[fd00:10:244:1::1]:80', '[fd00:10:244:1::4]:80', '[fd00:10:244:1::5]:80']
        v6.every { it.startsWith('add table ip6 ') || it.startsWith('delete table ip6 ') || it ==~ /add (chain|rule|set|map|element) ip6 kube-proxy .*/ }
        !v6.any { it =~ / ip (daddr|saddr) |ipv4_addr|127\.0\.0\.0/ }
        v6.size() == lines(KubeProxyNftables.render(NODE, small(), [Prefix.parse('172.30.0.0/16')]).text()).size()
    }

    def "topology: proxyMode nftables is read, iptables is the default, ipvs and typos are refused with the line"() {
        given:
        String base = LabExamples.text('flannel-vxlan')

        expect:
        TopologyLoader.parse('t.yaml', base).proxyMode() == ProxyMode.IPTABLES
        TopologyLoader.parse('t.yaml', base + '\nproxyMode: nftables\n').proxyMode() == ProxyMode.NFTABLES
        TopologyLoader.parse('t.yaml', base + '\nproxyMode: nftables\n').withName('x').proxyMode() == ProxyMode.NFTABLES

        when:
        TopologyLoader.parse('t.yaml', base + "\nproxyMode: $mode\n")

        then:
        ParseException e = thrown()
        e.message.contains(words)

        where:
        mode       || words
        'ipvs'     || 'unknown kube-proxy mode (supported: iptables, nftables; the lab cannot build ipvs: this kernel has no ip_vs)'
        'nftable'  || "did you mean 'nftables'"
    }

    def "the lab plan in nftables mode: nft -f of the table on every node, filter and nat restored without KUBE- chains, flannel's rules after"() {
        given:
        ResolvedTopology t = TopologyLoader.parse('t.yaml', LabExamples.text('flannel-vxlan') + '\nproxyMode: nftables\n')

        when:
        def steps = LabPlanner.rules(t, t.node('node-2'))

        then:
        steps*.what() == ['node-2: kube-proxy nftables', 'node-2: iptables without kube-proxy', 'node-2: flannel iptables']
        steps[0].argv()[-3..-1] == ['nft', '-f', '-']
        steps[0].stdin() == TopologyServices.nftablesText(t, 'node-2')
        steps[0].stdin().contains('add element ip kube-proxy nodeport-ips { 192.168.56.3 }')
        steps[0].stdin().contains('add rule ip kube-proxy cluster-ips-check ip daddr { 10.96.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"')
        !steps[1].stdin().contains('KUBE-')
        !steps[2].stdin().contains('KUBE-')

        and: 'no route_localnet (that is iptables mode\'s, for localhost NodePorts)'
        def sysctls = LabPlanner.plan(t).steps().find { it.what() == 'node-2: sysctls' }
        !sysctls.argv().any { it.contains('route_localnet') }
    }

    def "the lab plan of a calico cluster in nftables mode: the table, empty filter and nat, then Felix's ipsets and rules"() {
        given:
        ResolvedTopology t = TopologyLoader.parse('t.yaml', LabExamples.text('calico-bgp') + '\nproxyMode: nftables\n')

        expect:
        LabPlanner.rules(t, t.node('node-1'))*.what() ==
                ['node-1: kube-proxy nftables', 'node-1: iptables without kube-proxy', 'node-1: felix ipsets', 'node-1: felix iptables']
        !LabPlanner.rules(t, t.node('node-1')).any { it.stdin()?.contains('KUBE-') }
    }
}
