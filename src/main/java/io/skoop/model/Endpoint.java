package io.skoop.model;

import java.util.Objects;

/**
 * One end of a connection: the seed's Endpoint (IP, Type, Port).
 *
 * @param ip   the address (IPv4 or IPv6)
 * @param type what the address belongs to
 * @param port layer-4 port 0..65535 (0: none / any)
 */
public record Endpoint(Ip ip, EndpointType type, int port) {
    public Endpoint {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(type, "type");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + " " + (port == 0 ? ip.toString() : ip.withPort(port));
    }
}
