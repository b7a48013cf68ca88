package io.skoop.model;

import java.util.Objects;

/**
 * A finding on a NetNode or the cluster: a level and a message that names the device, route,
 * rule, socket or sysctl at fault and what was expected. Seed: Suspicion{Level, Message}.
 */
public record Suspicion(Level level, String message) {
    public Suspicion {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(message, "message");
    }

    public static Suspicion info(String m) {
        return new Suspicion(Level.INFO, m);
    }

    public static Suspicion warning(String m) {
        return new Suspicion(Level.WARNING, m);
    }

    public static Suspicion critical(String m) {
        return new Suspicion(Level.CRITICAL, m);
    }

    public static Suspicion fatal(String m) {
        return new Suspicion(Level.FATAL, m);
    }

    @Override
    public String toString() {
        return level + ": " + message;
    }
}
