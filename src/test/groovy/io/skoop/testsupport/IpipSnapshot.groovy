package io.skoop.testsupport

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path

/**
 * A Calico IPIP-mode snapshot made from the embedded calico-bgp one (captured from the kernel): this kernel has no ipip
 * module, so the IPIP dumps are edited from kernel captures, as src/test/resources/plugin/calico/ipip/README.md says.
 * Per node: {@code tunl0} (src/test/resources/plugin/calico/ipip/tunl0.json, as iproute2 prints the fallback device)
 * appended to link.json and addr.json, BIRD's block routes moved onto it ({@code <block> via <node> dev tunl0 proto bird
 * onlink}), the cali veths and the pods' eth0 at MTU 1480; the IPPool's ipipMode Always, cniBackend ipip.
 */
class IpipSnapshot {
    static final Path BGP = Path.of('src/main/resources/io/skoop/snapshots/calico-bgp')
    static final Path TUNL0 = Path.of('src/test/resources/plugin/calico/ipip/tunl0.json')
    static final int MTU = 1480

    /** The IPIP snapshot at {@code to}; {@code edit} (given the copy's folder) changes it further. Returns {@code to}. */
    static Path build(Path to, Closure edit = null) {
        ExampleCopy.copy(to, BGP)
        Files.list(to.resolve('nodes')).sorted().forEach { Path node ->
            Path host = node.resolve('host')
            List links = json(host.resolve('link.json'))
            Map tunl0 = new JsonSlurper().parse(TUNL0.toFile()) as Map
            tunl0.ifindex = (links*.ifindex.max() as int) + 1
            links.each { if (it.ifname.startsWith('cali')) { it.mtu = MTU } }
            links << tunl0
            write(host.resolve('link.json'), links)
            List addrs = json(host.resolve('addr.json'))
            addrs << (tunl0.subMap(['ifindex', 'link', 'ifname', 'flags', 'mtu', 'qdisc', 'operstate', 'group', 'txqlen', 'link_type',
                                    'address', 'broadcast']) + [addr_info: []])
            write(host.resolve('addr.json'), addrs)
            List routes = json(host.resolve('route.json'))
            routes.each { if (it.protocol == 'bird' && it.gateway) { it.dev = 'tunl0'; it.flags = ['onlink'] } }
            write(host.resolve('route.json'), routes)
            Files.list(node.resolve('pods')).forEach { Path pod ->
                List podLinks = json(pod.resolve('link.json'))
                podLinks.each { if (it.ifname == 'eth0') { it.mtu = MTU } }
                write(pod.resolve('link.json'), podLinks)
            }
        }
        Path pools = to.resolve('k8s/ippools.json')
        pools.text = pools.text.replace('"ipipMode": "Never"', '"ipipMode": "Always"')
        Path meta = to.resolve('snapshot.json')
        meta.text = meta.text.replace('"cniBackend" : "bgp"', '"cniBackend" : "ipip"')
        edit?.call(to)
        to
    }

    static List json(Path p) {
        new JsonSlurper().parse(p.toFile()) as List
    }

    static void write(Path p, Object o) {
        p.text = JsonOutput.toJson(o)
    }
}
