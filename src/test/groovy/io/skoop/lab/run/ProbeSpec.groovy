package io.skoop.lab.run

import io.skoop.lab.plan.LabPlan
import io.skoop.model.Ip
import io.skoop.model.Protocol
import spock.lang.Specification

/** How socat's result becomes a probe outcome, and how {@code ss} output shows a listener; no root needed. */
class ProbeSpec extends Specification {

    def "socat's errno text and answer decide the outcome"() {
        expect:
        Probe.classify(new Proc.Result(exit, '', err, timedOut), answered, complete, protocol) == outcome

        where:
        exit | err                                                                      | timedOut | answered | complete | protocol     || outcome
        0    | ''                                                                       | false    | true     | true     | Protocol.TCP || Probe.Outcome.CONNECTED
        1    | ''                                                                       | false    | true     | false    | Protocol.TCP || Probe.Outcome.TRUNCATED
        1    | '2026/11/21 10:00:00 socat[1] E connect(5, AF=2 10.0.0.1:80, 16): Connection refused' | false | false | false | Protocol.TCP || Probe.Outcome.REFUSED
        1    | 'socat[1] E read(5, 0x1, 8192): Connection refused'                      | false    | false    | true     | Protocol.UDP || Probe.Outcome.REFUSED
        1    | 'socat[1] E connect(5, AF=2 10.0.0.1:80, 16): No route to host'          | false    | false    | false    | Protocol.TCP || Probe.Outcome.NO_ROUTE
        1    | 'socat[1] E connect(5, AF=2 10.0.0.1:80, 16): Network is unreachable'    | false    | false    | false    | Protocol.TCP || Probe.Outcome.NO_ROUTE
        1    | 'socat[1] E read(5, 0x1, 8192): Connection reset by peer'                | false    | false    | false    | Protocol.TCP || Probe.Outcome.RESET
        1    | 'socat[1] E connect(5, AF=2 10.0.0.1:80, 16): Operation not permitted'   | false    | false    | false    | Protocol.TCP || Probe.Outcome.BLOCKED
        1    | 'socat[1] E connecting to AF=2 10.0.0.1:80: Connection timed out'        | false    | false    | false    | Protocol.TCP || Probe.Outcome.TIMEOUT
        -1   | ''                                                                       | true     | false    | false    | Protocol.TCP || Probe.Outcome.TIMEOUT
        0    | ''                                                                       | false    | false    | true     | Protocol.UDP || Probe.Outcome.TIMEOUT
        0    | ''                                                                       | false    | false    | false    | Protocol.TCP || Probe.Outcome.CONNECTED
        1    | 'socat[1] E something new'                                               | false    | false    | false    | Protocol.TCP || Probe.Outcome.ERROR
    }

    def "a summary names the answering listener, or how it failed; an IPv6 destination in brackets"() {
        expect:
        new Probe.Result('default/client', 'l.pod.default.client', Ip.parse('10.96.0.2'), 80, Protocol.TCP, Probe.Outcome.CONNECTED,
                'pod default/web-2 8080/tcp', '', java.time.Duration.ZERO).summary() ==
                'default/client -> 10.96.0.2:80/tcp: connected, answered by pod default/web-2 8080/tcp'
        new Probe.Result('node-1', 'l.node.node-1', Ip.parse('10.0.0.9'), 53, Protocol.UDP, Probe.Outcome.TIMEOUT,
                null, 'no answer within 2.000 s', java.time.Duration.ZERO).summary() == 'node-1 -> 10.0.0.9:53/udp: timeout (no answer within 2.000 s)'
        new Probe.Result('default/client', 'l.pod.default.client', Ip.parse('2001:db8:113::10'), 80, Protocol.TCP, Probe.Outcome.CONNECTED,
                'external internet 80/tcp', '', java.time.Duration.ZERO).summary() ==
                'default/client -> [2001:db8:113::10]:80/tcp: connected, answered by external internet 80/tcp'
    }

    def "ss -Hltun output shows a socket by protocol and local address"() {
        given:
        String ss = '''\
tcp   LISTEN 0      5            0.0.0.0:8080       0.0.0.0:*
udp   UNCONN 0      0       192.168.56.2:53         0.0.0.0:*
'''
        expect:
        Labs.listening(ss, new LabPlan.Socket('n', 'o', null, 8080, Protocol.TCP))
        !Labs.listening(ss, new LabPlan.Socket('n', 'o', null, 8080, Protocol.UDP))
        Labs.listening(ss, new LabPlan.Socket('n', 'o', Ip.parse('192.168.56.2'), 53, Protocol.UDP))
        !Labs.listening(ss, new LabPlan.Socket('n', 'o', null, 53, Protocol.UDP))
        !Labs.listening(ss, new LabPlan.Socket('n', 'o', null, 80, Protocol.TCP))
    }
}
