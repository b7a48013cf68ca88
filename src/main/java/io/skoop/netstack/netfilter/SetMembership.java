package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * Answers ipset membership for {@code -m set} (the ipset engineer implements it from
 * {@code ipset save}). The implementation interprets the dimensions according to the set's
 * type (hash:ip uses the address of dimension 0, hash:ip,port the address of 0 and the port
 * and protocol of 1, hash:net,iface the interface, ...).
 */
@FunctionalInterface
public interface SetMembership {
    /** Answers UNKNOWN for every set: no ipset data. */
    SetMembership NONE = (name, dims) -> Tri.UNKNOWN;

    /**
     * MATCH when the element built from {@code dimensions} is in set {@code setName}, NO_MATCH
     * when not, UNKNOWN when the set is unknown or the lookup cannot be decided
     * (a {@code nomatch} entry counts as not in the set).
     */
    Tri test(String setName, List<SetDimension> dimensions);
}
