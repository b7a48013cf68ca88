package io.skoop.netstack.socket

import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.parse.SocketParser
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

/** The kernel's listener lookup on the captured ss output (sockets.txt of the node fixture). */
class SocketsSpec extends Specification {
    @Shared Sockets sockets = SocketParser.parse('sockets.txt', DumpFixtures.text('netstack/dump/node/sockets.txt'))

    def "listening(#dst, #port, #proto, #dev) -> ports #expected (kernel socket lookup)"() {
        when:
        def found = sockets.listening(Ip.parse(dst), port, Protocol.parse(proto), dev)

        then:
        found.collect { "${it.address()}${it.device() ? '%' + it.device() : ''}:${it.port()}".toString() } == expected

        where:
        dst         | port | proto | dev    | expected
        '10.0.0.1'  | 80   | 'tcp' | null   | ['10.0.0.1:80']
        '10.0.0.2'  | 80   | 'tcp' | null   | []                       // bound to another address
        '10.0.0.1'  | 80   | 'udp' | null   | []                       // wrong protocol
        '10.0.0.1'  | 8000 | 'tcp' | null   | ['0.0.0.0:8000']
        '127.0.0.1' | 8000 | 'tcp' | null   | ['0.0.0.0:8000']
        'fd00::1'   | 8000 | 'tcp' | null   | []                       // IPv4 socket, IPv6 packet
        '10.0.0.1'  | 8080 | 'tcp' | null   | [':::8080']  // dual-stack wildcard takes IPv4
        'fd00::1'   | 8080 | 'tcp' | null   | [':::8080']
        '10.0.0.1'  | 8081 | 'tcp' | null   | []                       // v6only wildcard refuses IPv4
        'fd00::1'   | 8081 | 'tcp' | null   | [':::8081']
        'fd00::1'   | 443  | 'tcp' | null   | ['fd00::1:443']
        'fd00::2'   | 443  | 'tcp' | null   | []
        '10.0.0.1'  | 8443 | 'tcp' | null   | ['::ffff:10.0.0.1:8443'] // v4-mapped bind takes its IPv4 address
        '10.0.0.2'  | 8443 | 'tcp' | null   | []
        '10.0.0.1'  | 9090 | 'tcp' | 'eth0' | ['0.0.0.0%eth0:9090']
        '10.0.0.1'  | 9090 | 'tcp' | 'cni0' | []                       // SO_BINDTODEVICE
        '10.0.0.1'  | 9090 | 'tcp' | null   | ['0.0.0.0%eth0:9090']    // device unknown: kept, caller checks device()
        '10.0.0.1'  | 53   | 'udp' | null   | ['0.0.0.0:53']
        '127.0.0.1' | 123  | 'udp' | null   | ['127.0.0.1:123']
        '10.0.0.1'  | 123  | 'udp' | null   | []
        '10.0.0.1'  | 5353 | 'udp' | null   | []
        '10.0.0.1'  | 5354 | 'udp' | null   | [':::5354']
        '10.0.0.1'  | 8472 | 'udp' | null   | ['0.0.0.0:8472']         // kernel VXLAN socket
    }

    def "the exact address is preferred over the wildcard"() {
        given:
        def s = SocketParser.parse('sockets.txt', '''\
tcp LISTEN 0 5 0.0.0.0:80 0.0.0.0:* users:(("a",pid=1,fd=3))
tcp LISTEN 0 5 10.0.0.1:80 0.0.0.0:* users:(("b",pid=2,fd=3))
''')

        expect:
        s.listening(Ip.parse('10.0.0.1'), 80, Protocol.TCP)*.processes().flatten()*.name() == ['b', 'a']
    }

    def "without v6only in the output, net.ipv6.bindv6only decides (older ss, no -e)"() {
        given:
        def s = SocketParser.parse('sockets.txt', 'tcp LISTEN 0 128 [::]:22 [::]:*\n')

        expect:
        s.sockets()[0].v6only() == null
        s.listening(Ip.parse('10.0.0.1'), 22, Protocol.TCP).size() == 1
        s.withBindV6OnlyDefault(true).listening(Ip.parse('10.0.0.1'), 22, Protocol.TCP).isEmpty()
    }
}
