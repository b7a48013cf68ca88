package io.skoop.lab.k8s

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import groovy.json.JsonSlurper
import io.skoop.lab.flannel.Flannel
import io.skoop.lab.topology.Cni
import io.skoop.model.IpFamily
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedService
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

/** The Kubernetes objects of the bundled labs, read back as kubectl's JSON. */
class ClusterObjectsSpec extends Specification {
    static final Instant CREATED = Instant.parse('2026-11-21T10:00:00Z')
    static final Map<String, List<String>> KIND_OF = [
            namespaces    : ['v1', 'Namespace'],
            nodes         : ['v1', 'Node'],
            pods          : ['v1', 'Pod'],
            services      : ['v1', 'Service'],
            endpointslices: ['discovery.k8s.io/v1', 'EndpointSlice'],
            endpoints     : ['v1', 'Endpoints'],
            configmaps    : ['v1', 'ConfigMap'],
            networkpolicies: ['networking.k8s.io/v1', 'NetworkPolicy'],
            ippools       : ['crd.projectcalico.org/v1', 'IPPool'],
            blockaffinities: ['crd.projectcalico.org/v1', 'BlockAffinity']]

    @Shared
    Map<String, ResolvedTopology> labs = LabExamples.names().collectEntries { [it, LabExamples.load(it)] }
    @Shared
    Map<String, Map<String, Map>> rendered = labs.collectEntries { name, t -> [name, objects(t)] }

    @TempDir
    Path tmp

    /** Each kind's List, printed as kubectl prints it and parsed back. */
    static Map<String, Map> objects(ResolvedTopology t, Instant created = CREATED) {
        ClusterObjects.render(t, created).collectEntries { kind, list ->
            [kind, new JsonSlurper().parseText(ClusterObjects.print(list)) as Map]
        }
    }

    static List<Map> items(Map<String, Map> objects, String kind) {
        objects[kind].items as List<Map>
    }

    static String key(Map item) {
        "${item.metadata.namespace}/${item.metadata.name}".toString()
    }

    /** The resolved backends as {@code pod ip name port/PROTO} strings; an unnamed Service port has name "". */
    /** The resolved backends of {@code rs} in {@code family} (default: the Service's primary family). */
    static Set<String> backends(ResolvedService rs, IpFamily family = rs.service().ipFamilies()[0]) {
        rs.ports().collectMany { p ->
            p.endpoints().collect { "${it.pod()} ${it.ip(family)} ${p.port().name() ?: ''} ${it.port()}/${it.protocol()}".toString() }
        } as Set
    }

    static List<Map> slicesOf(Map<String, Map> objects, ResolvedService rs) {
        items(objects, 'endpointslices').findAll {
            it.metadata.namespace == rs.service().namespace() && it.metadata.labels['kubernetes.io/service-name'] == rs.service().name()
        }
    }

    static Map endpointsOf(Map<String, Map> objects, ResolvedService rs) {
        items(objects, 'endpoints').find { key(it) == rs.service().key() }
    }

    static void assertKeysSorted(JsonNode node, String path) {
        if (node.isObject()) {
            def names = node.fieldNames().collect()
            assert names == names.toSorted(), "keys of $path"
            names.each { assertKeysSorted(node.get(it), "$path.$it") }
        } else if (node.isArray()) {
            node.eachWithIndex { JsonNode e, int i -> assertKeysSorted(e, "$path[$i]") }
        }
    }

    def "#example: one List per kind, in kubectl's layout, items sorted by namespace and name, uids unique"() {
        given:
        def t = labs[example]
        def lists = ClusterObjects.render(t, CREATED)
        def objects = rendered[example]

        List<String> kinds = ClusterObjects.KINDS + (example.startsWith('calico') ? ClusterObjects.CALICO_KINDS : [])

        expect: 'calico labs add their IPPool and BlockAffinities'
        lists.keySet() as List == kinds
        kinds.each { kind ->
            def text = ClusterObjects.print(lists[kind])
            // the flannel examples have no NetworkPolicies: kubectl prints an empty List as "items": []
            boolean empty = kind == 'networkpolicies' && t.policies().isEmpty()
            assert text.startsWith(empty ? '{\n    "apiVersion": "v1",\n    "items": [],' : '{\n    "apiVersion": "v1",\n    "items": [\n        {\n            "')
            assert text.endsWith((empty ? '' : '\n    ]') + ',\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
            assertKeysSorted(new ObjectMapper().readTree(text), kind)
            def list = objects[kind]
            assert list.keySet() as List == ['apiVersion', 'items', 'kind', 'metadata']
            assert list.metadata == [resourceVersion: '']
            assert list.items.every { [it.apiVersion, it.kind] == KIND_OF[kind] }
            assert list.items.every { it.metadata.creationTimestamp == '2026-11-21T10:00:00Z' && it.metadata.resourceVersion ==~ /\d+/ }
            def keys = list.items.collect { it.metadata.namespace ? "$it.metadata.namespace/$it.metadata.name".toString() : it.metadata.name }
            assert keys == keys.toSorted()
        }
        def uids = kinds.collectMany { items(objects, it)*.metadata*.uid }
        uids.size() == uids.toUnique().size()
        uids.every { it ==~ /[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/ }

        where:
        example << LabExamples.names()
    }

    def "namespaces: kubeadm's, kube-flannel and every namespace the lab uses, Active"() {
        expect:
        def namespaces = items(rendered['flannel-vxlan'], 'namespaces')
        namespaces*.metadata*.name == ['default', 'kube-flannel', 'kube-node-lease', 'kube-public', 'kube-system', 'staging']
        namespaces.every { it.metadata.labels['kubernetes.io/metadata.name'] == it.metadata.name && it.status.phase == 'Active' }
        namespaces.every { it.metadata.namespace == null && it.spec.finalizers == ['kubernetes'] }
    }

    def "#example: nodes with flannel's annotations, podCIDR, InternalIP, Ready and NetworkUnavailable False"() {
        given:
        def t = labs[example]
        def nodes = items(rendered[example], 'nodes')

        expect:
        nodes*.metadata*.name == t.nodes()*.name()
        t.nodes().each { n ->
            def o = nodes.find { it.metadata.name == n.name() }
            assert o.metadata.annotations == Flannel.nodeAnnotations(t, n) + [
                    'kubeadm.alpha.kubernetes.io/cri-socket'                : 'unix:///var/run/containerd/containerd.sock',
                    'node.alpha.kubernetes.io/ttl'                          : '0',
                    'volumes.kubernetes.io/controller-managed-attach-detach': 'true']
            assert o.metadata.annotations['flannel.alpha.coreos.com/public-ip'] == n.address().toString()
            assert o.metadata.annotations['flannel.alpha.coreos.com/backend-type'] == backend
            assert o.metadata.labels['kubernetes.io/hostname'] == n.name()
            assert o.metadata.labels['kubernetes.io/os'] == 'linux' && o.metadata.labels['beta.kubernetes.io/arch'] == 'amd64'
            assert o.spec == [podCIDR: n.podCIDR().toString(), podCIDRs: n.podCIDRs()*.toString()]
            assert o.status.addresses == n.addresses().collect { [address: it.toString(), type: 'InternalIP'] } + [[address: n.name(), type: 'Hostname']]
            assert o.status.conditions.collect { "$it.type=$it.status/$it.reason".toString() } == [
                    'NetworkUnavailable=False/FlannelIsUp', 'MemoryPressure=False/KubeletHasSufficientMemory',
                    'DiskPressure=False/KubeletHasNoDiskPressure', 'PIDPressure=False/KubeletHasSufficientPID', 'Ready=True/KubeletReady']
            assert o.status.conditions[0].message == 'Flannel is running on this node'
            assert o.status.daemonEndpoints == [kubeletEndpoint: [Port: 10250]]
            assert o.status.nodeInfo.kubeletVersion ==~ /v1\.30\.\d+/
        }
        nodes[0].metadata.labels.containsKey('node-role.kubernetes.io/control-plane')
        !nodes[1].metadata.labels.containsKey('node-role.kubernetes.io/control-plane')

        where:
        example           | backend
        'flannel-vxlan'   | 'vxlan'
        'flannel-host-gw' | 'host-gw'
    }

    def "#example: every lab pod on its node with its IP, Running and Ready, its container ports declared"() {
        given:
        def t = labs[example]
        def pods = items(rendered[example], 'pods')

        expect:
        t.pods().each { p ->
            def o = pods.find { key(it) == p.key() }
            assert o != null, p.key()
            assert o.metadata.labels == (p.labels() ?: null)
            assert o.spec.nodeName == p.node()
            assert o.spec.hostNetwork == null
            assert o.spec.containers*.name == [p.name()]
            assert o.spec.containers[0].image == 'registry.k8s.io/e2e-test-images/agnhost:2.47'
            assert o.spec.containers[0].ports == (p.ports().collect { cp ->
                [containerPort: cp.port(), protocol: cp.protocol().name()] + (cp.name() ? [name: cp.name()] : [:])
            } ?: null)
            assert o.spec.restartPolicy == 'Always' && o.spec.dnsPolicy == 'ClusterFirst'
            assert o.spec.serviceAccountName == 'default' && o.spec.schedulerName == 'default-scheduler'
            assert o.status.phase == 'Running'
            assert o.status.podIP == p.ip().toString() && o.status.podIPs == p.ips().collect { [ip: it.toString()] }
            assert o.status.hostIP == t.node(p.node()).address().toString()
            assert o.status.hostIPs == t.node(p.node()).addresses().collect { [ip: it.toString()] }
            assert o.status.conditions*.type == ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']
            assert o.status.conditions.every { it.status == 'True' }
            assert o.status.qosClass == 'BestEffort' && o.status.startTime == '2026-11-21T10:00:00Z'
            assert o.status.containerStatuses.collect { [it.name, it.ready, it.started, it.restartCount] } == [[p.name(), true, true, 0]]
            assert o.status.containerStatuses[0].state.running.startedAt == '2026-11-21T10:00:00Z'
        }

        where:
        example << LabExamples.names()
    }

    def "#example: a CNI (kube-flannel or calico-node) and a kube-proxy DaemonSet pod per node, on the host network"() {
        given:
        def t = labs[example]
        def pods = items(rendered[example], 'pods')
        def daemonPods = pods.findAll { it.metadata.ownerReferences }

        expect:
        pods.size() == t.pods().size() + 2 * t.nodes().size()
        daemonPods.size() == 2 * t.nodes().size()
        boolean calico = t.cni() instanceof Cni.Calico
        [calico ? ['kube-system', 'calico-node'] : ['kube-flannel', 'kube-flannel-ds'], ['kube-system', 'kube-proxy']].each { ns, ds ->
            def mine = daemonPods.findAll { it.metadata.namespace == ns && it.metadata.ownerReferences[0].name == ds }
            assert mine*.spec*.nodeName.toSorted() == t.nodes()*.name()
            mine.each { o ->
                def node = t.node(o.spec.nodeName)
                assert o.metadata.name ==~ /${ds}-[bcdfghjklmnpqrstvwxz2456789]{5}/
                assert o.metadata.generateName == "$ds-".toString()
                assert o.metadata.ownerReferences == [[apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'DaemonSet',
                                                       name: ds, uid: o.metadata.ownerReferences[0].uid]]
                assert o.spec.hostNetwork
                assert o.spec.priorityClassName == 'system-node-critical'
                assert o.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields ==
                        [[key: 'metadata.name', operator: 'In', values: [node.name()]]]
                assert o.status.podIP == node.address().toString() && o.status.hostIP == node.address().toString()
                assert o.status.phase == 'Running' && o.status.containerStatuses[0].ready
            }
            assert mine*.metadata*.ownerReferences*.getAt(0)*.uid.toUnique().size() == 1
        }
        calico || daemonPods.find { it.metadata.namespace == 'kube-flannel' }.spec.containers[0].args == ['--ip-masq', '--kube-subnet-mgr']
        !calico || daemonPods.find { it.metadata.name.startsWith('calico-node-') }.spec.containers[0].env.find { it.name == 'CALICO_IPV4POOL_CIDR' }.value == '10.244.0.0/16'

        where:
        example << LabExamples.names()
    }

    def "#example: Services keep type, cluster IP, node ports and targetPorts as declared; default/kubernetes is the service CIDR's first host"() {
        given:
        def t = labs[example]
        def services = items(rendered[example], 'services')
        def kubernetes = services.find { key(it) == 'default/kubernetes' }

        expect:
        services.size() == t.services().size() + 1
        kubernetes.spec.clusterIP == '10.96.0.1'
        kubernetes.spec.ports == [[name: 'https', port: 443, protocol: 'TCP', targetPort: 6443]]
        kubernetes.spec.selector == null
        kubernetes.metadata.labels == [component: 'apiserver', provider: 'kubernetes']
        t.services().each { rs ->
            def s = rs.service()
            def o = services.find { key(it) == s.key() }
            assert o.spec.type == s.type().name()
            assert o.spec.clusterIP == s.primaryClusterIP().toString() && o.spec.clusterIPs == s.clusterIPs()*.toString()
            assert o.spec.ipFamilies == s.ipFamilies()*.name() && o.spec.ipFamilyPolicy == s.ipFamilyPolicy().name()
            assert o.spec.clusterIPs.size() == o.spec.ipFamilies.size()
            assert o.spec.internalTrafficPolicy == 'Cluster' && o.spec.sessionAffinity == 'None'
            assert o.spec.externalTrafficPolicy == (s.type().name() == 'NodePort' ? 'Cluster' : null)
            assert o.spec.selector == s.selector()
            assert o.status == [loadBalancer: [:]]
            assert o.spec.ports.size() == s.ports().size()
            s.ports().eachWithIndex { p, i ->
                def port = o.spec.ports[i]
                assert port.name == p.name() && port.port == p.port() && port.protocol == p.protocol().name()
                assert port.targetPort == (p.targetPort().isNamed() ? p.targetPort().name() : p.targetPort().number())
                assert port.nodePort == (s.type().name() == 'NodePort' ? p.nodePort() : null)
            }
        }

        where:
        example << LabExamples.names()
    }

    def "flannel-vxlan: node ports and named targetPorts verbatim"() {
        expect:
        def services = items(rendered['flannel-vxlan'], 'services')
        services.find { key(it) == 'default/api' }.spec.ports == [
                [name: 'http', nodePort: 30080, port: 8080, protocol: 'TCP', targetPort: 9090],
                [name: 'metrics', nodePort: 30000, port: 9100, protocol: 'TCP', targetPort: 9100]]
        services.find { key(it) == 'default/web' }.spec.ports == [[name: 'http', port: 80, protocol: 'TCP', targetPort: 'http']]
    }

    def "#example: EndpointSlices and Endpoints publish exactly the resolved backends, with the pods' uids and nodes"() {
        given:
        def t = labs[example]
        def objects = rendered[example]
        def podUid = items(objects, 'pods').collectEntries { [key(it), it.metadata.uid] }
        def serviceUid = items(objects, 'services').collectEntries { [key(it), it.metadata.uid] }

        expect:
        t.services().each { rs ->
          rs.service().ipFamilies().each { family ->
            def slices = slicesOf(objects, rs).findAll { it.addressType == family.name() }
            assert !slices.isEmpty()
            assert slices.every {
                it.metadata.name ==~ /${rs.service().name()}-[bcdfghjklmnpqrstvwxz2456789]{5}/ &&
                        it.metadata.labels['endpointslice.kubernetes.io/managed-by'] == 'endpointslice-controller.k8s.io' &&
                        it.metadata.ownerReferences == [[apiVersion: 'v1', blockOwnerDeletion: true, controller: true, kind: 'Service',
                                                         name: rs.service().name(), uid: serviceUid[rs.service().key()]]]
            }
            def fromSlices = slices.collectMany { s ->
                s.endpoints.collectMany { e ->
                    assert e.conditions == [ready: true, serving: true, terminating: false]
                    def pod = t.pod("${e.targetRef.namespace}/${e.targetRef.name}")
                    assert e.addresses == [pod.ip(family).toString()] && e.nodeName == pod.node()
                    assert e.targetRef == [kind: 'Pod', name: pod.name(), namespace: pod.namespace(), uid: podUid[pod.key()]]
                    s.ports.collect { "${pod.key()} ${e.addresses[0]} ${it.name} ${it.port}/${it.protocol}".toString() }
                }
            }
            assert fromSlices.size() == fromSlices.toUnique().size()
            assert fromSlices as Set == backends(rs, family)
            // every selected pod once over the slices
            def slicePods = slices.collectMany { it.endpoints*.targetRef*.name }
            assert slicePods.size() == slicePods.toUnique().size()
          }
          assert slicesOf(objects, rs)*.addressType.toUnique() as Set == rs.service().ipFamilies()*.name() as Set

            def ep = endpointsOf(objects, rs)
            def fromEndpoints = ep.subsets.collectMany { sub ->
                assert sub.addresses*.ip == sub.addresses*.ip.toSorted()
                sub.addresses.collectMany { a ->
                    def pod = t.pod("${a.targetRef.namespace}/${a.targetRef.name}")
                    assert a.ip == pod.ip(rs.service().ipFamilies()[0]).toString() && a.nodeName == pod.node() && a.targetRef.uid == podUid[pod.key()]
                    sub.ports.collect { "${pod.key()} ${a.ip} ${it.name ?: ''} ${it.port}/${it.protocol}".toString() }
                }
            }
            assert fromEndpoints.size() == fromEndpoints.toUnique().size()
            assert fromEndpoints as Set == backends(rs)
        }

        where:
        example << LabExamples.names()
    }

    def "flannel-vxlan default/web: web-3 serves http on 8081, so it gets its own slice and its own subset"() {
        given:
        def t = labs['flannel-vxlan']
        def objects = rendered['flannel-vxlan']
        def web = t.service('web')

        when:
        def slices = slicesOf(objects, web).collectEntries { [it.ports[0].port, it] }
        def subsets = endpointsOf(objects, web).subsets

        then:
        slices.keySet() == [8080, 8081] as Set
        slices[8080].endpoints*.targetRef*.name == ['web-1', 'web-2']
        slices[8080].ports == [[name: 'http', port: 8080, protocol: 'TCP']]
        slices[8081].endpoints*.targetRef*.name == ['web-3']
        slices[8081].endpoints[0].addresses == [t.pod('web-3').ip().toString()]
        subsets.collect { [it.addresses*.targetRef*.name, it.ports] } as Set == [
                [['web-1', 'web-2'], [[name: 'http', port: 8080, protocol: 'TCP']]],
                [['web-3'], [[name: 'http', port: 8081, protocol: 'TCP']]]] as Set
        // staging/web-canary has app=web but lives in another namespace
        !slicesOf(objects, web).collectMany { it.endpoints*.targetRef*.name }.contains('web-canary')
        // kube-dns: one pod serving both ports, one slice and one subset with both
        slicesOf(objects, t.service('kube-system/kube-dns'))*.ports == [[[name: 'dns', port: 53, protocol: 'UDP'], [name: 'dns-tcp', port: 53, protocol: 'TCP']]]
        endpointsOf(objects, t.service('kube-system/kube-dns')).subsets.size() == 1
    }

    def "#example: the kubernetes Service's EndpointSlice and Endpoints point at the apiserver on the first node"() {
        given:
        def t = labs[example]
        def objects = rendered[example]
        def apiserver = t.nodes()[0].address().toString()

        when:
        def slice = items(objects, 'endpointslices').find { key(it) == 'default/kubernetes' }
        def endpoints = items(objects, 'endpoints').find { key(it) == 'default/kubernetes' }

        then:
        slice.metadata.labels == ['kubernetes.io/service-name': 'kubernetes']
        slice.metadata.ownerReferences == null
        slice.endpoints == [[addresses: [apiserver], conditions: [ready: true]]]
        slice.ports == [[name: 'https', port: 6443, protocol: 'TCP']]
        endpoints.metadata.labels == ['endpointslice.kubernetes.io/skip-mirror': 'true']
        endpoints.subsets == [[addresses: [[ip: apiserver]], ports: [[name: 'https', port: 6443, protocol: 'TCP']]]]

        where:
        example << LabExamples.names()
    }

    def "a selector matching no pod, a pod lacking the named port, an unnamed port and a Service without selector"() {
        given:
        def t = TopologyLoader.parse('edge.yaml', '''\
            name: edge
            cni: {type: flannel, backend: host-gw}
            clusterCIDR: 10.244.0.0/16
            serviceCIDR: 10.96.0.0/16
            underlay: 192.168.58.0/24
            nodes:
              - name: n1
            pods:
              - name: a
                node: n1
                labels: {app: a}
                ports:
                  - {name: http, port: 8080}
              - name: b
                node: n1
                labels: {app: a}
                ports:
                  - {name: other, port: 9000}
              - name: c
                namespace: kube
                node: n1
            services:
              - name: nobody
                selector: {app: missing}
                ports:
                  - {port: 80}
              - name: partial
                selector: {app: a}
                ports:
                  - {port: 80, targetPort: http}
              - name: manual
                ports:
                  - {port: 81}
            '''.stripIndent())
        def objects = objects(t)

        when:
        def nobody = slicesOf(objects, t.service('nobody'))
        def partial = slicesOf(objects, t.service('partial'))

        then: 'the placeholder slice the controller keeps for a Service without endpoints'
        nobody.size() == 1
        nobody[0].containsKey('endpoints') && nobody[0].endpoints == null
        nobody[0].containsKey('ports') && nobody[0].ports == null
        endpointsOf(objects, t.service('nobody')).subsets == null
        endpointsOf(objects, t.service('nobody')).metadata.name == 'nobody'

        and: 'a pod that resolves no port is still an endpoint, in a slice without ports; Endpoints leave it out'
        partial.collectEntries { [it.endpoints*.targetRef*.name, it.ports] } == [
                ['a']: [[name: '', port: 8080, protocol: 'TCP']],
                ['b']: null]
        endpointsOf(objects, t.service('partial')).subsets == [[
                addresses: [[ip: t.pod('a').ip().toString(), nodeName: 'n1',
                             targetRef: [kind: 'Pod', name: 'a', namespace: 'default', uid: items(objects, 'pods').find { key(it) == 'default/a' }.metadata.uid]]],
                ports    : [[port: 8080, protocol: 'TCP']]]]

        and: 'items in etcd key order: namespace kube after kube-system (- sorts before /)'
        items(objects, 'pods').collect { key(it).replaceAll(/-[a-z0-9]{5}$/, '') } ==
                ['default/a', 'default/b', 'kube-flannel/kube-flannel-ds', 'kube-system/kube-proxy', 'kube/c']

        and: 'no selector: neither controller publishes anything'
        slicesOf(objects, t.service('manual')).isEmpty()
        endpointsOf(objects, t.service('manual')) == null
        items(objects, 'services').find { key(it) == 'default/manual' }.spec.selector == null
    }

    def "#example: ConfigMaps kube-system/kube-proxy (iptables mode, the cluster CIDR) and kube-flannel/kube-flannel-cfg"() {
        given:
        def t = labs[example]

        when:
        def maps = items(rendered[example], 'configmaps').collectEntries { [key(it), it] }
        def proxy = maps['kube-system/kube-proxy']
        def flannel = maps['kube-flannel/kube-flannel-cfg']

        then:
        maps.keySet() == ['kube-flannel/kube-flannel-cfg', 'kube-system/kube-proxy'] as Set
        proxy.metadata.labels == [app: 'kube-proxy']
        proxy.metadata.annotations['kubeadm.kubernetes.io/component-config.hash'] ==~ /sha256:[0-9a-f]{64}/
        proxy.data.keySet() == ['config.conf', 'kubeconfig.conf'] as Set
        def conf = proxy.data['config.conf'].readLines()
        conf.contains("clusterCIDR: ${t.clusterCIDR()}".toString())
        conf.contains('mode: iptables')
        conf.contains('kind: KubeProxyConfiguration')
        conf[conf.indexOf('iptables:') + 1..conf.indexOf('iptables:') + 3] == ['  localhostNodePorts: null', '  masqueradeAll: false', '  masqueradeBit: 14']
        !proxy.data['config.conf'].endsWith('\n')
        proxy.data['kubeconfig.conf'].contains("server: https://${t.nodes()[0].address()}:6443")
        flannel.metadata.labels == [app: 'flannel', 'k8s-app': 'flannel', tier: 'node']
        flannel.data == ['cni-conf.json': Flannel.cniConfJson(), 'net-conf.json': Flannel.netConfJson(t)]
        new JsonSlurper().parseText(flannel.data['net-conf.json']).Backend.Type == backend

        where:
        example           | backend
        'flannel-vxlan'   | 'vxlan'
        'flannel-host-gw' | 'host-gw'
    }

    def "proxyMode nftables: the kube-proxy ConfigMap says mode: nftables, the rest as in iptables mode"() {
        given:
        String yaml = LabExamples.text('flannel-vxlan')
        def nft = io.skoop.lab.topology.TopologyLoader.parse('n.yaml', yaml + '\nproxyMode: nftables\n')
        def ipt = LabExamples.load('flannel-vxlan')

        when:
        def confOf = { t -> items(objects(t), 'configmaps').find { key(it) == 'kube-system/kube-proxy' }.data['config.conf'] }
        String n = confOf(nft)
        String i = confOf(ipt)

        then:
        n.readLines().contains('mode: nftables')
        !n.readLines().contains('mode: iptables')
        n == i.replace('mode: iptables', 'mode: nftables')
    }

    def "#example: rendering is deterministic; another creation time changes only timestamps"() {
        given:
        def t = LabExamples.load(example)

        when:
        def once = ClusterObjects.render(t, CREATED).collectEntries { k, v -> [k, ClusterObjects.print(v)] }
        def twice = ClusterObjects.render(LabExamples.load(example), CREATED).collectEntries { k, v -> [k, ClusterObjects.print(v)] }
        def later = ClusterObjects.render(t, Instant.parse('2027-01-02T03:04:05.678Z')).collectEntries { k, v -> [k, ClusterObjects.print(v)] }

        then:
        once == twice
        // every list with items (the examples' networkpolicies is empty) carries the new time only
        later.every { k, v -> (v.contains('"2027-01-02T03:04:05Z"') || v.contains('"items": []')) && !v.contains('2026-11-21T10:00:00Z') }
        later.collectEntries { k, v -> [k, v.replace('2027-01-02T03:04:05Z', '2026-11-21T10:00:00Z')] } == once

        where:
        example << LabExamples.names()
    }

    def "write puts one file per kind and refuses to overwrite any of them"() {
        given:
        def t = LabExamples.load('flannel-host-gw')
        def dir = tmp.resolve('snap/k8s')

        when:
        ClusterObjects.write(t, CREATED, dir)

        then:
        Files.list(dir).map { it.fileName.toString() }.toList().toSorted() == ClusterObjects.KINDS.collect { "${it}.json".toString() }.toSorted()
        ClusterObjects.KINDS.every { Files.readString(dir.resolve("${it}.json")) == ClusterObjects.print(ClusterObjects.render(t, CREATED)[it]) }

        when:
        ClusterObjects.write(t, CREATED, dir)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "refusing to overwrite ${dir.resolve('namespaces.json')}: it exists already"

        when: 'a single existing file stops the whole write'
        def other = tmp.resolve('other')
        Files.createDirectories(other)
        Files.writeString(other.resolve('services.json'), 'mine')
        ClusterObjects.write(t, CREATED, other)

        then:
        def e2 = thrown(IllegalArgumentException)
        e2.message.contains(other.resolve('services.json').toString())
        Files.readString(other.resolve('services.json')) == 'mine'
        Files.list(other).count() == 1
    }

    def "print follows Go's encoding/json: four-space indent, sorted keys, empty {} and [], HTML characters escaped"() {
        given:
        def o = KubeJson.object()
        o.put('z', '<a & b>\u2028')
        o.putObject('empty')
        o.putArray('none')
        o.putArray('list').add(1).add('x')
        o.putNull('nil')
        o.put('a', true)

        expect:
        ClusterObjects.print(o) == '''\
            {
                "a": true,
                "empty": {},
                "list": [
                    1,
                    "x"
                ],
                "nil": null,
                "none": [],
                "z": "\\u003ca \\u0026 b\\u003e\\u2028"
            }
            '''.stripIndent()
    }
}
