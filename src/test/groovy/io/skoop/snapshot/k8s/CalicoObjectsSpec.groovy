package io.skoop.snapshot.k8s

import io.skoop.model.Prefix
import io.skoop.netstack.parse.ParseException
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/**
 * Calico's IPPools and BlockAffinities in a snapshot's k8s/ folder, as the API server returns Calico's CRDs
 * (crd.projectcalico.org/v1; the shapes of libcalico-go's v1 resources: BlockAffinity's deleted is a string).
 */
class CalicoObjectsSpec extends Specification {
    @TempDir Path dir

    def setup() {
        Path ex = Path.of('src/main/resources/io/skoop/snapshots/flannel-vxlan/k8s')
        Files.list(ex).forEach { Files.copy(it, dir.resolve(it.fileName)) }
    }

    def "absent files: no pools, no affinities"() {
        expect:
        KubeObjects.read(dir).ipPools().isEmpty()
        KubeObjects.read(dir).blockAffinities().isEmpty()
    }

    def "an IPPool with its defaults, and BlockAffinities, as kubectl prints them"() {
        given:
        dir.resolve('ippools.json').text = '''{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion":"crd.projectcalico.org/v1","kind":"IPPool","metadata":{"name":"default-ipv4-ippool"},
  "spec":{"allowedUses":["Workload","Tunnel"],"blockSize":26,"cidr":"192.168.0.0/16","ipipMode":"Always",
          "natOutgoing":true,"nodeSelector":"all()","vxlanMode":"Never"}},
 {"apiVersion":"crd.projectcalico.org/v1","kind":"IPPool","metadata":{"name":"minimal"},"spec":{"cidr":"10.10.0.0/16"}}]}'''
        dir.resolve('blockaffinities.json').text = '''{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion":"crd.projectcalico.org/v1","kind":"BlockAffinity","metadata":{"name":"mac-k8s-192-168-185-0-26"},
  "spec":{"cidr":"192.168.185.0/26","deleted":"false","node":"mac-k8s","state":"confirmed"}},
 {"apiVersion":"crd.projectcalico.org/v1","kind":"BlockAffinity","metadata":{"name":"old-192-168-9-0-26"},
  "spec":{"cidr":"192.168.9.0/26","deleted":"true","node":"old","state":"pendingDeletion"}}]}'''

        when:
        KubeObjects o = KubeObjects.read(dir)

        then:
        o.ipPools()[0] == new KIPPool('default-ipv4-ippool', Prefix.parse('192.168.0.0/16'), 26, 'Always', 'Never', true, false, 'all()')
        o.ipPools()[0].encapsulation() == 'ipip'
        o.ipPools()[1] == new KIPPool('minimal', Prefix.parse('10.10.0.0/16'), 26, 'Never', 'Never', false, false, 'all()')
        o.ipPools()[1].encapsulation() == 'bgp'
        o.blockAffinities()*.isActive() == [true, false]
        o.blockAffinities()[0].node() == 'mac-k8s'
        o.blockAffinities()[0].cidr() == Prefix.parse('192.168.185.0/26')
    }

    def "a mistake names the file and the item"() {
        given:
        dir.resolve('ippools.json').text = '{"apiVersion": "v1", "kind": "List", "items": [\n {"metadata":{"name":"p"},"spec":{"cidr":"192.168.0.0/16","vxlanMode":"Sometimes"}}]}'

        when:
        KubeObjects.read(dir)

        then:
        ParseException e = thrown()
        e.message.contains('ippools.json')
        e.message.contains("vxlanMode 'Sometimes': expected Never, Always or CrossSubnet")
    }
}
