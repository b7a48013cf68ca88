package io.skoop.lab.topology;

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
 */
public record ServiceBackend(String pod, String node, Ip ip, int port, Protocol protocol) {
}
