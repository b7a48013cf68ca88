package io.skoop.diagnose

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import io.skoop.model.IpFamily
import io.skoop.model.Level
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.snapshot.SnapshotLayout
import io.skoop.testsupport.ExampleCopy
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/**
 * Proxy NDP, on copies of the embedded dual-stack snapshot: node-1 routes node-2's IPv6 podCIDR on-link out of eth0,
 * so it solicits web-2's address on the underlay. Nobody holds it there; node-2 answers by proxy only with
 * {@code net.ipv6.conf.eth0.proxy_ndp} on, forwarding on eth0 and a proxy entry ({@code ip -6 neigh add proxy
 * fd00:10:244:1::2 dev eth0}, listed by {@code ip -j neigh show proxy} in neigh-proxy.json) — ndisc_recv_ns. Judged by
 * the kernel in DualStackLabKernelSpec.
 */
class ProxyNdpSpec extends Specification {

    static final Path DUAL = Path.of('src/main/resources/io/skoop/snapshots/dual-stack')

    @TempDir
    Path tmp

    Path snap

    def setup() {
        snap = ExampleCopy.copy(tmp.resolve('snap'), DUAL)
        Path routes = SnapshotLayout.host(snap, 'node-1').resolve('route6.json')
        List r = new JsonSlurper().parse(routes.toFile()) as List
        Map toNode2 = r.find { it.dst == 'fd00:10:244:1::/64' }
        toNode2.remove('gateway')
        toNode2.dev = 'eth0'
        toNode2.flags = []
        Files.writeString(routes, JsonOutput.toJson(r))
    }

    void node2(Map<String, String> sysctls, List proxies) {
        Path host = SnapshotLayout.host(snap, 'node-2')
        Path sysctl = host.resolve('sysctl.txt')
        String text = sysctl.toFile().text
        sysctls.each { k, v ->
            assert text =~ "(?m)^${java.util.regex.Pattern.quote(k)} = "
            text = text.replaceAll("(?m)^${java.util.regex.Pattern.quote(k)} = .*\$", "$k = $v")
        }
        Files.writeString(sysctl, text)
        if (proxies != null) {
            Files.writeString(host.resolve('neigh-proxy.json'), JsonOutput.toJson(proxies))
        } else {
            // as in a dump from before collect-netns.sh wrote it: no file, and meta.json does not list it
            Files.deleteIfExists(host.resolve('neigh-proxy.json'))
            Path meta = host.resolve('meta.json')
            Map m = new JsonSlurper().parse(meta.toFile()) as Map
            m.collected.removeIf { it.file == 'neigh-proxy.json' }
            Files.writeString(meta, JsonOutput.toJson(m))
        }
    }

    Diagnosis diagnose() {
        new Diagnostor(Snapshot.open(snap)).diagnose(new Query('default/client', 'default/web-2', '8080', Protocol.TCP, null, IpFamily.IPv6))
    }

    static List<String> messages(Diagnosis d, Level level) {
        (d.request().nodes() + d.reply().nodes()).collectMany { n -> n.suspicions().findAll { it.level() == level }.collect { "${n.hop()}: ${it.message()}".toString() } }
    }

    def "proxy_ndp on eth0 and a proxy entry for web-2's address: node-2 answers, the SYN reaches web-2"() {
        given:
        node2(['net.ipv6.conf.eth0.proxy_ndp': '1'], [[dst: 'fd00:10:244:1::2', dev: 'eth0', proxy: null]])

        when:
        Diagnosis d = diagnose()

        then:
        d.verdict() == Verdict.REACHABLE
        messages(d, Level.FATAL) == []
        d.request().nodes().find { it.hop().toString() == 'node:node-1' }.explanation().any {
            it.contains('node node-2, which answers neighbour solicitations for fd00:10:244:1::2 on eth0 by proxy (proxy_ndp on, `fd00:10:244:1::2 dev eth0 proxy`)')
        }
    }

    def "all.proxy_ndp and a proxy entry without a device answer too"() {
        given:
        node2(['net.ipv6.conf.all.proxy_ndp': '1'], [[dst: 'fd00:10:244:1::2', proxy: null]])

        expect:
        diagnose().verdict() == Verdict.REACHABLE
    }

    def "no answer when #what: node-1 finds nobody for web-2's address on the underlay"() {
        given:
        node2(sysctls, proxies)

        when:
        Diagnosis d = diagnose()

        then:
        d.verdict() == Verdict.UNREACHABLE
        messages(d, Level.FATAL).any { it.startsWith('node:node-1: ') && it.contains('no host on the underlay answers neighbour solicitations for fd00:10:244:1::2') }

        where:
        what                                         | sysctls                                                                              | proxies
        'proxy_ndp is off'                           | [:]                                                                                  | [[dst: 'fd00:10:244:1::2', dev: 'eth0', proxy: null]]
        'the proxy entry is on another device'       | ['net.ipv6.conf.eth0.proxy_ndp': '1']                                                | [[dst: 'fd00:10:244:1::2', dev: 'cni0', proxy: null]]
        'the proxy entry is for another address'     | ['net.ipv6.conf.eth0.proxy_ndp': '1']                                                | [[dst: 'fd00:10:244:1::3', dev: 'eth0', proxy: null]]
        'eth0 does not forward (ndisc proxies only for a router)' | ['net.ipv6.conf.eth0.proxy_ndp': '1', 'net.ipv6.conf.eth0.forwarding': '0'] | [[dst: 'fd00:10:244:1::2', dev: 'eth0', proxy: null]]
    }

    def "proxy_ndp on but no neigh-proxy.json (a dump from before it was collected): UNKNOWN naming the file, not a network fault"() {
        given:
        node2(['net.ipv6.conf.eth0.proxy_ndp': '1'], null)

        when:
        Diagnosis d = diagnose()

        then:
        d.verdict() == Verdict.UNKNOWN
        messages(d, Level.FATAL) == []
        (messages(d, Level.WARNING) + messages(d, Level.CRITICAL)).any { it.contains('neigh-proxy.json') }
    }
}
