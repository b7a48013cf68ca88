package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Node ({@code core/v1}), the parts a diagnosis reads.
 *
 * <p>API semantics kept: {@code spec.podCIDRs} "represents the IP ranges assigned to the node for usage by Pods on
 * that node. If this field is specified, the 0th entry must match the podCIDR field" — so podCIDRs is read, and
 * {@code spec.podCIDR} only when podCIDRs is absent (objects of old API servers). Addresses of {@code status.addresses}
 * of type {@code InternalIP} and {@code ExternalIP} are kept; {@code Hostname}, {@code InternalDNS} and
 * {@code ExternalDNS} are names, not addresses, and are left out.
 *
 * @param name        {@code metadata.name}
 * @param labels      {@code metadata.labels}
 * @param annotations {@code metadata.annotations} (flannel's {@code flannel.alpha.coreos.com/*} live here)
 * @param podCIDRs    {@code spec.podCIDRs}; empty when the node has none (no node IPAM)
 * @param internalIPs addresses of type {@code InternalIP}, in status order
 * @param externalIPs addresses of type {@code ExternalIP}, in status order
 * @param ready       the {@code Ready} condition, or null when the kubelet has not posted one
 */
public record KNode(String name, Map<String, String> labels, Map<String, String> annotations, List<Prefix> podCIDRs,
                    List<Ip> internalIPs, List<Ip> externalIPs, KCondition ready) {

    public KNode {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        podCIDRs = List.copyOf(podCIDRs);
        internalIPs = List.copyOf(internalIPs);
        externalIPs = List.copyOf(externalIPs);
    }

    /** True when the Ready condition is {@code True} (a node with none, or {@code Unknown}, is not ready). */
    public boolean isReady() {
        return ready != null && ready.isTrue();
    }

    /** True when {@code ip} lies in one of the node's podCIDRs. */
    public boolean podCIDRContains(Ip ip) {
        return podCIDRs.stream().anyMatch(p -> p.contains(ip));
    }

    @Override
    public String toString() {
        return "node " + name;
    }

    @JsonCreator
    static KNode of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("spec") Spec spec,
                    @JsonProperty("status") Status status) {
        Wire.Meta m = Wire.meta(metadata);
        List<Prefix> cidrs = spec == null ? List.of() : Wire.orEmpty(spec.podCIDRs());
        if (cidrs.isEmpty() && spec != null && spec.podCIDR() != null) {
            cidrs = List.of(spec.podCIDR());
        }
        List<Ip> internal = new ArrayList<>();
        List<Ip> external = new ArrayList<>();
        List<KCondition> conditions = List.of();
        if (status != null) {
            for (Address a : Wire.orEmpty(status.addresses())) {
                if ("InternalIP".equals(a.type())) {
                    internal.add(Ip.parse(a.address()));
                } else if ("ExternalIP".equals(a.type())) {
                    external.add(Ip.parse(a.address()));
                }
            }
            conditions = status.conditions();
        }
        return new KNode(m.name(), m.labels(), m.annotations(), cidrs, internal, external, KCondition.find(conditions, "Ready"));
    }

    record Spec(Prefix podCIDR, List<Prefix> podCIDRs) {
    }

    record Status(List<Address> addresses, List<KCondition> conditions) {
    }

    record Address(String type, String address) {
    }
}
