package io.skoop.netstack.netfilter.kernel

import io.skoop.model.Packet
import io.skoop.netstack.netfilter.kernel.KernelObservation.Verdict
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement
import io.skoop.testsupport.KernelLab
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/** The harness reads the kernel right: counters, verdicts, NAT tuples, for each placement. */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class NetfilterLabSpec extends Specification {
    @Shared @AutoCleanup NetfilterLab lab = new NetfilterLab()

    def "forward path: DNAT, masquerade, drop and reject are observed as the kernel applies them"() {
        given:
        lab.load('''*nat
-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.1.20:8080
-A POSTROUTING -o r-s1 -j MASQUERADE
COMMIT
*filter
-A FORWARD -p tcp -m tcp --dport 22 -j DROP
-A FORWARD -p udp -m udp --dport 53 -j REJECT
-A FORWARD -p tcp -m tcp --dport 9000 -j REJECT --reject-with tcp-reset
COMMIT
''', '', Placement.FORWARD)

        when:
        def o = lab.observe(Packet.parse(packet))

        then:
        o.verdict() == verdict
        // plus the harness rule that makes the netns track connections: it runs before conntrack, so ctstate is INVALID
        o.hitSet() == (hits + ['raw/PREROUTING#1']) as Set
        (o.translated()?.toString()) == translated
        o.deliveredTo() == delivered

        where:
        packet                                   | verdict           | hits                                                    | translated                                  | delivered
        'tcp 10.11.0.2:41001 > 10.96.0.10:80'    | Verdict.ACCEPTED  | ['nat/PREROUTING#1', 'nat/POSTROUTING#1']               | 'tcp 10.12.0.1:41001 > 10.244.1.20:8080'    | 'server1'
        'tcp 10.11.0.2:41002 > 10.13.0.2:22'     | Verdict.DROPPED   | ['filter/FORWARD#1']                                    | null                                        | null
        'udp 10.11.0.2:41003 > 203.0.113.7:53'   | Verdict.REJECTED  | ['filter/FORWARD#2']                                    | null                                        | null
        'tcp 10.244.0.2:41004 > 10.12.0.2:9000'  | Verdict.REJECTED  | ['filter/FORWARD#3']                                    | null                                        | null
        'udp 10.244.0.2:41005 > 10.244.2.5:80'   | Verdict.ACCEPTED  | []                                                      | 'udp 10.244.0.2:41005 > 10.244.2.5:80'      | 'server2'
    }

    def "policy counters and local-out / local-in placements"() {
        when:
        def o = lab.observe(ruleset, Packet.parse(packet), placement)

        then:
        o.verdict() == verdict
        o.hitSet().findAll { !it.startsWith('raw/') } == hits as Set
        o.policyHits().keySet().findAll { it.startsWith('filter/') } == policies as Set

        where:
        placement           | ruleset                                                                                   | packet                                  | verdict          | hits                  | policies
        Placement.LOCAL_OUT | '*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -p udp -j ACCEPT\nCOMMIT\n'                       | 'tcp 10.11.0.2:41010 > 10.12.0.2:80'    | Verdict.DROPPED  | []                    | ['filter/OUTPUT']
        Placement.LOCAL_OUT | '*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -p udp -j ACCEPT\nCOMMIT\n'                       | 'udp 10.11.0.2:41011 > 10.12.0.2:80'    | Verdict.ACCEPTED | ['filter/OUTPUT#1']   | []
        Placement.LOCAL_IN  | '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.11.0.2/32 -j REJECT\nCOMMIT\n'              | 'tcp 10.11.0.2:41012 > 10.244.1.7:443'  | Verdict.REJECTED | ['filter/INPUT#1']    | []
        Placement.LOCAL_IN  | '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.11.0.2/32 -j REJECT\nCOMMIT\n'              | 'tcp 10.244.0.2:41013 > 10.244.1.7:443' | Verdict.ACCEPTED | []                    | ['filter/INPUT']
    }
}
