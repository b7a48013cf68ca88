package io.skoop.lab.kubeproxy;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.List;
import java.util.Objects;

/**
 * What kube-proxy knows about the node it programs (its flags and the node object).
 *
 * @param nodeName      the node's name ({@code --hostname-override})
 * @param nodeIps       the node's addresses (documentation here: NodePorts match {@code addrtype --dst-type LOCAL},
 *                      kube-proxy's default {@code --nodeport-addresses})
 * @param clusterCidr   {@code --cluster-cidr} of the proxier's family: the "ClusterCIDR" local-traffic detector writes
 *                      {@code ! -s CIDR}; an IPv6 CIDR makes the context the IPv6 proxier's
 * @param masqueradeBit {@code --iptables-masquerade-bit}, 0–31 (default 14, mark 0x4000)
 * @param randomFully   whether iptables supports {@code MASQUERADE --random-fully} ({@code HasRandomFully}); true on any
 *                      iptables ≥ 1.6.2
 */
public record NodeContext(String nodeName, List<Ip> nodeIps, Prefix clusterCidr, int masqueradeBit, boolean randomFully) {

    /** kube-proxy's default {@code --iptables-masquerade-bit}. */
    public static final int DEFAULT_MASQUERADE_BIT = 14;

    public NodeContext {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(clusterCidr, "clusterCidr");
        nodeIps = List.copyOf(nodeIps);
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masquerade bit must be 0-31, got " + masqueradeBit);
        }
        for (Ip ip : nodeIps) {
            if (ip.isV6() != clusterCidr.isV6()) {
                throw new IllegalArgumentException("node IP " + ip + " and cluster CIDR " + clusterCidr + " are of different families "
                        + "(a proxier programs one family)");
            }
        }
    }

    /** A node with kube-proxy's defaults: masquerade bit 14, {@code --random-fully}. */
    public static NodeContext of(String nodeName, Ip nodeIp, Prefix clusterCidr) {
        return new NodeContext(nodeName, List.of(nodeIp), clusterCidr, DEFAULT_MASQUERADE_BIT, true);
    }

    /**
     * The mark as kube-proxy writes it: {@code fmt.Sprintf("%#08x", 1<<masqueradeBit)}, which in Go pads the
     * digits to 8 ({@code 0x00004000}); iptables-save prints it back as {@code 0x4000}.
     */
    public String masqueradeMark() {
        return String.format("0x%08x", 1L << masqueradeBit);
    }
}
