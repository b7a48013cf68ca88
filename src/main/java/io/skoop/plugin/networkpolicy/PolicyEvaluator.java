package io.skoop.plugin.networkpolicy;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.IpEntity;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import io.skoop.plugin.networkpolicy.PolicyVerdict.Decision;
import io.skoop.plugin.networkpolicy.PolicyVerdict.RuleRef;
import io.skoop.plugin.networkpolicy.PolicyVerdict.Side;
import io.skoop.snapshot.k8s.KAdminNetworkPolicy;
import io.skoop.snapshot.k8s.KNamespace;
import io.skoop.snapshot.k8s.KNetworkPolicy;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KubeObjects;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The intent of the cluster's policies for a connection, without the data path: which AdminNetworkPolicies,
 * NetworkPolicies and BaselineAdminNetworkPolicy select the source (egress) and the destination (ingress), and which
 * rule allows or denies it. The CNI enforces (or does not enforce) this intent; a diagnosis simulates what the CNI
 * really installed and uses this evaluator to explain and to cross-check.
 *
 * <p>Semantics (Kubernetes "Network Policies" concept page and the NetworkPolicySpec reference;
 * network-policy-api's AdminNetworkPolicy and BaselineAdminNetworkPolicy v1alpha1):
 * <ul>
 *   <li>per side, AdminNetworkPolicies whose subject selects the pod first, by ascending priority (ties by name, as the
 *       API leaves their order undefined), each one's rules in order: the first rule whose peers and ports match
 *       decides — Allow and Deny finally, Pass hands the side to the NetworkPolicies;</li>
 *   <li>then NetworkPolicies: a pod selected by any policy with that policy type is isolated and admits only what
 *       some rule of those policies allows (the union); a pod no policy selects is not isolated;</li>
 *   <li>a pod no NetworkPolicy isolates meets the BaselineAdminNetworkPolicy: its first matching rule decides, no
 *       match allows;</li>
 *   <li>"a pod cannot block access to itself", and "traffic to and from the node where a Pod is running is always
 *       allowed" (including an address of the node's podCIDR that no pod holds: its bridge or tunnel address) —
 *       except a pod's egress to its own node where the CNI polices it (Calico; see the two-argument constructor);</li>
 *   <li>policies select pods with their own network namespace: a node or a hostNetwork pod is never a subject, and
 *       as a peer is matched only by ipBlock (ANP: {@code networks} and {@code nodes});</li>
 *   <li>an ipBlock matches any address in its CIDR and outside its excepts, pod addresses included (as Calico, Cilium
 *       and most CNIs apply it; the API leaves pod addresses in ipBlocks implementation-defined);</li>
 *   <li>a named port is the destination pod's container port of that name and the policy port's protocol; it never
 *       matches a destination that is no pod.</li>
 * </ul>
 * Policies are evaluated on pod addresses: a Service's address must be translated to its backends first.
 */
public final class PolicyEvaluator {
    private final IPCache ipCache;
    private final KubeObjects objects;
    private final boolean egressToOwnNodePoliced;

    /** An evaluator over a snapshot's objects (their policies, pods, namespaces and nodes), as the Kubernetes page says. */
    public PolicyEvaluator(IPCache ipCache) {
        this(ipCache, false);
    }

    /**
     * An evaluator over a snapshot's objects for a CNI that may police a pod's egress to its own node.
     *
     * @param egressToOwnNodePoliced true for a CNI that applies a pod's egress policies to its connections to its own
     *                               node ({@link io.skoop.plugin.Plugin#policesEgressToOwnNode()}: Calico): the node is
     *                               then an ordinary peer there (matched by ipBlock only); ingress from the own node
     *                               stays always allowed
     */
    public PolicyEvaluator(IPCache ipCache, boolean egressToOwnNodePoliced) {
        this.ipCache = ipCache;
        this.objects = ipCache.objects();
        this.egressToOwnNodePoliced = egressToOwnNodePoliced;
    }

    /**
     * A party of a connection: a pod with its own namespace, a node, or neither.
     *
     * @param ip       its address
     * @param pod      the pod (not hostNetwork), or null
     * @param node     the node whose address it is (hostNetwork pods included), or null
     * @param describe one line: {@code pod default/client}, {@code node node-1}, {@code 203.0.113.10}
     */
    record Party(Ip ip, KPod pod, KNode node, String describe) {
    }

    /** The policies that apply to a pod, in evaluation order per direction. */
    public record Applying(List<String> ingress, List<String> egress) {
        public Applying {
            ingress = List.copyOf(ingress);
            egress = List.copyOf(egress);
        }
    }

    /** {@code 2 NetworkPolicies, 1 AdminNetworkPolicy, no BaselineAdminNetworkPolicy}. */
    public String policyCount() {
        int np = objects.networkPolicies().size();
        long anp = objects.adminNetworkPolicies().stream().filter(a -> !a.baseline()).count();
        long banp = objects.adminNetworkPolicies().size() - anp;
        return np + (np == 1 ? " NetworkPolicy, " : " NetworkPolicies, ") + anp + (anp == 1 ? " AdminNetworkPolicy, " : " AdminNetworkPolicies, ")
                + (banp == 0 ? "no" : String.valueOf(banp)) + " BaselineAdminNetworkPolicy";
    }

    /** Whether the snapshot holds any policy at all. */
    public boolean hasPolicies() {
        return !objects.networkPolicies().isEmpty() || !objects.adminNetworkPolicies().isEmpty();
    }

    /**
     * The policies that select {@code pod}, per direction: {@code AdminNetworkPolicy NAME (priority P)},
     * {@code NetworkPolicy NS/NAME}, {@code BaselineAdminNetworkPolicy default}.
     */
    public Applying applying(KPod pod) {
        return new Applying(selecting(pod, true).stream().map(this::label).toList(), selecting(pod, false).stream().map(this::label).toList());
    }

    /**
     * Evaluates a new connection from {@code src} to {@code dst}:{@code port}/{@code protocol}.
     *
     * @param src an address (a pod's, a node's, any other)
     * @param dst a pod's address (a Service's address is not a pod's: nothing selects it, the ingress side is
     *            NOT_A_POD — translate it to its backends first)
     */
    public PolicyVerdict evaluate(Ip src, Ip dst, int port, Protocol protocol) {
        Party from = party(src);
        Party to = party(dst);
        return new PolicyVerdict(src, dst, port, protocol, side(false, from, to, port, protocol), side(true, to, from, port, protocol));
    }

    private Party party(Ip ip) {
        IpEntity e = ipCache.lookup(ip);
        if (e instanceof IpEntity.PodEntity p) {
            return new Party(ip, p.pod(), null, "pod " + p.pod().key());
        }
        if (e instanceof IpEntity.NodeEntity n) {
            return new Party(ip, null, n.node(), "node " + n.node().name());
        }
        if (e instanceof IpEntity.ExternalEntity x && x.podCIDRNode() != null) {
            return new Party(ip, null, x.podCIDRNode(), "node " + x.podCIDRNode().name() + " (" + ip + ", an address of its podCIDR no pod holds)");
        }
        return new Party(ip, null, null, e instanceof IpEntity.ServiceEntity s ? s.describe() : ip.toString());
    }

    /** The side of {@code me} (ingress: the destination; egress: the source) towards {@code other}. */
    private Side side(boolean ingress, Party me, Party other, int port, Protocol protocol) {
        String dir = ingress ? "Ingress" : "Egress";
        String side = ingress ? "ingress" : "egress";
        if (me.pod() == null) {
            return new Side(dir, null, Decision.NOT_A_POD, List.of(), null, me.describe() + " is not a pod: no policy selects it", List.of());
        }
        String pod = me.pod().key();
        if (other.pod() != null && other.pod().key().equals(pod)) {
            return new Side(dir, pod, Decision.ALWAYS_ALLOWED, List.of(), null, "a pod cannot block access to itself", List.of());
        }
        if (other.node() != null && other.node().name().equals(me.pod().nodeName()) && (ingress || !egressToOwnNodePoliced)) {
            return new Side(dir, pod, Decision.ALWAYS_ALLOWED, List.of(), null, "traffic " + (ingress ? "from" : "to") + " the node a pod runs on ("
                    + other.describe() + ") is always allowed", List.of());
        }
        KPod dstPod = ingress ? me.pod() : other.pod();
        List<Object> policies = selecting(me.pod(), ingress);
        List<String> selectedBy = policies.stream().map(this::label).toList();
        List<String> trace = new ArrayList<>();
        String flow = (ingress ? "from " : "to ") + other.describe() + " on " + protocol + "/" + port;

        // 1. AdminNetworkPolicies
        boolean passed = false;
        for (Object o : policies) {
            if (!(o instanceof KAdminNetworkPolicy a) || a.baseline()) {
                continue;
            }
            RuleRef r = firstAdminRule(a, ingress, other, dstPod, port, protocol, trace);
            if (r == null) {
                continue;
            }
            if (r.action().equals("Pass")) {
                passed = true;
                trace.add(r + ": Pass — the NetworkPolicies decide");
                break;
            }
            boolean allow = r.action().equals("Allow");
            return new Side(dir, pod, allow ? Decision.ALLOWED : Decision.DENIED, selectedBy, r,
                    (allow ? "allowed by " : "denied by ") + r + " (" + r.action() + "): it selects " + pod + " and the rule matches " + flow, trace);
        }
        // 2. NetworkPolicies
        List<KNetworkPolicy> isolating = policies.stream().filter(o -> o instanceof KNetworkPolicy).map(o -> (KNetworkPolicy) o).toList();
        if (!isolating.isEmpty()) {
            for (KNetworkPolicy np : isolating) {
                RuleRef r = firstRule(np, ingress, other, dstPod, port, protocol, trace);
                if (r != null) {
                    return new Side(dir, pod, Decision.ALLOWED, selectedBy, r, "allowed by " + r + (passed ? " (after an AdminNetworkPolicy's Pass)" : ""), trace);
                }
            }
            List<String> names = isolating.stream().map(KNetworkPolicy::key).toList();
            String who = names.size() == 1 ? names.get(0) + ": it selects " : String.join(" and ", names) + ": they select ";
            return new Side(dir, pod, Decision.DENIED, selectedBy, null, "denied by the " + side + " of " + who + pod + " and no rule allows "
                    + flow, trace);
        }
        // 3. BaselineAdminNetworkPolicy
        for (Object o : policies) {
            if (o instanceof KAdminNetworkPolicy b && b.baseline()) {
                RuleRef r = firstAdminRule(b, ingress, other, dstPod, port, protocol, trace);
                if (r != null) {
                    boolean allow = r.action().equals("Allow");
                    return new Side(dir, pod, allow ? Decision.ALLOWED : Decision.DENIED, selectedBy, r,
                            (allow ? "allowed by " : "denied by ") + r + " (" + r.action() + "): no NetworkPolicy isolates " + pod + " for " + side
                                    + " and the baseline " + (allow ? "allows " : "denies ") + flow, trace);
                }
            }
        }
        return new Side(dir, pod, Decision.NOT_ISOLATED, selectedBy, null, pod + " is not isolated for " + side
                + (passed ? " (an AdminNetworkPolicy passed it and no NetworkPolicy selects it)" : " (no NetworkPolicy with " + dir + " selects it)"), trace);
    }

    /** The policies selecting {@code pod} in one direction, in evaluation order: ANPs by priority, NPs, the BANP. */
    private List<Object> selecting(KPod pod, boolean ingress) {
        List<Object> out = new ArrayList<>();
        if (pod.hostNetwork()) {
            return out;
        }
        Map<String, String> nsLabels = namespaceLabels(pod.namespace());
        objects.adminNetworkPolicies().stream().filter(a -> !a.baseline())
                .filter(a -> selects(a.subject(), pod, nsLabels))
                .sorted(Comparator.comparingInt(KAdminNetworkPolicy::priority).thenComparing(KAdminNetworkPolicy::name))
                .forEach(out::add);
        objects.networkPolicies().stream()
                .filter(np -> np.namespace().equals(pod.namespace()) && (ingress ? np.ingressType() : np.egressType()) && np.podSelector().matches(pod.labels()))
                .sorted(Comparator.comparing(KNetworkPolicy::key))
                .forEach(out::add);
        objects.adminNetworkPolicies().stream().filter(KAdminNetworkPolicy::baseline)
                .filter(b -> selects(b.subject(), pod, nsLabels)).forEach(out::add);
        return out;
    }

    private String label(Object policy) {
        if (policy instanceof KAdminNetworkPolicy a) {
            return a.baseline() ? a.toString() : a + " (priority " + a.priority() + ")";
        }
        return policy.toString();
    }

    private static boolean selects(KAdminNetworkPolicy.Selection s, KPod pod, Map<String, String> nsLabels) {
        return s.namespaces().matches(nsLabels) && (s.pods() == null || s.pods().matches(pod.labels()));
    }

    /**
     * A namespace's labels; a namespace the snapshot does not list has the one label the API server always sets,
     * {@code kubernetes.io/metadata.name}.
     */
    private Map<String, String> namespaceLabels(String namespace) {
        return objects.findNamespace(namespace).map(KNamespace::labels)
                .orElse(Map.of("kubernetes.io/metadata.name", namespace));
    }

    /** The first rule of {@code np} (direction {@code ingress}) that admits {@code other}, or null; why not in the trace. */
    private RuleRef firstRule(KNetworkPolicy np, boolean ingress, Party other, KPod dstPod, int port, Protocol protocol, List<String> trace) {
        List<KNetworkPolicy.Rule> rules = ingress ? np.ingress() : np.egress();
        String side = ingress ? "ingress" : "egress";
        if (rules.isEmpty()) {
            trace.add(np + " " + side + ": no rules (denies all " + side + " of the pods it selects)");
        }
        for (int i = 0; i < rules.size(); i++) {
            KNetworkPolicy.Rule rule = rules.get(i);
            String at = np + " " + side + "[" + i + "]";
            int peer = -1;
            if (!rule.peers().isEmpty()) {
                for (int k = 0; k < rule.peers().size() && peer < 0; k++) {
                    if (matches(rule.peers().get(k), np.namespace(), other)) {
                        peer = k;
                    }
                }
                if (peer < 0) {
                    trace.add(at + ": " + (ingress ? "from " : "to ") + rule.peers() + " — not " + other.describe());
                    continue;
                }
            }
            int p = portIndex(rule.ports(), dstPod, port, protocol);
            if (p == -2) {
                trace.add(at + ": ports " + rule.ports() + " — not " + protocol + "/" + port);
                continue;
            }
            RuleRef ref = new RuleRef(np.toString(), side + "[" + i + "]", peer, p, "Allow");
            trace.add(ref + ": allows");
            return ref;
        }
        return null;
    }

    /** The first rule of an (B)ANP that matches, or null. */
    private RuleRef firstAdminRule(KAdminNetworkPolicy a, boolean ingress, Party other, KPod dstPod, int port, Protocol protocol, List<String> trace) {
        List<KAdminNetworkPolicy.Rule> rules = ingress ? a.ingress() : a.egress();
        String side = ingress ? "ingress" : "egress";
        for (int i = 0; i < rules.size(); i++) {
            KAdminNetworkPolicy.Rule rule = rules.get(i);
            String name = side + "[" + i + "]" + (rule.name() == null ? "" : " (" + rule.name() + ")");
            int peer = -1;
            for (int k = 0; k < rule.peers().size() && peer < 0; k++) {
                if (matches(rule.peers().get(k), other)) {
                    peer = k;
                }
            }
            if (peer < 0) {
                trace.add(a + " " + name + ": " + (ingress ? "from " : "to ") + rule.peers() + " — not " + other.describe());
                continue;
            }
            int p = portIndex(rule.ports(), dstPod, port, protocol);
            if (p == -2) {
                trace.add(a + " " + name + ": ports " + rule.ports() + " — not " + protocol + "/" + port);
                continue;
            }
            return new RuleRef(a.toString(), name, peer, p, rule.action());
        }
        return null;
    }

    private boolean matches(KNetworkPolicy.Peer peer, String policyNamespace, Party other) {
        if (peer.ipBlock() != null) {
            return peer.ipBlock().contains(other.ip());
        }
        KPod pod = other.pod();
        return pod != null && peer.selectsPod(policyNamespace, pod.namespace(), namespaceLabels(pod.namespace()), pod.labels());
    }

    private boolean matches(KAdminNetworkPolicy.Peer peer, Party other) {
        if (peer.pods() != null) {
            return other.pod() != null && selects(peer.pods(), other.pod(), namespaceLabels(other.pod().namespace()));
        }
        if (peer.nodes() != null) {
            return other.node() != null && other.pod() == null && peer.nodes().matches(other.node().labels());
        }
        return peer.networks().stream().anyMatch(n -> n.contains(other.ip()));
    }

    /** The index of the first port matching, -1 when there are no ports (all match), -2 when none matches. */
    private static int portIndex(List<KNetworkPolicy.PolicyPort> ports, KPod dstPod, int port, Protocol protocol) {
        if (ports.isEmpty()) {
            return -1;
        }
        for (int m = 0; m < ports.size(); m++) {
            if (matches(ports.get(m), dstPod, port, protocol)) {
                return m;
            }
        }
        return -2;
    }

    private static boolean matches(KNetworkPolicy.PolicyPort p, KPod dstPod, int port, Protocol protocol) {
        if (p.protocol() != null && p.protocol() != protocol) {
            return false;
        }
        if (p.anyPort()) {
            return true;
        }
        if (p.name() != null) {
            return dstPod != null && dstPod.ports().stream().anyMatch(c -> p.name().equals(c.name()) && c.containerPort() == port
                    && c.protocol() == protocol);
        }
        return port >= p.number() && port <= (p.endPort() == null ? p.number() : p.endPort());
    }
}
