package io.skoop.diagnose

import io.skoop.model.Level
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.IpipSnapshot
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * Calico's IPIP mode end to end through the Diagnostor, on dumps edited from the kernel-captured calico-bgp snapshot
 * (this kernel has no ipip module: {@link IpipSnapshot}): tunl0 encapsulates towards the route's gateway, the receiver's
 * tunl0 decapsulates, and the faults a missing or down tunl0 make.
 */
class IpipDiagnosisSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-ipip')

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    Diagnosis diagnose(String name, Closure edit = null) {
        Path dir = tmp.resolve(name)
        if (!Files.exists(dir)) {
            IpipSnapshot.build(dir, edit)
        }
        new Diagnostor(Snapshot.open(dir)).diagnose(new Query('default/client', 'default/web-2', '8080', Protocol.TCP))
    }

    static List<String> messages(Diagnosis d, Level level) {
        d.allSuspicions().findAll { it.level() == level }*.message()
    }

    /** Sets a field of node {@code node}'s tunl0 in link.json (null: removes the device). */
    static Closure tunl0(String node, Closure change) {
        return { Path dir ->
            Path f = dir.resolve("nodes/$node/host/link.json")
            List links = IpipSnapshot.json(f)
            Map t = links.find { it.ifname == 'tunl0' } as Map
            if (change == null) {
                links.remove(t)
                Path a = dir.resolve("nodes/$node/host/addr.json")
                IpipSnapshot.write(a, IpipSnapshot.json(a).findAll { it.ifname != 'tunl0' })
            } else {
                change(t)
            }
            IpipSnapshot.write(f, links)
        }
    }

    def "the dumps parse: tunl0 is an ipip device with remote and local any, TTL inherit, nopmtudisc, MTU 1480"() {
        when:
        Path dir = IpipSnapshot.build(tmp.resolve('parse'))
        def node1 = io.skoop.netstack.NetNS.load(io.skoop.snapshot.SnapshotLayout.host(dir, 'node-1'))
        def t = node1.interfaces().byName('tunl0').get()

        then:
        t.kind() == 'ipip'
        t.mtu() == 1480
        t.ipip() == new io.skoop.netstack.link.IpipInfo(null, null, 0, false, null)
        t.isTunnel()
        node1.routeGet(io.skoop.netstack.route.RouteQuery.to(io.skoop.model.Ip.parse('10.244.0.64'))).toString()
                .contains('via 192.168.56.3 dev tunl0')
    }

    def "pod on node-1 to pod on node-2 across tunl0: REACHABLE, the outer packet is ipencap node-1 > node-2, decapsulated on tunl0"() {
        when:
        Diagnosis d = diagnose('healthy')
        def links = d.request().links()

        then:
        d.verdict() == Verdict.REACHABLE
        messages(d, Level.FATAL) == []
        messages(d, Level.CRITICAL) == []
        links*.type()*.name() == ['VETH', 'IPIP', 'VETH']
        links*.source()*.toString() == ['pod:default/client', 'node:node-1', 'node:node-2']
        links[1].packet().toString().startsWith('ipencap 192.168.56.2 > 192.168.56.3 encap(tcp 10.244.0.0:40000 > 10.244.0.64:8080')
        d.request().node(links[1].source()).explanation().any { it.startsWith('ipip tunl0: remote any, so the route\'s next hop 192.168.56.3') }
        d.request().node(links[1].destination()).explanation().any { it.startsWith('ipip tunl0 (local any, remote any): decapsulate') }
        d.request().node(links[1].destination()).explanation().any { it == 'received on tunl0 (decapsulated)' }

        and: 'the reply goes back the same way'
        d.reply().links()*.type()*.name() == ['VETH', 'IPIP', 'VETH']
        d.reply().links()[1].packet().toString().startsWith('ipencap 192.168.56.3 > 192.168.56.2 encap(tcp 10.244.0.64:8080 > ')
    }

    def "MTU: 1480-byte inner packets on tunl0 make 1500-byte outer packets, which the 1500-byte eth0 takes: no MTU suspicion"() {
        expect:
        !diagnose('healthy').allSuspicions()*.message().any { it.startsWith('MTU') }
    }

    def "MTU: a receiver whose eth0 is 1450 gets 1500-byte IPIP packets it drops, named with tunl0's MTU and the overhead"() {
        when:
        Diagnosis d = diagnose('mtu', { Path dir ->
            Path f = dir.resolve('nodes/node-2/host/link.json')
            List links = IpipSnapshot.json(f)
            links.find { it.ifname == 'eth0' }.mtu = 1450
            IpipSnapshot.write(f, links)
        })

        then:
        d.allSuspicions()*.message().any { it.startsWith('MTU: eth0 MTU 1450 on node-2 < the 1500-byte IPIP packets (tunl0 MTU 1480 + 20)') }
    }

    def "tunl0 down on the receiver: the IPIP packet is dropped on node-2, naming tunl0"() {
        when:
        Diagnosis d = diagnose('down', tunl0('node-2') { Map t -> t.flags = ['NOARP'] })

        then:
        d.verdict() != Verdict.REACHABLE
        messages(d, Level.FATAL).any { it.contains('the ipip device that would take it is down: tunl0 (ip link set tunl0 up)') }
    }

    def "no tunl0 on the receiver: nothing decapsulates, protocol unreachable"() {
        when:
        Diagnosis d = diagnose('missing-receiver', tunl0('node-2', null))

        then:
        d.verdict() != Verdict.REACHABLE
        messages(d, Level.FATAL).any { it.contains('has no ipip device (no tunl0: the ipip module is not loaded)') }
    }

    def "no tunl0 on the sender (and so none of BIRD's routes over it, as the kernel deletes a device's routes): not reachable, the plugin names tunl0"() {
        when:
        Diagnosis d = diagnose('missing-sender', { Path dir ->
            tunl0('node-1', null).call(dir)
            Path f = dir.resolve('nodes/node-1/host/route.json')
            IpipSnapshot.write(f, IpipSnapshot.json(f).findAll { it.dev != 'tunl0' })
        })

        then:
        d.verdict() == Verdict.UNREACHABLE
        messages(d, Level.WARNING).contains('no tunl0 device (the kernel\'s ipip fallback device, Calico\'s IPIP mode routes over it)')
    }

    def "a dump whose routes name a tunl0 it does not list is inconsistent: UNKNOWN, naming the device"() {
        when:
        Diagnosis d = diagnose('missing-device', tunl0('node-1', null))

        then:
        d.verdict() == Verdict.UNKNOWN
        messages(d, Level.WARNING).contains('UNKNOWN: output device tunl0 is not in the dump of node:node-1')
    }

    def "Felix's IPIP rules are iptables rules like any other: a filter INPUT drop of -p ipencap on node-2 drops the outer packet"() {
        when:
        Diagnosis d = diagnose('ipencap-drop', { Path dir ->
            Path f = dir.resolve('nodes/node-2/host/iptables.txt')
            f.text = f.text.replaceFirst(/(?m)^(:INPUT ACCEPT.*\n)/, '$1-A INPUT -p ipencap -j DROP\n')
        })

        then:
        d.verdict() == Verdict.UNREACHABLE
        messages(d, Level.FATAL) == ['iptables: dropped by filter/INPUT#1 `-A INPUT -p ipencap -j DROP` (hook INPUT)']
    }
}
