package io.skoop.netstack.sysctl

import io.skoop.netstack.DumpFixtures
import io.skoop.netstack.parse.SysctlParser
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * Kernel-judged: the effective rp_filter mode that {@link Sysctls#rpFilter} computes from a
 * {@code sysctl -a} dump (max of conf.all and conf.DEV) decides like the kernel whether a
 * datagram whose source routes back through another device is accepted. A router namespace
 * counts arrivals (raw PREROUTING) and deliveries (filter INPUT).
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class SysctlsKernelSpec extends Specification {
    @Shared KernelLab lab = new KernelLab()
    @Shared String r, c1, c2

    def setupSpec() {
        r = lab.netns('rpf')
        c1 = lab.netns('c1')
        c2 = lab.netns('c2')
        [[c1, 1], [c2, 2]].each { String c, int i ->
            KernelLab.sh('ip', '-n', r, 'link', 'add', "eth$i", 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c)
            lab.exec(r, 'ip', 'addr', 'add', "10.10.$i.1/24", 'dev', "eth$i")
            lab.exec(c, 'ip', 'addr', 'add', "10.10.$i.2/24", 'dev', 'eth0')
            lab.exec(r, 'ip', 'link', 'set', "eth$i", 'up')
            lab.exec(c, 'ip', 'link', 'set', 'eth0', 'up')
        }
        // c1 may send with a source that r routes back through eth2 (spoofed, asymmetric path)
        lab.exec(c1, 'ip', 'addr', 'add', '10.10.2.50/32', 'dev', 'eth0')
        lab.exec(r, 'iptables', '-t', 'raw', '-A', 'PREROUTING', '-i', 'eth1', '-p', 'udp', '--dport', '9999')
        lab.exec(r, 'iptables', '-A', 'INPUT', '-i', 'eth1', '-p', 'udp', '--dport', '9999')
    }

    def cleanupSpec() {
        lab.close()
    }

    def "all=#all eth1=#dev: effective rp_filter #mode, asymmetric source accepted: #accepted"() {
        given:
        lab.exec(r, 'sysctl', '-qw', "net.ipv4.conf.all.rp_filter=$all")
        lab.exec(r, 'sysctl', '-qw', "net.ipv4.conf.eth1.rp_filter=$dev")
        lab.exec(r, 'iptables', '-Z')
        lab.exec(r, 'iptables', '-t', 'raw', '-Z')
        def sysctls = SysctlParser.parse('sysctl.txt', DumpFixtures.netnsOut(r, 'sysctl', '-a'))

        when:
        lab.execInput(c1, 'x\n', 'timeout', '5', 'socat', '-u', 'STDIN', 'UDP4-SENDTO:10.10.1.1:9999,bind=10.10.2.50')
        Thread.sleep(100)
        long arrived = count(DumpFixtures.netnsOut(r, 'iptables-save', '-c', '-t', 'raw'))
        long delivered = count(DumpFixtures.netnsOut(r, 'iptables-save', '-c', '-t', 'filter'))

        then:
        arrived == 1
        sysctls.rpFilter('eth1').asInt == mode
        (delivered == 1) == accepted
        accepted == (mode != 1)    // strict drops it (the route back leaves by eth2); loose and off accept

        where:
        all | dev || mode | accepted
        0   | 0   || 0    | true
        0   | 1   || 1    | false
        0   | 2   || 2    | true
        1   | 0   || 1    | false
        1   | 1   || 1    | false
        1   | 2   || 2    | true
        2   | 0   || 2    | true
        2   | 1   || 2    | true
        2   | 2   || 2    | true
    }

    static long count(String save) {
        def m = save =~ /\[(\d+):\d+\] -A (PREROUTING|INPUT) .*--dport 9999/
        return m.find() ? m.group(1) as long : -1
    }
}
