package io.skoop.lab.topology

import io.skoop.netstack.parse.ParseException
import spock.lang.Specification
import spock.lang.Unroll

/**
 * Malformed topology files: each row edits one line of a valid file (or appends lines after
 * the file) and expects the exact message, with the line of the mistake.
 */
class TopologyLoaderErrorsSpec extends Specification {

    static final String BASE = '''\
name: t
cni: {type: flannel}
clusterCIDR: 10.244.0.0/16
serviceCIDR: 10.96.0.0/16
underlay: 192.168.56.0/24
nodes:
  - name: node-1
  - name: node-2
'''
    static final String PODS = '''\
pods:
  - name: web
    node: node-1
    labels: {app: web}
    ports: [{name: http, port: 8080}]
'''

    def "the base file is valid"() {
        expect:
        TopologyLoader.parse('bad.yaml', BASE + PODS).pods().size() == 1
    }

    @Unroll
    def "#mistake"() {
        given:
        String yaml = from == null ? BASE + PODS + to : (BASE + PODS).replace(from, to)
        assert yaml != BASE + PODS

        when:
        TopologyLoader.parse('bad.yaml', yaml)

        then:
        def e = thrown(ParseException)
        e.message == message
        e.file() == 'bad.yaml'

        where:
        mistake                          | from                          | to                                                 || message
        'YAML syntax'                    | 'labels: {app: web}'          | 'labels: {app: web'                                || "bad.yaml:13: malformed YAML: while parsing a flow mapping (line 12, column 13); expected ',' or '}', but got : (line 13, column 10)"
        'empty file'                     | BASE + PODS                          | '# nothing\n'                                      || 'bad.yaml:1: empty file: expected a topology mapping'
        'not a mapping'                  | BASE + PODS                          | '- a\n- b\n'                                       || 'bad.yaml:1: expected the topology as a mapping with keys name, cni, clusterCIDR, serviceCIDR, underlay, nodes, pods, services, externalHosts, namespaces, policies, proxyMode, got a list'
        'duplicate key'                  | 'nodes:'                      | 'name: u\nnodes:'                                  || "bad.yaml:6: duplicate key (first written on line 1) (at 'name')"
        'unknown top-level key'          | 'underlay:'                   | 'underlai:'                                        || "bad.yaml:5: unknown key in the topology (expected one of name, cni, clusterCIDR, serviceCIDR, underlay, nodes, pods, services, externalHosts, namespaces, policies, proxyMode; did you mean 'underlay'?) (at 'underlai')"
        'missing key'                    | 'serviceCIDR: 10.96.0.0/16\n' | ''                                                 || "bad.yaml:1: the topology is missing key 'serviceCIDR'"
        'unknown CNI'                    | '{type: flannel}'             | '{type: cilium}'                                   || "bad.yaml:2: unknown CNI type (supported: flannel, calico) (at 'cilium')"
        'CNI without type'               | '{type: flannel}'             | '{backend: vxlan}'                                 || "bad.yaml:2: cni is missing key 'type' (supported: flannel, calico)"
        'policy of an unknown kind'      | null                          | 'policies:\n  - {apiVersion: networking.k8s.io/v1, kind: NetworkPolcy, metadata: {name: x}}\n' || "bad.yaml:15: a policy's kind must be one of AdminNetworkPolicy, BaselineAdminNetworkPolicy, NetworkPolicy; did you mean 'NetworkPolicy'? (at 'NetworkPolcy')"
        'policy with a wrong apiVersion' | null                          | 'policies:\n  - {apiVersion: v1, kind: NetworkPolicy, metadata: {name: x}}\n' || "bad.yaml:15: NetworkPolicy needs apiVersion networking.k8s.io/v1 (at 'v1')"
        'policy without a name'          | null                          | 'policies:\n  - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {}}\n' || "bad.yaml:15: NetworkPolicy is missing metadata.name"
        'policy selector operator'       | null                          | 'policies:\n  - apiVersion: networking.k8s.io/v1\n    kind: NetworkPolicy\n    metadata: {name: x}\n    spec:\n      podSelector: {matchExpressions: [{key: a, operator: Is}]}\n' || "bad.yaml:18: NetworkPolicy x: matchExpressions operator 'Is' of key a: expected In, NotIn, Exists or DoesNotExist (at spec.podSelector.matchExpressions[0])"
        'policy port range by name'      | null                          | 'policies:\n  - apiVersion: networking.k8s.io/v1\n    kind: NetworkPolicy\n    metadata: {name: x}\n    spec:\n      podSelector: {}\n      ingress: [{ports: [{port: http, endPort: 9000}]}]\n' || "bad.yaml:18: NetworkPolicy x: a NetworkPolicyPort's endPort needs a numeric port"
        'ANP action'                     | null                          | 'policies:\n  - apiVersion: policy.networking.k8s.io/v1alpha1\n    kind: AdminNetworkPolicy\n    metadata: {name: x}\n    spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Drop, from: [{namespaces: {}}]}]}\n' || "bad.yaml:18: AdminNetworkPolicy x: ingress[0] action 'Drop': expected Allow, Deny or Pass"
        'policy written twice'           | null                          | 'policies:\n  - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: x}, spec: {}}\n  - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: x, namespace: default}, spec: {}}\n' || "bad.yaml:16: NetworkPolicy default/x is written twice (at 'default/x')"
        'baseline not named default'     | null                          | 'policies:\n  - {apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy, metadata: {name: b}, spec: {subject: {namespaces: {}}}}\n' || "bad.yaml:15: a BaselineAdminNetworkPolicy is a singleton named 'default' (at 'b')"
        'namespace label not text'       | null                          | 'namespaces:\n  - {name: ops, labels: {team: [a]}}\n' || "bad.yaml:15: expected a label value for 'team', got a list"
        'unknown flannel backend'        | '{type: flannel}'             | '{type: flannel, backend: host_gw}'                || "bad.yaml:2: unknown flannel backend (supported: vxlan, host-gw; did you mean 'host-gw'?) (at 'host_gw')"
        'unknown flannel key'            | '{type: flannel}'             | '{type: flannel, vni: 4}'                          || "bad.yaml:2: unknown key in a flannel cni (expected one of type, backend) (at 'vni')"
        'bad prefix length'              | '10.244.0.0/16'               | '10.244.0.0/33'                                    || "bad.yaml:3: expected clusterCIDR as a CIDR like 10.244.0.0/16: prefix length 33 out of range in '10.244.0.0/33' (at '10.244.0.0/33')"
        'address instead of CIDR'        | '10.244.0.0/16'               | '10.244.0.0'                                       || "bad.yaml:3: expected clusterCIDR as a CIDR like 10.244.0.0/16 (at '10.244.0.0')"
        'host bits set'                  | '10.244.0.0/16'               | '10.244.1.0/16'                                    || "bad.yaml:3: clusterCIDR has host bits set (expected 10.244.0.0/16) (at '10.244.1.0/16')"
        'IPv6'                           | '10.96.0.0/16'                | 'fd00::/108'                                       || "bad.yaml:4: serviceCIDR starts with an IPv6 CIDR: the lab builds IPv4 single-stack and IPv4-primary dual-stack clusters (an IPv6-primary or IPv6-only cluster is not supported yet) (at 'fd00::/108')"
        'overlapping ranges'             | '10.96.0.0/16'                | '10.244.128.0/17'                                  || "bad.yaml:4: serviceCIDR overlaps clusterCIDR 10.244.0.0/16 (expected disjoint ranges) (at '10.244.128.0/17')"
        'bad cluster name'               | 'name: t'                     | 'name: My_Lab'                                     || "bad.yaml:1: cluster name must be a DNS-1123 label (lower-case letters, digits and '-', at most 63) (at 'My_Lab')"
        'nodes not a list'               | 'nodes:\n  - name: node-1\n  - name: node-2\n' | 'nodes: node-1\n'                        || "bad.yaml:6: expected nodes as a list, got 'node-1'"
        'unknown node key'               | '  - name: node-2'            | '  - name: node-2\n    podCidr: 10.244.9.0/24'     || "bad.yaml:9: unknown key in a node (expected one of name, podCIDR, address, listeners; did you mean 'podCIDR'?) (at 'podCidr')"
        'duplicate node'                 | 'name: node-2'                | 'name: node-1'                                     || "bad.yaml:8: duplicate node name (at 'node-1')"
        'podCIDR outside clusterCIDR'    | '  - name: node-2'            | '  - name: node-2\n    podCIDR: 10.245.0.0/24'     || "bad.yaml:9: podCIDR is outside clusterCIDR 10.244.0.0/16 (at '10.245.0.0/24')"
        'overlapping podCIDRs'           | '  - name: node-2'            | '    podCIDR: 10.244.0.0/23\n  - name: node-2\n    podCIDR: 10.244.1.0/24' || "bad.yaml:10: podCIDR overlaps the podCIDR 10.244.0.0/23 of node node-1 (at '10.244.1.0/24')"
        'clusterCIDR exhausted'          | '10.244.0.0/16'               | '10.244.0.0/24'                                    || "bad.yaml:8: clusterCIDR 10.244.0.0/24 has no free /24 left for this node's podCIDR (at 'node-2')"
        'node address outside underlay'  | '  - name: node-2'            | '  - name: node-2\n    address: 192.168.57.2'      || "bad.yaml:9: address is outside underlay 192.168.56.0/24 (at '192.168.57.2')"
        'node address is the router'     | '  - name: node-2'            | '  - name: node-2\n    address: 192.168.56.1'      || "bad.yaml:9: address is the first address of underlay 192.168.56.0/24, reserved for the lab's router (at '192.168.56.1')"
        'node address collision'         | '  - name: node-2'            | '    address: 192.168.56.9\n  - name: node-2\n    address: 192.168.56.9' || "bad.yaml:10: address already used by node node-1 (at '192.168.56.9')"
        'bad listener port'              | '  - name: node-2'            | '  - name: node-2\n    listeners: [{port: 70000}]' || "bad.yaml:9: expected port as a port number 1..65535 (at '70000')"
        'listener protocol'              | '  - name: node-2'            | '  - name: node-2\n    listeners: [{port: 80, protocol: SCTP}]' || "bad.yaml:9: unknown protocol (expected TCP or UDP) (at 'SCTP')"
        'port as text'                   | 'port: 8080'                  | 'port: http'                                       || "bad.yaml:13: expected port as a port number 1..65535 (at 'http')"
        'pod on unknown node'            | 'node: node-1'                | 'node: node-3'                                     || "bad.yaml:11: pod default/web is on an unknown node (nodes: node-1, node-2; did you mean 'node-1'?) (at 'node-3')"
        'pod without node'               | '    node: node-1\n'          | ''                                                 || "bad.yaml:10: a pod is missing key 'node'"
        'duplicate pod'                  | null                          | PODS.replace('pods:\n', '')                 || "bad.yaml:14: duplicate pod (at 'default/web')"
        'pod IP outside node podCIDR'    | 'node: node-1'                | 'node: node-1\n    ip: 10.244.1.5'                 || "bad.yaml:12: ip is outside podCIDR of node node-1 10.244.0.0/24 (at '10.244.1.5')"
        'pod IP is the gateway'          | 'node: node-1'                | 'node: node-1\n    ip: 10.244.0.1'                 || "bad.yaml:12: ip is the first address of podCIDR of node node-1 10.244.0.0/24, reserved for the gateway (cni0) (at '10.244.0.1')"
        'pod IP is broadcast'            | 'node: node-1'                | 'node: node-1\n    ip: 10.244.0.255'               || "bad.yaml:12: ip is the network or broadcast address of podCIDR of node node-1 10.244.0.0/24 (at '10.244.0.255')"
        'pod IP collision'               | null                          | '  - {name: b, node: node-1, ip: 10.244.0.7}\n  - {name: c, node: node-1, ip: 10.244.0.7}\n' || "bad.yaml:15: ip already used by pod default/b (at '10.244.0.7')"
        'bad pod IP'                     | 'node: node-1'                | 'node: node-1\n    ip: 10.244.0'                   || "bad.yaml:12: expected ip as an IP address like 10.244.0.5 (at '10.244.0')"
        'labels not a mapping'           | '{app: web}'                  | '[app]'                                            || 'bad.yaml:12: expected labels as a mapping of label keys to values, got a list'
        'bad container port name'        | 'name: http'                  | 'name: HTTP_PORT'                                  || "bad.yaml:13: name must be a port number 1..65535 or a port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter) (at 'HTTP_PORT')"
        'named targetPort undefined'     | null                          | 'services:\n  - name: web\n    selector: {app: web}\n    ports:\n      - {port: 80, targetPort: htp}\n' || "bad.yaml:18: targetPort names no TCP container port of the selected pods (default/web; their port names: http) (at 'htp')"
        'named targetPort wrong proto'   | null                          | 'services:\n  - name: web\n    selector: {app: web}\n    ports:\n      - {port: 80, targetPort: http, protocol: UDP}\n' || "bad.yaml:18: targetPort names no UDP container port of the selected pods (default/web; their port names: http) (at 'http')"
        'unknown service type'           | null                          | 'services:\n  - name: s\n    type: Nodeport\n    ports: [{port: 80}]\n' || "bad.yaml:16: unknown service type (supported: ClusterIP, NodePort; did you mean 'NodePort'?) (at 'Nodeport')"
        'service without ports'          | null                          | 'services:\n  - name: s\n'                        || "bad.yaml:15: a service is missing key 'ports'"
        'unnamed ports'                  | null                          | 'services:\n  - name: s\n    ports:\n      - {port: 80}\n      - {port: 81}\n' || "bad.yaml:17: port of service default/s needs a name (a service with several ports names each) (at '80')"
        'nodePort on ClusterIP'          | null                          | 'services:\n  - name: s\n    ports:\n      - {port: 80, nodePort: 30080}\n' || "bad.yaml:17: nodePort is only allowed for type NodePort (service default/s is ClusterIP) (at '30080')"
        'nodePort out of range'          | null                          | 'services:\n  - name: s\n    type: NodePort\n    ports:\n      - {port: 80, nodePort: 8080}\n' || "bad.yaml:18: nodePort out of range (expected 30000-32767) (at '8080')"
        'nodePort collision'             | null                          | 'services:\n  - {name: s, type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n  - {name: u, type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n' || "bad.yaml:16: nodePort already used by service default/s (at '30080')"
        'clusterIP outside serviceCIDR'  | null                          | 'services:\n  - name: s\n    clusterIP: 10.97.0.1\n    ports: [{port: 80}]\n' || "bad.yaml:16: clusterIP is outside serviceCIDR 10.96.0.0/16 (at '10.97.0.1')"
        'clusterIP of kubernetes'        | null                          | 'services:\n  - name: s\n    clusterIP: 10.96.0.1\n    ports: [{port: 80}]\n' || "bad.yaml:16: clusterIP is the first address of serviceCIDR 10.96.0.0/16, reserved for the default/kubernetes service (at '10.96.0.1')"
        'external inside underlay'       | null                          | 'externalHosts:\n  - name: ext\n    address: 192.168.56.200\n' || "bad.yaml:16: external address is inside underlay 192.168.56.0/24 (expected an address outside the cluster, e.g. from 203.0.113.0/24) (at '192.168.56.200')"
        'external named like a node'     | null                          | 'externalHosts:\n  - name: node-1\n    address: 203.0.113.1\n' || "bad.yaml:15: duplicate name: already used by a node or external host (at 'node-1')"
        'external without address'       | null                          | 'externalHosts:\n  - name: ext\n'                  || "bad.yaml:15: an external host is missing key 'address'"
    }
}
