package io.skoop.oracle

import io.skoop.lab.topology.Pod
import io.skoop.lab.topology.ResolvedService
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.Protocol

/**
 * A random lab cluster, the same for the same seed: flannel with either backend, 2–4 nodes (kubelet's 10250/tcp on
 * each), 1–3 pods per node in two namespaces, apps whose pods declare one or two ports (TCP, sometimes a UDP one;
 * now and then a pod declares a port nobody listens on), a ClusterIP or NodePort Service per app that has ports
 * (targetPort by name or number), and an external host with 80/tcp and 53/udp. Written as the topology file a user
 * writes (docs/lab.md) and resolved by {@link TopologyLoader}, so every address is allocated as the lab allocates it.
 */
class RandomCluster {

    /** The topology file's text for {@code seed}, lab name {@code name}. */
    static String yaml(long seed, String name) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + 17)
        String backend = r.nextBoolean() ? 'vxlan' : 'host-gw'
        int nodes = 2 + r.nextInt(3)
        // the apps: a, b (servers with ports), c (no ports: clients)
        Map<String, List<Map>> appPorts = [
                a: [[name: 'http', port: [8080, 8000, 8443][r.nextInt(3)], protocol: 'TCP']],
                b: [[name: 'http', port: [9090, 9000][r.nextInt(2)], protocol: 'TCP']] + (r.nextBoolean() ? [[name: 'dns', port: 5353, protocol: 'UDP']] : []),
                c: [],
        ]
        StringBuilder y = new StringBuilder()
        y << "# random cluster, seed $seed\nname: $name\ncni: {type: flannel, backend: $backend}\n"
        y << "clusterCIDR: 10.244.0.0/16\nserviceCIDR: 10.96.0.0/16\nunderlay: 192.168.56.0/24\nnodes:\n"
        (1..nodes).each { y << "  - name: node-$it\n    listeners: [{port: 10250}]\n" }
        y << 'pods:\n'
        int n = 0
        Set<String> apps = [] as Set
        (1..nodes).each { node ->
            int count = 1 + r.nextInt(3)
            count.times {
                n++
                String app = n <= 2 ? ['a', 'b'][n - 1] : ['a', 'b', 'c'][r.nextInt(3)]
                String ns = r.nextInt(4) == 0 ? 'team' : 'default'
                apps << "$ns/$app".toString()
                List<Map> ports = appPorts[app]
                y << "  - name: p$n-$app\n    namespace: $ns\n    node: node-$node\n    labels: {app: $app}\n"
                if (ports) {
                    y << '    ports:\n'
                    ports.each { y << "      - {name: ${it.name}, port: ${it.port}, protocol: ${it.protocol}}\n" }
                    if (r.nextInt(10) == 0) {
                        y << '    listeners: []   # declares ports, listens on none\n'
                    }
                }
            }
        }
        y << 'services:\n'
        apps.sort().each { String key ->
            def (ns, app) = key.split('/')
            List<Map> ports = appPorts[app]
            if (!ports) {
                return
            }
            boolean nodePort = r.nextBoolean()
            y << "  - name: svc-$app\n    namespace: $ns\n    type: ${nodePort ? 'NodePort' : 'ClusterIP'}\n    selector: {app: $app}\n    ports:\n"
            ports.each { Map p ->
                String target = r.nextBoolean() ? p.name : String.valueOf(p.port)
                int svcPort = p.protocol == 'UDP' ? 53 : (p.port == 8443 ? 443 : 80)
                y << "      - {name: ${p.name}, port: $svcPort, targetPort: $target, protocol: ${p.protocol}}\n"
            }
        }
        y << 'externalHosts:\n  - name: ext\n    address: 203.0.113.10\n    listeners: [{port: 80}, {port: 53, protocol: UDP}]\n'
        return y.toString()
    }

    /** The resolved topology of {@link #yaml}. */
    static ResolvedTopology topology(long seed, String name) {
        TopologyLoader.parse("random-${seed}.yaml", yaml(seed, name))
    }

    /**
     * One flow of the cluster: a lab source ({@code node-1}, {@code NS/POD}, {@code ext}), a lab destination (the
     * same, {@code svc/NS/NAME}, or a node for a NodePort), port and protocol, and what kind of flow it is.
     */
    static final class Flow {
        final String kind
        final String src
        final String dst
        final int port
        final Protocol protocol
        /** Lab targets the flow passes: its source, destination and (Services) backends, and their nodes. */
        final Set<String> touches

        Flow(String kind, String src, String dst, int port, Protocol protocol, Collection<String> touches) {
            this.kind = kind
            this.src = src
            this.dst = dst
            this.port = port
            this.protocol = protocol
            this.touches = touches as Set
        }

        /** Whether the kernel's answer depends on which backend a Service's DNAT chooses. */
        boolean balanced() {
            dst.startsWith('svc/') || kind.contains('NodePort')
        }

        @Override
        String toString() {
            "$src -> $dst:$port/${protocol.ianaName()} ($kind)"
        }
    }

    /** Every flow a user would ask about in the cluster: pods, nodes, Services, NodePorts and the external host. */
    static List<Flow> flows(ResolvedTopology t) {
        List<Flow> out = []
        t.pods.each { Pod src ->
            Set<String> s = [src.key(), src.node()] as Set
            t.pods.each { Pod dst ->
                dst.ports().each { c ->
                    String kind = dst.key() == src.key() ? 'pod to itself' : dst.node() == src.node() ? 'pod to pod, same node' : 'pod to pod, cross node'
                    out << new Flow(kind, src.key(), dst.key(), c.port(), c.protocol(), s + [dst.key(), dst.node()])
                }
            }
            t.nodes.each { n ->
                out << new Flow(n.name() == src.node() ? 'pod to own node' : 'pod to node', src.key(), n.name(), 10250, Protocol.TCP, s + [n.name()])
            }
            out << new Flow('pod to external', src.key(), 'ext', 80, Protocol.TCP, s + ['ext', 'underlay'])
            out << new Flow('pod to external, UDP', src.key(), 'ext', 53, Protocol.UDP, s + ['ext', 'underlay'])
        }
        t.nodes.each { src ->
            t.nodes.each { dst -> out << new Flow(dst.name() == src.name() ? 'node to itself' : 'node to node', src.name(), dst.name(), 10250, Protocol.TCP, [src.name(), dst.name()]) }
            t.pods.each { dst ->
                dst.ports().each { c -> out << new Flow('node to pod', src.name(), dst.key(), c.port(), c.protocol(), [src.name(), dst.key(), dst.node()]) }
            }
            out << new Flow('node to external', src.name(), 'ext', 80, Protocol.TCP, [src.name(), 'ext', 'underlay'])
        }
        t.services.each { ResolvedService s ->
            s.ports().each { port ->
                Set<String> backends = port.endpoints().collectMany { [it.pod(), it.node()] } as Set
                if (backends.isEmpty()) {
                    return
                }
                String svc = "svc/${s.service().key()}"
                t.pods.each { src ->
                    boolean self = port.endpoints().any { it.pod() == src.key() }
                    out << new Flow(self ? 'pod to Service, itself a backend' : 'pod to Service', src.key(), svc, port.port().port(), port.port().protocol(),
                            backends + [src.key(), src.node()])
                }
                t.nodes.each { n -> out << new Flow('node to Service', n.name(), svc, port.port().port(), port.port().protocol(), backends + [n.name()]) }
                if (port.port().nodePort() > 0) {
                    t.nodes.each { n ->
                        out << new Flow('external to NodePort', 'ext', n.name(), port.port().nodePort(), port.port().protocol(), backends + [n.name(), 'ext', 'underlay'])
                        Pod p = t.pods[0]
                        out << new Flow('pod to NodePort', p.key(), n.name(), port.port().nodePort(), port.port().protocol(), backends + [n.name(), p.key(), p.node()])
                    }
                }
            }
        }
        return out
    }
}
