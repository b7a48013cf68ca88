package io.skoop.lab.topology;

import io.skoop.model.Prefix;
import java.util.List;

/**
 * A lab cluster as declared (in a YAML file read by {@link TopologyLoader}, or built in code):
 * addresses that were not written are still null / 0. {@link #resolve()} checks it and
 * allocates them.
 *
 * @param name          the lab cluster's name (DNS-1123 label)
 * @param cni           the CNI plugin
 * @param clusterCIDR   kube-controller-manager {@code --cluster-cidr}: all podCIDRs lie inside
 * @param serviceCIDR   kube-apiserver {@code --service-cluster-ip-range}
 * @param underlay      the subnet the nodes' addresses live on (their L2 segment)
 * @param nodes         at least one node, in file order (the order allocations follow)
 * @param pods          pods in file order
 * @param services      Services in file order
 * @param externalHosts hosts outside the cluster
 * @param namespaces    namespaces declared with labels
 * @param policies      NetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy, in file order
 * @param origin        where the document and its top-level keys were written
 * @param proxyMode     kube-proxy's mode ({@code proxyMode}, default {@link ProxyMode#IPTABLES})
 * @param ipv6          the second CIDR of clusterCIDR, serviceCIDR and underlay on a dual-stack cluster, null on a
 *                      single-stack (IPv4) one
 */
public record Topology(String name, Cni cni, Prefix clusterCIDR, Prefix serviceCIDR, Prefix underlay,
                       List<Node> nodes, List<Pod> pods, List<Service> services, List<ExternalHost> externalHosts,
                       List<Namespace> namespaces, List<Policy> policies, Origin origin, ProxyMode proxyMode,
                       Ipv6Ranges ipv6) {
    public Topology {
        proxyMode = proxyMode == null ? ProxyMode.IPTABLES : proxyMode;
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
        services = List.copyOf(services);
        externalHosts = List.copyOf(externalHosts);
        namespaces = List.copyOf(namespaces);
        policies = List.copyOf(policies);
    }

    /** A single-stack (IPv4) topology. */
    public Topology(String name, Cni cni, Prefix clusterCIDR, Prefix serviceCIDR, Prefix underlay, List<Node> nodes, List<Pod> pods,
                    List<Service> services, List<ExternalHost> externalHosts, List<Namespace> namespaces, List<Policy> policies,
                    Origin origin, ProxyMode proxyMode) {
        this(name, cni, clusterCIDR, serviceCIDR, underlay, nodes, pods, services, externalHosts, namespaces, policies, origin, proxyMode, null);
    }

    /** A topology with kube-proxy in iptables mode. */
    public Topology(String name, Cni cni, Prefix clusterCIDR, Prefix serviceCIDR, Prefix underlay, List<Node> nodes, List<Pod> pods,
                    List<Service> services, List<ExternalHost> externalHosts, List<Namespace> namespaces, List<Policy> policies,
                    Origin origin) {
        this(name, cni, clusterCIDR, serviceCIDR, underlay, nodes, pods, services, externalHosts, namespaces, policies, origin,
                ProxyMode.IPTABLES);
    }

    /** A topology without namespace labels or policies. */
    public Topology(String name, Cni cni, Prefix clusterCIDR, Prefix serviceCIDR, Prefix underlay, List<Node> nodes, List<Pod> pods,
                    List<Service> services, List<ExternalHost> externalHosts, Origin origin) {
        this(name, cni, clusterCIDR, serviceCIDR, underlay, nodes, pods, services, externalHosts, List.of(), List.of(), origin);
    }

    /**
     * Checks the topology and allocates every address not written, deterministically, in
     * file order: podCIDRs as kube-controller-manager's range allocator (/24s of the cluster
     * CIDR), node addresses from the underlay's second address, pod IPs as host-local (the
     * podCIDR's first address is the gateway), cluster IPs from the service CIDR's second
     * address (the first is the kubernetes Service's), node ports from 30000, endpoints as the
     * EndpointSlice controller selects them (named targetPorts resolved per pod); on a dual-stack
     * cluster the IPv6 podCIDRs (/64), node, pod and cluster IPs likewise, and each Service's
     * families as the API server sets them from ipFamilyPolicy and ipFamilies. docs/lab.md gives
     * the details.
     *
     * @throws io.skoop.netstack.parse.ParseException at the offending line for any
     *         inconsistency: overlapping or misplaced CIDRs, duplicate names, unknown nodes,
     *         address collisions, unresolvable named targetPorts, exhausted ranges
     */
    public ResolvedTopology resolve() {
        return new TopologyResolver(this).resolve();
    }
}
