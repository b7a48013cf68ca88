package io.skoop.k8s;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;
import java.util.List;

/**
 * What an IP address is in a cluster, as {@link IPCache#lookup} tells it: a pod, a node, a Service, or none of them
 * (external, possibly inside the cluster's ranges).
 */
public sealed interface IpEntity {

    /** The address looked up. */
    Ip ip();

    /** One line for people: {@code 10.244.1.2: pod default/web-2 on node-2}. */
    String describe();

    /**
     * A pod's IP (pods with their own network namespace; a {@code hostNetwork} pod's IPs are its node's).
     *
     * @param ip     the address
     * @param pod    the pod holding it: a Running one when several claim it
     * @param others the other pods that claim it too (a stale pod object, or an IPAM fault); usually empty
     */
    record PodEntity(Ip ip, KPod pod, List<KPod> others) implements IpEntity {
        public PodEntity {
            others = List.copyOf(others);
        }

        @Override
        public String describe() {
            return ip + ": pod " + pod.key() + (pod.nodeName() == null ? "" : " on " + pod.nodeName())
                    + (pod.isRunning() ? "" : " (" + pod.phase() + ")")
                    + (others.isEmpty() ? "" : "; also claimed by " + String.join(", ", others.stream().map(KPod::key).toList()));
        }
    }

    /**
     * A node's address ({@code status.addresses}).
     *
     * @param ip          the address
     * @param node        the node
     * @param addressType {@code InternalIP} or {@code ExternalIP}
     */
    record NodeEntity(Ip ip, KNode node, String addressType) implements IpEntity {
        @Override
        public String describe() {
            return ip + ": node " + node.name() + " (" + addressType + ")";
        }
    }

    /**
     * A Service's virtual address.
     *
     * @param ip      the address
     * @param service the Service
     * @param kind    which of the Service's addresses it is
     */
    record ServiceEntity(Ip ip, KService service, ServiceIpKind kind) implements IpEntity {
        @Override
        public String describe() {
            return ip + ": " + kind.text + " of service " + service.key() + " (" + service.type() + ")";
        }
    }

    /** Which address of a Service. */
    enum ServiceIpKind {
        /** {@code spec.clusterIPs}. */
        CLUSTER_IP("cluster IP"),
        /** {@code spec.externalIPs}. */
        EXTERNAL_IP("external IP"),
        /** {@code status.loadBalancer.ingress[].ip}. */
        LOAD_BALANCER_INGRESS("load-balancer ingress IP");

        private final String text;

        ServiceIpKind(String text) {
            this.text = text;
        }
    }

    /**
     * No pod, node or Service has the address. Where it lies still matters: inside a node's podCIDR it is a pod
     * address no pod has (a deleted pod, a stale route or conntrack entry, a typo); inside the service CIDR it is a
     * cluster IP no Service has.
     *
     * @param ip            the address
     * @param clusterCIDR   the cluster CIDR when the address lies in it (snapshot.json), else null
     * @param podCIDRNode   the node whose podCIDR holds the address, or null
     * @param serviceCIDR   the service CIDR when the address lies in it, else null
     */
    record ExternalEntity(Ip ip, Prefix clusterCIDR, KNode podCIDRNode, Prefix serviceCIDR) implements IpEntity {

        /** True when the address lies in the cluster's pod or service ranges, where every address should be known. */
        public boolean insideCluster() {
            return clusterCIDR != null || podCIDRNode != null || serviceCIDR != null;
        }

        @Override
        public String describe() {
            if (podCIDRNode != null) {
                Prefix cidr = podCIDRNode.podCIDRs().stream().filter(p -> p.contains(ip)).findFirst().orElseThrow();
                return ip + ": inside the podCIDR " + cidr + " of node " + podCIDRNode.name() + " but no pod has it";
            }
            if (clusterCIDR != null) {
                return ip + ": inside the cluster CIDR " + clusterCIDR + " but in no node's podCIDR, and no pod has it";
            }
            if (serviceCIDR != null) {
                return ip + ": inside the service CIDR " + serviceCIDR + " but no Service has it";
            }
            return ip + ": external (not a pod, node or Service address, outside the cluster's ranges)";
        }
    }
}
