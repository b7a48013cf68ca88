package io.skoop.model;

/**
 * Severity of a {@link Suspicion}, ordered (DESIGN.md §3): INFO context; WARNING a
 * misconfiguration that does not break this flow; CRITICAL breaks it for some packets or
 * branches; FATAL breaks this flow.
 */
public enum Level {
    INFO, WARNING, CRITICAL, FATAL;

    /** True when this level means the flow (or part of it) fails. */
    public boolean breaksFlow() {
        return this == CRITICAL || this == FATAL;
    }
}
