package io.skoop.dsl;

import io.skoop.model.Protocol;
import java.util.Locale;

/**
 * An endpoint written in the DSL: {@code pod('default/client')}, {@code node('node-1')},
 * {@code service('default/web', 80)}, {@code ip('203.0.113.10', 80)}.
 *
 * @param kind     POD, NODE, SERVICE or IP
 * @param name     {@code ns/name}, the node's name, or the IP as written
 * @param port     the port (a Service port number or name for a Service), or null
 * @param protocol TCP or UDP when given with the endpoint, or null (TCP)
 */
public record EndpointRef(Kind kind, String name, String port, Protocol protocol) {
    /** The kinds of endpoint. */
    public enum Kind { POD, NODE, SERVICE, IP }

    /** The endpoint as {@code skoop diagnose} and {@link io.skoop.diagnose.Query} write it. */
    public String spec() {
        return switch (kind) {
            case POD -> name;
            case NODE -> "node/" + name;
            case SERVICE -> "svc/" + name;
            case IP -> name;
        };
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + " " + name + (port == null ? "" : ":" + port)
                + (protocol == null ? "" : "/" + protocol.ianaName());
    }
}
