package io.skoop.netstack.ipvs

import io.skoop.model.Packet
import io.skoop.netstack.netfilter.FakeRouting
import io.skoop.netstack.netfilter.FinalVerdict
import io.skoop.netstack.netfilter.Hook
import io.skoop.netstack.netfilter.NetfilterSimulator
import io.skoop.netstack.netfilter.Path
import io.skoop.netstack.netfilter.Rules
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.netfilter.SetMembership
import io.skoop.netstack.netfilter.TraceBranch
import io.skoop.netstack.netfilter.TraceRequest
import io.skoop.netstack.netfilter.TraceResult
import io.skoop.netstack.netfilter.TraceStep
import io.skoop.netstack.parse.IpvsParser
import spock.lang.Specification

/**
 * IPVS on the netfilter path (ip_vs_core.c hooks, ip_vs_xmit.c ip_vs_nat_xmit), on a node of a kube-proxy IPVS cluster
 * made of a fake routing oracle, kube-proxy's IPVS-mode nat rules written without ipsets, and ipvsadm -Sn text.
 */
class IpvsStationSpec extends Specification {

    /** eth0 192.168.1.10/24, cni0 10.244.1.1/24, flannel.1 towards 10.244.2.0/24, kube-ipvs0 holding the ClusterIPs. */
    static FakeRouting node() {
        new FakeRouting().addr('eth0', '192.168.1.10/24').addr('cni0', '10.244.1.1/24').addr('lo', '127.0.0.1/8')
                .addr('flannel.1', '10.244.1.0/32').route('10.244.2.0/24', 'flannel.1', '10.244.2.0')
                .addr('kube-ipvs0', '10.96.0.10/32').addr('kube-ipvs0', '10.96.0.1/32').route('0.0.0.0/0', 'eth0', '192.168.1.1')
    }

    /** kube-proxy's IPVS-mode rules (pkg/proxy/ipvs/proxier.go), a ClusterIP match written as -d instead of the ipset. */
    static final Map<String, List<String>> RULES = [
            raw   : ['-A OUTPUT -m comment --comment "raw OUTPUT"'],
            nat   : ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
                     '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
                     '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
                     '-A INPUT -m comment --comment "nat INPUT"',
                     '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
                     '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
                     '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
                     '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
                     '-A KUBE-SERVICES ! -s 10.244.0.0/16 -d 10.96.0.0/16 -j KUBE-MARK-MASQ',
                     '-A KUBE-SERVICES -d 10.96.0.0/16 -j ACCEPT'],
            filter: ['-A INPUT -m comment --comment "filter INPUT"', '-A OUTPUT -m comment --comment "filter OUTPUT"']]

    static final String IPVS = '''\
-A -t 10.96.0.10:53 -s rr
-a -t 10.96.0.10:53 -r 10.244.2.3:53 -m -w 1
-a -t 10.96.0.10:53 -r 10.244.1.7:53 -m -w 1
-A -u 10.96.0.10:53 -s wrr
-a -u 10.96.0.10:53 -r 10.244.2.3:53 -m -w 3
-a -u 10.96.0.10:53 -r 10.244.1.7:53 -m -w 1
-a -u 10.96.0.10:53 -r 10.244.1.8:53 -m -w 0
-A -t 10.96.0.10:9153 -s rr
-a -t 10.96.0.10:9153 -r 10.244.2.3:9153 -m -w 0
-A -t 10.96.0.10:80 -s rr
-A -t 10.96.0.1:443 -s rr
-a -t 10.96.0.1:443 -r 192.168.1.10:6443 -m -w 1
-A -t 10.96.0.1:8443 -s rr
-a -t 10.96.0.1:8443 -r 10.244.2.9:8443 -g -w 1
'''

    static NetfilterSimulator simulator(String ipvs = IPVS) {
        new NetfilterSimulator(Rules.parse(RULES), Ruleset.empty(true), node(), SetMembership.NONE).withConntrackActive(true)
                .withIpvs(new IpvsStation(IpvsParser.parse('ipvs.txt', ipvs)))
    }

    static TraceResult fromPod(String packet) {
        simulator().trace(TraceRequest.of(Packet.parse(packet), Path.FORWARD).withIif('cni0'))
    }

    static List<String> matched(TraceBranch b) {
        b.steps().findAll { it.matched() || it instanceof TraceStep.IpvsScheduled }.collect {
            it instanceof TraceStep.IpvsScheduled ? "ipvs/${it.hook()}".toString() : "${it.table()}/${it.chain()}".toString()
        }
    }

    def "pod to ClusterIP: filter INPUT, then IPVS at LOCAL_IN takes it before nat INPUT: one branch per real server, DNATed, through OUTPUT and POSTROUTING"() {
        when:
        TraceResult r = fromPod('tcp 10.244.1.5:40000 > 10.96.0.10:53')

        then:
        r.branches().size() == 2
        r.branches()*.probability() == [0.5d, 0.5d]
        r.branches()*.verdict() == [FinalVerdict.FORWARDED, FinalVerdict.FORWARDED]
        r.branches()*.device() == ['flannel.1', 'cni0']
        r.branches()*.packet()*.dst()*.toString() == ['10.244.2.3', '10.244.1.7']
        matched(r.branches()[0]) == ['nat/PREROUTING', 'nat/KUBE-SERVICES', 'filter/INPUT', 'ipvs/INPUT', 'raw/OUTPUT', 'filter/OUTPUT',
                                     'nat/POSTROUTING', 'nat/KUBE-POSTROUTING']

        and: 'the IPVS step names the virtual service, scheduler, real server, weight and share'
        TraceStep.IpvsScheduled s = r.branches()[0].steps().find { it instanceof TraceStep.IpvsScheduled }
        s.virtualService() == '-t 10.96.0.10:53'
        s.realServer() == 1
        s.text() == '-a -t 10.96.0.10:53 -r 10.244.2.3:53 -m -w 1'
        s.method() == 'MASQUERADING'
        s.detail() == 'IPVS: virtual service -t 10.96.0.10:53 (scheduler rr) -> real server 10.244.2.3:53, masquerading (NAT),' +
                ' share 1/2 (rr: equal shares, weights not used) (p=0.500000)'

        and: 'the conntrack reply tuple comes from the real server; a pod source is not masqueraded'
        r.branches()[0].conntrack().reply().toString() == 'tcp 10.244.2.3:53 > 10.244.1.5:40000'
        r.branches()[0].packet().src().toString() == '10.244.1.5'
    }

    def "the reply from the real server is un-NATed by the conntrack entry: source back to the ClusterIP"() {
        given:
        TraceRequest req = TraceRequest.of(Packet.parse('tcp 10.244.1.5:40000 > 10.96.0.10:53'), Path.FORWARD).withIif('cni0')
        NetfilterSimulator sim = simulator()
        TraceBranch b = sim.trace(req).branches()[0]

        when:
        TraceResult reply = sim.traceReply(req, b)

        then:
        reply.branches().size() == 1
        reply.branches()[0].verdict() == FinalVerdict.FORWARDED
        reply.branches()[0].packet().src().toString() == '10.96.0.10'
        reply.branches()[0].packet().dst().toString() == '10.244.1.5'
        reply.branches()[0].device() == 'cni0'
    }

    def "from outside the cluster: KUBE-MARK-MASQ in PREROUTING, so KUBE-POSTROUTING masquerades the IPVS-forwarded packet"() {
        when:
        TraceResult r = simulator().trace(TraceRequest.of(Packet.parse('tcp 192.168.1.99:40000 > 10.96.0.10:53'), Path.FORWARD).withIif('eth0'))
        TraceBranch b = r.branches()[0]

        then:
        r.branches().size() == 2
        b.packet().src().toString() == '10.244.1.0'
        b.packet().dst().toString() == '10.244.2.3'
        b.conntrack().reply().toString().startsWith('tcp 10.244.2.3:53 > 10.244.1.0:')
        b.matchedRules()*.target().contains('MASQUERADE')
    }

    def "weights under wrr: shares 3/4 and 1/4; the quiesced (weight 0) real server gets no branch"() {
        when:
        TraceResult r = fromPod('udp 10.244.1.5:40000 > 10.96.0.10:53')

        then:
        r.branches()*.probability() == [0.75d, 0.25d]
        r.branches()*.packet()*.dst()*.toString() == ['10.244.2.3', '10.244.1.7']
        r.branches()[0].steps().find { it instanceof TraceStep.IpvsScheduled }.detail().contains('share weight 3 of 4 (wrr)')
    }

    def "a virtual service with no real server, or only quiesced ones: DROP naming the virtual service"() {
        when:
        TraceBranch b = fromPod("tcp 10.244.1.5:40000 > 10.96.0.10:$port").branches()[0]

        then:
        b.verdict() == FinalVerdict.DROP
        b.detail() == "IPVS: virtual service -t 10.96.0.10:$port (scheduler rr) $why: ip_vs_schedule finds no destination," +
                ' ip_vs_leave answers ICMP port unreachable and drops the packet'

        where:
        port | why
        80   | 'has no real server'
        9153 | 'has no real server that takes new connections (all 1 have weight 0: quiesced)'
    }

    def "a local real server (a host-network endpoint): IPVS lets the NATed packet go on in LOCAL_IN, nat INPUT runs, delivered"() {
        when:
        TraceResult r = fromPod('tcp 10.244.1.5:40000 > 10.96.0.1:443')
        TraceBranch b = r.branches()[0]

        then:
        r.branches().size() == 1
        b.verdict() == FinalVerdict.DELIVERED
        b.packet().dst().toString() == '192.168.1.10'
        b.packet().dport() == 6443
        matched(b) == ['nat/PREROUTING', 'nat/KUBE-SERVICES', 'filter/INPUT', 'ipvs/INPUT', 'nat/INPUT']
    }

    def "direct routing is not modelled: UNKNOWN naming the virtual service"() {
        when:
        TraceBranch b = fromPod('tcp 10.244.1.5:40000 > 10.96.0.1:8443').branches()[0]

        then:
        b.verdict() == FinalVerdict.UNKNOWN
        b.detail().contains('virtual service -t 10.96.0.1:8443')
        b.detail().contains('forwarding method direct routing (-g) is not modelled')
    }

    def "a node process to a ClusterIP: IPVS at LOCAL_OUT after nat OUTPUT; the NATed packet goes through LOCAL_OUT again, then POSTROUTING: SENT"() {
        when:
        TraceResult r = simulator().trace(TraceRequest.of(Packet.parse('tcp 192.168.1.10:40000 > 10.96.0.10:53'), Path.LOCAL_OUT))
        TraceBranch b = r.branches()[0]

        then:
        r.branches().size() == 2
        b.verdict() == FinalVerdict.SENT
        b.device() == 'flannel.1'
        matched(b) == ['raw/OUTPUT', 'nat/OUTPUT', 'nat/KUBE-SERVICES', 'nat/KUBE-MARK-MASQ', 'nat/KUBE-SERVICES', 'ipvs/OUTPUT', 'raw/OUTPUT',
                       'filter/OUTPUT', 'nat/POSTROUTING', 'nat/KUBE-POSTROUTING', 'nat/KUBE-POSTROUTING']
        b.packet().toString() == 'tcp 10.244.1.0:40000 > 10.244.2.3:53'
        b.steps().find { it instanceof TraceStep.IpvsScheduled }.hook() == Hook.OUTPUT
    }

    def "a port no virtual service has, and ICMP: IPVS does not take it, local delivery on kube-ipvs0 as without IPVS"() {
        expect:
        fromPod(packet).branches()*.verdict() == [FinalVerdict.DELIVERED]
        fromPod(packet).branches()[0].steps().every { !(it instanceof TraceStep.IpvsScheduled) }

        where:
        packet << ['tcp 10.244.1.5:40000 > 10.96.0.10:8080', 'icmp 10.244.1.5 > 10.96.0.10']
    }
}
