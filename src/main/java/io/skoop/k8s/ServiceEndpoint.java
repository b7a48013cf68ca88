package io.skoop.k8s;

import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import io.skoop.snapshot.k8s.KEndpointSlice;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;
import java.util.ArrayList;
import java.util.List;

/**
 * One backend of a Service port, from the Service's EndpointSlices: the address and target port kube-proxy would
 * DNAT to, and what it stands for. Endpoints that are not ready, not serving or terminating are kept; their
 * {@link #conditions()} say so (kube-proxy sends new connections to ready ones, and falls back to serving-terminating
 * ones only when none is ready).
 *
 * @param service     the Service
 * @param servicePort the Service port asked for
 * @param ip          the endpoint's address (the first of its addresses, as kube-proxy takes it)
 * @param port        the target port (the slice port's number for this Service port)
 * @param protocol    the protocol
 * @param conditions  ready / serving / terminating as written (null = unknown, see {@link KEndpointSlice.Conditions})
 * @param nodeName    the endpoint's node: its {@code nodeName}, else its pod's; null when neither is known
 * @param pod         the pod its {@code targetRef} names, or null (no targetRef, not a Pod, or not in the snapshot)
 * @param slice       the EndpointSlice it comes from
 */
public record ServiceEndpoint(KService service, KService.Port servicePort, Ip ip, int port, Protocol protocol,
                              KEndpointSlice.Conditions conditions, String nodeName, KPod pod, KEndpointSlice slice) {

    /** Ready (null read as ready). */
    public boolean isReady() {
        return conditions.isReady();
    }

    /** Serving (null deferring to ready). */
    public boolean isServing() {
        return conditions.isServing();
    }

    /** Terminating (null read as not terminating). */
    public boolean isTerminating() {
        return conditions.isTerminating();
    }

    /** {@code 10.244.1.2:8080/TCP (default/web-2 on node-2)}, with {@code [not ready, serving, terminating]} as they apply. */
    @Override
    public String toString() {
        List<String> state = new ArrayList<>();
        if (!isReady()) {
            state.add("not ready");
            if (isServing()) {
                state.add("serving");
            }
        }
        if (isTerminating()) {
            state.add("terminating");
        }
        return ip + ":" + port + "/" + protocol + (pod == null ? "" : " (" + pod.key() + (nodeName == null ? "" : " on " + nodeName) + ")")
                + (state.isEmpty() ? "" : " [" + String.join(", ", state) + "]");
    }
}
