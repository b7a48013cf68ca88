package io.skoop.netstack.ipvs

import io.skoop.model.Packet
import io.skoop.netstack.parse.IpvsParser
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

/** Virtual service lookup (ip_vs_service_find) on the hand-written ipvs.txt. */
class IpvsTableSpec extends Specification {
    @Shared IpvsTable ipvs = IpvsParser.parse('ipvs.txt', DumpFixtures.text('netstack/dump/ipvs.txt'))

    def "lookup: #packet -> #key"() {
        expect:
        ipvs.lookup(Packet.parse(packet).withMark(mark)).map { it.key() }.orElse(null) == key

        where:
        packet                                         | mark | key
        'tcp 10.244.0.5:40000 > 10.96.0.1:443'         | 0    | '-t 10.96.0.1:443'
        'udp 10.244.0.5:40000 > 10.96.0.10:53'         | 0    | '-u 10.96.0.10:53'
        'tcp 10.244.0.5:40000 > 10.96.0.10:53'         | 0    | '-t 10.96.0.10:53'
        'tcp 10.244.0.5:40000 > 10.96.0.10:80'         | 0    | null
        'tcp 10.0.0.5:40000 > 192.168.10.10:8080'      | 0    | '-t 192.168.10.10:0'
        'tcp 10.0.0.5:40000 > 10.1.1.1:80'             | 100  | '-f 100'
        'tcp [fd00::5]:40000 > [fd00:10:96::1]:443'    | 0    | '-t [fd00:10:96::1]:443'
    }
}
