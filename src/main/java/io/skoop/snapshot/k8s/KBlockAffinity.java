package io.skoop.snapshot.k8s;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.skoop.model.Prefix;

/**
 * A Calico BlockAffinity ({@code crd.projectcalico.org/v1}): a block of an IPPool claimed by a node, from which
 * Calico's IPAM gives that node's pods their addresses, and whose route BIRD (or Felix, in VXLAN mode) announces.
 * {@code spec.deleted} is a string in this API version ({@code "false"}).
 *
 * @param name    {@code metadata.name} ({@code <node>-<cidr with . and / as ->})
 * @param cidr    {@code spec.cidr}
 * @param node    {@code spec.node}
 * @param state   {@code confirmed}, {@code pending}, {@code pendingDeletion}
 * @param deleted {@code spec.deleted} read as a boolean
 */
public record KBlockAffinity(String name, Prefix cidr, String node, String state, boolean deleted) {

    /** A confirmed, not deleted affinity: the node owns the block. */
    public boolean isActive() {
        return "confirmed".equals(state) && !deleted;
    }

    @JsonCreator
    static KBlockAffinity of(@JsonProperty("metadata") Wire.Meta metadata, @JsonProperty("spec") Spec spec) {
        Wire.Meta m = Wire.meta(metadata);
        if (spec == null || spec.cidr() == null || spec.node() == null) {
            throw new IllegalArgumentException("BlockAffinity " + m.name() + " needs spec.cidr and spec.node");
        }
        return new KBlockAffinity(m.name(), spec.cidr(), spec.node(), spec.state(), "true".equalsIgnoreCase(String.valueOf(spec.deleted())));
    }

    record Spec(Prefix cidr, String node, String state, Object deleted) {
    }
}
