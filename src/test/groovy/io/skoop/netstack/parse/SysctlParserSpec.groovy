package io.skoop.netstack.parse

import io.skoop.netstack.sysctl.Sysctls
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

class SysctlParserSpec extends Specification {
    @Shared Sysctls node = SysctlParser.parse('sysctl.txt', DumpFixtures.text('netstack/dump/node/sysctl.txt'))
    @Shared Sysctls peer = SysctlParser.parse('sysctl.txt', DumpFixtures.text('netstack/dump/peer/sysctl.txt'))

    def "all of sysctl -a is kept"() {
        expect:
        node.asMap().size() == DumpFixtures.text('netstack/dump/node/sysctl.txt').readLines().findAll { it.trim() }.collect { it.substring(0, it.indexOf(' =')) }.toSet().size()
        node.get('kernel.core_modes').get() == 'file\npipe\nsocket'
        node.asMap().keySet().any { it.startsWith('kernel.') }
        node.asMap().keySet().any { it.startsWith('net.') }
    }

    def "raw value of #key is '#value'"() {
        expect:
        node.get(key).orElse(null) == value

        where:
        key                                      | value
        'net.ipv4.ip_forward'                    | '1'
        'net.ipv4.ip_local_port_range'           | '32768\t60999'
        'net.ipv4.conf.flannel/1.rp_filter'      | '0'
        'net.ipv4.conf.all.rp_filter'            | '2'
        'net.bridge.bridge-nf-call-iptables'     | '1'
        'no.such.key'                            | null
    }

    def "empty values are kept"() {
        expect:
        SysctlParser.parse('sysctl.txt', 'kernel.domainname = \nnet.ipv4.ip_forward = 0\n').get('kernel.domainname').get() == ''
    }

    def "malformed sysctl.txt line #line"() {
        when:
        SysctlParser.parse('sysctl.txt', text)

        then:
        def e = thrown(ParseException)
        e.file() == 'sysctl.txt'
        e.line() == line
        e.message.contains(expected)

        where:
        text                                             | line | expected
        'net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward 1' | 2    | "expected 'key = value'"
        ' = 1'                                           | 1    | "expected 'key = value'"
        'net ipv4 = 1'                                   | 1    | 'expected a sysctl key'
    }
}
