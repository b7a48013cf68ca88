package io.skoop.lab.kubeproxy;

import io.skoop.model.IpFamily;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.ResolvedService;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.ServiceBackend;
import io.skoop.lab.topology.ServiceType;
import java.util.ArrayList;
import java.util.List;

/**
 * The glue between a lab's {@link ResolvedTopology} and the kube-proxy renderers (iptables, nftables): what
 * kube-proxy would program on one node of the lab.
 *
 * <p>As kube-proxy does, every node gets every Service: its rules do not depend on where the
 * backends run (only {@code externalTrafficPolicy}/{@code internalTrafficPolicy: Local} would, and
 * the lab has neither). Endpoints are what kube-proxy reads from the EndpointSlices: one per
 * selected pod whose target port resolves ({@link ResolvedService.Port#endpoints()}); the lab's
 * pods are all running, so every endpoint is {@code ready}. {@code nodeName} is the backend pod's
 * node and {@code local} says whether that is the node being programmed ({@code IsLocal}).
 *
 * <p>Order is deterministic: Services in file order, their ports in {@code spec.ports} order,
 * endpoints in backend (pod file) order; the renderer sorts endpoints as kube-proxy does.
 */
public final class TopologyServices {

    private TopologyServices() {
    }

    /**
     * kube-proxy's view of the node: its name, its underlay address (InternalIP), the cluster CIDR
     * as {@code --cluster-cidr}, and kube-proxy's defaults otherwise.
     *
     * @throws IllegalArgumentException listing the nodes when there is no node {@code nodeName}
     */
    public static NodeContext node(ResolvedTopology t, String nodeName) {
        return node(t, nodeName, IpFamily.IPv4);
    }

    /**
     * kube-proxy's view of the node for the proxier of {@code family}: the node's InternalIP and the cluster CIDR of
     * that family (a dual-stack kube-proxy runs one proxier per family, {@code --cluster-cidr} giving one CIDR each).
     *
     * @throws IllegalArgumentException listing the nodes when there is no node {@code nodeName}, or when the cluster
     *                                  has no {@code family}
     */
    public static NodeContext node(ResolvedTopology t, String nodeName, IpFamily family) {
        Node n = t.node(nodeName);
        if (family == IpFamily.IPv6 && !t.dualStack()) {
            throw new IllegalArgumentException("lab " + t.name() + " has no IPv6");
        }
        return NodeContext.of(n.name(), n.address(family), family == IpFamily.IPv4 ? t.clusterCIDR() : t.ipv6().clusterCIDR());
    }

    /**
     * One {@link ServicePort} per port of every Service of the topology, as kube-proxy on
     * {@code nodeName} sees them: node port set for NodePort Services (0 otherwise), no external
     * or load-balancer IPs, endpoints from the resolved backends.
     *
     * @throws IllegalArgumentException listing the nodes when there is no node {@code nodeName}
     */
    public static List<ServicePort> servicePorts(ResolvedTopology t, String nodeName) {
        return servicePorts(t, nodeName, IpFamily.IPv4);
    }

    /**
     * The service ports the proxier of {@code family} programs: those of Services with a cluster IP of that family
     * ({@code spec.ipFamilies}), endpoints from the EndpointSlices of that addressType (the pods' addresses of the
     * family).
     *
     * @throws IllegalArgumentException listing the nodes when there is no node {@code nodeName}
     */
    public static List<ServicePort> servicePorts(ResolvedTopology t, String nodeName, IpFamily family) {
        t.node(nodeName);
        List<ServicePort> out = new ArrayList<>();
        for (ResolvedService rs : t.services()) {
            var svc = rs.service();
            if (svc.clusterIP(family) == null) {
                continue;
            }
            for (ResolvedService.Port p : rs.ports()) {
                List<ServiceEndpoint> eps = new ArrayList<>();
                for (ServiceBackend b : p.endpoints()) {
                    eps.add(new ServiceEndpoint(b.ip(family), b.port(), true, b.node(), b.node().equals(nodeName)));
                }
                int nodePort = svc.type() == ServiceType.NodePort ? p.port().nodePort() : 0;
                out.add(ServicePort.of(svc.namespace(), svc.name(), p.port().name(), p.port().protocol(),
                        svc.clusterIP(family), p.port().port(), nodePort, eps));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The iptables-restore text kube-proxy (iptables mode) writes on {@code nodeName}:
     * {@link KubeProxyIptables#render} of {@link #node} and {@link #servicePorts}.
     *
     * @throws IllegalArgumentException listing the nodes when there is no node {@code nodeName}
     */
    public static String iptablesRestoreText(ResolvedTopology t, String nodeName) {
        return KubeProxyIptables.render(node(t, nodeName), servicePorts(t, nodeName)).text();
    }

    /**
     * The ip6tables-restore text kube-proxy's IPv6 proxier (iptables mode) writes on {@code nodeName} of a dual-stack
     * lab: {@link KubeProxyIptables#render} of the IPv6 {@link #node} and {@link #servicePorts}.
     *
     * @throws IllegalArgumentException when there is no node {@code nodeName} or the lab is not dual-stack
     */
    public static String ip6tablesRestoreText(ResolvedTopology t, String nodeName) {
        return KubeProxyIptables.render(node(t, nodeName, IpFamily.IPv6), servicePorts(t, nodeName, IpFamily.IPv6)).text();
    }

    /**
     * The {@code nft -f} text kube-proxy (nftables mode) writes on {@code nodeName}: {@link KubeProxyNftables#render}
     * of {@link #node} (its InternalIP the primary node IP, the only NodePort address), {@link #servicePorts} and the
     * topology's service CIDR (the default ServiceCIDR object the API server makes from it).
     *
     * @throws IllegalArgumentException listing the nodes when there is no node {@code nodeName}
     */
    public static String nftablesText(ResolvedTopology t, String nodeName) {
        return nftablesText(t, nodeName, IpFamily.IPv4);
    }

    /**
     * The {@code nft -f} text kube-proxy's proxier of {@code family} (nftables mode) writes on {@code nodeName}:
     * {@code table ip kube-proxy} for IPv4 as {@link #nftablesText(ResolvedTopology, String)}; on a dual-stack lab
     * {@code table ip6 kube-proxy} for IPv6 ({@code NewDualStackProxier}'s second proxier): {@link KubeProxyNftables#render}
     * of the IPv6 {@link #node} (the node's IPv6 InternalIP the only NodePort address, the IPv6 cluster CIDR the
     * local-traffic detector), the IPv6 {@link #servicePorts} (Services with an IPv6 cluster IP, endpoints from the IPv6
     * EndpointSlices) and the IPv6 service CIDR.
     *
     * @throws IllegalArgumentException when there is no node {@code nodeName}, or {@code family} is IPv6 and the lab is
     *                                  not dual-stack
     */
    public static String nftablesText(ResolvedTopology t, String nodeName, IpFamily family) {
        NodeContext node = node(t, nodeName, family);
        var serviceCidr = family == IpFamily.IPv4 ? t.serviceCIDR() : t.ipv6().serviceCIDR();
        return KubeProxyNftables.render(node, servicePorts(t, nodeName, family), List.of(serviceCidr)).text();
    }
}
