package io.skoop.lab.topology

import io.skoop.model.Ip
import io.skoop.netstack.parse.ParseException
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification

/** The examples of docs/lab.md: each is a file here that loads, and the page quotes it verbatim. */
class TopologyDocsSpec extends Specification {
    static final Path DIR = Path.of('src/test/resources/lab/topology')

    static ResolvedTopology load(String name) {
        TopologyLoader.load(DIR.resolve(name))
    }

    def "docs/lab.md quotes every docs-*.yaml verbatim"() {
        given:
        String doc = Files.readString(Path.of('docs/lab.md'))
        List<Path> snippets = Files.list(DIR).filter { it.fileName.toString() ==~ /docs-.*\.yaml/ }.sorted().toList()

        expect:
        snippets*.fileName*.toString() == ['docs-calico.yaml', 'docs-dual-stack.yaml', 'docs-external.yaml', 'docs-minimal.yaml', 'docs-nodes.yaml', 'docs-pods.yaml', 'docs-policies.yaml', 'docs-services.yaml']
        snippets.every { doc.contains('```yaml\n' + Files.readString(it) + '```\n') }
    }

    def "the error messages docs/lab.md shows are rows of TopologyLoaderErrorsSpec"() {
        given:
        String doc = Files.readString(Path.of('docs/lab.md'))
        String errors = doc.substring(doc.indexOf('## Errors'))
        List<String> shown = errors.substring(errors.indexOf('```\n') + 4, errors.lastIndexOf('```')).readLines()
        String spec = Files.readString(Path.of('src/test/groovy/io/skoop/lab/topology/TopologyLoaderErrorsSpec.groovy'))

        expect:
        shown.size() == 6
        shown.every { spec.contains('"' + it + '"') }
    }

    def "policies: namespaces with labels, a NetworkPolicy put in default, an AdminNetworkPolicy; the objects carry the API server's defaults"() {
        when:
        def t = load('docs-policies.yaml')
        def objects = io.skoop.lab.k8s.ClusterObjects.render(t, java.time.Instant.parse('2026-12-06T00:00:00Z'))
        def np = new groovy.json.JsonSlurper().parseText(io.skoop.lab.k8s.ClusterObjects.print(objects.networkpolicies)).items

        then:
        t.namespaces()*.name == ['monitoring']
        t.policies().collect { it.kind() + " " + it.key() } == ['NetworkPolicy default/web-ingress', 'AdminNetworkPolicy no-telnet']
        np*.metadata*.namespace == ['default']
        np[0].spec.policyTypes == ['Ingress']
        np[0].spec.ingress[0].ports == [[port: 'http', protocol: 'TCP']]
        objects.keySet().containsAll(['networkpolicies', 'adminnetworkpolicies'])
        !objects.containsKey('baselineadminnetworkpolicies')
        new groovy.json.JsonSlurper().parseText(io.skoop.lab.k8s.ClusterObjects.print(objects.namespaces)).items
                .find { it.metadata.name == 'monitoring' }.metadata.labels == ['kubernetes.io/metadata.name': 'monitoring', team: 'ops']
    }

    def "calico: a block per node (a written podCIDR pins one), pods from ordinal 0 of their node's block"() {
        when:
        def t = load('docs-calico.yaml')

        then:
        t.cni() == new Cni.Calico(Cni.CalicoMode.BGP, 28)
        t.nodes().collect { "$it.name $it.podCIDR".toString() } == ['node-1 10.244.0.0/28', 'node-2 10.244.1.0/28', 'node-3 10.244.0.16/28']
        t.pods().collect { "$it.name $it.ip".toString() } == ['client 10.244.0.0', 'web 10.244.1.0', 'web-2 10.244.0.1']
    }

    def "the calico error messages docs/lab.md shows are rows of CalicoLabSpec"() {
        given:
        String doc = Files.readString(Path.of('docs/lab.md'))
        String calico = doc.substring(doc.indexOf('## Calico'), doc.indexOf('## Errors'))
        List<String> shown = calico.readLines().findAll { it.startsWith('bad.yaml:') }
        String spec = Files.readString(Path.of('src/test/groovy/io/skoop/lab/calico/CalicoLabSpec.groovy'))

        expect:
        shown.size() >= 3
        shown.every { spec.contains('"' + it + '"') }
    }

    def "minimal: one node gets the first /24 and the underlay's second address"() {
        when:
        def t = load('docs-minimal.yaml')

        then:
        t.nodes().collect { "$it.name $it.podCIDR $it.address".toString() } == ['node-1 10.244.0.0/24 192.168.56.2']
        t.pods().isEmpty() && t.services().isEmpty() && t.externalHosts().isEmpty()
    }

    def "nodes: written podCIDR and address kept, others allocated around them"() {
        when:
        def t = load('docs-nodes.yaml')

        then:
        t.cni() == new Cni.Flannel(Cni.FlannelBackend.HOST_GW)
        t.nodes().collect { "$it.name $it.podCIDR $it.address".toString() } == [
                'node-1 10.244.0.0/24 192.168.56.2', 'node-2 10.244.1.0/24 192.168.56.12', 'node-3 10.244.2.0/24 192.168.56.3']
        t.node('node-2').listeners()*.toString() == ['Listener[port=10250, protocol=TCP]', 'Listener[port=8472, protocol=UDP]']
    }

    def "pods: namespace, written IP, default and explicit listeners"() {
        when:
        def t = load('docs-pods.yaml')

        then:
        t.pods().collect { "${it.key()} ${it.ip()} ${it.listeners()*.port()}".toString() } == [
                'default/client 10.244.0.2 []', 'shop/web 10.244.0.50 [8080, 9100]', 'default/broken 10.244.0.3 []']
        t.pod('shop/web').labels() == [app: 'web', tier: 'front']
    }

    def "services: named targetPort per pod, node ports, UDP"() {
        when:
        def t = load('docs-services.yaml')
        def eps = { String svc, String port -> t.service(svc).port(port).endpoints().collect { "${it.ip()}:${it.port()}".toString() } }

        then:
        t.services().collect { it.service().clusterIP().toString() } == ['10.96.0.2', '10.96.0.3', '10.96.0.10']
        eps('web', 'http') == ['10.244.0.2:8080', '10.244.1.2:8081']
        t.service('web-public').ports()*.port()*.nodePort() == [30080, 30000]
        eps('web-public', 'http') == ['10.244.0.2:8080', '10.244.1.2:8080']
        eps('web-public', 'alt') == ['10.244.0.2:8080', '10.244.1.2:8081']
        eps('dns', '53/udp') == ['10.244.1.3:53']
    }

    def "external hosts"() {
        when:
        def t = load('docs-external.yaml')

        then:
        t.externalHosts()*.address() == [Ip.parse('203.0.113.10')]
        t.externalHosts()[0].listeners()*.port() == [443, 53]
    }

    def "a missing file is a ParseException naming it"() {
        when:
        TopologyLoader.load(DIR.resolve('no-such.yaml'))

        then:
        def e = thrown(ParseException)
        e.message == 'src/test/resources/lab/topology/no-such.yaml: no such topology file'
    }

    def "docs-dual-stack.yaml allocates what its comments say"() {
        when:
        def t = load('docs-dual-stack.yaml')
        def n = t.node('node-1')

        then:
        n.podCIDRs()*.toString() == ['10.244.0.0/24', 'fd00:10:244::/64']
        n.addressV6().toString() == 'fd00:192:168:56::2'
        t.pod('web-1').ips()*.toString() == ['10.244.0.2', 'fd00:10:244::2']
        t.service('web').service().clusterIPs()*.toString() == ['10.96.0.2', 'fd00:10:96::1']
        t.service('web6').service().clusterIPs()*.toString() == ['fd00:10:96::2']
        t.service('web6').service().ipFamilyPolicy().name() == 'SingleStack'
        t.service('api').service().clusterIPs()*.toString() == ['fd00:10:96::3', '10.96.0.3']
    }
}
