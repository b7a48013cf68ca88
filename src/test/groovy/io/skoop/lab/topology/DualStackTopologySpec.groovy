package io.skoop.lab.topology

import groovy.json.JsonSlurper
import io.skoop.lab.flannel.Flannel
import io.skoop.lab.k8s.ClusterObjects
import io.skoop.lab.kubeproxy.TopologyServices
import io.skoop.lab.plan.LabPlanner
import io.skoop.model.Ip
import io.skoop.model.IpFamily
import io.skoop.netstack.parse.ParseException
import java.time.Instant
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * Dual-stack (IPv4 + IPv6) lab clusters, from the topology file to what the lab builds, checked without root:
 * <ul>
 * <li><b>allocation</b>: clusterCIDR, serviceCIDR and underlay each an IPv4 then an IPv6 CIDR; every node gets an
 *     IPv6 podCIDR, the lowest free /64 of the IPv6 clusterCIDR in node order (kube-controller-manager's range
 *     allocator, {@code --node-cidr-mask-size-ipv6=64}), an IPv6 InternalIP from the IPv6 underlay's second address
 *     (the first is the lab router's), and every pod an IPv6 address from its node's /64 as host-local hands them
 *     out (the first address is cni0's); the lists ({@code spec.podCIDRs}, InternalIPs, {@code status.podIPs}) put
 *     IPv4, the primary family, first.</li>
 * <li><b>Service families</b>, as the API server sets them (initIPFamilyFields, pkg/registry/core/service/storage):
 *     no ipFamilyPolicy/ipFamilies is SingleStack in the primary family; {@code ipFamilies: [IPv6]} alone is
 *     SingleStack IPv6; Prefer/RequireDualStack add the other family (primary first, or in ipFamilies order);
 *     PreferDualStack degrades to one family on a single-stack cluster, RequireDualStack and IPv6 are refused there;
 *     IPv4 cluster IPs from the service CIDR's second address (the first is {@code default/kubernetes}'s), IPv6 ones
 *     from the IPv6 service CIDR's first host address; written cluster IPs are kept and skipped.</li>
 * <li><b>errors</b>, each a {@link ParseException} at the offending line: CIDR lists of different lengths, IPv6
 *     first, two IPv4 CIDRs, two families without a dual-stack policy (required since Kubernetes 1.23), an IPv6 clusterCIDR
 *     outside /48../64 (kube-controller-manager refuses a node mask more than 16 bits longer), an IPv6 serviceCIDR
 *     shorter than /108 (kube-apiserver's limit), calico on a dual-stack cluster,
 *     written IPv6 cluster IPs outside the range or used twice.</li>
 * <li><b>flannel</b> with {@code EnableIPv6}: the node annotations kube subnet manager writes ({@code backend-v6-data},
 *     {@code public-ipv6}), net-conf.json's {@code IPv6Network}, the ip6tables masquerade rules (multicast
 *     {@code ff00::/8} exempt), {@code flannel-v6.1} with per-peer onlink route, neighbour and FDB entry (vxlan) or
 *     plain IPv6 routes via the peers' IPv6 addresses (host-gw).</li>
 * <li><b>the build plan</b>: IPv6 addresses and routes on the underlay, nodes, cni0 and pods, DAD off, the
 *     ip6tables steps, listeners on {@code [::]} with {@code ipv6only=1}.</li>
 * <li><b>kube-proxy's IPv6 proxier</b> (one proxier per family): the same KUBE-SVC chain names (the hash of
 *     service port name and protocol), bracketed IPv6 DNAT targets, the IPv6 cluster CIDR as the local-traffic
 *     detector, no {@code 127.0.0.0/8} localnet rule, NodePorts never on {@code ::1}; each proxier programs only
 *     the Services with a cluster IP of its family; in nftables mode the IPv6 proxier's {@code ip6 kube-proxy} table
 *     loaded with {@code nft -f} after the IPv4 one (its lines: {@code KubeProxyNftablesSpec}).</li>
 * <li><b>Kubernetes objects</b>: Services with clusterIPs/ipFamilies/ipFamilyPolicy, one set of EndpointSlices per
 *     family (addressType), Endpoints in the primary family, pods' podIPs and nodes' InternalIPs of both families.</li>
 * </ul>
 */
class DualStackTopologySpec extends Specification {

    /** A dual-stack cluster: everything the cases below change is on a line of its own. */
    static final String DS = '''\
name: t
cni: {type: flannel}
clusterCIDR: [10.244.0.0/16, fd00:10:244::/56]
serviceCIDR: [10.96.0.0/16, fd00:10:96::/112]
underlay: [192.168.56.0/24, fd00:192:168:56::/64]
nodes:
  - name: node-1
services:
  - name: web
    ipFamilyPolicy: PreferDualStack
    ports: [{port: 80}]
'''
    /** The same cluster single-stack (IPv4). */
    static final String SS = '''\
name: t
cni: {type: flannel}
clusterCIDR: 10.244.0.0/16
serviceCIDR: 10.96.0.0/16
underlay: 192.168.56.0/24
nodes:
  - name: node-1
services:
  - name: web
    ports: [{port: 80}]
'''

    @Shared
    ResolvedTopology ex = LabExamples.load('dual-stack')

    static List<String> lines(ResolvedTopology t) {
        LabPlanner.plan(t).steps()*.shell()
    }

    static List<String> strings(List l) {
        l*.toString()
    }

    // ---- allocation

    def "allocation: IPv6 podCIDRs are /64s in node order, node addresses from the IPv6 underlay's ::2, pod addresses from ::2 of their node's /64"() {
        when:
        def t = TopologyLoader.parse('ds.yaml', DS.replace('  - name: node-1\n', '''\
  - name: node-1
  - name: node-2
  - name: node-3
pods:
  - {name: a, node: node-2}
  - {name: b, node: node-1}
  - {name: c, node: node-2}
  - {name: d, node: node-3}
'''))

        then:
        t.dualStack()
        t.families() == [IpFamily.IPv4, IpFamily.IPv6]
        t.underlayGatewayV6() == Ip.parse('fd00:192:168:56::1')
        strings(t.nodes()*.podCIDRv6()) == ['fd00:10:244::/64', 'fd00:10:244:1::/64', 'fd00:10:244:2::/64']
        strings(t.nodes()*.addressV6()) == ['fd00:192:168:56::2', 'fd00:192:168:56::3', 'fd00:192:168:56::4']
        t.pods().collect { "${it.name()} ${it.ip()} ${it.ipV6()}".toString() } == [
                'a 10.244.1.2 fd00:10:244:1::2',
                'b 10.244.0.2 fd00:10:244::2',
                'c 10.244.1.3 fd00:10:244:1::3',
                'd 10.244.2.2 fd00:10:244:2::2']

        and: 'the per-family lists put IPv4 (the primary family) first'
        strings(t.node('node-2').podCIDRs()) == ['10.244.1.0/24', 'fd00:10:244:1::/64']
        strings(t.node('node-2').addresses()) == ['192.168.56.3', 'fd00:192:168:56::3']
        t.node('node-2').address(IpFamily.IPv6) == Ip.parse('fd00:192:168:56::3')
        strings(t.pod('c').ips()) == ['10.244.1.3', 'fd00:10:244:1::3']
        t.pod('c').ip(IpFamily.IPv6) == Ip.parse('fd00:10:244:1::3')
        ResolvedTopology.podGatewayV6(t.node('node-3')) == Ip.parse('fd00:10:244:2::1')
    }

    def "allocation: a single-stack topology has no IPv6 at all"() {
        when:
        def t = TopologyLoader.parse('ss.yaml', SS + 'pods:\n  - {name: a, node: node-1}\n')

        then:
        !t.dualStack()
        t.ipv6() == null
        t.families() == [IpFamily.IPv4]
        t.underlayGatewayV6() == null
        t.node('node-1').podCIDRv6() == null
        t.node('node-1').addressV6() == null
        strings(t.node('node-1').podCIDRs()) == ['10.244.0.0/24']
        strings(t.node('node-1').addresses()) == ['192.168.56.2']
        t.pod('a').ipV6() == null
        strings(t.pod('a').ips()) == ['10.244.0.2']
        ResolvedTopology.podGatewayV6(t.node('node-1')) == null
    }

    // ---- Service families

    @Shared
    ResolvedTopology families = TopologyLoader.parse('ds.yaml', DS.replace('''\
  - name: web
    ipFamilyPolicy: PreferDualStack
    ports: [{port: 80}]
''', '''\
  - {name: plain, ports: [{port: 80}]}
  - {name: prefer, ipFamilyPolicy: PreferDualStack, ports: [{port: 80}]}
  - {name: v6only, ipFamilies: [IPv6], ports: [{port: 80}]}
  - {name: require6, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6, IPv4], ports: [{port: 80}]}
  - {name: pinned, ipFamilyPolicy: PreferDualStack, clusterIPs: [10.96.0.2, "fd00:10:96::1"], ports: [{port: 80}]}
  - {name: half, ipFamilyPolicy: PreferDualStack, clusterIP: 10.96.0.50, ports: [{port: 80}]}
  - {name: single, ipFamilyPolicy: SingleStack, ipFamilies: [IPv6], ports: [{port: 80}]}
'''))

    @Unroll
    def "Service #name: #policy #fams, clusterIPs #ips (written addresses kept and skipped by the allocator)"() {
        when:
        Service s = families.service(name).service()

        then:
        s.ipFamilyPolicy() == IpFamilyPolicy.valueOf(policy)
        s.ipFamilies()*.name() == fams
        strings(s.clusterIPs()) == ips
        s.primaryClusterIP() == Ip.parse(ips[0])
        s.clusterIP() == (ips.find { !it.contains(':') }?.with { Ip.parse(it) })
        s.clusterIP(IpFamily.IPv6) == (ips.find { it.contains(':') }?.with { Ip.parse(it) })

        where:
        name       || policy             | fams             | ips
        'plain'    || 'SingleStack'      | ['IPv4']         | ['10.96.0.3']
        'prefer'   || 'PreferDualStack'  | ['IPv4', 'IPv6'] | ['10.96.0.4', 'fd00:10:96::2']
        'v6only'   || 'SingleStack'      | ['IPv6']         | ['fd00:10:96::3']
        'require6' || 'RequireDualStack' | ['IPv6', 'IPv4'] | ['fd00:10:96::4', '10.96.0.5']
        'pinned'   || 'PreferDualStack'  | ['IPv4', 'IPv6'] | ['10.96.0.2', 'fd00:10:96::1']
        'half'     || 'PreferDualStack'  | ['IPv4', 'IPv6'] | ['10.96.0.50', 'fd00:10:96::5']
        'single'   || 'SingleStack'      | ['IPv6']         | ['fd00:10:96::6']
    }

    def "Service families: an IPv6-only Service has no IPv4 cluster IP; its primary one is IPv6"() {
        when:
        Service s = families.service('v6only').service()

        then:
        s.clusterIP() == null
        s.primaryClusterIP() == Ip.parse('fd00:10:96::3')
    }

    def "Service families: PreferDualStack on a single-stack cluster gives IPv4 only, from .2 on (.1 is the kubernetes Service)"() {
        when:
        Service s = TopologyLoader.parse('ss.yaml', SS.replace('    ports:', '    ipFamilyPolicy: PreferDualStack\n    ports:'))
                .service('web').service()

        then:
        s.ipFamilyPolicy() == IpFamilyPolicy.PreferDualStack
        s.ipFamilies() == [IpFamily.IPv4]
        strings(s.clusterIPs()) == ['10.96.0.2']
    }

    @Unroll
    def "Service families: ipFamilies #written with clusterIPs #ips written: the IPs beyond ipFamilies add their family (#fams)"() {
        when:
        Service s = TopologyLoader.parse('ds.yaml', DS.replace('ipFamilyPolicy: PreferDualStack', "ipFamilyPolicy: $policy\n    ipFamilies: $written\n"
                + "    clusterIPs: $ips")).service('web').service()

        then: 'validateIPFamilyMatch compares only the IPs with an ipFamilies entry; initIPFamilyFields adds the rest'
        s.ipFamilies()*.name() == fams
        strings(s.clusterIPs()) == ips.replaceAll(/[\[\]"]/, '').split(', ') as List

        where:
        policy             | written  | ips                               || fams
        'PreferDualStack'  | '[IPv4]' | '[10.96.0.5, "fd00:10:96::5"]'    || ['IPv4', 'IPv6']
        'RequireDualStack' | '[IPv6]' | '["fd00:10:96::5", 10.96.0.5]'    || ['IPv6', 'IPv4']
    }

    def "Service families: an IPv6 range's last address is allocated too (no broadcast in IPv6), as a written one is accepted"() {
        given: 'an IPv6 service CIDR of four addresses: ::0 is never handed out, ::1 to ::3 are'
        String yaml = DS.replace('fd00:10:96::/112', 'fd00:10:96::/126') + '''\
  - name: b
    ipFamilies: [IPv6]
    ports: [{port: 80}]
  - name: c
    ipFamilies: [IPv6]
    ports: [{port: 80}]
'''

        when:
        ResolvedTopology t = TopologyLoader.parse('ds.yaml', yaml)

        then:
        ['web', 'b', 'c'].collect { strings(t.service(it).service().clusterIPs()).last() } == ['fd00:10:96::1', 'fd00:10:96::2', 'fd00:10:96::3']
    }

    // ---- errors

    @Unroll
    def "error: #mistake"() {
        given:
        String yaml = base.replace(from, to)
        assert yaml != base

        when:
        TopologyLoader.parse('ds.yaml', yaml)

        then:
        def e = thrown(ParseException)
        e.message == message
        e.file() == 'ds.yaml'
        e.line() == (message =~ /^ds\.yaml:(\d+):/)[0][1] as int

        where:
        mistake                                   | base | from                                                  | to                                                                                        || message
        'underlay one CIDR, clusterCIDR two'      | DS   | 'underlay: [192.168.56.0/24, fd00:192:168:56::/64]'    | 'underlay: [192.168.56.0/24]'                                                            || 'ds.yaml:5: underlay has 1 CIDR(s) but clusterCIDR has 2 (a dual-stack cluster gives clusterCIDR, serviceCIDR and underlay one IPv4 and one IPv6 CIDR each)'
        'underlay a scalar, clusterCIDR two'      | DS   | 'underlay: [192.168.56.0/24, fd00:192:168:56::/64]'    | 'underlay: 192.168.56.0/24'                                                              || 'ds.yaml:5: underlay has 1 CIDR(s) but clusterCIDR has 2 (a dual-stack cluster gives clusterCIDR, serviceCIDR and underlay one IPv4 and one IPv6 CIDR each)'
        'three CIDRs'                             | DS   | 'fd00:10:96::/112]'                                    | 'fd00:10:96::/112, fd00:10:97::/112]'                                                    || 'ds.yaml:4: expected serviceCIDR as one CIDR or a list of one IPv4 and one IPv6 CIDR (dual-stack), got 3 items'
        'IPv6 first'                              | DS   | '[10.244.0.0/16, fd00:10:244::/56]'                    | '[fd00:10:244::/56, 10.244.0.0/16]'                                                      || "ds.yaml:3: clusterCIDR starts with an IPv6 CIDR: the lab builds IPv4 single-stack and IPv4-primary dual-stack clusters (an IPv6-primary or IPv6-only cluster is not supported yet) (at 'fd00:10:244::/56')"
        'two IPv4 CIDRs'                          | DS   | 'fd00:10:96::/112]'                                    | '10.97.0.0/16]'                                                                          || "ds.yaml:4: serviceCIDR has two IPv4 CIDRs (expected an IPv4 then an IPv6 CIDR) (at '10.97.0.0/16')"
        'two families, no policy'                 | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilies: [IPv4, IPv6]'                                                               || "ds.yaml:10: service default/web has two IP families but ipFamilyPolicy is not written (expected PreferDualStack or RequireDualStack) (at '[IPv4, IPv6]')"
        'two families, SingleStack'               | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilyPolicy: SingleStack\n    ipFamilies: [IPv4, IPv6]'                              || "ds.yaml:11: service default/web has two IP families but ipFamilyPolicy SingleStack (expected PreferDualStack or RequireDualStack) (at '[IPv4, IPv6]')"
        'RequireDualStack on single-stack'        | SS   | '    ports:'                                           | '    ipFamilyPolicy: RequireDualStack\n    ports:'                                         || "ds.yaml:10: service default/web requires dual-stack but the cluster is IPv4 single-stack (at 'RequireDualStack')"
        'ipFamilies [IPv6] on single-stack'       | SS   | '    ports:'                                           | '    ipFamilies: [IPv6]\n    ports:'                                                     || "ds.yaml:10: service default/web asks for IPv6 but the cluster is IPv4 single-stack (give clusterCIDR, serviceCIDR and underlay an IPv6 CIDR each to make it dual-stack) (at 'IPv6')"
        'IPv6 clusterIP on single-stack'          | SS   | '    ports:'                                           | '    clusterIP: fd00:10:96::5\n    ports:'                                               || "ds.yaml:10: service default/web asks for IPv6 but the cluster is IPv4 single-stack (give clusterCIDR, serviceCIDR and underlay an IPv6 CIDR each to make it dual-stack) (at 'fd00:10:96::5')"
        'unknown ipFamilyPolicy'                  | DS   | 'PreferDualStack'                                      | 'PreferDualstack'                                                                        || "ds.yaml:10: unknown ipFamilyPolicy (expected one of SingleStack, PreferDualStack, RequireDualStack; did you mean 'PreferDualStack'?) (at 'PreferDualstack')"
        'unknown IP family'                       | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilies: [IPv5]'                                                                     || "ds.yaml:10: unknown IP family (expected IPv4 or IPv6) (at 'IPv5')"
        'the same family twice'                   | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilies: [IPv6, IPv6]'                                                               || 'ds.yaml:10: expected ipFamilies as one or two distinct families (IPv4, IPv6)'
        'two IPv6 clusterIPs'                     | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'clusterIPs: [fd00:10:96::5, fd00:10:96::6]'                                             || 'ds.yaml:10: expected clusterIPs as at most one IPv4 and one IPv6 address'
        'ipFamilies against clusterIPs'           | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilyPolicy: PreferDualStack\n    ipFamilies: [IPv6, IPv4]\n    clusterIPs: [10.96.0.5, fd00:10:96::5]' || "ds.yaml:11: ipFamilies [IPv6, IPv4] do not match the families of the written cluster IPs [10.96.0.5, fd00:10:96::5] (service default/web) (at '[IPv6, IPv4]')"
        'ipFamilies [IPv6] against a clusterIP'   | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilies: [IPv6]\n    clusterIP: 10.96.0.5'                                          || "ds.yaml:10: ipFamilies [IPv6] do not match the families of the written cluster IPs [10.96.0.5] (service default/web) (at '[IPv6]')"
        'IPv6 clusterCIDR /40 (too large)'        | DS   | 'fd00:10:244::/56'                                     | 'fd00:10::/40'                                                                           || "ds.yaml:3: the IPv6 clusterCIDR must hold /64 podCIDRs (--node-cidr-mask-size-ipv6) and be at most 16 bits shorter: expected a prefix of /48 to /64 (at 'fd00:10::/40')"
        'IPv6 clusterCIDR /72 (too small)'        | DS   | 'fd00:10:244::/56'                                     | 'fd00:10:244::/72'                                                                       || "ds.yaml:3: the IPv6 clusterCIDR must hold /64 podCIDRs (--node-cidr-mask-size-ipv6) and be at most 16 bits shorter: expected a prefix of /48 to /64 (at 'fd00:10:244::/72')"
        'IPv6 serviceCIDR /64 (too large)'        | DS   | 'fd00:10:96::/112'                                     | 'fd00:10:96::/64'                                                                        || "ds.yaml:4: the IPv6 serviceCIDR is too large: kube-apiserver expects a prefix of /108 or longer (at 'fd00:10:96::/64')"
        'IPv6 serviceCIDR /107 (one bit too large)' | DS | 'fd00:10:96::/112'                                     | 'fd00:10:96::/107'                                                                       || "ds.yaml:4: the IPv6 serviceCIDR is too large: kube-apiserver expects a prefix of /108 or longer (at 'fd00:10:96::/107')"
        'IPv6 serviceCIDR /127 (too small)'       | DS   | 'fd00:10:96::/112'                                     | 'fd00:10:96::/127'                                                                       || "ds.yaml:4: serviceCIDR is too small: expected a prefix of /126 or shorter (at 'fd00:10:96::/127')"
        'IPv6 serviceCIDR inside clusterCIDR'     | DS   | 'fd00:10:96::/112'                                     | 'fd00:10:244:ff::/112'                                                                   || "ds.yaml:4: serviceCIDR overlaps clusterCIDR fd00:10:244::/56 (expected disjoint ranges) (at 'fd00:10:244:ff::/112')"
        'calico IPv6 pool /124 (no /122 block)'   | DS   | '{type: flannel}\nclusterCIDR: [10.244.0.0/16, fd00:10:244::/56]' | '{type: calico}\nclusterCIDR: [10.244.0.0/16, fd00:10:244::/124]'   || "ds.yaml:3: the IPv6 IP pool must hold /122 blocks (the IPv6 pool's default blockSize): expected a prefix of /48 to /122 (at 'fd00:10:244::/124')"
        'IPv6 clusterIP outside serviceCIDR'      | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilyPolicy: PreferDualStack\n    clusterIPs: [10.96.0.5, fd00:10:97::5]'            || "ds.yaml:11: clusterIPs is outside the IPv6 serviceCIDR fd00:10:96::/112 or its network address (at 'fd00:10:97::5')"
        'IPv6 clusterIP the network address'      | DS   | 'ipFamilyPolicy: PreferDualStack'                      | 'ipFamilies: [IPv6]\n    clusterIP: "fd00:10:96::"'                                  || "ds.yaml:11: clusterIP is outside the IPv6 serviceCIDR fd00:10:96::/112 or its network address (at 'fd00:10:96::')"
        'external IPv6 on single-stack'           | SS   | 'services:'                                            | 'externalHosts:\n  - {name: inet, address: [203.0.113.10, "2001:db8::10"]}\nservices:' || "ds.yaml:9: an IPv6 address needs a dual-stack cluster (clusterCIDR, serviceCIDR and underlay with an IPv6 CIDR each) (at '2001:db8::10')"
        'external second address IPv4'            | DS   | 'services:'                                            | 'externalHosts:\n  - {name: inet, address: [203.0.113.10, 203.0.113.11]}\nservices:' || "ds.yaml:9: the second address must be an IPv6 global unicast address (e.g. from 2001:db8::/32) (at '203.0.113.11')"
        'external IPv6 link-local'                | DS   | 'services:'                                            | 'externalHosts:\n  - {name: inet, address: [203.0.113.10, "fe80::10"]}\nservices:'     || "ds.yaml:9: the second address must be an IPv6 global unicast address (e.g. from 2001:db8::/32) (at 'fe80::10')"
        'external IPv6 inside the IPv6 underlay'  | DS   | 'services:'                                            | 'externalHosts:\n  - {name: inet, address: [203.0.113.10, "fd00:192:168:56::10"]}\nservices:' || "ds.yaml:9: external address is inside the IPv6 underlay fd00:192:168:56::/64 (expected an address outside the cluster, e.g. from 2001:db8::/32) (at 'fd00:192:168:56::10')"
        'external IPv6 alone'                     | DS   | 'services:'                                            | 'externalHosts:\n  - {name: inet, address: "2001:db8::10"}\nservices:'                || "ds.yaml:9: address must be an IPv4 unicast address (e.g. from 203.0.113.0/24); on a dual-stack cluster an IPv6 one may follow: [IPv4, IPv6] (at '2001:db8::10')"
        'external three addresses'                | DS   | 'services:'                                            | 'externalHosts:\n  - {name: inet, address: [203.0.113.10, "2001:db8::10", "2001:db8::11"]}\nservices:' || 'ds.yaml:9: expected address as one IP address or a list of one IPv4 and one IPv6 address (dual-stack), got 3 items'
        'one IPv6 clusterIP on two Services'      | DS   | '    ports: [{port: 80}]\n'                            | '    clusterIP: fd00:10:96::7\n    ports: [{port: 80}]\n  - name: web2\n    clusterIPs: ["fd00:10:96::7"]\n    ports: [{port: 80}]\n' || "ds.yaml:14: clusterIPs already used by service default/web (at 'fd00:10:96::7')"
    }

    // ---- flannel

    def "flannel: kube subnet manager's annotations gain backend-v6-data (flannel-v6.1's VtepMAC) and public-ipv6"() {
        when:
        def n = ex.node('node-2')
        Map<String, String> a = Flannel.nodeAnnotations(ex, n)
        String p = 'flannel.alpha.coreos.com/'

        then:
        a.keySet() as List == ['backend-data', 'backend-type', 'backend-v6-data', 'kube-subnet-manager', 'public-ip', 'public-ipv6'].collect { p + it }
        a[p + 'backend-data'] == "{\"VNI\":1,\"VtepMAC\":\"${Flannel.vtepMac(ex, n)}\"}".toString()
        a[p + 'backend-v6-data'] == "{\"VNI\":1,\"VtepMAC\":\"${Flannel.vtepMacV6(ex, n)}\"}".toString()
        Flannel.vtepMacV6(ex, n) != Flannel.vtepMac(ex, n)
        a[p + 'backend-type'] == 'vxlan'
        a[p + 'public-ip'] == '192.168.56.3'
        a[p + 'public-ipv6'] == 'fd00:192:168:56::3'
        Flannel.vtepAddressV6(n) == Ip.parse('fd00:10:244:1::')
    }

    def "flannel host-gw: backend-data and backend-v6-data are null"() {
        when:
        Map<String, String> a = Flannel.nodeAnnotations(hostGw(), hostGw().node('node-1'))

        then:
        a['flannel.alpha.coreos.com/backend-type'] == 'host-gw'
        a['flannel.alpha.coreos.com/backend-data'] == 'null'
        a['flannel.alpha.coreos.com/backend-v6-data'] == 'null'
        a['flannel.alpha.coreos.com/public-ipv6'] == 'fd00:192:168:56::2'
    }

    def "flannel: net-conf.json enables IPv6 with the IPv6 network; a single-stack one does not"() {
        expect:
        Flannel.netConfJson(ex) == '''\
{
  "Network": "10.244.0.0/16",
  "EnableIPv6": true,
  "IPv6Network": "fd00:10:244::/56",
  "EnableNFTables": false,
  "Backend": {
    "Type": "vxlan"
  }
}
'''
        !Flannel.netConfJson(LabExamples.load('flannel-vxlan')).contains('IPv6')
    }

    def "flannel: ip6tables masquerade and forward rules over the IPv6 network and the node's IPv6 podCIDR, multicast ff00::/8 exempt"() {
        when:
        String text = Flannel.ip6tablesRestoreText(ex, ex.node('node-2'))
        List<String> l = text.readLines()
        String masq = '-m comment --comment "flanneld masq"'

        then:
        l.contains('-A FLANNEL-FWD -s fd00:10:244::/56 -m comment --comment "flanneld forward" -j ACCEPT')
        l.contains('-A FLANNEL-FWD -d fd00:10:244::/56 -m comment --comment "flanneld forward" -j ACCEPT')
        l.contains("-A FLANNEL-POSTRTG -s fd00:10:244:1::/64 -d fd00:10:244::/56 $masq -j RETURN".toString())
        l.contains("-A FLANNEL-POSTRTG -s fd00:10:244::/56 -d fd00:10:244:1::/64 $masq -j RETURN".toString())
        l.contains("-A FLANNEL-POSTRTG ! -s fd00:10:244::/56 -d fd00:10:244:1::/64 $masq -j RETURN".toString())
        l.contains("-A FLANNEL-POSTRTG -s fd00:10:244::/56 ! -d ff00::/8 $masq -j MASQUERADE --random-fully".toString())
        l.contains("-A FLANNEL-POSTRTG ! -s fd00:10:244::/56 -d fd00:10:244::/56 $masq -j MASQUERADE --random-fully".toString())
        !text.contains('10.244.') && !text.contains('224.0.0.0/4')
    }

    def "flannel: no ip6tables rules for a single-stack lab"() {
        given:
        def t = LabExamples.load('flannel-vxlan')

        when:
        Flannel.ip6tablesRestoreText(t, t.nodes()[0])

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'lab vxlan is not dual-stack'
    }

    // ---- the build plan

    static ResolvedTopology hostGw() {
        TopologyLoader.parse('dual-stack.yaml', LabExamples.text('dual-stack').replace('backend: vxlan', 'backend: host-gw'))
    }

    def "plan: DAD off in every namespace, br0's and the nodes' IPv6 addresses, the IPv6 default route, IPv6 sysctls"() {
        when:
        List<String> l = lines(ex)

        then:
        ['dual.underlay', 'dual.node.node-1', 'dual.pod.default.client', 'dual.ext.internet'].every {
            l.contains("ip netns exec $it sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0".toString())
        }
        l.count { it.contains('accept_dad=0') } == l.count { it.startsWith('ip netns add ') }
        l.contains('ip -n dual.underlay addr add fd00:192:168:56::1/64 dev br0')
        l.contains('ip netns exec dual.underlay sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1')
        l.contains('ip -n dual.node.node-2 addr add fd00:192:168:56::3/64 dev eth0')
        l.contains('ip -n dual.node.node-2 -6 route add default via fd00:192:168:56::1 dev eth0')
        l.contains('ip netns exec dual.node.node-2 sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 '
                + 'net.ipv4.conf.all.route_localnet=1 net.ipv6.conf.all.forwarding=1 net.bridge.bridge-nf-call-ip6tables=1')
    }

    def "plan: an external host with an IPv6 address: a /128 on its eth0, routed by the underlay router, which it reaches via fe80::1 on the router's port to it (NDP answers only for the receiving device's addresses)"() {
        when:
        List<String> l = lines(ex)

        then:
        l.contains('ip -n dual.ext.internet addr add 2001:db8:113::10/128 dev eth0')
        l.contains('ip -n dual.underlay -6 route add 2001:db8:113::10/128 dev vx0')
        l.contains('ip -n dual.underlay addr add fe80::1/64 dev vx0')
        l.contains('ip -n dual.ext.internet -6 route add default via fe80::1 dev eth0')
        l.count { it.contains('dual.ext.internet socat TCP6-LISTEN:80,ipv6only=1,') } == 1
        l.count { it.contains('dual.ext.internet python3') } == 2
    }

    def "an external host's addresses: #written gives IPv4 #v4 and IPv6 #v6"() {
        when:
        ExternalHost h = TopologyLoader.parse('ds.yaml', DS.replace('services:', "externalHosts:\n  - {name: inet, address: $written}\nservices:"))
                .externalHosts()[0]

        then:
        h.address(IpFamily.IPv4)?.toString() == v4
        h.address(IpFamily.IPv6)?.toString() == v6
        strings(h.addresses()) == [v4, v6] - null

        where:
        written                              || v4             | v6
        '203.0.113.10'                       || '203.0.113.10' | null
        '[203.0.113.10]'                     || '203.0.113.10' | null
        '[203.0.113.10, "2001:db8:113::10"]' || '203.0.113.10' | '2001:db8:113::10'
    }

    def "plan vxlan: flannel-v6.1 on the node's IPv6 address, and per remote node an IPv6 onlink route, a permanent neighbour and an FDB entry"() {
        given:
        List<String> l = lines(ex)
        def n1 = ex.node('node-1'), n2 = ex.node('node-2'), n3 = ex.node('node-3')
        String mac2 = Flannel.vtepMacV6(ex, n2), mac3 = Flannel.vtepMacV6(ex, n3)

        expect:
        l.contains("ip -n dual.node.node-1 link add flannel-v6.1 address ${Flannel.vtepMacV6(ex, n1)} mtu 1450 type vxlan id 1 local fd00:192:168:56::2 dev eth0 dstport 8472 nolearning".toString())
        l.contains('ip -n dual.node.node-1 addr add fd00:10:244::/128 dev flannel-v6.1')
        l.contains('ip -n dual.node.node-1 link set flannel-v6.1 up')
        l.contains('ip -n dual.node.node-1 route add fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink')
        l.contains("ip -n dual.node.node-1 neigh add fd00:10:244:1:: lladdr $mac2 dev flannel-v6.1 nud permanent".toString())
        l.contains("bridge -n dual.node.node-1 fdb append $mac2 dev flannel-v6.1 dst fd00:192:168:56::3 self permanent".toString())
        l.contains('ip -n dual.node.node-1 route add fd00:10:244:2::/64 via fd00:10:244:2:: dev flannel-v6.1 onlink')
        l.contains("ip -n dual.node.node-1 neigh add fd00:10:244:2:: lladdr $mac3 dev flannel-v6.1 nud permanent".toString())
        l.contains("bridge -n dual.node.node-1 fdb append $mac3 dev flannel-v6.1 dst fd00:192:168:56::4 self permanent".toString())
        !l.any { it.startsWith('ip -n dual.node.node-1 route add fd00:10:244::/64') }
        l.count { it ==~ /ip -n dual\.node\.node-\d route add fd00:10:244:.*\/64 via .* dev flannel-v6\.1 onlink/ } == 6
        l.count { it ==~ /bridge -n dual\.node\.node-\d fdb append .* dev flannel-v6\.1 .*/ } == 6
        // the IPv4 device is still there, over IPv4
        l.contains("bridge -n dual.node.node-1 fdb append ${Flannel.vtepMac(ex, n2)} dev flannel.1 dst 192.168.56.3 self permanent".toString())
    }

    def "plan: cni0's IPv6 gateway, a pod's IPv6 address, IPv6 default route and IPv6 cluster route"() {
        when:
        List<String> l = lines(ex)

        then:
        l.contains('ip -n dual.node.node-2 addr add 10.244.1.1/24 dev cni0')
        l.contains('ip -n dual.node.node-2 addr add fd00:10:244:1::1/64 dev cni0')
        l.contains('ip -n dual.pod.default.api-1 addr add fd00:10:244:1::3/64 dev eth0')
        l.contains('ip -n dual.pod.default.api-1 -6 route add default via fd00:10:244:1::1 dev eth0')
        l.contains('ip -n dual.pod.default.api-1 -6 route add fd00:10:244::/56 via fd00:10:244:1::1 dev eth0')
        l.contains('ip -n dual.pod.default.api-1 route add 10.244.0.0/16 via 10.244.1.1 dev eth0')
    }

    def "plan: kube-proxy's and flannel's ip6tables steps, after their iptables ones"() {
        when:
        def steps = LabPlanner.plan(ex).steps().findAll { it.netns() == 'dual.node.node-3' && it.stdin() != null }

        then:
        steps*.what() == ['node-3: kube-proxy iptables', 'node-3: kube-proxy ip6tables', 'node-3: flannel iptables', 'node-3: flannel ip6tables']
        steps*.argv()*.drop(4)*.join(' ') == ['iptables-restore', 'ip6tables-restore', 'iptables-restore --noflush', 'ip6tables-restore --noflush']
        steps[1].stdin() == TopologyServices.ip6tablesRestoreText(ex, 'node-3')
        steps[3].stdin() == Flannel.ip6tablesRestoreText(ex, ex.node('node-3'))
    }

    def "plan nftables: each proxier's table loaded with nft -f (ip, then ip6), iptables and ip6tables restored without KUBE- chains, flannel's after"() {
        given:
        ResolvedTopology t = TopologyLoader.parse('ds.yaml', LabExamples.text('dual-stack').replace('\nnodes:', '\nproxyMode: nftables\nnodes:'))

        when:
        def steps = LabPlanner.rules(t, t.node('node-2'))
        String v6 = steps[2].stdin()

        then:
        steps*.what() == ['node-2: kube-proxy nftables', 'node-2: iptables without kube-proxy', 'node-2: kube-proxy nftables IPv6',
                          'node-2: ip6tables without kube-proxy', 'node-2: flannel iptables', 'node-2: flannel ip6tables']
        steps*.argv()*.drop(4)*.join(' ') == ['nft -f -', 'iptables-restore', 'nft -f -', 'ip6tables-restore', 'iptables-restore --noflush',
                                              'ip6tables-restore --noflush']
        steps[0].stdin() == TopologyServices.nftablesText(t, 'node-2')
        v6 == TopologyServices.nftablesText(t, 'node-2', IpFamily.IPv6)
        !steps[1].stdin().contains('KUBE-') && steps[3].stdin() == steps[1].stdin()

        and: "the IPv6 proxier: the node's IPv6 address for NodePorts, the IPv6 service CIDR, IPv6 Services and endpoints only"
        v6.contains('add element ip6 kube-proxy nodeport-ips { fd00:192:168:56::3 }\n')
        v6.contains('add rule ip6 kube-proxy cluster-ips-check ip6 daddr { fd00:10:96::/112 } drop comment "Drop traffic to unallocated ClusterIPs"\n')
        v6.contains('add element ip6 kube-proxy service-ips { fd00:10:96::2 . tcp . 80 : goto service-4D64XLII-default/web6/tcp/http }\n')
        v6.contains('add element ip6 kube-proxy service-nodeports { tcp . 30080 : goto external-FKIP43JP-default/api/tcp/http }\n')
        v6.contains('meta l4proto tcp dnat to [fd00:10:244:1::3]:9090\n')
        !v6.contains('kube-dns') && !(v6 =~ /[ {]10\.(96|244)\./)
        !steps[0].stdin().contains('web6')
    }

    def "plan: TCP listeners on IPv4 and on [::] with ipv6only=1, in pods and on nodes"() {
        when:
        List<String> l = lines(ex)
        String tail = "'SYSTEM:echo skoop-lab pod default/web-1 8080/tcp; head -c 4096 /dev/zero | tr -c x x; echo; echo skoop-lab-end'"

        then:
        l.contains("setsid -f ip netns exec dual.pod.default.web-1 socat TCP4-LISTEN:8080,reuseaddr,fork $tail".toString())
        l.contains("setsid -f ip netns exec dual.pod.default.web-1 socat TCP6-LISTEN:8080,ipv6only=1,reuseaddr,fork $tail".toString())
        l.any { it.startsWith('setsid -f ip netns exec dual.node.node-1 socat TCP6-LISTEN:10250,ipv6only=1,reuseaddr,fork ') }
        LabPlanner.plan(ex).steps().findAll { it.netns() == 'dual.pod.default.web-1' && it.kind().name() == 'LISTENER' }*.what() ==
                ['pod default/web-1: listen 8080/tcp', 'pod default/web-1: listen 8080/tcp on [::]']
    }

    def "plan host-gw: per remote node an IPv6 route via its IPv6 address on eth0, no flannel-v6.1"() {
        when:
        List<String> l = lines(hostGw())

        then:
        l.contains('ip -n dual.node.node-1 -6 route add fd00:10:244:1::/64 via fd00:192:168:56::3 dev eth0')
        l.contains('ip -n dual.node.node-1 -6 route add fd00:10:244:2::/64 via fd00:192:168:56::4 dev eth0')
        l.contains('ip -n dual.node.node-1 route add 10.244.1.0/24 via 192.168.56.3 dev eth0')
        l.count { it ==~ /ip -n dual\.node\.node-\d -6 route add fd00:10:244:.*\/64 via fd00:192:168:56::\d dev eth0/ } == 6
        !l.any { it.contains('flannel-v6.1') || it.contains('flannel.1') }
    }

    // ---- kube-proxy

    def "kube-proxy: the IPv6 proxier's rules over IPv6 cluster IPs and bracketed pod addresses"() {
        when:
        String v6 = TopologyServices.ip6tablesRestoreText(ex, 'node-1')
        List<String> l = v6.readLines()
        String v4 = TopologyServices.iptablesRestoreText(ex, 'node-1')
        String svc = (v6 =~ /-d fd00:10:96::1 --dport 80 -j (KUBE-SVC-[A-Z0-9]{16})/)[0][1]

        then: 'web: the same KUBE-SVC chain as in the IPv4 proxier (its name hashes the service port name and protocol only)'
        l.contains("-A KUBE-SERVICES -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d fd00:10:96::1 --dport 80 -j $svc".toString())
        v4.contains("-d 10.96.0.2 --dport 80 -j $svc\n")
        l.contains("-A $svc -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d fd00:10:96::1 --dport 80 ! -s fd00:10:244::/56 -j KUBE-MARK-MASQ".toString())
        l.count { it.startsWith("-A $svc ") && it.contains(' -> [fd00:10:244:') } == 3

        and: 'DNAT to [address]:port, one per web pod'
        ['fd00:10:244::3', 'fd00:10:244:1::2', 'fd00:10:244:2::2'].every { ip ->
            l.any { it.startsWith('-A KUBE-SEP-') && it.contains('--comment default/web:http ') && it.endsWith("-j DNAT --to-destination [$ip]:8080") }
        }
        l.any { it.endsWith('-m tcp -p tcp -j DNAT --to-destination [fd00:10:244:1::3]:9090') }

        and: 'api: its IPv6 cluster IP and its node port'
        l.any { it.contains('-d fd00:10:96::3 --dport 8080 -j KUBE-SVC-') }
        l.any { it.startsWith('-A KUBE-NODEPORTS -m comment --comment default/api:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-') }

        and: 'no localnet rule, NodePorts never on ::1'
        l.last() == 'COMMIT'
        l[-2] == '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS'
        !v6.contains('127.0.0.0/8')
        v4.contains('-d 127.0.0.0/8 ! -s 127.0.0.0/8')
        !v6.contains('10.244.') && !v6.contains('10.96.')
    }

    def "kube-proxy: each proxier programs the Services with a cluster IP of its family"() {
        when:
        String v6 = TopologyServices.ip6tablesRestoreText(ex, 'node-2')
        String v4 = TopologyServices.iptablesRestoreText(ex, 'node-2')

        then:
        v6.contains('"default/web6:http cluster IP" -m tcp -p tcp -d fd00:10:96::2 --dport 80 ')
        !v4.contains('default/web6')
        v4.contains('"kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 ')
        !v6.contains('kube-dns')
        ['default/web:http', 'default/api:http'].every { v4.contains("\"$it cluster IP\"") && v6.contains("\"$it cluster IP\"") }
    }

    def "kube-proxy: a single-stack lab has no IPv6 proxier"() {
        when:
        TopologyServices.ip6tablesRestoreText(LabExamples.load('flannel-vxlan'), 'node-1')

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'lab vxlan has no IPv6'
    }

    // ---- Kubernetes objects

    @Shared
    Map<String, Map> objects = ClusterObjects.render(ex, Instant.parse('2026-11-21T10:00:00Z')).collectEntries { kind, list ->
        [kind, new JsonSlurper().parseText(ClusterObjects.print(list)) as Map]
    }

    List<Map> items(String kind, String name) {
        (objects[kind].items as List<Map>).findAll { it.metadata.name == name || it.metadata.labels?.get('kubernetes.io/service-name') == name }
    }

    def "objects: Services carry clusterIPs, ipFamilies and ipFamilyPolicy; spec.clusterIP is the primary family's"() {
        expect:
        Map spec = items('services', name)[0].spec
        spec.clusterIP == ips[0]
        spec.clusterIPs == ips
        spec.ipFamilies == fams
        spec.ipFamilyPolicy == policy

        where:
        name         || ips                              | fams             | policy
        'api'        || ['fd00:10:96::3', '10.96.0.3']   | ['IPv6', 'IPv4'] | 'RequireDualStack'
        'web'        || ['10.96.0.2', 'fd00:10:96::1']   | ['IPv4', 'IPv6'] | 'PreferDualStack'
        'web6'       || ['fd00:10:96::2']                | ['IPv6']         | 'SingleStack'
        'kube-dns'   || ['10.96.0.10']                   | ['IPv4']         | 'SingleStack'
        'kubernetes' || ['10.96.0.1']                    | ['IPv4']         | 'SingleStack'
    }

    def "objects: one set of EndpointSlices per family; Endpoints in the primary family"() {
        when:
        List<Map> web6 = items('endpointslices', 'web6')
        List<Map> web = items('endpointslices', 'web')
        List<Map> api = items('endpointslices', 'api')

        then:
        web6*.addressType == ['IPv6']
        web6[0].endpoints*.addresses.flatten() as Set == ['fd00:10:244::3', 'fd00:10:244:1::2', 'fd00:10:244:2::2'] as Set
        web*.addressType as Set == ['IPv4', 'IPv6'] as Set
        web.find { it.addressType == 'IPv4' }.endpoints*.addresses.flatten() as Set == ['10.244.0.3', '10.244.1.2', '10.244.2.2'] as Set
        web.find { it.addressType == 'IPv6' }.endpoints*.addresses.flatten() as Set == ['fd00:10:244::3', 'fd00:10:244:1::2', 'fd00:10:244:2::2'] as Set
        api*.addressType as Set == ['IPv4', 'IPv6'] as Set

        and: 'Endpoints: the primary family only, sorted by the address text'
        endpoints('web6') == ['fd00:10:244:1::2', 'fd00:10:244:2::2', 'fd00:10:244::3']
        endpoints('web') == ['10.244.0.3', '10.244.1.2', '10.244.2.2']
        endpoints('api') == ['fd00:10:244:1::3']
    }

    List<String> endpoints(String name) {
        (objects.endpoints.items as List<Map>).find { it.metadata.name == name && it.metadata.namespace == 'default' }.subsets*.addresses*.ip.flatten()
    }

    def "objects: a pod's podIPs and hostIPs and a node's podCIDRs and InternalIPs have both families, IPv4 first"() {
        when:
        Map pod = items('pods', 'api-1')[0]
        Map node = items('nodes', 'node-2')[0]

        then:
        pod.status.podIP == '10.244.1.3'
        pod.status.podIPs == [[ip: '10.244.1.3'], [ip: 'fd00:10:244:1::3']]
        pod.status.hostIPs == [[ip: '192.168.56.3'], [ip: 'fd00:192:168:56::3']]
        node.spec.podCIDR == '10.244.1.0/24'
        node.spec.podCIDRs == ['10.244.1.0/24', 'fd00:10:244:1::/64']
        node.status.addresses.findAll { it.type == 'InternalIP' }*.address == ['192.168.56.3', 'fd00:192:168:56::3']
    }
}
