package io.skoop.service.ipvs;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.ServiceEndpoint;
import io.skoop.model.Action;
import io.skoop.model.ActionType;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.Suspicion;
import io.skoop.netstack.netfilter.FinalVerdict;
import io.skoop.netstack.netfilter.TraceBranch;
import io.skoop.netstack.netfilter.TraceResult;
import io.skoop.netstack.netfilter.TraceStep;
import io.skoop.service.ServiceProcessor;
import io.skoop.service.ServiceTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * kube-proxy's IPVS mode (kubernetes pkg/proxy/ipvs/proxier.go): every ClusterIP is an address of the dummy device
 * {@code kube-ipvs0}, so a packet to it is delivered locally; nat {@code KUBE-SERVICES} only marks what must be
 * masqueraded ({@code KUBE-MARK-MASQ} for sources outside the cluster CIDR, {@code KUBE-NODE-PORT} for node ports,
 * matched through the ipsets {@code KUBE-CLUSTER-IP} and {@code KUBE-NODE-PORT-TCP}) and ACCEPTs; at LOCAL_IN the
 * IPVS virtual service of the address and port (one per ClusterIP port and per node port on each node address, real
 * servers = the endpoints, masquerading, weight 1, weight 0 for terminating ones) picks a real server and NATs the
 * packet to it; {@code KUBE-POSTROUTING} masquerades marked packets and the hairpin case ({@code KUBE-LOOP-BACK}).
 *
 * <p>The processor reads the trace of the node's real rules and IPVS table (IPVS steps of
 * {@link io.skoop.netstack.ipvs.IpvsStation}): it names the virtual service and every real server with its share, is
 * FATAL naming a virtual service without a real server (the kernel answers ICMP port unreachable), FATAL when no
 * virtual service takes the packet (naming the rule that rejected it, e.g. {@code KUBE-IPVS-FILTER}, when one did), and
 * WARNS where the real servers and the EndpointSlices disagree.
 */
public final class KubeProxyIpvsProcessor implements ServiceProcessor {
    @Override
    public boolean process(NetNode node, Packet before, TraceResult trace, IPCache ipCache) {
        ServiceTarget target = ServiceTarget.of(before, ipCache, node.id());
        return target != null && interpret(node, before, trace, ipCache, target);
    }

    /** Names what IPVS did with the packet to {@code target}'s Service port and cross-checks it; true. */
    private static boolean interpret(NetNode node, Packet before, TraceResult trace, IPCache ipCache, ServiceTarget target) {
        String what = target.describe(before);
        Map<String, Double> backends = new LinkedHashMap<>();
        List<String> noRealServer = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        String virtualService = null;
        double untaken = 0;
        for (TraceBranch b : trace.branches()) {
            TraceStep.IpvsScheduled ipvs = b.steps().stream().filter(s -> s instanceof TraceStep.IpvsScheduled)
                    .map(TraceStep.IpvsScheduled.class::cast).findFirst().orElse(null);
            if (ipvs != null) {
                virtualService = ipvs.virtualService();
                if (ipvs.after() != null) {
                    String ep = ipvs.after().dst().withPort(ipvs.after().dport());
                    backends.merge(ep, b.probability(), Double::sum);
                    node.explain(what + " -> IPVS " + ipvs.detail().replaceFirst("^IPVS: ", "")
                            + String.format(Locale.ROOT, "; branch p=%.3f", b.probability()));
                } else if ("DROP".equals(ipvs.method())) {
                    noRealServer.add(ipvs.detail().replaceFirst("^IPVS: ", ""));
                }
            } else if (b.verdict() == FinalVerdict.REJECT || b.verdict() == FinalVerdict.DROP) {
                List<TraceStep.RuleEvaluated> m = b.matchedRules();
                stopped.add(b.detail() + (m.isEmpty() ? "" : " `" + m.get(m.size() - 1).text() + "`"));
            } else if (b.verdict() != FinalVerdict.UNKNOWN) {
                untaken += b.probability();
            }
        }
        List<ServiceEndpoint> eps = target.endpoints(ipCache);
        TreeSet<String> slices = ServiceTarget.addresses(ServiceTarget.usable(eps));
        String sliceText = "; EndpointSlices: " + (slices.isEmpty() ? eps.isEmpty() ? "no endpoint" : eps.size() + " endpoint(s), none usable"
                : "usable " + slices);
        if (!backends.isEmpty()) {
            node.addAction(new Action(ActionType.SERVICE, null, List.of()));
        }
        if (!noRealServer.isEmpty()) {
            node.addSuspicion(Suspicion.fatal(what + " on node " + node.id() + ": IPVS " + noRealServer.get(0) + sliceText));
        } else if (backends.isEmpty() && !stopped.isEmpty()) {
            node.addSuspicion(Suspicion.fatal(what + ": node " + node.id() + " stops it before IPVS: " + String.join("; ", stopped)
                    + " (kube-proxy's IPVS mode lets only Service ports in KUBE-CLUSTER-IP pass KUBE-IPVS-FILTER)" + sliceText));
        } else if (backends.isEmpty() && untaken > 0) {
            node.addSuspicion(Suspicion.fatal(what + ": no IPVS virtual service of node " + node.id() + " takes it (ipvsadm -Sn has no "
                    + before.protocol().ianaName() + " " + before.dst() + ":" + before.dport() + ": kube-proxy not in IPVS mode there, or not"
                    + " synced)" + sliceText));
        } else if (!backends.isEmpty() && untaken > 0) {
            node.addSuspicion(Suspicion.critical(what + String.format(Locale.ROOT,
                    ": %.0f%% of new connections are not taken by node %s's IPVS virtual service %s", untaken * 100, node.id(), virtualService)));
        }
        target.crossCheck(node, what, backends.keySet(), slices, "IPVS virtual service " + virtualService + " has real server",
                "IPVS virtual service " + virtualService + " never sends to it (no real server, or weight 0)");
        return true;
    }

    /** Registers the ipvs mode with {@link io.skoop.network.Network#of} ({@code META-INF/services}). */
    public static final class Factory extends io.skoop.service.ProcessorFactory {
        /** The factory ServiceLoader instantiates. */
        public Factory() {
            super(KubeProxyIpvsProcessor::new);
        }
    }

    @Override
    public String mode() {
        return "ipvs";
    }
}
