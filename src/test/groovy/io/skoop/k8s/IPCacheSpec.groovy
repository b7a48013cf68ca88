package io.skoop.k8s

import io.skoop.k8s.IpEntity.ExternalEntity
import io.skoop.k8s.IpEntity.NodeEntity
import io.skoop.k8s.IpEntity.PodEntity
import io.skoop.k8s.IpEntity.ServiceEntity
import io.skoop.k8s.IpEntity.ServiceIpKind
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.snapshot.k8s.KEndpointSlice
import io.skoop.snapshot.k8s.KPod
import io.skoop.snapshot.k8s.KService
import io.skoop.snapshot.k8s.KubeObjects
import java.nio.file.Files
import spock.lang.Shared
import spock.lang.Specification

/** Who is who in the embedded flannel-vxlan snapshot, checked against the topology's own allocation. */
class IPCacheSpec extends Specification {

    @Shared Snapshot snap = Snapshot.example('flannel-vxlan')
    @Shared IPCache cache = IPCache.of(snap)
    @Shared ResolvedTopology topo = TopologyLoader.parse('topology.yaml', Files.readString(snap.dir().resolve('topology.yaml')))

    def "every pod IP of the topology is its pod"() {
        expect:
        topo.pods().size() == 10
        topo.pods().each { p ->
            IpEntity e = cache.lookup(p.ip())
            assert e instanceof PodEntity
            assert e.pod().key() == p.key() && e.pod().nodeName() == p.node() && e.others() == []
            assert cache.lookupAll(p.ip()) == [e]
        }
        cache.lookup(Ip.parse('10.244.1.2')).describe() == '10.244.1.2: pod default/web-2 on node-2'
    }

    def "every node address is its node, InternalIP; hostNetwork pods' IPs are their node's"() {
        expect:
        topo.nodes().each { n ->
            IpEntity e = cache.lookup(n.address())
            assert e instanceof NodeEntity && e.node().name() == n.name() && e.addressType() == 'InternalIP'
        }
        snap.objects().pods().findAll { it.hostNetwork() }.every { (cache.lookup(it.podIP()) as NodeEntity).node().name() == it.nodeName() }
        cache.lookup(Ip.parse('192.168.56.3')).describe() == '192.168.56.3: node node-2 (InternalIP)'
    }

    def "cluster IP #ip is service #key"() {
        when:
        IpEntity e = cache.lookup(Ip.parse(ip))

        then:
        e instanceof ServiceEntity
        e.service().key() == key
        e.kind() == ServiceIpKind.CLUSTER_IP
        key == 'default/kubernetes' || e.ip() == topo.service(key).service().clusterIP()
        e.describe() == "$ip: cluster IP of service $key ($type)"

        where:
        ip           | key                   | type
        '10.96.0.1'  | 'default/kubernetes'  | 'ClusterIP'
        '10.96.0.2'  | 'default/web'         | 'ClusterIP'
        '10.96.0.3'  | 'default/api'         | 'NodePort'
        '10.96.0.10' | 'kube-system/kube-dns' | 'ClusterIP'
    }

    def "an address nobody has: #ip"() {
        when:
        IpEntity e = cache.lookup(Ip.parse(ip))

        then:
        e instanceof ExternalEntity
        e.insideCluster() == inside
        e.podCIDRNode()?.name() == node
        e.describe() == "$ip: $text"

        where:
        ip             | inside | node     | text
        '10.244.1.77'  | true   | 'node-2' | 'inside the podCIDR 10.244.1.0/24 of node node-2 but no pod has it'
        '10.244.9.9'   | true   | null     | "inside the cluster CIDR 10.244.0.0/16 but in no node's podCIDR, and no pod has it"
        '10.96.7.7'    | true   | null     | 'inside the service CIDR 10.96.0.0/16 but no Service has it'
        '203.0.113.10' | false  | null     | "external (not a pod, node or Service address, outside the cluster's ranges)"
    }

    def "a dual-stack snapshot's ranges of both families (snapshot.json: comma-separated CIDRs): #ip is #text"() {
        given:
        IPCache dual = IPCache.of(io.skoop.snapshot.Snapshot.example('dual-stack'))

        when:
        IpEntity e = dual.lookup(Ip.parse(ip))

        then:
        e instanceof ExternalEntity
        e.insideCluster() == inside
        e.describe() == "$ip: $text"

        where:
        ip                  | inside | text
        'fd00:10:244:99::9' | true   | "inside the cluster CIDR fd00:10:244::/56 but in no node's podCIDR, and no pod has it"
        'fd00:10:96::99'    | true   | 'inside the service CIDR fd00:10:96::/112 but no Service has it'
        '10.96.7.7'         | true   | 'inside the service CIDR 10.96.0.0/16 but no Service has it'
        '2001:db8:113::10'  | false  | "external (not a pod, node or Service address, outside the cluster's ranges)"
    }

    def "snapshot.json's CIDR fields: one per family, comma-separated; a malformed one is named with the field"() {
        expect:
        io.skoop.snapshot.SnapshotMeta.cidrs('clusterCIDR', '10.244.0.0/16, fd00:10:244::/56')*.toString() == ['10.244.0.0/16', 'fd00:10:244::/56']
        io.skoop.snapshot.SnapshotMeta.cidrs('clusterCIDR', null) == []

        when:
        io.skoop.snapshot.SnapshotMeta.cidrs('serviceCIDR', '10.96.0.0/16,fd00::/999')

        then:
        IllegalArgumentException e = thrown()
        e.message.startsWith("snapshot.json: serviceCIDR '10.96.0.0/16,fd00::/999': ")
        e.message.endsWith('(expected one CIDR per family, comma-separated, e.g. 10.244.0.0/16,fd00:10:244::/56)')
    }

    def "endpoints of default/web http: three pods, the named targetPort resolved per pod (web-3 serves 8081)"() {
        when:
        def eps = cache.endpoints(cache.service('default', 'web'), 'http', Protocol.TCP)

        then:
        eps.collect { "${it.ip()}:${it.port()}" as String } == ['10.244.0.3:8080', '10.244.1.2:8080', '10.244.2.2:8081']
        eps.collect { [it.pod().key(), it.nodeName(), it.protocol()] } ==
                [['default/web-1', 'node-1', Protocol.TCP], ['default/web-2', 'node-2', Protocol.TCP], ['default/web-3', 'node-3', Protocol.TCP]]
        eps.every { it.isReady() && it.isServing() && !it.isTerminating() && it.servicePort().port() == 80 }
        // the same as the topology's own endpoint computation (the lab's EndpointSlice controller)
        eps.collect { [it.pod().key(), it.nodeName(), it.ip(), it.port(), it.protocol()] } as Set ==
                topo.service('web').port('http').endpoints().collect { [it.pod(), it.node(), it.ip(), it.port(), it.protocol()] } as Set
        eps[2].toString() == '10.244.2.2:8081/TCP (default/web-3 on node-3)'

        expect: 'a port number, or no protocol, when that decides'
        cache.endpoints(cache.service('default', 'web'), '80', null) == eps
    }

    def "endpoints of every Service port agree with the topology's"() {
        expect:
        topo.services().each { rs ->
            KService s = cache.service(rs.service().namespace(), rs.service().name())
            rs.ports().each { p ->
                def ours = cache.endpoints(s, p.port().name(), p.port().protocol())
                assert ours.collect { [it.pod().key(), it.ip(), it.port(), it.protocol()] } as Set ==
                        p.endpoints().collect { [it.pod(), it.ip(), it.port(), it.protocol()] } as Set
                assert ours.size() == p.endpoints().size()
            }
        }
    }

    def "default/kubernetes: the apiserver endpoint has no pod and only 'ready' written; serving defers to it"() {
        when:
        def eps = cache.endpoints(cache.service('default', 'kubernetes'), 'https', null)

        then:
        eps.size() == 1
        with(eps[0]) {
            ip() == Ip.parse('192.168.56.2') && port() == 6443
            pod() == null && nodeName() == null
            conditions().serving() == null && isServing() && !isTerminating()
        }
    }

    def "DNS: port 53 is UDP and TCP, so a number needs a protocol"() {
        given:
        def dns = cache.service('kube-system', 'kube-dns')

        expect:
        cache.endpoints(dns, '53', Protocol.UDP).collect { "${it.ip()}:${it.port()}/${it.protocol()}" as String } == ['10.244.2.3:53/UDP']
        cache.endpoints(dns, 'dns-tcp', null)*.protocol() == [Protocol.TCP]

        when:
        cache.endpoints(dns, '53', null)

        then:
        IllegalArgumentException e = thrown()
        e.message == 'service kube-system/kube-dns has several ports 53 (dns 53/UDP, dns-tcp 53/TCP); say which protocol'
    }

    def "an unknown Service port names the ports and the closest"() {
        when:
        cache.endpoints(cache.service('default', 'api'), 'metric', null)

        then:
        IllegalArgumentException e = thrown()
        e.message == "service default/api has no port metric (ports: http 8080/TCP, metrics 9100/TCP); did you mean 'metrics'?"
    }

    def "unknown names: errors with did-you-mean"() {
        when:
        call()

        then:
        IllegalArgumentException e = thrown()
        e.message.startsWith(start)
        e.message.endsWith(end)

        where:
        call                                        | start                                                   | end
        ({ -> cache.pod('default', 'web-9') })      | 'no pod default/web-9 in the snapshot (pods in namespace default: api-1, ' | "; did you mean 'default/web-1'?"
        ({ -> cache.pod('stagin', 'web-canary') })  | 'no pod stagin/web-canary in the snapshot (pods in namespace stagin: none)' | "; did you mean 'staging/web-canary'?"
        ({ -> cache.service('default', 'wbe') })    | 'no service default/wbe in the snapshot (services in namespace default: api, kubernetes, web)' | "; did you mean 'default/web'?"
        ({ -> cache.node('node1') })                | 'no node node1 in the snapshot (nodes: node-1, node-2, node-3)' | "; did you mean 'node-1'?"
    }

    def "several pods claiming one IP: the Running one is the answer, the others are named"() {
        given:
        Ip ip = Ip.parse('10.244.0.9')
        KPod done = pod('old', 'Succeeded', ip)
        KPod live = pod('new', 'Running', ip)
        IPCache c = new IPCache(new KubeObjects([], [], [done, live], [], [], []), Prefix.parse('10.244.0.0/16'), null)

        when:
        PodEntity e = c.lookup(ip) as PodEntity

        then:
        e.pod().is(live)
        e.others() == [done]
        e.describe() == '10.244.0.9: pod default/new on node-1; also claimed by default/old'
    }

    def "node and Service both claiming an address (an externalIP on a node): lookup gives the node, lookupAll both"() {
        given:
        Ip ip = Ip.parse('192.168.56.2')
        KService ext = new KService('default', 'ext', null, 'ClusterIP', [Ip.parse('10.96.0.50')], false, [ip], [], [], [:], null, null)
        KubeObjects o = snap.objects()
        IPCache c = new IPCache(new KubeObjects(o.namespaces(), o.nodes(), o.pods(), o.services() + ext, o.endpointSlices(), o.configMaps()), null, null)

        expect:
        c.lookupAll(ip).collect { it.getClass().simpleName } == ['NodeEntity', 'ServiceEntity']
        c.lookup(ip) instanceof NodeEntity
        (c.lookupAll(ip)[1] as ServiceEntity).kind() == ServiceIpKind.EXTERNAL_IP
        c.lookup(Ip.parse('10.96.0.50')).describe() == '10.96.0.50: cluster IP of service default/ext (ClusterIP)'
    }

    def "endpoints that are not ready, or terminating, are kept with their conditions; unknown ones read as ready"() {
        given:
        def port = new KService.Port(null, 80, Protocol.TCP, new KService.TargetPort(8080, null), null)
        KService svc = new KService('default', 'w', null, 'ClusterIP', [Ip.parse('10.96.0.60')], false, [], [], [port], [app: 'w'], null, null)
        def ep = { String addr, Boolean ready, Boolean serving, Boolean terminating ->
            new KEndpointSlice.Endpoint([Ip.parse(addr)], new KEndpointSlice.Conditions(ready, serving, terminating), 'node-1', null)
        }
        def slice = new KEndpointSlice('default', 'w-abc', 'w', 'IPv4', [
                ep('10.244.0.21', false, true, true), ep('10.244.0.20', null, null, null), ep('10.244.0.22', false, false, false)],
                [new KEndpointSlice.Port('', 8080, Protocol.TCP)])
        def ignored = new KEndpointSlice('default', 'w-fqdn', 'w', 'FQDN', [new KEndpointSlice.Endpoint([], KEndpointSlice.Conditions.UNKNOWN, null, null)],
                [new KEndpointSlice.Port('', 8080, Protocol.TCP)])
        IPCache c = new IPCache(new KubeObjects([], [], [], [svc], [slice, ignored], []), null, null)

        when:
        def eps = c.endpoints(svc, '80', Protocol.TCP)

        then:
        eps*.ip()*.toString() == ['10.244.0.20', '10.244.0.21', '10.244.0.22']
        eps.collect { [it.isReady(), it.isServing(), it.isTerminating()] } == [[true, true, false], [false, true, true], [false, false, false]]
        eps[1].toString() == '10.244.0.21:8080/TCP [not ready, serving, terminating]'
    }

    static KPod pod(String name, String phase, Ip ip) {
        new KPod('default', name, null, [:], 'node-1', false, phase, [ip], Ip.parse('192.168.56.2'), null, [])
    }
}
