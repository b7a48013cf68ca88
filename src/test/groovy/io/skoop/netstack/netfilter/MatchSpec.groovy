package io.skoop.netstack.netfilter

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.netstack.parse.IptablesSaveParser
import spock.lang.Specification

/** Each match of the model against packets, with and without '!', evaluated as the kernel does. */
class MatchSpec extends Specification {

    /** A hand-set MatchContext: a NEW tcp/udp packet at some hook. */
    static class Ctx implements MatchContext {
        Packet packet
        String inInterface, outInterface, physIn, physOut
        boolean bridged
        int tcpFlags = 0x02
        int icmpType = -1, icmpCode = 0
        CtState ctState = CtState.NEW
        ConntrackEntry conntrack
        boolean replyDirection
        Map<String, AddrType> types = ['192.168.1.10': AddrType.LOCAL, '127.0.0.1': AddrType.LOCAL, '255.255.255.255': AddrType.BROADCAST]
        Map<String, Set<String>> sets = [web: ['10.0.0.1'] as Set]

        Packet packet() { packet }
        String inInterface() { inInterface }
        String outInterface() { outInterface }
        String physIn() { physIn }
        String physOut() { physOut }
        boolean bridged() { bridged }
        int tcpFlags() { tcpFlags }
        int icmpType() { icmpType }
        int icmpCode() { icmpCode }
        CtState ctState() { ctState }
        ConntrackEntry conntrack() { conntrack }
        boolean replyDirection() { replyDirection }

        AddrType addressType(Ip address, String device) {
            if (device == 'eth1') return AddrType.UNICAST   // the address lives on eth0
            types[address.toString()] ?: AddrType.UNICAST
        }

        Tri inSet(String name, List<SetDimension> dims) {
            sets.containsKey(name) ? Tri.of(sets[name].contains(dims[0].address().toString())) : Tri.UNKNOWN
        }
    }

    static Ctx ctx(String packet, Map props = [:]) {
        def c = new Ctx(packet: Packet.parse(packet))
        if (c.packet.protocol().name().startsWith('ICMP')) c.icmpType = 8
        Tuple t = Tuple.of(c.packet)
        c.conntrack = new ConntrackEntry(t, t.inverse(), 0, false)
        props.each { k, v -> c[k] = v }
        c
    }

    /** The rule's matches ANDed, as the kernel does (statistic excluded). */
    static Tri eval(String opts, MatchContext c) {
        def r = IptablesSaveParser.parse('iptables.txt', "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT $opts\nCOMMIT\n", false).rule('filter', 'INPUT', 1)
        r.matches().inject(Tri.MATCH) { Tri acc, Match m -> acc.and(m.evaluate(c)) }
    }

    static final String TCP = 'tcp 10.0.0.1:40000 > 192.168.1.10:80'
    static final String UDP = 'udp 10.0.0.1:5353 > 192.168.1.10:53'

    def "#opts on #pkt → #expected"() {
        expect:
        eval(opts, ctx(pkt, props)) == expected

        where:
        opts                                                   | pkt                                  | props                                       || expected
        // -s -d with masks, negation
        '-s 10.0.0.0/8'                                        | TCP                                  | [:]                                         || Tri.MATCH
        '! -s 10.0.0.0/8'                                      | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-d 192.168.1.0/255.255.255.0'                         | TCP                                  | [:]                                         || Tri.MATCH
        '-s 10.0.0.0/255.0.0.255'                              | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-s 10.0.0.1/255.0.0.255'                              | 'tcp 10.9.9.1:1 > 1.1.1.1:1'         | [:]                                         || Tri.MATCH
        // -i -o with + and absent devices
        '-i eth+'                                              | TCP                                  | [inInterface: 'eth0']                       || Tri.MATCH
        '-i eth+'                                              | TCP                                  | [inInterface: 'veth1']                      || Tri.NO_MATCH
        '! -i eth+'                                            | TCP                                  | [inInterface: 'veth1']                      || Tri.MATCH
        '-i +'                                                 | TCP                                  | [inInterface: null]                         || Tri.MATCH
        '-o eth0'                                              | TCP                                  | [outInterface: null]                        || Tri.NO_MATCH
        '! -o eth0'                                            | TCP                                  | [outInterface: null]                        || Tri.MATCH
        // -p -f
        '-p tcp'                                               | TCP                                  | [:]                                         || Tri.MATCH
        '! -p tcp'                                             | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-p all'                                               | UDP                                  | [:]                                         || Tri.MATCH
        '-p 17'                                                | UDP                                  | [:]                                         || Tri.MATCH
        '-f'                                                   | TCP                                  | [:]                                         || Tri.NO_MATCH
        '! -f'                                                 | TCP                                  | [:]                                         || Tri.MATCH
        // tcp / udp ports, ranges, flags
        '-p tcp -m tcp --dport 80'                             | TCP                                  | [:]                                         || Tri.MATCH
        '-p tcp -m tcp ! --dport 80'                           | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-p tcp -m tcp --sport 30000:50000'                    | TCP                                  | [:]                                         || Tri.MATCH
        '-p tcp -m tcp --sport 30000:39999'                    | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m tcp --dport 53'                                    | UDP                                  | [:]                                         || Tri.NO_MATCH
        '-p udp -m udp --dport 53 --sport 5353'                | UDP                                  | [:]                                         || Tri.MATCH
        '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN'        | TCP                                  | [:]                                         || Tri.MATCH
        '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN'        | TCP                                  | [tcpFlags: 0x12]                            || Tri.NO_MATCH
        '-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN'      | TCP                                  | [tcpFlags: 0x10]                            || Tri.MATCH
        '-p tcp --syn'                                         | TCP                                  | [:]                                         || Tri.MATCH
        '-p tcp ! --syn'                                       | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-p tcp -m tcp --tcp-flags ALL NONE'                   | TCP                                  | [tcpFlags: 0]                               || Tri.MATCH
        // multiport
        '-m multiport --dports 22,80,443'                      | TCP                                  | [:]                                         || Tri.MATCH
        '-m multiport ! --dports 22,80,443'                    | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m multiport --sports 1:1024,30000:65535'             | TCP                                  | [:]                                         || Tri.MATCH
        '-m multiport --ports 53'                              | UDP                                  | [:]                                         || Tri.MATCH
        '-m multiport --ports 53'                              | 'icmp 10.0.0.1 > 192.168.1.10'       | [:]                                         || Tri.NO_MATCH
        // comment, mark, connmark
        '-m comment --comment "x y"'                           | TCP                                  | [:]                                         || Tri.MATCH
        '-m mark --mark 0x4000/0x4000'                         | TCP                                  | [packet: Packet.parse(TCP).withMark(0x4001)] || Tri.MATCH
        '-m mark --mark 0x4000/0x4000'                         | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m mark ! --mark 0x4000/0x4000'                       | TCP                                  | [:]                                         || Tri.MATCH
        '-m mark --mark 0x1'                                   | TCP                                  | [packet: Packet.parse(TCP).withMark(0x11)]  || Tri.NO_MATCH
        '-m mark --mark 0x5/0x4'                               | TCP                                  | [packet: Packet.parse(TCP).withMark(0x5)]   || Tri.NO_MATCH
        '-m connmark --mark 0x0'                               | TCP                                  | [:]                                         || Tri.MATCH
        '-m connmark ! --mark 0x0'                             | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m connmark ! --mark 0x0'                             | TCP                                  | [conntrack: null, ctState: CtState.UNTRACKED] || Tri.NO_MATCH
        // conntrack / state
        '-m conntrack --ctstate NEW'                           | TCP                                  | [:]                                         || Tri.MATCH
        '-m conntrack ! --ctstate RELATED,ESTABLISHED'         | TCP                                  | [:]                                         || Tri.MATCH
        '-m conntrack --ctstate ESTABLISHED'                   | TCP                                  | [ctState: CtState.ESTABLISHED]              || Tri.MATCH
        '-m conntrack --ctstate DNAT'                          | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m conntrack --ctstate DNAT'                          | TCP                                  | [conntrack: new ConntrackEntry(Tuple.of(Packet.parse('tcp 10.0.0.1:40000 > 10.96.0.1:80')), Tuple.of(Packet.parse(TCP)).inverse(), 0, false)] || Tri.MATCH
        '-m conntrack --ctstate UNTRACKED'                     | TCP                                  | [conntrack: null, ctState: CtState.UNTRACKED] || Tri.MATCH
        '-m conntrack ! --ctorigdst 10.0.0.0/8'                | TCP                                  | [conntrack: null, ctState: CtState.UNTRACKED] || Tri.NO_MATCH
        '-m conntrack --ctorigdst 192.168.1.0/24 --ctorigdstport 80' | TCP                            | [:]                                         || Tri.MATCH
        '-m conntrack --ctorigsrc 10.0.0.2'                    | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m conntrack --ctreplsrc 192.168.1.10 --ctrepldstport 40000' | TCP                           | [:]                                         || Tri.MATCH
        '-m conntrack --ctproto tcp'                           | TCP                                  | [:]                                         || Tri.MATCH
        '-m conntrack --ctdir ORIGINAL'                        | TCP                                  | [:]                                         || Tri.MATCH
        '-m conntrack --ctdir REPLY'                           | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m conntrack --ctstatus SEEN_REPLY'                   | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m conntrack --ctexpire 10:20'                        | TCP                                  | [:]                                         || Tri.UNKNOWN
        '-m state --state NEW'                                 | TCP                                  | [:]                                         || Tri.MATCH
        '-m state ! --state NEW'                               | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m state --state INVALID'                             | TCP                                  | [ctState: CtState.INVALID, conntrack: null] || Tri.MATCH
        // addrtype
        '-m addrtype --dst-type LOCAL'                         | TCP                                  | [:]                                         || Tri.MATCH
        '-m addrtype ! --dst-type LOCAL'                       | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m addrtype --src-type LOCAL'                         | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m addrtype --dst-type LOCAL --limit-iface-in'        | TCP                                  | [inInterface: 'eth1']                       || Tri.NO_MATCH
        '-m addrtype --dst-type LOCAL --limit-iface-in'        | TCP                                  | [inInterface: 'eth0']                       || Tri.MATCH
        '-m addrtype --dst-type BROADCAST,MULTICAST'           | 'udp 10.0.0.1:68 > 255.255.255.255:67' | [:]                                       || Tri.MATCH
        // set
        '-m set --match-set web src'                           | TCP                                  | [:]                                         || Tri.MATCH
        '-m set ! --match-set web src'                         | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m set --match-set web dst'                           | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m set --match-set nosuchset src'                     | TCP                                  | [:]                                         || Tri.UNKNOWN
        '-m set ! --match-set nosuchset src'                   | TCP                                  | [:]                                         || Tri.UNKNOWN
        '-m set --match-set nosuchset src -p udp'              | TCP                                  | [:]                                         || Tri.NO_MATCH
        // physdev
        '-m physdev --physdev-in veth1'                        | TCP                                  | [physIn: 'veth1', bridged: true]            || Tri.MATCH
        '-m physdev --physdev-in veth+ --physdev-is-bridged'   | TCP                                  | [physIn: 'veth7', physOut: 'veth2', bridged: true] || Tri.MATCH
        '-m physdev ! --physdev-out veth2'                     | TCP                                  | [physOut: 'veth2', bridged: true]           || Tri.NO_MATCH
        '-m physdev ! --physdev-is-bridged'                    | TCP                                  | [:]                                         || Tri.MATCH
        '-m physdev --physdev-is-in'                           | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m physdev ! --physdev-in veth1'                      | TCP                                  | [:]                                         || Tri.MATCH
        '-m physdev --physdev-in veth1'                        | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m physdev --physdev-out veth2'                       | TCP                                  | [physIn: 'veth1', bridged: true]            || Tri.NO_MATCH
        '-m physdev ! --physdev-out veth2'                     | TCP                                  | [physIn: 'veth1', bridged: true]            || Tri.NO_MATCH
        '-m physdev --physdev-is-bridged'                      | TCP                                  | [physIn: 'veth1', bridged: true]            || Tri.NO_MATCH
        '-m physdev --physdev-is-bridged'                      | TCP                                  | [physIn: 'veth1', physOut: 'veth2', bridged: true] || Tri.MATCH
        '-m physdev --physdev-in veth9'                        | TCP                                  | [physOut: 'veth2', bridged: true]           || Tri.MATCH
        // icmp
        '-p icmp -m icmp --icmp-type 8'                        | 'icmp 10.0.0.1 > 192.168.1.10'       | [:]                                         || Tri.MATCH
        '-p icmp -m icmp --icmp-type echo-reply'               | 'icmp 10.0.0.1 > 192.168.1.10'       | [:]                                         || Tri.NO_MATCH
        '-p icmp -m icmp ! --icmp-type 8/0'                    | 'icmp 10.0.0.1 > 192.168.1.10'       | [:]                                         || Tri.NO_MATCH
        '-p icmp -m icmp --icmp-type any'                      | 'icmp 10.0.0.1 > 192.168.1.10'       | [:]                                         || Tri.MATCH
        // iprange
        '-m iprange --src-range 10.0.0.0-10.0.0.5'             | TCP                                  | [:]                                         || Tri.MATCH
        '-m iprange ! --src-range 10.0.0.0-10.0.0.5'           | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m iprange --dst-range 192.168.1.11-192.168.1.20'     | TCP                                  | [:]                                         || Tri.NO_MATCH
        // pkttype
        '-m pkttype --pkt-type unicast'                        | TCP                                  | [inInterface: 'eth0']                       || Tri.MATCH
        '-m pkttype ! --pkt-type unicast'                      | TCP                                  | [inInterface: 'eth0']                       || Tri.NO_MATCH
        '-m pkttype --pkt-type unicast'                        | TCP                                  | [inInterface: null]                         || Tri.MATCH
        '-m pkttype --pkt-type broadcast'                      | 'udp 10.0.0.1:68 > 255.255.255.255:67' | [inInterface: 'eth0']                     || Tri.MATCH
        '-m pkttype --pkt-type multicast'                      | 'udp 10.0.0.1:5 > 224.0.0.251:5353'  | [inInterface: 'eth0']                       || Tri.MATCH
        '-m pkttype --pkt-type multicast'                      | 'udp 10.0.0.1:5 > 224.0.0.251:5353'  | [inInterface: null]                         || Tri.UNKNOWN
        '-m pkttype --pkt-type otherhost'                      | TCP                                  | [inInterface: 'eth0']                       || Tri.NO_MATCH
        // limit, recent, unknown
        '-m limit --limit 1/sec --limit-burst 1'               | TCP                                  | [:]                                         || Tri.MATCH
        '-m recent --set --name x'                             | TCP                                  | [:]                                         || Tri.MATCH
        '-m recent --rcheck --seconds 60 --name x'             | TCP                                  | [:]                                         || Tri.UNKNOWN
        '-m owner --uid-owner 0'                               | TCP                                  | [:]                                         || Tri.UNKNOWN
        '-m owner --uid-owner 0 -p udp'                        | TCP                                  | [:]                                         || Tri.NO_MATCH
        '-m owner --uid-owner 0 -p tcp'                        | TCP                                  | [:]                                         || Tri.UNKNOWN
    }

    def "-m ttl / -m hl compare the header's TTL (hop limit): #opts on TTL #ttl -> #expected"() {
        expect:
        eval(opts, ctx(pkt, [packet: Packet.parse(pkt).withTtl(ttl)])) == expected

        where:
        opts                   | pkt                          | ttl || expected
        '-m ttl --ttl-eq 64'   | TCP                          | 64  || Tri.MATCH
        '-m ttl --ttl-eq 64'   | TCP                          | 63  || Tri.NO_MATCH
        '-m ttl ! --ttl-eq 64' | TCP                          | 63  || Tri.MATCH
        '-m ttl --ttl-lt 64'   | TCP                          | 63  || Tri.MATCH
        '-m ttl --ttl-lt 64'   | TCP                          | 64  || Tri.NO_MATCH
        '-m ttl --ttl-gt 1'    | TCP                          | 2   || Tri.MATCH
        '-m ttl --ttl-gt 1'    | TCP                          | 1   || Tri.NO_MATCH
        '-m ttl --ttl-eq 64'   | TCP                          | -1  || Tri.UNKNOWN   // not known: never assumed
        '-m ttl ! --ttl-eq 64' | TCP                          | -1  || Tri.UNKNOWN
        '-m hl --hl-eq 64'     | 'tcp [fd00::1]:1 > [fd00::2]:80' | 64 || Tri.MATCH
        '-m hl --hl-lt 2'      | 'tcp [fd00::1]:1 > [fd00::2]:80' | 64 || Tri.NO_MATCH
        '-m hl --hl-eq 64'     | TCP                          | 64  || Tri.NO_MATCH  // an IPv4 packet has no hop limit
    }

    def "statistic gives the probability of a match, '!' swaps it"() {
        expect:
        def m = IptablesSaveParser.parse('iptables.txt', "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m statistic $opts\nCOMMIT\n", false)
                .rule('filter', 'INPUT', 1).matches()[0] as Match.Statistic
        Math.abs(m.matchProbability() - p) < 1e-12

        where:
        opts                                       || p
        '--mode random --probability 0.25'         || 0.25d
        '--mode random ! --probability 0.25'       || 0.75d
        '--mode nth --every 5 --packet 0'          || 0.2d
        '--mode nth ! --every 5 --packet 0'        || 0.8d
    }

    def "Tri is Kleene logic"() {
        expect:
        a.and(b) == and
        a.or(b) == or
        a.not().not() == a

        where:
        a             | b             || and           | or
        Tri.MATCH     | Tri.MATCH     || Tri.MATCH     | Tri.MATCH
        Tri.MATCH     | Tri.UNKNOWN   || Tri.UNKNOWN   | Tri.MATCH
        Tri.NO_MATCH  | Tri.UNKNOWN   || Tri.NO_MATCH  | Tri.UNKNOWN
        Tri.UNKNOWN   | Tri.UNKNOWN   || Tri.UNKNOWN   | Tri.UNKNOWN
        Tri.NO_MATCH  | Tri.MATCH     || Tri.NO_MATCH  | Tri.MATCH
    }
}
