package io.skoop.render

import io.skoop.snapshot.Snapshot
import io.skoop.snapshot.k8s.KubeObjects
import spock.lang.Shared
import spock.lang.Specification

/** The shell's /nodes, /pods and /services tables over the embedded flannel-vxlan snapshot. */
class ClusterTablesSpec extends Specification {
    @Shared KubeObjects k = Snapshot.example('flannel-vxlan').objects()

    def "services: kubectl's PORT(S) with node ports"() {
        expect:
        ClusterTables.services(k) == '''\
NAMESPACE     NAME         TYPE        CLUSTER-IP   PORT(S)
default       api          NodePort    10.96.0.3    8080:30080/TCP,9100:30000/TCP
default       kubernetes   ClusterIP   10.96.0.1    443/TCP
default       web          ClusterIP   10.96.0.2    80/TCP
kube-system   kube-dns     ClusterIP   10.96.0.10   53/UDP,53/TCP
'''
    }

    def "pods of one namespace, host-network pods with the node's address"() {
        expect:
        ClusterTables.pods(k, 'kube-system') == '''\
NAMESPACE     NAME               READY   STATUS    IP             NODE
kube-system   coredns            true    Running   10.244.2.3     node-3
kube-system   kube-proxy-77s9s   true    Running   192.168.56.2   node-1
kube-system   kube-proxy-s7h6p   true    Running   192.168.56.4   node-3
kube-system   kube-proxy-wm2qd   true    Running   192.168.56.3   node-2
'''
        ClusterTables.pods(k, null).readLines().size() == 1 + k.pods().size()
        ClusterTables.pods(k, 'nope') == 'NAMESPACE   NAME   READY   STATUS   IP   NODE\n'
    }

    def "nodes: readiness, address, podCIDR"() {
        expect:
        ClusterTables.nodes(k).readLines()[2] ==~ /node-2\s+Ready\s+192\.168\.56\.3\s+10\.244\.1\.0\/24/
    }
}
