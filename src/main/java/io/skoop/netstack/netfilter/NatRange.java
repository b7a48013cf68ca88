package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;

/**
 * A NAT target's address/port range ({@code --to-destination 10.0.0.1-10.0.0.3:8080-8090},
 * {@code --to-source}, {@code --to-ports}); nf_nat_range2 in the kernel.
 *
 * @param minIp   first address, or null when only ports are given (MASQUERADE, REDIRECT)
 * @param maxIp   last address (== minIp for one address), or null
 * @param minPort first port, 0 when the port is kept
 * @param maxPort last port, 0 when the port is kept
 */
public record NatRange(Ip minIp, Ip maxIp, int minPort, int maxPort) {
    /** True when a port range was given. */
    public boolean hasPorts() {
        return minPort != 0 || maxPort != 0;
    }

    /** True when the range maps to exactly one address (or none) and at most one port. */
    public boolean isSingle() {
        return (minIp == null || minIp.equals(maxIp)) && minPort == maxPort;
    }

    /** {@code 10.0.0.1:8080}, {@code [2001:db8::1]:80}, {@code 10.0.0.1-10.0.0.3}, {@code :8080-8090}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (minIp != null) {
            boolean br = minIp.isV6() && hasPorts();
            sb.append(br ? "[" : "").append(minIp);
            if (!minIp.equals(maxIp)) {
                sb.append('-').append(maxIp);
            }
            sb.append(br ? "]" : "");
        }
        if (hasPorts()) {
            sb.append(minIp == null ? "" : ":").append(minPort);
            if (maxPort != minPort) {
                sb.append('-').append(maxPort);
            }
        }
        return sb.toString();
    }
}
