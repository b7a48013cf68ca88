package io.skoop.netstack.ipset

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.DumpFixtures
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * Differential test on the packet path, where {@code ipset test} cannot go (list:set, MAC
 * types, interfaces, src/dst flags, ICMP): random packets crafted with a raw socket in a client
 * namespace arrive on the server's eth0, whose raw PREROUTING chain has one counting rule
 * {@code -m length --length L -m set --match-set SET DIRS} per (packet, set, flags). The
 * kernel's verdict is the rule's packet counter; skoop's is {@link IpSets#test} with the
 * packet, in-interface eth0, no out-interface and the two MACs.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class IpsetPacketKernelSpec extends Specification {
    static final int PACKETS = 120
    static final List<List> COMBOS = [
            ['kube-ips', 'src'], ['kube-ips', 'dst'], ['ip-netmask', 'dst'], ['nets', 'src'], ['nets', 'dst'],
            ['ipport', 'dst,dst'], ['ipport', 'src,src'], ['ipport', 'dst,src'], ['netport', 'src,dst'],
            ['ipportip', 'src,dst,dst'], ['ipportip', 'dst,src,src'], ['ipportnet', 'dst,dst,src'],
            ['netiface', 'src,src'], ['netiface', 'dst,dst'], ['bmip', 'dst'], ['bmipnet', 'src'],
            ['bmipmac', 'src,src'], ['bmport', 'dst'], ['bmport', 'src'], ['listset', 'dst'], ['listset', 'src'],
            ['emptyset', 'src']]
    static final String SENDER = '''
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for line in sys.stdin:
    proto, src, sport, dst, dport, total = line.split()
    sport, dport, total = int(sport), int(dport), int(total)
    if proto == 'tcp':
        l4, num = struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 5 << 4, 0x02, 1024, 0, 0), 6
    elif proto == 'sctp':
        l4, num = struct.pack('!HHII', sport, dport, 0, 0), 132
    elif proto == 'icmp':
        l4, num = struct.pack('!BBHHH', 8, 0, 0, 1, 1), 1
    else:
        l4, num = struct.pack('!HHHH', sport, dport, total - 20, 0), 17
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, 0, 0, 64, num, 0, socket.inet_aton(src), socket.inet_aton(dst))
    s.sendto(ip + l4 + b'x' * (total - 20 - len(l4)), (dst, 0))
'''

    @Shared KernelLab lab = new KernelLab()
    @Shared String srv, cli, cliMac, srvMac
    @Shared IpSets sets
    @Shared long seed = Long.getLong('skoop.seed', System.nanoTime())

    def setupSpec() {
        srv = lab.netns('srv')
        cli = lab.netns('cli')
        KernelLab.sh('ip', '-n', srv, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', cli)
        lab.exec(srv, 'ip', 'addr', 'add', '10.8.0.1/24', 'dev', 'eth0')
        lab.exec(cli, 'ip', 'addr', 'add', '10.8.0.2/24', 'dev', 'eth0')
        lab.exec(srv, 'ip', 'link', 'set', 'eth0', 'up')
        lab.exec(cli, 'ip', 'link', 'set', 'eth0', 'up')
        lab.exec(cli, 'ip', 'route', 'add', 'default', 'via', '10.8.0.1')
        cliMac = DumpFixtures.netnsOut(cli, 'cat', '/sys/class/net/eth0/address').trim()
        srvMac = DumpFixtures.netnsOut(srv, 'cat', '/sys/class/net/eth0/address').trim()
        lab.execInput(srv, DumpFixtures.text('netstack/dump/ipset-input.txt'), 'ipset', 'restore')
        // entries that the lab's packets can meet: the real in-device and the client's MAC
        lab.exec(srv, 'ipset', 'add', 'netiface', '10.240.0.0/12,eth0')
        lab.exec(srv, 'ipset', 'add', 'netiface', '10.244.9.0/24,eth0', 'nomatch')
        lab.exec(srv, 'ipset', 'add', 'bmipmac', "10.0.0.11,$cliMac".toString())
        sets = IpsetParser.parse('ipset.txt', DumpFixtures.netnsOut(srv, 'ipset', 'save'))
    }

    def cleanupSpec() {
        lab.close()
    }

    def "kernel set match and IpSets.test agree on #PACKETS random packets x #COMBOS.size() set matches"() {
        given:
        def rnd = new Random(seed)
        List<Map> packets = (0..<PACKETS).collect { i -> randomPacket(rnd) + [len: 100 + i] }
        def rules = new StringBuilder('*raw\n:PREROUTING ACCEPT [0:0]\n')
        packets.each { p ->
            rules << "-A PREROUTING -m length --length ${p.len} -m comment --comment \"seen ${p.len}\"\n"
            COMBOS.eachWithIndex { c, j ->
                rules << "-A PREROUTING -m length --length ${p.len} -m set --match-set ${c[0]} ${c[1]} -m comment --comment \"m ${p.len} $j\"\n"
            }
        }
        rules << 'COMMIT\n'
        lab.execInput(srv, rules.toString(), 'iptables-restore')

        when:
        lab.execInput(cli, packets.collect { "${it.proto} ${it.src} ${it.sport} ${it.dst} ${it.dport} ${it.len}" }.join('\n') + '\n',
                'python3', '-c', SENDER)
        Thread.sleep(300)
        Map<String, Long> counters = [:]
        DumpFixtures.netnsOut(srv, 'iptables-save', '-c', '-t', 'raw').eachLine { line ->
            def m = line =~ /^\[(\d+):\d+\] .*--comment "([^"]+)"/
            if (m.find()) {
                counters[m.group(2)] = m.group(1) as long
            }
        }
        def disagree = []
        int matches = 0, checks = 0
        packets.each { p ->
            assert counters["seen ${p.len}".toString()] == 1: "packet ${p} did not arrive exactly once"
            def packet = Packet.of(Ip.parse(p.src), p.sport, Ip.parse(p.dst), p.dport, Protocol.parse(p.proto))
            def probe = new SetProbe(packet, 'eth0', '', false, cliMac, srvMac, p.proto == 'icmp' ? '8/0' : null)
            COMBOS.eachWithIndex { c, j ->
                boolean kernel = counters["m ${p.len} $j".toString()] > 0
                Membership ours = sets.test(c[0], Direction.parseList(c[1]), probe)
                checks++
                matches += kernel ? 1 : 0
                if (ours == Membership.UNKNOWN || kernel != (ours == Membership.MATCH)) {
                    disagree << "${p.proto} ${p.src}:${p.sport} > ${p.dst}:${p.dport} in ${c[0]} ${c[1]}: kernel $kernel, skoop $ours"
                }
            }
        }
        println "ipset packet-path differential: ${checks - disagree.size()}/$checks agree, $matches kernel matches (seed $seed)"

        then:
        disagree.isEmpty()
    }

    /** A packet built around a random entry of a random set, with random changes. */
    Map randomPacket(Random rnd) {
        def combo = COMBOS[rnd.nextInt(COMBOS.size())]
        IpSet set = sets.get(combo[0]).orElseThrow()
        if (set.type() == SetType.LIST_SET) {
            def members = set.entries().collect { sets.get(it.text()).orElseThrow() }
            set = members[rnd.nextInt(members.size())]
        }
        def dirs = Direction.parseList(combo[1])
        Map p = [proto: ['tcp', 'udp'][rnd.nextInt(2)], src: null, sport: 1024 + rnd.nextInt(60000), dst: null, dport: 1 + rnd.nextInt(2000)]
        def entry = set.entries() ? set.entries()[rnd.nextInt(set.entries().size())] : null
        entry?.elements()?.eachWithIndex { el, i ->
            boolean src = i < dirs.size() ? dirs[i] == Direction.SRC : false
            if (el instanceof Element.Addr) {
                p[src ? 'src' : 'dst'] = near(el.prefix(), rnd).toString()
            } else if (el instanceof Element.Port) {
                if (el.isIcmp()) {
                    p.proto = 'icmp'
                } else {
                    p.proto = el.proto() ?: p.proto
                    int port = [el.from(), el.to(), el.from() - 1, el.to() + 1, rnd.nextInt(65535) + 1][rnd.nextInt(5)]
                    p[src ? 'sport' : 'dport'] = Math.max(1, Math.min(65535, port))
                }
            }
        }
        if (rnd.nextInt(5) == 0) {
            p.proto = ['tcp', 'udp', 'sctp', 'icmp'][rnd.nextInt(4)]
        }
        p.src = usable(p.src, rnd)
        p.dst = usable(p.dst, rnd)
        if (p.proto == 'icmp') {
            p.sport = 0
            p.dport = 0
        }
        return p
    }

    /** A unicast address the client can send from/to, else a random one of 10.0.0.0/8. */
    static String usable(String a, Random rnd) {
        Ip ip = a == null ? null : Ip.parse(a)
        boolean ok = ip != null && !(ip.lo() >>> 24 in [0L, 127L]) && (ip.lo() >>> 28) < 14 &&
                !(Prefix.parse('10.8.0.0/24').contains(ip))
        return ok ? a : Ip.v4(0x0a000000 | rnd.nextInt(1 << 24)).toString()
    }

    /** Inside, at the edge of or just outside the prefix. */
    static Ip near(Prefix p, Random rnd) {
        long size = 1L << (32 - p.length())
        switch (rnd.nextInt(4)) {
            case 0: return p.address()
            case 1: return p.address().plus((long) (rnd.nextDouble() * size))
            case 2: return p.address().plus(-1)
            default: return p.address().plus(size)
        }
    }
}
