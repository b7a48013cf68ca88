package io.skoop.lab.topology;

/** {@code spec.type} of a lab Service (LoadBalancer and ExternalName are not emulated). */
public enum ServiceType {
    /** A virtual IP reachable inside the cluster. */
    ClusterIP,
    /** A ClusterIP plus a port (30000-32767) on every node's addresses. */
    NodePort
}
