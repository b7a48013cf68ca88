package io.skoop.lab.topology;

import java.util.Map;

/**
 * A namespace declared in a topology's {@code namespaces:} to give it labels (what NetworkPolicy namespaceSelectors
 * match). Namespaces used by pods, Services and policies exist without being declared; every namespace also carries
 * {@code kubernetes.io/metadata.name}, as the API server sets it.
 *
 * @param name   the namespace (DNS-1123 label)
 * @param labels its labels
 * @param origin where it was written
 */
public record Namespace(String name, Map<String, String> labels, Origin origin) {
    public Namespace {
        labels = Map.copyOf(labels);
    }
}
