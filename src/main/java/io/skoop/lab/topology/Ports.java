package io.skoop.lab.topology;

import io.skoop.model.Protocol;

/** Range checks shared by the port records (programming errors: the loader checks first, with lines). */
final class Ports {
    private Ports() {
    }

    static void check(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " out of range 1..65535");
        }
    }

    static void checkProtocol(Protocol protocol) {
        if (protocol != Protocol.TCP && protocol != Protocol.UDP) {
            throw new IllegalArgumentException("protocol " + protocol + " not supported (expected TCP or UDP)");
        }
    }
}
