package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A Namespace ({@code core/v1}).
 *
 * @param name   {@code metadata.name}
 * @param labels {@code metadata.labels} (NetworkPolicy namespaceSelectors match them;
 *               {@code kubernetes.io/metadata.name} is set by the API server)
 * @param phase  {@code status.phase}: Active or Terminating; null when absent
 */
public record KNamespace(String name, Map<String, String> labels, String phase) {

    public KNamespace {
        labels = Map.copyOf(labels);
    }

    @JsonCreator
    static KNamespace of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("status") Status status) {
        Wire.Meta m = Wire.meta(metadata);
        return new KNamespace(m.name(), m.labels(), status == null ? null : status.phase());
    }

    record Status(String phase) {
    }
}
