package io.skoop.netstack.neigh

import io.skoop.model.Ip
import io.skoop.netstack.parse.FdbParser
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

/** Bridge and VXLAN forwarding-database lookups on the captured fdb.json. */
class FdbSpec extends Specification {
    @Shared Fdb fdb = FdbParser.parse('fdb.json', DumpFixtures.text('netstack/dump/node/fdb.json'))

    def "VXLAN remotes: exact MAC entries, else the all-zero default entries (vxlan_xmit)"() {
        expect:
        fdb.vxlanRemotes(dev, mac) == remotes.collect { Ip.parse(it) }

        where:
        dev         | mac                 | remotes
        'vx0'       | '02:00:00:00:00:42' | ['192.0.2.12']
        'vx0'       | '02:00:00:00:00:99' | ['192.0.2.10', '192.0.2.11']
        'vx0'       | '02:00:00:00:00:43' | ['192.0.2.13']
        'flannel.1' | '0A:58:0A:F4:01:00' | ['10.0.0.2']
        'flannel.1' | '0a:58:0a:f4:02:00' | []
    }

    def "bridge lookup finds the port of a MAC, or nothing (flood)"() {
        expect:
        fdb.bridgeLookup('cni0', '02:00:00:00:00:51', null).get().ifname() == 'veth1'
        fdb.bridgeLookup('cni0', '02:00:00:00:00:77', null).isEmpty()
    }
}
