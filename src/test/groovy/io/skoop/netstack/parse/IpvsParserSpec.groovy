package io.skoop.netstack.parse

import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.ipvs.IpvsTable
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

class IpvsParserSpec extends Specification {
    @Shared IpvsTable ipvs = IpvsParser.parse('ipvs.txt', DumpFixtures.text('netstack/dump/ipvs.txt'))

    def "virtual service #key"() {
        when:
        def s = ipvs.services().find { it.key() == key }

        then:
        s != null
        s.scheduler() == sched
        s.persistence() == persistence
        s.netmask() == netmask
        s.schedFlags() == flags
        s.realServers().collect { "${it.address().isV6() ? '[' + it.address() + ']' : it.address()}:${it.port()} ${it.method()} ${it.weight()}".toString() } == reals

        where:
        key                            | sched | persistence | netmask         | flags                       | reals
        '-t 10.96.0.1:443'             | 'rr'  | null        | null            | []                          | ['172.18.0.2:6443 MASQUERADING 1']
        '-u 10.96.0.10:53'             | 'rr'  | null        | null            | []                          | ['10.244.0.2:53 MASQUERADING 1', '10.244.0.3:53 MASQUERADING 1']
        '-t 10.96.0.10:53'             | 'rr'  | null        | null            | []                          | ['10.244.0.2:53 MASQUERADING 1', '10.244.0.3:53 MASQUERADING 0']
        '-t 10.96.100.5:80'            | 'sh'  | 10800       | null            | ['sh-fallback', 'sh-port']  | ['10.244.1.5:8080 MASQUERADING 1']
        '-t [fd00:10:96::1]:443'       | 'rr'  | null        | null            | []                          | ['[fc00:f853:ccd:e793::2]:6443 MASQUERADING 1']
        '-t 192.168.10.10:0'           | 'wlc' | 300         | '255.255.255.0' | []                          | ['192.168.10.21:0 GATEWAYING 3', '192.168.10.22:0 TUNNELING 2']
        '-f 100'                       | 'wrr' | null        | null            | []                          | ['10.244.2.7:0 GATEWAYING 5']
        '--sctp-service 10.96.0.50:9000' | 'rr' | null       | null            | []                          | ['10.244.0.9:9000 MASQUERADING 1']
    }

    def "thresholds, quiesced servers and unknown options are kept"() {
        when:
        def dns = ipvs.services().find { it.key() == '-t 10.96.0.10:53' }
        def dr = ipvs.services().find { it.key() == '-t 192.168.10.10:0' }.realServers()[1]
        def sctp = ipvs.services().find { it.protocol() == Protocol.SCTP }.realServers()[0]

        then:
        dns.activeRealServers()*.address() == [Ip.parse('10.244.0.2')]
        dr.upper() == 100
        dr.lower() == 10
        sctp.unknown() == ['--tun-type', 'gue']
    }

    def "malformed ipvs.txt: #why"() {
        when:
        IpvsParser.parse('ipvs.txt', "-A -t 10.96.0.1:443 -s rr\n" + text)

        then:
        def e = thrown(ParseException)
        e.file() == 'ipvs.txt'
        e.line() == 2
        e.message.contains(expected)

        where:
        why                  | text                                         | expected
        'unknown command'    | '-E -t 10.96.0.1:443 -s wrr'                 | 'expected -A'
        'orphan real server' | '-a -t 10.96.0.2:443 -r 10.0.0.1:443 -m'     | 'not defined by an -A line above'
        'no service'         | '-A -s rr'                                   | 'expected a service'
        'bad address'        | '-A -t 10.96.0.300:80 -s rr'                 | 'expected ADDRESS:PORT with a numeric address (collect with ipvsadm -Sn)'
        'host name'          | '-A -t kube-dns.kube-system:domain -s rr'    | "the address is a host name ('kube-dns.kube-system'): ipvsadm -S without -n resolves addresses to names, which skoop cannot map back; collect with ipvsadm -Sn"
        'real server name'   | '-a -t 10.96.0.1:443 -r node-1:6443 -m -w 1' | "the address is a host name ('node-1')"
        'unknown port name'  | '-A -t 10.96.0.9:kube-dns -s rr'             | "port name 'kube-dns' is not one skoop knows (ipvsadm -S without -n prints /etc/services names); collect with ipvsadm -Sn"
        'bad weight'         | '-a -t 10.96.0.1:443 -r 10.0.0.1:443 -w x'   | 'expected a number after -w'
        'missing argument'   | '-A -t 10.96.0.9:80 -s'                      | 'option needs an argument'
        'no -r'              | '-a -t 10.96.0.1:443 -m -w 1'                | 'expected -r ADDR:PORT'
        'twice'              | '-A -t 10.96.0.1:443 -s wrr'                 | 'defined twice'
    }

    def "ipvsadm -S without -n: port names as /etc/services gives them are read (#text)"() {
        when:
        def vs = IpvsParser.parse('ipvs.txt', text + '\n').services()[0]

        then:
        vs.key() == key
        vs.realServers()*.port() == reals

        where:
        text                                                                                   || key                       | reals
        '-A -u 10.96.0.10:domain -s rr\n-a -u 10.96.0.10:domain -r 10.244.2.3:domain -m -w 1'  || '-u 10.96.0.10:53'        | [53]
        '-A -t 10.96.0.1:https -s rr\n-a -t 10.96.0.1:https -r 192.168.56.2:6443 -m -w 1'      || '-t 10.96.0.1:443'        | [6443]
        '-A -t 10.96.0.2:http -s rr\n-a -t 10.96.0.2:http -r 10.244.1.2:http-alt -m -w 1'      || '-t 10.96.0.2:80'         | [8080]
        '-A -t [fd00:10:96::a]:domain -s rr'                                                    || '-t [fd00:10:96::a]:53'   | []
    }
}
