package io.skoop.lab.topology;

/**
 * {@code spec.ipFamilyPolicy} of a Service (Kubernetes "IPv4/IPv6 dual-stack", kubernetes.io/docs/concepts/services-networking/dual-stack):
 * how many families the API server allocates cluster IPs in.
 */
public enum IpFamilyPolicy {
    /** One family: the first of {@code ipFamilies}, or the cluster's primary family. */
    SingleStack,
    /** Both families on a dual-stack cluster, one on a single-stack cluster. */
    PreferDualStack,
    /** Both families; refused on a single-stack cluster. */
    RequireDualStack;

    /** The policy named {@code text} exactly as the API spells it, or null. */
    public static IpFamilyPolicy parse(String text) {
        for (IpFamilyPolicy p : values()) {
            if (p.name().equals(text)) {
                return p;
            }
        }
        return null;
    }
}
