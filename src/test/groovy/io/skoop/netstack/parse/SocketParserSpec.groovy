package io.skoop.netstack.parse

import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.socket.Sockets
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

class SocketParserSpec extends Specification {
    @Shared Sockets sockets = SocketParser.parse('sockets.txt', DumpFixtures.text('netstack/dump/node/sockets.txt'))

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
        sockets.sockets().size() == DumpFixtures.text('netstack/dump/node/sockets.txt').readLines().findAll { it.trim() }.size()
        sockets.sockets().every { it.processes().every { p -> p.pid() > 0 && p.fd() >= 0 } }
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

    def "several processes, and names with blanks and parentheses"() {
        when:
        def s = SocketParser.parse('sockets.txt',
                'tcp LISTEN 0 4096 0.0.0.0:443 0.0.0.0:* users:(("Web Content",pid=10,fd=6),("nginx (w)",pid=11,fd=6)) ino:5 sk:1 <->\n')

        then:
        s.sockets()[0].processes() == [new io.skoop.netstack.socket.SocketProcess('Web Content', 10, 6),
                                      new io.skoop.netstack.socket.SocketProcess('nginx (w)', 11, 6)]
        s.sockets()[0].inode() == 5
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
