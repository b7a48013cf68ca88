package io.skoop.netstack.neigh

import io.skoop.model.Ip
import io.skoop.netstack.DumpFixtures
import io.skoop.netstack.parse.FdbParser
import io.skoop.netstack.parse.NeighParser
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * Kernel-judged: a VXLAN device with exact and all-zero FDB entries sends one datagram to each
 * of several inner destinations; which remote VTEP namespaces receive the encapsulated frame
 * (their raw PREROUTING counters for UDP 4789/4790) must be what {@link Fdb#vxlanRemotes} says,
 * read from {@code bridge -j fdb show} and {@code ip -j neigh show}.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class FdbKernelSpec extends Specification {
    @Shared KernelLab lab = new KernelLab()
    @Shared String node
    @Shared Map<String, String> peers = [:]   // VTEP address -> namespace
    @Shared Fdb fdb
    @Shared NeighbourTable neigh

    def setupSpec() {
        node = lab.netns('vtep')
        lab.exec(node, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1')
        lab.exec(node, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1')
        (1..3).each { i ->
            String p = lab.netns("p$i")
            KernelLab.sh('ip', '-n', node, 'link', 'add', "eth$i", 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p)
            lab.exec(node, 'ip', 'addr', 'add', "10.9.$i.1/24", 'dev', "eth$i")
            lab.exec(p, 'ip', 'addr', 'add', "10.9.$i.2/24", 'dev', 'eth0')
            lab.exec(node, 'ip', 'link', 'set', "eth$i", 'up')
            lab.exec(p, 'ip', 'link', 'set', 'eth0', 'up')
            lab.exec(p, 'iptables', '-t', 'raw', '-A', 'PREROUTING', '-p', 'udp', '-m', 'multiport', '--dports', '4789,4790')
            peers["10.9.$i.2".toString()] = p
        }
        lab.exec(node, 'ip', 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.9.1.1', 'nolearning')
        lab.exec(node, 'ip', 'link', 'add', 'vx1', 'type', 'vxlan', 'id', '43', 'dstport', '4790', 'local', '10.9.1.1', 'nolearning')
        lab.exec(node, 'ip', 'addr', 'add', '192.168.100.1/24', 'dev', 'vx0')
        lab.exec(node, 'ip', 'addr', 'add', '192.168.101.1/24', 'dev', 'vx1')
        lab.exec(node, 'ip', 'link', 'set', 'vx0', 'up')
        lab.exec(node, 'ip', 'link', 'set', 'vx1', 'up')
        [['00:00:00:00:00:00', 'vx0', '10.9.2.2'], ['00:00:00:00:00:00', 'vx0', '10.9.3.2'],
         ['02:aa:00:00:00:01', 'vx0', '10.9.1.2'], ['02:aa:00:00:00:02', 'vx0', '10.9.3.2'],
         ['02:aa:00:00:00:04', 'vx1', '10.9.2.2']].each { mac, dev, dst ->
            lab.exec(node, 'bridge', 'fdb', 'append', mac, 'dev', dev, 'dst', dst)
        }
        [['192.168.100.11', '02:aa:00:00:00:01', 'vx0'], ['192.168.100.12', '02:aa:00:00:00:02', 'vx0'],
         ['192.168.100.13', '02:aa:00:00:00:03', 'vx0'], ['192.168.101.21', '02:aa:00:00:00:04', 'vx1'],
         ['192.168.101.22', '02:aa:00:00:00:05', 'vx1']].each { ip, mac, dev ->
            lab.exec(node, 'ip', 'neigh', 'add', ip, 'lladdr', mac, 'dev', dev, 'nud', 'permanent')
        }
        fdb = FdbParser.parse('fdb.json', DumpFixtures.netnsOut(node, 'bridge', '-j', 'fdb', 'show'))
        neigh = NeighParser.parse('neigh.json', DumpFixtures.netnsOut(node, 'ip', '-j', 'neigh', 'show'))
    }

    def cleanupSpec() {
        lab.close()
    }

    def "a datagram to #inner leaves #dev for the VTEPs skoop predicts"() {
        given:
        peers.values().each { lab.exec(it, 'iptables', '-t', 'raw', '-Z') }
        String mac = neigh.lookup(Ip.parse(inner), dev).orElseThrow().lladdr()
        def predicted = fdb.vxlanRemotes(dev, mac)*.toString().toSet()

        when:
        lab.exec(node, 'bash', '-c', "echo x > /dev/udp/$inner/9")
        Thread.sleep(200)
        def received = peers.findAll { vtep, ns ->
            (DumpFixtures.netnsOut(ns, 'iptables-save', '-c', '-t', 'raw') =~ /\[(\d+):\d+\] -A PREROUTING/).with { it.find() && it.group(1) != '0' }
        }.keySet()

        then:
        received == predicted
        received == expected.toSet()

        where:
        inner            | dev   | expected
        '192.168.100.11' | 'vx0' | ['10.9.1.2']                // exact entry
        '192.168.100.12' | 'vx0' | ['10.9.3.2']                // exact entry, although 10.9.3.2 is also a default
        '192.168.100.13' | 'vx0' | ['10.9.2.2', '10.9.3.2']    // unknown MAC: one copy to each all-zero entry
        '192.168.101.21' | 'vx1' | ['10.9.2.2']
        '192.168.101.22' | 'vx1' | []                          // unknown MAC, no default: dropped
    }
}
