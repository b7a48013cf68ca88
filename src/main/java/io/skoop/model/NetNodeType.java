package io.skoop.model;

/** The kind of a {@link NetNode} (seed: pod, node, generic, external). */
public enum NetNodeType {
    /** a pod's network namespace */
    POD,
    /** a node's host network namespace */
    NODE,
    /** infrastructure in between (VPC router, underlay bridge, load balancer) simulated by an InfraShim */
    GENERIC,
    /** a host outside the cluster */
    EXTERNAL
}
