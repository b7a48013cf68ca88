package io.skoop.model;

import java.util.ArrayList;
import java.util.List;

/**
 * How every skoop command reads an endpoint, kubectl style: {@code NS/POD}, {@code pod/NS/POD}, {@code node/NAME},
 * {@code svc/NS/NAME} ({@code po}, {@code pods}, {@code service}, {@code services}, {@code no}, {@code nodes} too), an
 * IP, and — with a namespace for bare names, kubectl's {@code -n} — {@code NAME} (the pod NAME of that namespace, else
 * the node NAME, else, for a destination, the Service NAME of that namespace), {@code pod/NAME}, {@code svc/NAME}. An
 * {@code NS/NAME} that names no pod but a Service is the Service; one that names both is an error asking which.
 * {@code skoop diagnose} reads them against a snapshot's objects, {@code skoop lab probe} against a lab's topology.
 */
public final class EndpointSpecs {
    private EndpointSpecs() {
    }

    /** The names an endpoint can have: pods and Services per namespace, nodes (and, in a lab, external hosts). */
    public interface Catalog {
        /** True when namespace {@code ns} has a pod {@code name}. */
        boolean hasPod(String ns, String name);

        /** True when there is a node (or external host) {@code name}. */
        boolean hasNode(String name);

        /** True when namespace {@code ns} has a Service {@code name}. */
        boolean hasService(String ns, String name);

        /** The pod names of namespace {@code ns}, for close matches. */
        List<String> podNames(String ns);

        /** The node (and external host) names, for close matches. */
        List<String> nodeNames();

        /** The Service names of namespace {@code ns}, for close matches. */
        List<String> serviceNames(String ns);
    }

    /**
     * The endpoint written in full ({@code pod/NS/NAME}, {@code node/NAME}, {@code svc/NS/NAME}) when {@code spec} is a
     * bare name, a kind with a bare name, or an {@code NS/NAME} that is only a Service; else {@code spec} as it is
     * (trimmed).
     *
     * @param namespace the namespace of bare names
     * @param source    true for a client (a Service cannot be one: bare names never resolve to a Service)
     * @throws IllegalArgumentException for a bare name that is nothing (close matches among the namespace's pods and
     *                                  Services and the nodes), or an NS/NAME that is a pod and a Service
     */
    public static String qualified(String spec, String namespace, boolean source, Catalog c) {
        String s = spec.trim();
        if (Ip.tryParse(s) != null) {
            return s;
        }
        String[] parts = s.split("/", -1);
        if (parts.length == 1 && !s.isEmpty()) {
            if (c.hasPod(namespace, s)) {
                return "pod/" + namespace + "/" + s;
            }
            if (c.hasNode(s)) {
                return "node/" + s;
            }
            if (!source && c.hasService(namespace, s)) {
                return "svc/" + namespace + "/" + s;
            }
            List<String> names = new ArrayList<>(c.podNames(namespace));
            names.addAll(c.nodeNames());
            names.addAll(c.serviceNames(namespace));
            throw new IllegalArgumentException((source ? "source" : "destination") + " '" + s + "' is no pod of namespace "
                    + namespace + ", no node" + (source ? "" : " and no Service of namespace " + namespace)
                    + " (-n NAMESPACE for another namespace)" + Names.didYouMean(s, names));
        }
        if (parts.length == 2) {
            switch (parts[0]) {
                case "pod", "po", "pods", "svc", "service", "services" -> {
                    return parts[0] + "/" + namespace + "/" + parts[1];
                }
                case "node", "no", "nodes" -> {
                    return s;
                }
                default -> {
                    boolean pod = c.hasPod(parts[0], parts[1]);
                    boolean svc = c.hasService(parts[0], parts[1]);
                    if (pod && svc && !source) {
                        throw new IllegalArgumentException("destination " + s + " is both a pod and a Service: write pod/" + s
                                + " or svc/" + s);
                    }
                    return !pod && svc && !source ? "svc/" + s : s;
                }
            }
        }
        return s;
    }
}
