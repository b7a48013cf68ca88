package io.skoop.lab.topology;

import io.skoop.model.IpFamily;
import io.skoop.model.Ip;
import io.skoop.model.Names;
import io.skoop.model.Prefix;
import java.util.List;

/**
 * A checked lab cluster with every address allocated: what the lab builds. Nodes carry their
 * podCIDR and address, pods their IP and listeners, Services their cluster IP, node ports and
 * endpoints.
 *
 * @param name            the cluster's name
 * @param cni             the CNI plugin
 * @param clusterCIDR     the cluster CIDR
 * @param serviceCIDR     the service CIDR
 * @param underlay        the nodes' subnet
 * @param underlayGateway the underlay's first address, reserved for the lab's router (the
 *                        nodes' default gateway, the way to the external hosts)
 * @param nodes           nodes in file order
 * @param pods            pods in file order
 * @param services        Services in file order
 * @param externalHosts   external hosts in file order
 * @param namespaces      namespaces declared with labels
 * @param policies        policies in file order
 * @param proxyMode       kube-proxy's mode (null: {@link ProxyMode#IPTABLES})
 * @param ipv6            the IPv6 CIDRs of a dual-stack cluster, null on a single-stack (IPv4) one
 */
public record ResolvedTopology(String name, Cni cni, Prefix clusterCIDR, Prefix serviceCIDR, Prefix underlay, Ip underlayGateway,
                               List<Node> nodes, List<Pod> pods, List<ResolvedService> services,
                               List<ExternalHost> externalHosts, List<Namespace> namespaces, List<Policy> policies,
                               ProxyMode proxyMode, Ipv6Ranges ipv6) {
    public ResolvedTopology {
        proxyMode = proxyMode == null ? ProxyMode.IPTABLES : proxyMode;
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
        services = List.copyOf(services);
        externalHosts = List.copyOf(externalHosts);
        namespaces = List.copyOf(namespaces);
        policies = List.copyOf(policies);
    }

    /** A single-stack (IPv4) cluster. */
    public ResolvedTopology(String name, Cni cni, Prefix clusterCIDR, Prefix serviceCIDR, Prefix underlay, Ip underlayGateway,
                            List<Node> nodes, List<Pod> pods, List<ResolvedService> services, List<ExternalHost> externalHosts,
                            List<Namespace> namespaces, List<Policy> policies, ProxyMode proxyMode) {
        this(name, cni, clusterCIDR, serviceCIDR, underlay, underlayGateway, nodes, pods, services, externalHosts, namespaces, policies,
                proxyMode, null);
    }

    /** True on a dual-stack cluster (IPv4 and IPv6). */
    public boolean dualStack() {
        return ipv6 != null;
    }

    /** The families the cluster's Services, pods and nodes have addresses in: [IPv4], or [IPv4, IPv6] when dual-stack. */
    public List<IpFamily> families() {
        return ipv6 == null ? List.of(IpFamily.IPv4) : List.of(IpFamily.IPv4, IpFamily.IPv6);
    }

    /** The underlay's IPv6 gateway (its first address: the lab router's), null on a single-stack cluster. */
    public Ip underlayGatewayV6() {
        return ipv6 == null ? null : ipv6.underlay().address().plus(1);
    }

    /** The labels declared for {@code namespace} in {@code namespaces:} (empty when not declared). */
    public java.util.Map<String, String> namespaceLabels(String namespace) {
        return namespaces.stream().filter(n -> n.name().equals(namespace)).findFirst().map(Namespace::labels).orElse(java.util.Map.of());
    }

    /** @throws IllegalArgumentException listing the nodes when there is no such node */
    public Node node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node '" + name + "'; nodes: " + nodes.stream().map(Node::name).toList()));
    }

    /**
     * The pod {@code namespace/name}, or {@code name} in namespace {@code default}.
     *
     * @throws IllegalArgumentException listing the pods when there is no such pod
     */
    public Pod pod(String key) {
        String k = key.contains("/") ? key : "default/" + key;
        return pods.stream().filter(p -> p.key().equals(k)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod '" + key + "'; pods: " + pods.stream().map(Pod::key).toList()));
    }

    /**
     * The Service {@code namespace/name}, or {@code name} in namespace {@code default}.
     *
     * @throws IllegalArgumentException listing the Services when there is no such Service
     */
    public ResolvedService service(String key) {
        String k = key.contains("/") ? key : "default/" + key;
        return services.stream().filter(s -> s.service().key().equals(k)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service '" + key + "'; services: "
                        + services.stream().map(s -> s.service().key()).toList()));
    }

    /** Pods scheduled on {@code node}, in file order. */
    public List<Pod> podsOn(String node) {
        return pods.stream().filter(p -> p.node().equals(node)).toList();
    }

    /** The pod gateway of a node: the first address of its podCIDR (the cni0 bridge's address, host-local's default gateway). */
    public static Ip podGateway(Node node) {
        return node.podCIDR().address().plus(1);
    }

    /** The IPv6 pod gateway of a node: the first address of its IPv6 podCIDR (cni0's), null when it has none. */
    public static Ip podGatewayV6(Node node) {
        return node.podCIDRv6() == null ? null : node.podCIDRv6().address().plus(1);
    }

    /**
     * The same cluster under another name (what {@code skoop lab up --name} does): every lab namespace, MAC and
     * veth name derives from the name, so two copies of a topology can run side by side.
     *
     * @throws IllegalArgumentException when {@code newName} is not a DNS-1123 label
     */
    public ResolvedTopology withName(String newName) {
        if (!Names.isDnsLabel(newName)) {
            throw new IllegalArgumentException("lab name '" + newName + "' is not a DNS-1123 label (lower-case letters, digits and '-', "
                    + "starting and ending with a letter or digit, at most 63)");
        }
        return new ResolvedTopology(newName, cni, clusterCIDR, serviceCIDR, underlay, underlayGateway, nodes, pods, services, externalHosts,
                namespaces, policies, proxyMode, ipv6);
    }
}
