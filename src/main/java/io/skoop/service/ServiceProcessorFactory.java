package io.skoop.service;

/**
 * Makes the {@link ServiceProcessor} of one kube-proxy mode. Implementations are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.skoop.service.ServiceProcessorFactory});
 * {@link io.skoop.network.Network#of} picks the one whose {@link #mode()} equals the snapshot's {@code proxyMode}
 * (case-insensitive; a snapshot without one is taken as {@code iptables}, kube-proxy's default on Linux).
 */
public interface ServiceProcessorFactory {
    /** The kube-proxy mode ({@code iptables}, {@code ipvs}, {@code nftables}) as kube-proxy's {@code --proxy-mode} names it. */
    String mode();

    /** A processor (processors keep no state between diagnoses, but a new one costs nothing). */
    ServiceProcessor create();
}
