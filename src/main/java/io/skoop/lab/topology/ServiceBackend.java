package io.skoop.lab.topology;

import io.skoop.model.IpFamily;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;

/**
 * One endpoint of a Service port, as the EndpointSlice controller would publish it: a selected
 * pod's IP and the target port resolved against that pod.
 *
 * @param pod      the pod's {@code namespace/name}
 * @param node     the pod's node
 * @param ip       the pod IP
 * @param port     the resolved target port
 * @param protocol the Service port's protocol
 * @param ipV6     the pod's IPv6 address on a dual-stack cluster (the IPv6 EndpointSlice's), null otherwise
 */
public record ServiceBackend(String pod, String node, Ip ip, int port, Protocol protocol, Ip ipV6) {
    /** A backend of a single-stack (IPv4) cluster. */
    public ServiceBackend(String pod, String node, Ip ip, int port, Protocol protocol) {
        this(pod, node, ip, port, protocol, null);
    }

    /** The backend's address in {@code family} (its EndpointSlice of that addressType), null when it has none. */
    public Ip ip(IpFamily family) {
        return family == IpFamily.IPv4 ? ip : ipV6;
    }
}
