package io.skoop.model;

/** The medium a {@link Link} crosses (seed: external, infra/vpc, veth, ipvlan, local, vxlan, ipip). */
public enum LinkType {
    /** to or from a host outside the cluster */
    EXTERNAL,
    /** over the node underlay / VPC (plain routed or bridged IP) */
    INFRA,
    /** a veth pair between a pod and its node */
    VETH,
    /** an ipvlan slave */
    IPVLAN,
    /** within one network namespace (local delivery, loopback) */
    LOCAL,
    /** a VXLAN tunnel between nodes (Packet.encap carries the inner packet) */
    VXLAN,
    /** an IP-in-IP tunnel between nodes */
    IPIP
}
