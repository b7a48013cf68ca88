package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Prefix;

/**
 * A Calico IPPool ({@code crd.projectcalico.org/v1}, as the Kubernetes API returns Calico's CRDs): the range pod
 * addresses come from, cut into per-node blocks, and how traffic between nodes is carried. Defaults as Calico's
 * (libcalico-go v3 IPPoolSpec): blockSize 26 for IPv4, ipipMode and vxlanMode {@code Never}, natOutgoing false.
 *
 * @param name         {@code metadata.name} ({@code default-ipv4-ippool})
 * @param cidr         {@code spec.cidr}
 * @param blockSize    {@code spec.blockSize}: the prefix length of each node's blocks
 * @param ipipMode     {@code Never}, {@code Always} or {@code CrossSubnet}
 * @param vxlanMode    {@code Never}, {@code Always} or {@code CrossSubnet}
 * @param natOutgoing  {@code spec.natOutgoing}: traffic leaving the pools is masqueraded (Felix's cali-nat-outgoing)
 * @param disabled     {@code spec.disabled}: no new addresses are allocated from it
 * @param nodeSelector {@code spec.nodeSelector} ({@code all()} when absent)
 */
public record KIPPool(String name, Prefix cidr, int blockSize, String ipipMode, String vxlanMode, boolean natOutgoing, boolean disabled,
                      String nodeSelector) {

    /** The encapsulation between nodes: {@code vxlan}, {@code ipip}, or {@code bgp} (none: routes BIRD installs). */
    public String encapsulation() {
        return !"Never".equals(vxlanMode) ? "vxlan" : !"Never".equals(ipipMode) ? "ipip" : "bgp";
    }

    @JsonCreator
    static KIPPool of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("spec") Spec spec) {
        Wire.Meta m = Wire.meta(metadata);
        if (spec == null || spec.cidr() == null) {
            throw new IllegalArgumentException("IPPool " + m.name() + " has no spec.cidr");
        }
        int block = spec.blockSize() != null ? spec.blockSize() : spec.cidr().isV6() ? 122 : 26;
        return new KIPPool(m.name(), spec.cidr(), block, mode(spec.ipipMode(), "ipipMode"), mode(spec.vxlanMode(), "vxlanMode"),
                Boolean.TRUE.equals(spec.natOutgoing()), Boolean.TRUE.equals(spec.disabled()),
                spec.nodeSelector() == null ? "all()" : spec.nodeSelector());
    }

    private static String mode(String value, String field) {
        if (value == null || value.isEmpty()) {
            return "Never";
        }
        if (!value.equals("Never") && !value.equals("Always") && !value.equals("CrossSubnet")) {
            throw new IllegalArgumentException(field + " '" + value + "': expected Never, Always or CrossSubnet");
        }
        return value;
    }

    record Spec(Prefix cidr, Integer blockSize, String ipipMode, String vxlanMode, Boolean natOutgoing, Boolean disabled,
                String nodeSelector) {
    }
}
