package io.skoop.model;

/** What an {@link Endpoint}'s address belongs to, as the IPCache classifies it. */
public enum EndpointType {
    /** a Pod's IP (pod network, not hostNetwork) */
    POD,
    /** a Node's address (also hostNetwork pods) */
    NODE,
    /** a Service ClusterIP or externalIP */
    SERVICE,
    /** a LoadBalancer ingress address */
    LOADBALANCER,
    /** anything outside the cluster */
    EXTERNAL
}
