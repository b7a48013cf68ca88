package io.skoop.netstack.parse

import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.socket.Sockets
import io.skoop.testsupport.Fixtures
import spock.lang.Shared
import spock.lang.Specification

class SocketParserSpec extends Specification {
    @Shared Sockets sockets = SocketParser.parse('sockets.txt', Fixtures.text('netstack/dump/node/sockets.txt'))

    def "ss line for #proto port #port"() {
        when:
        def s = sockets.sockets().find { it.protocol() == Protocol.parse(proto) && it.port() == port }

        then:
        s != null
        s.state() == state
        s.address() == Ip.parse(addr)
        s.device() == dev
        s.v6only() == v6only
        s.processes()*.name() == procs
        s.inode() != null

        where:
        proto | port | state    | addr              | dev    | v6only | procs
        'tcp' | 80   | 'LISTEN' | '10.0.0.1'        | null   | null   | ['socat']
        'tcp' | 8000 | 'LISTEN' | '0.0.0.0'         | null   | null   | ['python3']
        'tcp' | 9090 | 'LISTEN' | '0.0.0.0'         | 'eth0' | null   | ['socat']
        'tcp' | 8080 | 'LISTEN' | '::'              | null   | false  | ['socat']
        'tcp' | 8081 | 'LISTEN' | '::'              | null   | true   | ['socat']
        'tcp' | 443  | 'LISTEN' | 'fd00::1'         | null   | true   | ['socat']
        'tcp' | 8443 | 'LISTEN' | '::ffff:10.0.0.1' | null   | false  | ['socat']
        'udp' | 53   | 'UNCONN' | '0.0.0.0'         | null   | null   | ['socat']
        'udp' | 123  | 'UNCONN' | '127.0.0.1'       | null   | null   | ['socat']
        'udp' | 5353 | 'UNCONN' | '::'              | null   | true   | ['socat']
        'udp' | 5354 | 'UNCONN' | '::'              | null   | false  | ['socat']
        'udp' | 4789 | 'UNCONN' | '0.0.0.0'         | null   | null   | []
        'udp' | 8472 | 'UNCONN' | '0.0.0.0'         | null   | null   | []
    }

    def "every line of the fixture is read"() {
        expect:
        sockets.sockets().size() == Fixtures.text('netstack/dump/node/sockets.txt').readLines().findAll { it.trim() }.size()
        sockets.sockets().every { it.processes().every { p -> p.pid() > 0 && p.fd() >= 0 } }
    }

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

    def "other ss shapes: header, no Netid column, old unbracketed IPv6, * wildcard"() {
        given:
        def s = SocketParser.parse('sockets.txt', '''\
Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process
LISTEN 0 128 :::22 :::*
UNCONN 0 0 *:68 *:*
''')

        expect:
        s.sockets()*.protocol() == [Protocol.TCP, Protocol.UDP]
        s.sockets()*.address() == [Ip.parse('::'), Ip.parse('::')]
        s.sockets()[1].v6only() == false
    }

    def "malformed sockets.txt: #why"() {
        when:
        SocketParser.parse('sockets.txt', "tcp LISTEN 0 5 0.0.0.0:80 0.0.0.0:*\n" + text)

        then:
        def e = thrown(ParseException)
        e.file() == 'sockets.txt'
        e.line() == 2
        e.message.contains(expected)

        where:
        why            | text                                      | expected
        'raw socket'   | 'raw UNCONN 0 0 0.0.0.0:1 0.0.0.0:*'      | 'expected Netid tcp or udp'
        'too short'    | 'tcp LISTEN 0 5'                          | 'expected columns'
        'no port'      | 'tcp LISTEN 0 5 10.0.0.1 0.0.0.0:*'       | 'expected ADDRESS:PORT'
        'named port'   | 'tcp LISTEN 0 5 0.0.0.0:http 0.0.0.0:*'   | 'numeric port'
        'bad address'  | 'tcp LISTEN 0 5 10.0.0.300:80 0.0.0.0:*'  | 'expected an IPv4 address'
        'established'  | 'tcp ESTAB 0 0 10.0.0.1:80 10.0.0.2:4000' | 'expected state LISTEN or UNCONN'
    }
}
