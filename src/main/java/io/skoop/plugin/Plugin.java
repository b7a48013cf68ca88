package io.skoop.plugin;

import io.skoop.model.Ip;
import io.skoop.model.Suspicion;
import io.skoop.netstack.NetNS;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import java.util.List;
import java.util.Optional;

/**
 * A CNI plugin's intent (seed: Plugin): which devices, routes, MTUs, sysctls and FDB/neighbour
 * entries it sets up on a node and in a pod. The Diagnostor never takes a next hop from here —
 * the path comes from simulating the namespaces' real state — it only asks the plugin to compare
 * what it would have set up with what is there, and to say where a packet was meant to go when it
 * went elsewhere.
 */
public interface Plugin {
    /** The plugin's name ({@code flannel}). */
    String name();

    /**
     * Whether the CNI enforces NetworkPolicies (renders them into the nodes' rules). flannel does not ("flannel does not
     * implement network policy": its README points to Calico or kube-router for that); with such a CNI a cluster's
     * NetworkPolicies have no effect, and a diagnosis says so.
     */
    default boolean enforcesNetworkPolicy() {
        return false;
    }

    /**
     * Whether the CNI applies a pod's egress policies to the pod's connections to its own node. The Kubernetes
     * "Network Policies" page says traffic to and from the node a pod runs on is always allowed, and CNIs that enforce
     * nothing there (or nothing at all) follow it; Calico does not: Felix sends what a workload sends to its host
     * through {@code cali-wl-to-host} → {@code cali-from-wl-dispatch}, the endpoint's egress chain, before
     * {@code DefaultEndpointToHostAction} (Felix's {@code rules/static.go}, felix-facts §3). Ingress from the own node is
     * never policed by either (Felix's {@code cali-OUTPUT} returns for {@code -o cali+}).
     */
    default boolean policesEgressToOwnNode() {
        return false;
    }

    /**
     * Whether an iptables chain holds the policy rules this CNI renders (Calico: Felix's {@code cali-*} chains). A
     * packet dropped in such a chain while the cluster's policies allow its flow means the installed rules disagree
     * with the policy objects (stale or missing rules); a diagnosis says so.
     *
     * @param chain the chain's name, e.g. {@code cali-tw-calie57ed5aa5ae}
     */
    default boolean rendersPolicyIn(String chain) {
        return false;
    }

    /**
     * Compares a node's namespace with what the plugin sets up on it.
     *
     * @param node  the node
     * @param ns    its root network namespace
     * @param nodes every node of the cluster (remote podCIDRs, VTEPs)
     * @return one suspicion per difference, WARNING (or INFO) level: whether it breaks a flow is decided where the
     *         flow meets it
     */
    List<Suspicion> checkNode(KNode node, NetNS ns, List<KNode> nodes);

    /**
     * Compares a pod's namespace with what the plugin sets up in it.
     *
     * @param pod    the pod
     * @param ns     its network namespace
     * @param node   its node
     * @param nodeNs the node's namespace (for the MTU the plugin gives pods there)
     * @return one suspicion per difference
     */
    List<Suspicion> checkPod(KPod pod, NetNS ns, KNode node, NetNS nodeNs);

    /**
     * The route the plugin installs on {@code node} for {@code dst}, as {@code ip route} prints it.
     *
     * @param ns the node's namespace (to name the devices the plugin would use)
     * @return the route, or empty when the plugin installs none covering {@code dst} (not a pod address of another
     *         node)
     */
    Optional<String> expectedRoute(KNode node, NetNS ns, Ip dst, List<KNode> nodes);

    /**
     * Where a route lookup sent a packet, for a plugin's message: {@code via 10.0.0.1 dev eth0}; for a failed lookup
     * the route that failed it (the last table lookup's) ({@code by `blackhole 10.244.0.0/26 proto bird` (EINVAL)}), or {@code nowhere (ENETUNREACH)}.
     */
    static String routed(io.skoop.netstack.route.RouteResult r) {
        if (r.ok()) {
            return (r.gateway() != null ? "via " + r.gateway() + " " : "") + "dev " + r.dev();
        }
        io.skoop.netstack.route.Route by = r.route();
        for (io.skoop.netstack.route.Step s : r.steps()) {
            if (r.route() == null && s instanceof io.skoop.netstack.route.Step.TableLookup t && t.route() != null) {
                by = t.route();
            }
        }
        return (by != null ? "by `" + by + "` " : "nowhere ") + "(" + r.errno() + ")";
    }
}
