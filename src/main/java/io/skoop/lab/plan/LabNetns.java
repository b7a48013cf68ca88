package io.skoop.lab.plan;

import io.skoop.lab.topology.ExternalHost;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;

/**
 * The names of a lab's network namespaces (files under {@code /run/netns}). Every one starts with the lab's
 * name and a dot ({@link #prefix}); lab, node, namespace and pod names are DNS-1123 labels, which hold no dot, so
 * the prefix of lab {@code a} never matches a namespace of lab {@code a-b} and the kind and key can be read back:
 * <ul>
 *   <li>{@code LAB.underlay} — the underlay: the nodes' L2 segment (bridge {@code br0}) and the VPC router, which
 *       also reaches the external hosts;</li>
 *   <li>{@code LAB.node.NODE} — a Kubernetes node (its root network namespace);</li>
 *   <li>{@code LAB.pod.NAMESPACE.POD} — a pod;</li>
 *   <li>{@code LAB.ext.HOST} — an external host.</li>
 * </ul>
 */
public final class LabNetns {

    private LabNetns() {
    }

    /** {@code LAB.}: what every namespace of lab {@code lab} starts with. */
    public static String prefix(String lab) {
        return lab + ".";
    }

    /** {@code LAB.underlay}. */
    public static String underlay(String lab) {
        return prefix(lab) + "underlay";
    }

    /** {@code LAB.node.NODE}. */
    public static String node(String lab, Node node) {
        return prefix(lab) + "node." + node.name();
    }

    /** {@code LAB.pod.NAMESPACE.POD}. */
    public static String pod(String lab, Pod pod) {
        return prefix(lab) + "pod." + pod.namespace() + "." + pod.name();
    }

    /** {@code LAB.ext.HOST}. */
    public static String external(String lab, ExternalHost host) {
        return prefix(lab) + "ext." + host.name();
    }

    /**
     * The lab a namespace name belongs to when it has the shape of a lab namespace, else null: {@code vxlan} for
     * {@code vxlan.node.node-1}.
     */
    public static String labOf(String netns) {
        int dot = netns.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        String rest = netns.substring(dot + 1);
        boolean shaped = rest.equals("underlay") || rest.startsWith("node.") || rest.startsWith("pod.") || rest.startsWith("ext.");
        return shaped ? netns.substring(0, dot) : null;
    }
}
