package io.skoop.lab.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A policy manifest written in a topology's {@code policies:}, as {@code kubectl apply} takes it: a NetworkPolicy
 * ({@code networking.k8s.io/v1}), an AdminNetworkPolicy or a BaselineAdminNetworkPolicy
 * ({@code policy.networking.k8s.io/v1alpha1}). The lab writes it into the snapshot's objects as the API server would
 * return it; a CNI that enforces policies renders it into the nodes' rules.
 *
 * @param kind      NetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy
 * @param namespace the NetworkPolicy's namespace ({@code default} when not written); null for the cluster-scoped kinds
 * @param name      {@code metadata.name}
 * @param manifest  the manifest as written (checked: it reads as its kind)
 * @param origin    where it was written
 */
public record Policy(String kind, String namespace, String name, ObjectNode manifest, Origin origin) {
    /** The kinds a topology's {@code policies:} takes, with their apiVersion. */
    public static final java.util.Map<String, String> KINDS = java.util.Map.of(
            "NetworkPolicy", "networking.k8s.io/v1",
            "AdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1",
            "BaselineAdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1");

    /** {@code namespace/name}, or the name of a cluster-scoped policy. */
    public String key() {
        return namespace == null ? name : namespace + "/" + name;
    }
}
