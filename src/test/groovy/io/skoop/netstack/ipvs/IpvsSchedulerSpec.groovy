package io.skoop.netstack.ipvs

import io.skoop.netstack.parse.IpvsParser
import spock.lang.Specification

/** Scheduler shares (net/netfilter/ipvs/ip_vs_{rr,wrr,lc,wlc,sh,fo}.c): weight 0 quiesced; rr/lc/dh equal, others by weight. */
class IpvsSchedulerSpec extends Specification {

    static List<Double> shares(String sched, List<Integer> weights) {
        String text = "-A -t 10.96.0.5:80 -s $sched\n" + weights.withIndex().collect { w, i -> "-a -t 10.96.0.5:80 -r 10.244.0.${i + 2}:80 -m -w $w" }.join('\n')
        IpvsScheduler.shares(IpvsParser.parse('ipvs.txt', text).services()[0]).collect { it.share() }
    }

    def "#sched over weights #weights -> #expected"() {
        expect:
        shares(sched, weights).collect { Math.round(it * 1000) / 1000 } == expected

        where:
        sched   | weights      || expected
        'rr'    | [1, 1, 1]    || [0.333, 0.333, 0.333]
        'rr'    | [5, 1, 0]    || [0.5, 0.5]
        'lc'    | [3, 1]       || [0.5, 0.5]
        'wrr'   | [3, 1]       || [0.75, 0.25]
        'wlc'   | [2, 2, 0, 4] || [0.25, 0.25, 0.5]
        'sh'    | [1, 3]       || [0.25, 0.75]
        'fo'    | [1, 3, 3]    || [1.0]
        'rr'    | [0, 0]       || []
        'weird' | [1, 3]       || [0.25, 0.75]
    }

    def "an unknown scheduler says its shares are taken by weight; persistence is named"() {
        when:
        def vs = IpvsParser.parse('ipvs.txt', "-A -t 10.96.0.5:80 -s weird -p 300\n-a -t 10.96.0.5:80 -r 10.244.0.2:80 -m -w 1").services()[0]

        then:
        IpvsScheduler.shares(vs)[0].why() == 'weight 1 of 1 (weird); scheduler weird is not known to skoop: share taken by weight;' +
                ' persistent 300s: a client\'s later connections follow its first'
    }
}
