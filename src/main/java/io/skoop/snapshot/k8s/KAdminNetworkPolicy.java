package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An AdminNetworkPolicy or BaselineAdminNetworkPolicy ({@code policy.networking.k8s.io/v1alpha1}, kubernetes-sigs
 * network-policy-api), cluster-scoped. An ANP's rules are evaluated before any NetworkPolicy, by ascending
 * {@code priority} (0 first), each policy's rules in order, the first matching rule deciding: Allow and Deny are
 * final, Pass hands the connection to the NetworkPolicies (skipping lower-priority ANPs). The BANP (a singleton
 * named {@code default}) is evaluated only when no NetworkPolicy selects the pod: its first matching rule decides
 * (Allow or Deny); no match allows.
 *
 * @param name     {@code metadata.name}
 * @param baseline true for a BaselineAdminNetworkPolicy
 * @param priority {@code spec.priority} (ANP: 0..1000, lower first); 0 for a BANP
 * @param subject  {@code spec.subject}: the pods the policy applies to
 * @param ingress  {@code spec.ingress}, in order
 * @param egress   {@code spec.egress}, in order
 */
public record KAdminNetworkPolicy(String name, boolean baseline, int priority, Selection subject, List<Rule> ingress,
                                  List<Rule> egress) {
    private static final Set<String> ACTIONS = Set.of("Allow", "Deny", "Pass");

    public KAdminNetworkPolicy {
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /**
     * A set of pods: {@code namespaces: SELECTOR} (every pod of the selected namespaces, {@code pods} null) or
     * {@code pods: {namespaceSelector, podSelector}}.
     *
     * @param namespaces the namespaces' selector
     * @param pods       the pods' selector within them, or null for all pods
     */
    public record Selection(KLabelSelector namespaces, KLabelSelector pods) {
        @Override
        public String toString() {
            return (pods == null ? "all pods" : "pods " + pods) + " in namespaces " + namespaces;
        }
    }

    /**
     * A rule.
     *
     * @param name   {@code name}
     * @param action Allow, Deny or Pass (a BANP: Allow or Deny)
     * @param peers  {@code from} / {@code to}
     * @param ports  {@code ports}; empty: every port
     */
    public record Rule(String name, String action, List<Peer> peers, List<KNetworkPolicy.PolicyPort> ports) {
        public Rule {
            peers = List.copyOf(peers);
            ports = List.copyOf(ports);
        }
    }

    /**
     * A peer: pods ({@code namespaces} or {@code pods}), or ({@code egress} only) {@code networks} CIDRs or {@code nodes}.
     *
     * @param pods     the pods, or null
     * @param networks the CIDRs, empty unless a networks peer
     * @param nodes    the nodes' selector, or null unless a nodes peer
     */
    public record Peer(Selection pods, List<Prefix> networks, KLabelSelector nodes) {
        public Peer {
            networks = networks == null ? List.of() : List.copyOf(networks);
        }

        @Override
        public String toString() {
            return pods != null ? pods.toString() : nodes != null ? "nodes " + nodes : "networks " + networks;
        }
    }

    /** {@code AdminNetworkPolicy NAME} or {@code BaselineAdminNetworkPolicy NAME}. */
    @Override
    public String toString() {
        return (baseline ? "BaselineAdminNetworkPolicy " : "AdminNetworkPolicy ") + name;
    }

    /**
     * Reads an AdminNetworkPolicy or BaselineAdminNetworkPolicy manifest ({@code apiVersion}, {@code kind}, {@code metadata}, {@code spec}) from a JSON tree.
     *
     * @throws IllegalArgumentException saying what is wrong and where in the manifest
     */
    public static KAdminNetworkPolicy parse(com.fasterxml.jackson.databind.JsonNode manifest) {
        return Wire.convert(manifest, KAdminNetworkPolicy.class);
    }

    @JsonCreator
    static KAdminNetworkPolicy of(@JsonProperty("kind") String kind, @JsonProperty("metadata") Wire.Meta metadata,
                                  @JsonProperty("spec") Spec spec) {
        Wire.Meta m = Wire.meta(metadata);
        // an item without kind (a hand-made list) and without priority can only be a baseline policy
        boolean baseline = "BaselineAdminNetworkPolicy".equals(kind) || (kind == null && (spec == null || spec.priority() == null));
        if (spec == null || spec.subject() == null) {
            throw new IllegalArgumentException((baseline ? "BaselineAdminNetworkPolicy " : "AdminNetworkPolicy ") + m.name()
                    + " has no spec.subject");
        }
        if (!baseline && spec.priority() == null) {
            throw new IllegalArgumentException("AdminNetworkPolicy " + m.name() + " has no spec.priority");
        }
        return new KAdminNetworkPolicy(m.name(), baseline, spec.priority() == null ? 0 : spec.priority(), selection(spec.subject(), "subject"),
                rules(spec.ingress(), true, baseline), rules(spec.egress(), false, baseline));
    }

    private static Selection selection(SpecSelection s, String where) {
        if (s.namespaces() != null && s.pods() == null) {
            return new Selection(s.namespaces(), null);
        }
        if (s.pods() != null && s.namespaces() == null) {
            return new Selection(s.pods().namespaceSelector() == null ? KLabelSelector.ALL : s.pods().namespaceSelector(),
                    s.pods().podSelector() == null ? KLabelSelector.ALL : s.pods().podSelector());
        }
        throw new IllegalArgumentException(where + " needs exactly one of namespaces or pods");
    }

    private static List<Rule> rules(List<SpecRule> rules, boolean ingress, boolean baseline) {
        List<Rule> out = new ArrayList<>();
        int i = 0;
        for (SpecRule r : Wire.orEmpty(rules)) {
            String at = (ingress ? "ingress[" : "egress[") + i++ + "]";
            if (!ACTIONS.contains(r.action()) || (baseline && "Pass".equals(r.action()))) {
                throw new IllegalArgumentException(at + " action '" + r.action() + "': expected " + (baseline ? "Allow or Deny" : "Allow, Deny or Pass"));
            }
            List<Peer> peers = new ArrayList<>();
            for (SpecPeer p : Wire.orEmpty(ingress ? r.from() : r.to())) {
                if (p.networks() != null || p.nodes() != null) {
                    if (ingress) {
                        throw new IllegalArgumentException(at + ": networks and nodes peers exist only in egress rules");
                    }
                    peers.add(new Peer(null, Wire.orEmpty(p.networks()), p.nodes()));
                } else {
                    peers.add(new Peer(selection(new SpecSelection(p.namespaces(), p.pods()), at + " peer"), List.of(), null));
                }
            }
            List<KNetworkPolicy.PolicyPort> ports = new ArrayList<>();
            for (SpecPort p : Wire.orEmpty(r.ports())) {
                if (p.portNumber() != null) {
                    ports.add(new KNetworkPolicy.PolicyPort(p.portNumber().protocol() == null ? Protocol.TCP : p.portNumber().protocol(),
                            p.portNumber().port(), null, null));
                } else if (p.namedPort() != null) {
                    ports.add(new KNetworkPolicy.PolicyPort(null, 0, p.namedPort(), null));
                } else if (p.portRange() != null) {
                    ports.add(new KNetworkPolicy.PolicyPort(p.portRange().protocol() == null ? Protocol.TCP : p.portRange().protocol(),
                            p.portRange().start(), null, p.portRange().end()));
                } else {
                    throw new IllegalArgumentException(at + " ports: expected portNumber, namedPort or portRange");
                }
            }
            out.add(new Rule(r.name(), r.action(), peers, ports));
        }
        return out;
    }

    record Spec(Integer priority, SpecSelection subject, List<SpecRule> ingress, List<SpecRule> egress) {
    }

    record SpecSelection(KLabelSelector namespaces, SpecPods pods) {
    }

    record SpecPods(KLabelSelector namespaceSelector, KLabelSelector podSelector) {
    }

    record SpecRule(String name, String action, List<SpecPeer> from, List<SpecPeer> to, List<SpecPort> ports) {
    }

    record SpecPeer(KLabelSelector namespaces, SpecPods pods, List<Prefix> networks, KLabelSelector nodes) {
    }

    record SpecPort(PortNumber portNumber, String namedPort, PortRange portRange) {
    }

    record PortNumber(Protocol protocol, int port) {
    }

    record PortRange(Protocol protocol, int start, int end) {
    }
}
