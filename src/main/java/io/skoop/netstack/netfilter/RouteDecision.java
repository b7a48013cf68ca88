package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;

/**
 * The answer of a {@link RoutingOracle}: deliver locally, send via a device (to a gateway
 * or on-link), or fail as the kernel would ({@code ip route get} failing with an errno).
 *
 * @param kind        LOCAL, UNICAST or ERROR
 * @param device      output device (LOCAL: {@code lo} or the device owning the address); null for ERROR
 * @param gateway     next-hop gateway, or null when on-link / local
 * @param prefsrc     preferred source address of the route, or null
 * @param error       for ERROR: the errno name and reason ({@code ENETUNREACH: no route}, {@code EHOSTUNREACH: unreachable route}, {@code EINVAL: blackhole}); else null
 * @param explanation how the decision was made (rule, table, route), for the trace
 */
public record RouteDecision(Kind kind, String device, Ip gateway, Ip prefsrc, String error, String explanation) {
    /** Kinds of routing outcome. */
    public enum Kind { LOCAL, UNICAST, ERROR }

    /** Local delivery. */
    public static RouteDecision local(String device, String explanation) {
        return new RouteDecision(Kind.LOCAL, device, null, null, null, explanation);
    }

    /** Out of {@code device} to {@code gateway} (null: on-link) with preferred source {@code prefsrc} (may be null). */
    public static RouteDecision unicast(String device, Ip gateway, Ip prefsrc, String explanation) {
        return new RouteDecision(Kind.UNICAST, device, gateway, prefsrc, null, explanation);
    }

    /** A routing failure. */
    public static RouteDecision error(String error, String explanation) {
        return new RouteDecision(Kind.ERROR, null, null, null, error, explanation);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LOCAL -> "local dev " + device;
            case UNICAST -> (gateway != null ? "via " + gateway + " " : "") + "dev " + device + (prefsrc != null ? " src " + prefsrc : "");
            case ERROR -> "error " + error;
        } + (explanation == null || explanation.isEmpty() ? "" : " (" + explanation + ")");
    }
}
