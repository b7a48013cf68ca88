package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A ConfigMap ({@code core/v1}): its {@code data}, e.g. kube-proxy's {@code config.conf} (KubeProxyConfiguration) in
 * {@code kube-system/kube-proxy} or flannel's {@code net-conf.json} in {@code kube-flannel/kube-flannel-cfg}.
 * {@code binaryData} is not read.
 *
 * @param namespace {@code metadata.namespace}
 * @param name      {@code metadata.name}
 * @param data      {@code data}; empty when absent
 */
public record KConfigMap(String namespace, String name, Map<String, String> data) {

    public KConfigMap {
        data = Map.copyOf(data);
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    @JsonCreator
    static KConfigMap of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("data") Map<String, String> data) {
        Wire.Meta m = Wire.meta(metadata);
        return new KConfigMap(m.namespace(), m.name(), data == null ? Map.of() : data);
    }
}
