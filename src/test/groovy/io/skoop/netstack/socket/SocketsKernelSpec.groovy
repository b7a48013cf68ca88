package io.skoop.netstack.socket

import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.parse.SocketParser
import io.skoop.netstack.DumpFixtures
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

import java.util.concurrent.TimeUnit

/**
 * Kernel-judged: TCP listeners of every address form in a server namespace, real connection
 * attempts from two client namespaces (one per server device), and {@link Sockets#listening}
 * on the ss output must say "some socket accepts" exactly when the kernel accepted the connection.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class SocketsKernelSpec extends Specification {
    @Shared KernelLab lab = new KernelLab()
    @Shared String srv, c0, c1
    @Shared List<Process> listeners = []
    @Shared Sockets sockets

    def setupSpec() {
        srv = lab.netns('srv')
        c0 = lab.netns('c0')
        c1 = lab.netns('c1')
        [[c0, 'eth0', '10.7.0', 'fd07:0'], [c1, 'eth1', '10.7.1', 'fd07:1']].each { String cli, String dev, String v4, String v6 ->
            KernelLab.sh('ip', '-n', srv, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', cli)
            lab.exec(srv, 'ip', 'addr', 'add', "${v4}.1/24", 'dev', dev)
            lab.exec(srv, 'ip', 'addr', 'add', "${v4}.3/24", 'dev', dev)
            lab.exec(srv, 'ip', 'addr', 'add', "${v6}::1/64", 'dev', dev, 'nodad')
            lab.exec(srv, 'ip', 'addr', 'add', "${v6}::3/64", 'dev', dev, 'nodad')
            lab.exec(cli, 'ip', 'addr', 'add', "${v4}.2/24", 'dev', 'eth0')
            lab.exec(cli, 'ip', 'addr', 'add', "${v6}::2/64", 'dev', 'eth0', 'nodad')
            lab.exec(srv, 'ip', 'link', 'set', dev, 'up')
            lab.exec(cli, 'ip', 'link', 'set', 'eth0', 'up')
        }
        ['TCP4-LISTEN:80,bind=10.7.0.1', 'TCP4-LISTEN:8000', 'TCP6-LISTEN:8080,ipv6only=0', 'TCP6-LISTEN:8081,ipv6only=1',
         'TCP6-LISTEN:443,bind=[fd07:0::1]', 'TCP6-LISTEN:8443,bind=[::ffff:10.7.0.1]', 'TCP4-LISTEN:9090,so-bindtodevice=eth0',
         'TCP6-LISTEN:9091,so-bindtodevice=eth1,ipv6only=0', 'TCP4-LISTEN:7000,bind=127.0.0.1'].each {
            listeners << new ProcessBuilder('ip', 'netns', 'exec', srv, 'timeout', '120', 'socat', "$it,reuseaddr,fork".toString(), '/dev/null')
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        }
        for (int i = 0; i < 50 && DumpFixtures.netnsOut(srv, 'ss', '-H', '-t', '-l', '-n').readLines().size() < 9; i++) {
            Thread.sleep(100)
        }
        sockets = SocketParser.parse('sockets.txt', DumpFixtures.netnsOut(srv, 'ss', '-H', '-t', '-u', '-l', '-n', '-p', '-e'))
    }

    def cleanupSpec() {
        listeners*.destroy()
        listeners.each { it.waitFor(5, TimeUnit.SECONDS) }
        lab.close()
    }

    /** True when a TCP connection from {@code cli} to dst:port is accepted (1 s connect timeout). */
    boolean connects(String cli, String dst, int port) {
        String addr = dst.contains(':') ? "[$dst]" : dst
        def p = new ProcessBuilder('ip', 'netns', 'exec', cli, 'socat', '-u', '/dev/null', "TCP:$addr:$port,connect-timeout=1".toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new IllegalStateException("socat to $dst:$port did not finish")
        }
        return p.exitValue() == 0
    }

    def "every listener was read from ss"() {
        expect:
        sockets.sockets().count { it.protocol() == Protocol.TCP } == 9
    }

    def "kernel and listening() agree for #dst:#port arriving on #dev"() {
        given:
        String cli = dev == 'eth0' ? c0 : c1

        when:
        boolean kernel = connects(cli, dst, port)
        def found = sockets.listening(Ip.parse(dst), port, Protocol.TCP, dev)

        then:
        kernel == !found.isEmpty()

        where:
        [dst, port, dev] << ['10.7.0.1', '10.7.0.3', 'fd07:0::1', 'fd07:0::3'].collectMany { d -> [80, 8000, 8080, 8081, 443, 8443, 9090, 9091, 7000, 22].collect { [d, it, 'eth0'] } } +
                ['10.7.1.1', 'fd07:1::1'].collectMany { d -> [80, 8000, 8080, 9090, 9091].collect { [d, it, 'eth1'] } }
    }
}
