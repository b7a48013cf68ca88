package io.skoop.diagnose;

import io.skoop.model.Hop;
import io.skoop.model.Ip;
import io.skoop.model.NetNodeType;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;

/**
 * A resolved endpoint of a {@link Query}.
 *
 * @param kind        POD, NODE, SERVICE or EXTERNAL
 * @param name        how it is shown: {@code default/client}, {@code node/node-1}, {@code svc/default/web}, an IP
 * @param ip          the address packets use (pod IP, node InternalIP, Service cluster IP, the external IP)
 * @param port        the destination port packets use (the Service port for a Service), 0 for a source
 * @param pod         the pod (POD), else null
 * @param node        the node (NODE, and a hostNetwork pod's node), else null
 * @param service     the Service (SERVICE), else null
 * @param servicePort the Service port (SERVICE), else null; null too for a cluster IP asked on a port number the Service
 *                    does not have
 */
public record Target(Kind kind, String name, Ip ip, int port, KPod pod, KNode node, KService service, KService.Port servicePort) {
    /** The kinds of endpoint. */
    public enum Kind { POD, NODE, SERVICE, EXTERNAL }

    /**
     * The NetNode where packets of this endpoint start or end: the pod's own namespace, the node's for a node or a
     * hostNetwork pod, the external host's for an IP outside the cluster. A Service has none (it exists only in
     * rules).
     */
    public Hop hop() {
        return switch (kind) {
            case POD -> pod.hostNetwork() ? new Hop(NetNodeType.NODE, pod.nodeName()) : new Hop(NetNodeType.POD, pod.key());
            case NODE -> new Hop(NetNodeType.NODE, node.name());
            case EXTERNAL -> new Hop(NetNodeType.EXTERNAL, ip.toString());
            case SERVICE -> null;
        };
    }

    @Override
    public String toString() {
        return name + (name.equals(ip.toString()) ? "" : " (" + ip + ")");
    }
}
