package io.skoop.service;

import io.skoop.k8s.IPCache;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.netstack.netfilter.TraceResult;

/**
 * How a kube-proxy mode resolves Services on a node (seed: service Processor). The Diagnostor
 * simulates the node's real rules — NAT applied, {@code statistic} branches fanned out — and
 * hands the trace of every packet addressed to a Service (ClusterIP, externalIP,
 * LoadBalancer ingress, or a node port on a node address) to the processor, which names what the
 * rules did in kube-proxy's terms and cross-checks it against the EndpointSlices.
 */
public interface ServiceProcessor {
    /** The kube-proxy mode ({@code iptables}). */
    String mode();

    /**
     * Interprets one node's trace of a packet addressed to a Service.
     *
     * @param node   the node's NetNode; the processor records a SERVICE action, explanation lines and suspicions
     *               (FATAL when no branch reaches a backend, WARNING when rules and EndpointSlices disagree)
     * @param before the packet as it entered the node's hooks
     * @param trace  the trace of the node's rules for it
     * @param ipCache the cluster's addresses and EndpointSlices
     * @return true when {@code before} was addressed to a Service (the trace was interpreted), false otherwise
     */
    boolean process(NetNode node, Packet before, TraceResult trace, IPCache ipCache);
}
