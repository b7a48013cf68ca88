package io.skoop.lab.kubeproxy

import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import spock.lang.Specification

/** The kube-proxy rules generator: golden text, kube-proxy's chain names and numbers, large-cluster mode. */
class KubeProxyIptablesSpec extends Specification {

    static final NodeContext NODE = NodeContext.of('node-1', Ip.parse('192.168.0.10'), Prefix.parse('10.244.0.0/16'))

    /** The case documented in src/test/resources/lab/kubeproxy/README.md. */
    static List<ServicePort> goldenCase() {
        [ServicePort.of('ns1', 'svc1', 'p80', Protocol.TCP, Ip.parse('10.96.0.41'), 80, 0, [
                ep('10.244.1.5', 8080), ep('10.244.2.7', 8080), ep('10.244.1.10', 8080),
                new ServiceEndpoint(Ip.parse('10.244.3.3'), 8080, false, 'node-3', false)]),
         ServicePort.of('ns2', 'web', 'http', Protocol.TCP, Ip.parse('10.96.0.42'), 80, 30080, [
                 new ServiceEndpoint(Ip.parse('10.244.2.9'), 80, true, 'node-2', false)]),
         ServicePort.of('kube-system', 'dns', '', Protocol.UDP, Ip.parse('10.96.0.10'), 53, 30053, [
                 new ServiceEndpoint(Ip.parse('10.244.3.4'), 53, false, 'node-3', false)])]
    }

    static ServiceEndpoint ep(String ip, int port) {
        ServiceEndpoint.ready(Ip.parse(ip), port)
    }

    def "the golden case is rendered rule for rule as kube-proxy writes it"() {
        given:
        String golden = getClass().getResource('/lab/kubeproxy/three-service-ports.rules').text

        when:
        def r = KubeProxyIptables.render(NODE, goldenCase())

        then:
        r.text().readLines() == golden.readLines()
        r.text() == golden
        r.ruleCount() == golden.readLines().count { it.startsWith('-A ') }
        !r.largeClusterMode()
    }

    def "chain names hash as kube-proxy's: #portName #proto"() {
        // expected names from kubernetes pkg/proxy/iptables/proxier_test.go (TestOverallIPTablesRules and friends)
        expect:
        KubeProxyIptables.servicePortPolicyClusterChain(portName, proto) == svc
        KubeProxyIptables.serviceExternalChainName(portName, proto) == svc.replace('KUBE-SVC-', 'KUBE-EXT-')
        KubeProxyIptables.servicePortEndpointChainName(portName, proto, endpoint) == sep

        where:
        portName       | proto | endpoint        || svc                         | sep
        'ns1/svc1:p80' | 'tcp' | '10.180.0.1:80' || 'KUBE-SVC-XPGD46QRK7WJZT7O' | 'KUBE-SEP-SXIVWICOYRO3J4NJ'
        'ns2/svc2:p80' | 'tcp' | '10.180.0.2:80' || 'KUBE-SVC-GNZBNJ2PO5MGZ6GT' | 'KUBE-SEP-RS4RBKLTHTF2IUXJ'
        'ns3/svc3:p80' | 'tcp' | '10.180.0.3:80' || 'KUBE-SVC-X27LE4BHSL4DOUIK' | 'KUBE-SEP-OYPFS5VJICHGATKP'
        'ns4/svc4:p80' | 'tcp' | '10.180.0.4:80' || 'KUBE-SVC-4SW47YFZTEDKD3PK' | 'KUBE-SEP-UKSFD7AGPMPPLUHC'
        'ns4/svc4:p80' | 'TCP' | '10.180.0.5:80' || 'KUBE-SVC-4SW47YFZTEDKD3PK' | 'KUBE-SEP-C6EBXVWJJZMIWKLZ'
        'ns5/svc5:p80' | 'tcp' | '10.180.0.3:80' || 'KUBE-SVC-NUKIZ6OKUXPJNT4C' | 'KUBE-SEP-I77PXRDZVX7PMWMN'
    }

    def "ServicePortName text is ns/name:port, or ns/name for an unnamed port"() {
        expect:
        ServicePort.of('ns', 'svc', portName, Protocol.TCP, Ip.parse('10.96.0.1'), 80, 0, []).servicePortName() == text

        where:
        portName || text
        'p80'    || 'ns/svc:p80'
        ''       || 'ns/svc'
        null     || 'ns/svc'
    }

    def "Go base32 (StdEncoding) of #hex is #b32"() {
        expect:
        KubeProxyIptables.base32(hex.decodeHex()) == b32

        where: // RFC 4648 section 10 test vectors
        hex            || b32
        ''             || ''
        '66'           || 'MY======'
        '666f'         || 'MZXQ===='
        '666f6f'       || 'MZXW6==='
        '666f6f62'     || 'MZXW6YQ='
        '666f6f6261'   || 'MZXW6YTB'
        '666f6f626172' || 'MZXW6YTBOI======'
    }

    def "the statistic ladder is printed %0.10f: 1/#n = #p"() {
        expect:
        KubeProxyIptables.probability(n) == p

        where:
        n    || p
        1    || '1.0000000000'
        2    || '0.5000000000'
        3    || '0.3333333333'
        4    || '0.2500000000'
        6    || '0.1666666667'
        7    || '0.1428571429'
        1000 || '0.0010000000'
    }

    def "a 5-endpoint service gets the ladder 1/5, 1/4, 1/3, 1/2 and an unconditional last rule, in ip:port string order"() {
        given:
        def eps = (1..5).collect { ep("10.244.0.${it * 3}", 80) } // 10.244.0.3 .6 .9 .12 .15
        def s = ServicePort.of('ns', 'five', 'p', Protocol.TCP, Ip.parse('10.96.0.5'), 80, 0, eps)

        when:
        String svc = KubeProxyIptables.servicePortPolicyClusterChain('ns/five:p', 'tcp')
        def ladder = KubeProxyIptables.render(NODE, [s]).text().readLines()
                .findAll { it.startsWith("-A $svc ") && it.contains(' -j KUBE-SEP-') }

        then:
        ladder.collect { (it =~ /--probability (\S+)/).with { m -> m.find() ? m.group(1) : null } } ==
                ['0.2000000000', '0.2500000000', '0.3333333333', '0.5000000000', null]
        ladder.collect { (it =~ /-> (\S+)"/)[0][1] } ==
                ['10.244.0.12:80', '10.244.0.15:80', '10.244.0.3:80', '10.244.0.6:80', '10.244.0.9:80']
        ladder.every { it.endsWith(KubeProxyIptables.servicePortEndpointChainName('ns/five:p', 'tcp', (it =~ /-> (\S+)"/)[0][1])) }
    }

    def "the masquerade mark is Go's %#08x of 1<<bit: bit #bit gives #mark"() {
        expect:
        new NodeContext('n', [], Prefix.parse('10.0.0.0/8'), bit, true).masqueradeMark() == mark

        where:
        bit || mark
        14  || '0x00004000'
        0   || '0x00000001'
        31  || '0x80000000'
    }

    def "above 1000 endpoints in total kube-proxy drops the KUBE-SVC-/KUBE-SEP- comments (#total endpoints)"() {
        given:
        def ports = (0..<total.intdiv(10)).collect { i ->
            ServicePort.of('ns', "s$i", 'p', Protocol.TCP, Ip.parse('10.96.0.0').plus(i + 1), 80, 0,
                    (1..10).collect { e -> ep(Ip.parse('10.244.0.0').plus(i * 10 + e).toString(), 8080) })
        } + [ServicePort.of('ns', 'extra', 'p', Protocol.TCP, Ip.parse('10.97.0.1'), 80, 0,
                (1..(total % 10)).findAll { total % 10 }.collect { ep(Ip.parse('10.245.0.0').plus(it).toString(), 8080) })]

        when:
        def r = KubeProxyIptables.render(NODE, ports)
        def sepRules = r.text().readLines().findAll { it.startsWith('-A KUBE-SEP-') }
        def ladder = r.text().readLines().findAll { it.startsWith('-A KUBE-SVC-') && it.contains('-j KUBE-SEP-') }

        then:
        r.largeClusterMode() == large
        sepRules.size() == 2 * total
        sepRules.every { it.contains('--comment') == !large }
        ladder.every { it.contains(' -> ') == !large }
        r.text().readLines().findAll { it.contains(' cluster IP"') }.size() == 2 * ports.count { !it.endpoints().isEmpty() }

        where:
        total || large
        1000  || false
        1001  || true
    }

    def "external and load-balancer IPs go to KUBE-EXT-, and are rejected in KUBE-EXTERNAL-SERVICES without endpoints"() {
        given:
        def with = new ServicePort('ns', 'lb', 'https', Protocol.TCP, Ip.parse('10.96.0.7'), 443, 0,
                [Ip.parse('203.0.113.7')], [Ip.parse('198.51.100.7')], [ep('10.244.1.7', 8443)])
        def without = new ServicePort('ns', 'gone', '', Protocol.TCP, Ip.parse('10.96.0.8'), 443, 0,
                [Ip.parse('203.0.113.8')], [Ip.parse('198.51.100.8')], [])
        String ext = KubeProxyIptables.serviceExternalChainName('ns/lb:https', 'tcp')
        String svc = KubeProxyIptables.servicePortPolicyClusterChain('ns/lb:https', 'tcp')

        when:
        def lines = KubeProxyIptables.render(NODE, [with, without]).text().readLines()

        then:
        lines.containsAll([
                "-A KUBE-SERVICES -m comment --comment \"ns/lb:https external IP\" -m tcp -p tcp -d 203.0.113.7 --dport 443 -j $ext".toString(),
                "-A KUBE-SERVICES -m comment --comment \"ns/lb:https loadbalancer IP\" -m tcp -p tcp -d 198.51.100.7 --dport 443 -j $ext".toString(),
                "-A $ext -m comment --comment \"masquerade traffic for ns/lb:https external destinations\" -j KUBE-MARK-MASQ".toString(),
                "-A $ext -j $svc".toString(),
                '-A KUBE-SERVICES -m comment --comment "ns/gone has no endpoints" -m tcp -p tcp -d 10.96.0.8 --dport 443 -j REJECT',
                '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/gone has no endpoints" -m tcp -p tcp -d 203.0.113.8 --dport 443 -j REJECT',
                '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/gone has no endpoints" -m tcp -p tcp -d 198.51.100.8 --dport 443 -j REJECT'])
        !lines.any { it.contains('KUBE-SVC-') && it.contains('ns/gone') }
    }

    def "bad input is refused: #why"() {
        when:
        KubeProxyIptables.render(NODE, ports)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(message)

        where:
        why                  | ports                                                                                                     || message
        'IPv6 cluster IP'    | [ServicePort.of('ns', 's', 'p', Protocol.TCP, Ip.parse('fd00::1'), 80, 0, [])]                            || 'IPv4 addresses only'
        'IPv6 endpoint'      | [ServicePort.of('ns', 's', 'p', Protocol.TCP, Ip.parse('10.96.0.1'), 80, 0, [ep('fd00::2', 80)])]         || 'IPv4 addresses only'
        'same port twice'    | [ServicePort.of('ns', 's', 'p', Protocol.TCP, Ip.parse('10.96.0.1'), 80, 0, []),
                                ServicePort.of('ns', 's', 'p', Protocol.TCP, Ip.parse('10.96.0.2'), 81, 0, [])]                          || 'given twice'
    }

    def "records refuse what kube-proxy would never see: #why"() {
        when:
        build()

        then:
        thrown(IllegalArgumentException)

        where:
        why                | build
        'ICMP service'     | { ServicePort.of('ns', 's', 'p', Protocol.ICMP, Ip.parse('10.96.0.1'), 80, 0, []) }
        'port 0'           | { ServicePort.of('ns', 's', 'p', Protocol.TCP, Ip.parse('10.96.0.1'), 0, 0, []) }
        'endpoint port 0'  | { ep('10.244.0.1', 0) }
        'masquerade bit 32'| { new NodeContext('n', [], Prefix.parse('10.0.0.0/8'), 32, true) }
        'mixed families'   | { new NodeContext('n', [Ip.parse('192.168.0.10')], Prefix.parse('fd00::/48'), 14, true) }
    }

    def "without --random-fully support MASQUERADE has no flag"() {
        expect:
        KubeProxyIptables.render(new NodeContext('n', [], Prefix.parse('10.0.0.0/8'), 14, false), []).text().readLines()
                .contains('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE')
    }
}
