package io.skoop.k8s.live;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two roles skoop needs on a live cluster (Kubernetes RBAC, rbac.authorization.k8s.io/v1), as {@code skoop collect
 * --print-rbac} prints them: {@value #READER}, a ClusterRole that gets and lists every kind of {@link
 * LiveObjects#KINDS}, and {@value #COLLECTOR}, a Role in the collectors' namespace only, to create, watch, exec into and
 * delete the collector pods. The reader's rules are made from {@link LiveObjects#KINDS}, so they cannot drift from
 * what skoop lists.
 */
public final class Rbac {
    /** The ClusterRole that reads the cluster's objects. */
    public static final String READER = "skoop-reader";
    /** The Role that runs collector pods in one namespace. */
    public static final String COLLECTOR = "skoop-collector";

    private Rbac() {
    }

    /** The roles as YAML (two documents), with the commands that bind them to {@code user} in comments. */
    public static String yaml(String collectorNamespace) {
        Map<String, List<String>> byGroup = new LinkedHashMap<>();
        for (LiveObjects.Kind k : LiveObjects.KINDS) {
            byGroup.computeIfAbsent(k.group(), g -> new java.util.ArrayList<>()).add(k.resource());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# skoop's roles. Bind them to the user (or service account) skoop runs as, e.g.:\n")
                .append("#   kubectl create clusterrolebinding ").append(READER).append(" --clusterrole=").append(READER)
                .append(" --user=USER\n")
                .append("#   kubectl create rolebinding ").append(COLLECTOR).append(" -n ").append(collectorNamespace)
                .append(" --role=").append(COLLECTOR).append(" --user=USER\n")
                .append("# The collector pods are privileged (hostNetwork, hostPID): the namespace ").append(collectorNamespace)
                .append(" must admit them\n")
                .append("# (Pod Security: kubectl label ns ").append(collectorNamespace)
                .append(" pod-security.kubernetes.io/enforce=privileged).\n");
        sb.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ").append(READER).append('\n')
                .append("rules:\n");
        byGroup.forEach((group, resources) -> sb.append("- apiGroups: [\"").append(group).append("\"]\n")
                .append("  resources: [").append(String.join(", ", resources)).append("]\n")
                .append("  verbs: [get, list]\n"));
        sb.append("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ").append(COLLECTOR).append('\n')
                .append("  namespace: ").append(collectorNamespace).append('\n')
                .append("rules:\n")
                .append("- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [create, delete, get, list, watch]\n")
                .append("- apiGroups: [\"\"]\n  resources: [pods/exec]\n  verbs: [create, get]\n");
        return sb.toString();
    }
}
