package io.skoop.netstack.ipset

import io.skoop.model.Packet
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

/** Membership as the kernel decides it, on the captured and hand-written fixtures. */
class IpSetsSpec extends Specification {
    @Shared IpSets sets = IpsetParser.parse('ipset.txt',
            DumpFixtures.text('netstack/dump/node/ipset.txt') + DumpFixtures.text('netstack/dump/ipset-handwritten.txt'))

    def "#set #dirs: #packet -> #expected"() {
        given:
        def probe = new SetProbe(Packet.parse(packet).withMark(mark), inIf, outIf, physdev, srcMac, dstMac, icmp)

        expect:
        sets.test(set, Direction.parseList(dirs), probe) == expected

        where:
        set          | dirs          | packet                                        | mark   | inIf   | outIf  | physdev | srcMac              | dstMac | icmp  | expected
        // hash:ip, with and without netmask; family
        'kube-ips'   | 'src'         | 'tcp 10.0.0.2:1000 > 10.0.0.1:80'             | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'kube-ips'   | 'dst'         | 'tcp 10.0.0.2:1000 > 10.0.0.1:80'             | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'kube-ips'   | 'dst'         | 'tcp 10.0.0.2:1000 > 192.168.5.2:80'          | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'kube-ips'   | 'src'         | 'tcp [fd00::2]:1000 > [fd00::1]:80'           | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'ips6'       | 'src'         | 'tcp [fd00::2]:1000 > [fd00::1]:80'           | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ip-netmask' | 'dst'         | 'udp 10.0.0.1:1 > 172.16.9.200:53'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ip-netmask' | 'dst'         | 'udp 10.0.0.1:1 > 172.16.10.1:53'             | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        // hash:net: most specific wins, nomatch
        'nets'       | 'dst'         | 'tcp 1.1.1.1:1 > 10.2.3.4:80'                 | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'nets'       | 'dst'         | 'tcp 1.1.1.1:1 > 10.1.3.4:80'                 | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH    // 10.1.0.0/16 nomatch beats /8
        'nets'       | 'dst'         | 'tcp 1.1.1.1:1 > 10.1.2.4:80'                 | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH       // /24 beats the /16 nomatch
        'nets'       | 'dst'         | 'tcp 1.1.1.1:1 > 100.1.2.4:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH       // 0.0.0.0/1
        'nets'       | 'dst'         | 'tcp 1.1.1.1:1 > 192.0.2.1:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'nets'       | 'dst'         | 'tcp 1.1.1.1:1 > 192.0.2.2:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'nets6'      | 'dst'         | 'tcp [fd00::1]:1 > [2001:db8:1::5]:80'        | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'nets6'      | 'dst'         | 'tcp [fd00::1]:1 > [2001:db8:2::5]:80'        | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        // hash:ip,port: protocol is part of the key
        'ipport'     | 'dst,dst'     | 'udp 10.0.0.1:1 > 10.96.0.10:53'              | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ipport'     | 'dst,dst'     | 'tcp 10.0.0.1:1 > 10.96.0.10:53'              | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ipport'     | 'dst,dst'     | 'sctp 10.0.0.1:1 > 10.96.0.10:53'             | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'ipport'     | 'dst,dst'     | 'udp 10.0.0.1:1 > 10.96.0.1:443'              | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'ipport'     | 'dst,dst'     | 'udp 10.0.0.1:1 > 10.96.0.30:1002'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ipport'     | 'dst,src'     | 'udp 10.0.0.1:1002 > 10.96.0.30:7'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ipport'     | 'dst'         | 'udp 10.0.0.1:1 > 10.96.0.30:1002'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH       // missing flag = dst
        'ipport'     | 'dst,dst'     | 'icmp 10.0.0.1 > 10.96.0.40'                  | 0      | null   | null   | false   | null                | null   | '8/0' | Membership.MATCH
        'ipport'     | 'dst,dst'     | 'icmp 10.0.0.1 > 10.96.0.40'                  | 0      | null   | null   | false   | null                | null   | '0/0' | Membership.NO_MATCH
        'ipport'     | 'dst,dst'     | 'icmp 10.0.0.1 > 10.96.0.40'                  | 0      | null   | null   | false   | null                | null   | null  | Membership.UNKNOWN     // ICMP type not known
        // net,port; ip,port,ip; ip,port,net; net,port,net; net,net
        'netport'    | 'src,dst'     | 'tcp 10.244.2.3:1 > 10.0.0.1:80'              | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'netport'    | 'src,dst'     | 'tcp 10.244.1.3:1 > 10.0.0.1:80'              | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'ipportip'   | 'src,dst,dst' | 'tcp 10.0.0.1:1 > 10.0.0.2:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ipportip'   | 'src,dst,dst' | 'tcp 10.0.0.2:1 > 10.0.0.1:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'ipportnet'  | 'dst,dst,src' | 'tcp 10.244.9.9:1 > 10.96.0.10:80'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ipportnet'  | 'dst,dst,src' | 'tcp 10.244.3.9:1 > 10.96.0.10:80'            | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'netportnet' | 'src,dst,dst' | 'tcp 10.244.1.1:1 > 10.100.0.1:443'           | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'netportnet' | 'src,dst,dst' | 'tcp 10.244.5.1:1 > 10.100.0.1:443'           | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'netnet'     | 'src,dst'     | 'tcp 10.2.0.1:1 > 192.168.1.1:443'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'netnet'     | 'src,dst'     | 'tcp 10.1.0.1:1 > 192.168.1.1:443'            | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH    // (/16,/24) nomatch beats (/8,/16)
        'netnet'     | 'src,dst'     | 'tcp 10.1.0.1:1 > 192.168.2.1:443'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'netnet6'    | 'src,dst'     | 'tcp [fd00::1]:1 > [2001:db8::1]:443'         | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        // ip,mark with markmask 0xffff
        'ipmark'     | 'src'         | 'tcp 10.0.0.5:1 > 10.0.0.1:80'                | 0x4000 | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'ipmark'     | 'src'         | 'tcp 10.0.0.5:1 > 10.0.0.1:80'                | 0x14000| null   | null   | false   | null                | null   | null  | Membership.MATCH       // masked
        'ipmark'     | 'src'         | 'tcp 10.0.0.5:1 > 10.0.0.1:80'                | 0x10   | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        // net,iface
        'netiface'   | 'src,src'     | 'tcp 10.244.1.1:1 > 10.0.0.1:80'              | 0      | 'cni0' | null   | false   | null                | null   | null  | Membership.MATCH
        'netiface'   | 'src,src'     | 'tcp 10.244.7.1:1 > 10.0.0.1:80'              | 0      | 'cni0' | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'netiface'   | 'src,dst'     | 'tcp 10.244.1.1:1 > 10.0.0.1:80'              | 0      | 'cni0' | 'eth0' | false   | null                | null   | null  | Membership.NO_MATCH
        'netiface'   | 'src,src'     | 'tcp 10.244.1.1:1 > 10.0.0.1:80'              | 0      | null   | null   | false   | null                | null   | null  | Membership.UNKNOWN
        'netiface'   | 'dst,dst'     | 'tcp 10.244.1.1:1 > 10.9.0.1:80'              | 0      | null   | 'eth0' | true    | null                | null   | null  | Membership.MATCH       // physdev:eth0
        'netiface'   | 'dst,dst'     | 'tcp 10.244.1.1:1 > 10.9.0.1:80'              | 0      | null   | 'eth0' | false   | null                | null   | null  | Membership.NO_MATCH
        // MAC types
        'macs'       | 'src'         | 'tcp 10.0.0.9:1 > 10.0.0.1:80'                | 0      | null   | null   | false   | '0A:58:0A:F4:01:00' | null   | null  | Membership.MATCH
        'macs'       | 'src'         | 'tcp [fd00::9]:1 > [fd00::1]:80'              | 0      | null   | null   | false   | '02:00:00:00:00:09' | null   | null  | Membership.MATCH       // no family
        'macs'       | 'src'         | 'tcp 10.0.0.9:1 > 10.0.0.1:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.UNKNOWN
        'ipmac'      | 'src,src'     | 'tcp 10.0.0.9:1 > 10.0.0.1:80'                | 0      | null   | null   | false   | '02:00:00:00:00:09' | null   | null  | Membership.MATCH
        'ipmac'      | 'src,src'     | 'tcp 10.0.0.9:1 > 10.0.0.1:80'                | 0      | null   | null   | false   | '02:00:00:00:00:08' | null   | null  | Membership.NO_MATCH
        'bmipmac'    | 'src,src'     | 'tcp 10.0.0.9:1 > 10.0.0.1:80'                | 0      | null   | null   | false   | '02:00:00:00:00:09' | null   | null  | Membership.MATCH
        'bmipmac'    | 'src,src'     | 'tcp 10.0.0.10:1 > 10.0.0.1:80'               | 0      | null   | null   | false   | '02:00:00:00:00:08' | null   | null  | Membership.MATCH       // entry without MAC
        'bmipmac'    | 'src,src'     | 'tcp 10.0.0.11:1 > 10.0.0.1:80'               | 0      | null   | null   | false   | '02:00:00:00:00:08' | null   | null  | Membership.NO_MATCH
        // bitmaps
        'bmip'       | 'dst'         | 'tcp 10.0.0.1:1 > 10.96.3.2:80'               | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'bmip'       | 'dst'         | 'tcp 10.0.0.1:1 > 10.96.3.4:80'               | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'bmip'       | 'dst'         | 'tcp 10.0.0.1:1 > 10.97.0.1:80'               | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH    // outside the range
        'bmipnet'    | 'dst'         | 'tcp 10.0.0.1:1 > 192.168.1.77:80'            | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'bmport'     | 'dst'         | 'udp 10.0.0.1:1 > 10.0.0.2:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH       // no protocol kept
        'bmport'     | 'dst'         | 'tcp 10.0.0.1:1 > 10.0.0.2:103'               | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'bmport'     | 'src'         | 'tcp 10.0.0.1:22 > 10.0.0.2:103'              | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH
        'bmport'     | 'dst'         | 'sctp 10.0.0.1:1 > 10.0.0.2:80'               | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH    // TCP and UDP only
        // list:set: first member that matches; nomatch in a member does not stop the walk
        'listset'    | 'dst'         | 'tcp 10.0.0.1:1 > 10.0.0.2:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH       // kube-ips
        'listset'    | 'dst'         | 'tcp 10.0.0.1:1 > 10.2.0.2:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH       // nets
        'listset'    | 'dst'         | 'tcp 10.0.0.1:1 > 10.1.0.2:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH    // nets says nomatch
        'listset'    | 'dst'         | 'tcp 10.0.0.1:1 > 172.31.0.2:80'              | 0      | null   | null   | false   | null                | null   | null  | Membership.NO_MATCH
        'biglist'    | 'src,dst'     | 'tcp 10.0.0.1:1 > 192.168.0.2:80'             | 0      | null   | null   | false   | null                | null   | null  | Membership.MATCH       // netnet
        'biglist'    | 'src'         | 'tcp 172.31.0.1:1 > 192.168.0.2:80'           | 0      | null   | null   | false   | null                | null   | null  | Membership.UNKNOWN     // macs needs a MAC
        'nosuchset'  | 'src'         | 'tcp 10.0.0.1:1 > 10.0.0.2:80'                | 0      | null   | null   | false   | null                | null   | null  | Membership.UNKNOWN
    }

    def "unknown set types, unknown entry options and missing list members answer UNKNOWN"() {
        given:
        def s = IpsetParser.parse('ipset.txt', '''\
create future hash:ip,port,mac family inet
add future 10.0.0.1,tcp:80,02:00:00:00:00:01
create h hash:ip family inet
add h 10.0.0.1 glitter
create l list:set
add l gone
''')
        def p = SetProbe.of(Packet.parse('tcp 10.0.0.1:1 > 10.0.0.2:80'))

        expect:
        s.test('future', [Direction.SRC], p) == Membership.UNKNOWN
        s.test('h', [Direction.SRC], p) == Membership.UNKNOWN
        s.test('h', [Direction.DST], p) == Membership.NO_MATCH
        s.test('l', [Direction.SRC], p) == Membership.UNKNOWN
    }

    def "hash:net,iface: the most specific network decides even when its interface differs (#src on #dev -> #expected)"() {
        given:
        def s = IpsetParser.parse('ipset.txt', '''\
create ni hash:net,iface family inet
add ni 10.244.0.0/16,cni0
add ni 10.240.0.0/12,eth0
add ni 10.244.9.0/24,eth0 nomatch
''')

        expect:
        s.test('ni', Direction.parseList('src,src'), SetProbe.of(Packet.parse("tcp $src:1 > 10.0.0.1:80")).withIfaces(dev, '')) == expected

        where: // verified with ipset test and iptables -m set (IpsetKernelSpec, IpsetPacketKernelSpec)
        src          | dev    | expected
        '10.244.1.6' | 'cni0' | Membership.MATCH
        '10.244.1.6' | 'eth0' | Membership.NO_MATCH    // 10.244.0.0/16 (cni0) hides 10.240.0.0/12 (eth0)
        '10.250.1.6' | 'eth0' | Membership.MATCH
        '10.244.9.6' | 'eth0' | Membership.NO_MATCH    // nomatch
        '10.244.9.6' | 'cni0' | Membership.NO_MATCH    // the /24 (eth0) hides the /16 (cni0)
    }

    def "a list:set containing itself does not loop"() {
        given:
        def s = IpsetParser.parse('ipset.txt', 'create l list:set\nadd l l\n')

        expect:
        s.test('l', [Direction.SRC], SetProbe.of(Packet.parse('tcp 10.0.0.1:1 > 10.0.0.2:80'))) == Membership.UNKNOWN
    }
}
