package io.skoop.lab.topology;

import io.skoop.model.Protocol;

/**
 * A listening socket the lab opens: a port and a protocol, bound to every address of its
 * network namespace (like a server bound to 0.0.0.0).
 *
 * @param port     1..65535
 * @param protocol TCP or UDP
 */
public record Listener(int port, Protocol protocol) {
    public Listener {
        Ports.check(port, "port");
        Ports.checkProtocol(protocol);
    }
}
