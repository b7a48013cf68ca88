package io.skoop.plugin

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import io.skoop.netstack.NetNS
import io.skoop.network.Network
import io.skoop.network.provider.GenericProvider
import io.skoop.snapshot.Snapshot
import io.skoop.snapshot.SnapshotLayout
import io.skoop.testsupport.ExampleCopy
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/**
 * flannel's intent for flannel-v6.1 (EnableIPv6), checked on copies of the embedded dual-stack snapshot: the device's
 * VNI, port, /128 address and MTU over an IPv6 underlay. flanneld asks for the IPv4 device's MTU (eth0 − 50 = 1450);
 * the kernel caps a VXLAN device over IPv6 at eth0 − 70 (vxlan_config_apply), which is what a healthy node shows.
 */
class FlannelDualStackIntentSpec extends Specification {

    static final Path DUAL = Path.of('src/main/resources/io/skoop/snapshots/dual-stack')

    @TempDir
    Path tmp

    /** node-1's intent suspicions after {@code edit} changed the named JSON file of its host dump. */
    List<String> checkNode1(String file = null, Closure edit = null) {
        Path dir = ExampleCopy.copy(tmp.resolve('snap'), DUAL)
        if (file != null) {
            Path f = SnapshotLayout.host(dir, 'node-1').resolve(file)
            def json = new JsonSlurper().parse(f.toFile())
            edit(json)
            Files.writeString(f, JsonOutput.toJson(json))
        }
        Snapshot s = Snapshot.open(dir)
        def plugin = Network.of(s, new GenericProvider()).plugin()
        def nodes = s.objects().nodes()
        plugin.checkNode(nodes.find { it.name() == 'node-1' }, NetNS.load(SnapshotLayout.host(dir, 'node-1')), nodes)*.toString()
    }

    static Map dev(List links, String name) {
        links.find { it.ifname == name }
    }

    def "a healthy node: flannel-v6.1 at 1430 over eth0 1500 holds its /128; nothing to say"() {
        expect:
        checkNode1() == []
    }

    def "flannel-v6.1 #what: #message"() {
        expect:
        checkNode1(file, edit) == [message]

        where:
        what                                    | file        | edit                                                                                   || message
        'at 1450 (what flanneld asks for)'      | 'link.json' | { l -> dev(l, 'flannel-v6.1').mtu = 1450 }                                            || 'WARNING: flannel-v6.1 MTU 1450 + 70 bytes of VXLAN overhead = 1520 exceeds eth0 MTU 1500: full-size packets between nodes cannot cross (flannel sets flannel-v6.1 MTU = 1430)'
        'at 1400'                               | 'link.json' | { l -> dev(l, 'flannel-v6.1').mtu = 1400 }                                            || 'INFO: flannel-v6.1 MTU 1400 is below what eth0 allows (1430)'
        'without its address'                   | 'addr.json' | { l -> dev(l, 'flannel-v6.1').addr_info.removeIf { it.local == 'fd00:10:244::' } }  || "WARNING: flannel-v6.1 lacks flannel's address fd00:10:244::/128"
        'with another VNI'                      | 'link.json' | { l -> dev(l, 'flannel-v6.1').linkinfo.info_data.id = 2 }                             || 'WARNING: flannel-v6.1 has VNI 2, flannel uses 1'
    }
}
