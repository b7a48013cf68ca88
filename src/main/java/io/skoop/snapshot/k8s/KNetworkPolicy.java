package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * A NetworkPolicy ({@code networking.k8s.io/v1}), as the API server returns it.
 *
 * <p>API semantics kept (the NetworkPolicySpec reference): {@code podSelector} selects pods of the policy's namespace
 * ({@code {}}: all of them); {@code policyTypes} absent means Ingress, plus Egress when the policy has egress rules
 * (the API server's defaulting — objects it returns carry policyTypes); a rule's {@code from}/{@code to} "empty or
 * missing" matches all peers and {@code ports} "empty or missing" matches all ports; a peer with only a podSelector
 * selects pods in the policy's namespace, with only a namespaceSelector all pods of the selected namespaces, with
 * both the pods matching podSelector in the namespaces matching namespaceSelector; an ipBlock peer takes no
 * selector. A port's protocol defaults to TCP; a port absent means every port of the protocol; {@code endPort}
 * needs a numeric port.
 *
 * @param namespace   {@code metadata.namespace}
 * @param name        {@code metadata.name}
 * @param podSelector {@code spec.podSelector}
 * @param ingress     {@code spec.ingress} in order (rule i is {@code ingress[i]})
 * @param egress      {@code spec.egress} in order
 * @param ingressType whether {@code policyTypes} holds Ingress (the selected pods are isolated for ingress)
 * @param egressType  whether {@code policyTypes} holds Egress
 */
public record KNetworkPolicy(String namespace, String name, KLabelSelector podSelector, List<Rule> ingress, List<Rule> egress,
                             boolean ingressType, boolean egressType) {

    public KNetworkPolicy {
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /**
     * An ingress or egress rule.
     *
     * @param peers {@code from} (ingress) or {@code to} (egress); empty: every peer
     * @param ports {@code ports}; empty: every port
     */
    public record Rule(List<Peer> peers, List<PolicyPort> ports) {
        public Rule {
            peers = List.copyOf(peers);
            ports = List.copyOf(ports);
        }
    }

    /**
     * A NetworkPolicyPeer: pods by selectors, or an IP block.
     *
     * @param podSelector       {@code podSelector}, or null when absent
     * @param namespaceSelector {@code namespaceSelector}, or null when absent
     * @param ipBlock           {@code ipBlock}, or null
     */
    public record Peer(KLabelSelector podSelector, KLabelSelector namespaceSelector, IpBlock ipBlock) {
        public Peer {
            if (ipBlock != null && (podSelector != null || namespaceSelector != null)) {
                throw new IllegalArgumentException("a NetworkPolicyPeer with an ipBlock takes no podSelector or namespaceSelector");
            }
            if (ipBlock == null && podSelector == null && namespaceSelector == null) {
                throw new IllegalArgumentException("a NetworkPolicyPeer needs a podSelector, a namespaceSelector or an ipBlock");
            }
        }

        /**
         * Whether this selector peer selects a pod (an ipBlock peer selects none: it matches addresses): with no
         * namespaceSelector only pods of the policy's namespace, else pods of the namespaces it matches; with no
         * podSelector every such pod, else those it matches.
         *
         * @param policyNamespace the namespace of the policy the peer belongs to
         * @param podNamespace    the pod's namespace
         * @param namespaceLabels the labels of the pod's namespace
         * @param podLabels       the pod's labels
         */
        public boolean selectsPod(String policyNamespace, String podNamespace, java.util.Map<String, String> namespaceLabels,
                                  java.util.Map<String, String> podLabels) {
            if (ipBlock != null) {
                return false;
            }
            boolean namespace = namespaceSelector == null ? podNamespace.equals(policyNamespace) : namespaceSelector.matches(namespaceLabels);
            return namespace && (podSelector == null || podSelector.matches(podLabels));
        }

        /** {@code pods app=web in namespaces team=a}, {@code ipBlock 10.0.0.0/8 except 10.1.0.0/16}. */
        @Override
        public String toString() {
            if (ipBlock != null) {
                return "ipBlock " + ipBlock;
            }
            String pods = podSelector == null || podSelector.selectsAll() ? "all pods" : "pods " + podSelector;
            String where = namespaceSelector == null ? "of the policy's namespace"
                    : namespaceSelector.selectsAll() ? "of all namespaces" : "in namespaces " + namespaceSelector;
            return pods + " " + where;
        }
    }

    /**
     * An IPBlock: {@code cidr} minus the {@code except} ranges.
     *
     * @param cidr   {@code cidr}
     * @param except {@code except}: CIDRs inside {@code cidr} that are not matched
     */
    public record IpBlock(Prefix cidr, List<Prefix> except) {
        public IpBlock {
            if (cidr == null) {
                throw new IllegalArgumentException("an ipBlock needs a cidr");
            }
            except = except == null ? List.of() : List.copyOf(except);
        }

        /** Whether {@code ip} lies in {@code cidr} and in none of {@code except}. */
        public boolean contains(io.skoop.model.Ip ip) {
            return cidr.contains(ip) && except.stream().noneMatch(e -> e.contains(ip));
        }

        @Override
        public String toString() {
            return cidr + (except.isEmpty() ? "" : " except " + except.stream().map(Prefix::toString).reduce((a, b) -> a + "," + b).orElse(""));
        }
    }

    /**
     * A NetworkPolicyPort.
     *
     * @param protocol TCP, UDP or SCTP (default TCP); null for an AdminNetworkPolicy's {@code namedPort} (the named
     *                 container port's own protocol)
     * @param number   the port number, or 0 when the port is named or absent
     * @param name     the port's name (a container port name of the pod the traffic goes to), or null
     * @param endPort  the last port of the range {@code number..endPort}, or null
     */
    public record PolicyPort(Protocol protocol, int number, String name, Integer endPort) {
        public PolicyPort {
            if (endPort != null && (name != null || number == 0)) {
                throw new IllegalArgumentException("a NetworkPolicyPort's endPort needs a numeric port");
            }
            if (endPort != null && endPort < number) {
                throw new IllegalArgumentException("a NetworkPolicyPort's endPort " + endPort + " is below its port " + number);
            }
        }

        /** True when the port is absent: every port of {@code protocol}. */
        public boolean anyPort() {
            return name == null && number == 0;
        }

        /** {@code TCP/80}, {@code TCP/8000-8080}, {@code TCP/http}, {@code UDP/any}. */
        @Override
        public String toString() {
            String p = name != null ? name : number == 0 ? "any" : endPort != null ? number + "-" + endPort : String.valueOf(number);
            return protocol == null ? p : protocol + "/" + p;
        }
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    @Override
    public String toString() {
        return "NetworkPolicy " + key();
    }

    /**
     * Reads a NetworkPolicy manifest ({@code apiVersion}, {@code kind}, {@code metadata}, {@code spec}) from a JSON tree.
     *
     * @throws IllegalArgumentException saying what is wrong and where in the manifest
     */
    public static KNetworkPolicy parse(com.fasterxml.jackson.databind.JsonNode manifest) {
        return Wire.convert(manifest, KNetworkPolicy.class);
    }

    @JsonCreator
    static KNetworkPolicy of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("spec") Spec spec) {
        Wire.Meta m = Wire.meta(metadata);
        if (spec == null) {
            throw new IllegalArgumentException("NetworkPolicy " + m.namespace() + "/" + m.name() + " has no spec");
        }
        List<Rule> ingress = rules(spec.ingress(), true);
        List<Rule> egress = rules(spec.egress(), false);
        List<String> types = spec.policyTypes();
        boolean in;
        boolean out;
        if (types == null || types.isEmpty()) {
            in = true;
            out = !egress.isEmpty();
        } else {
            for (String t : types) {
                if (!t.equals("Ingress") && !t.equals("Egress")) {
                    throw new IllegalArgumentException("policyTypes holds '" + t + "': expected Ingress or Egress");
                }
            }
            in = types.contains("Ingress");
            out = types.contains("Egress");
        }
        return new KNetworkPolicy(m.namespace(), m.name(), spec.podSelector() == null ? KLabelSelector.ALL : spec.podSelector(),
                ingress, egress, in, out);
    }

    private static List<Rule> rules(List<SpecRule> rules, boolean ingress) {
        List<Rule> out = new ArrayList<>();
        for (SpecRule r : Wire.orEmpty(rules)) {
            List<SpecPeer> peers = ingress ? r.from() : r.to();
            out.add(new Rule(Wire.orEmpty(peers).stream().map(p -> new Peer(p.podSelector(), p.namespaceSelector(), p.ipBlock())).toList(),
                    Wire.orEmpty(r.ports()).stream().map(KNetworkPolicy::port).toList()));
        }
        return out;
    }

    private static PolicyPort port(SpecPort p) {
        Protocol proto = p.protocol() == null ? Protocol.TCP : p.protocol();
        Object v = p.port();
        if (v == null) {
            return new PolicyPort(proto, 0, null, p.endPort());
        }
        if (v instanceof Number n) {
            if (n.intValue() < 1 || n.intValue() > 65535) {
                throw new IllegalArgumentException("NetworkPolicyPort port " + n + " is not in 1-65535");
            }
            return new PolicyPort(proto, n.intValue(), null, p.endPort());
        }
        if (v instanceof String s) {
            // an IntOrString holding digits is a number (the API server accepts "80")
            return s.chars().allMatch(Character::isDigit) && !s.isEmpty() ? new PolicyPort(proto, Integer.parseInt(s), null, p.endPort())
                    : new PolicyPort(proto, 0, s, p.endPort());
        }
        throw new IllegalArgumentException("NetworkPolicyPort port must be a number or a port name, got " + v);
    }

    record Spec(KLabelSelector podSelector, List<SpecRule> ingress, List<SpecRule> egress, List<String> policyTypes) {
    }

    record SpecRule(List<SpecPeer> from, List<SpecPeer> to, List<SpecPort> ports) {
    }

    record SpecPeer(KLabelSelector podSelector, KLabelSelector namespaceSelector, IpBlock ipBlock) {
    }

    record SpecPort(Protocol protocol, Object port, Integer endPort) {
    }
}
