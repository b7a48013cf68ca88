package io.skoop.lab.topology;

import io.skoop.model.Prefix;

/**
 * The IPv6 half of a dual-stack lab cluster: the second CIDR of each of {@code clusterCIDR}, {@code serviceCIDR} and
 * {@code underlay} (a cluster's first family is IPv4, the second IPv6, as in {@code --cluster-cidr=10.244.0.0/16,fd00:10:244::/56}).
 *
 * @param clusterCIDR the second {@code --cluster-cidr}: every node's IPv6 podCIDR lies inside
 * @param serviceCIDR the second {@code --service-cluster-ip-range}: the Services' IPv6 cluster IPs
 * @param underlay    the nodes' IPv6 subnet (their IPv6 InternalIPs)
 */
public record Ipv6Ranges(Prefix clusterCIDR, Prefix serviceCIDR, Prefix underlay) {
    /**
     * kube-controller-manager's {@code --node-cidr-mask-size-ipv6} default: each node's IPv6 podCIDR is a /64 of the
     * IPv6 cluster CIDR.
     */
    public static final int NODE_MASK = 64;
}
