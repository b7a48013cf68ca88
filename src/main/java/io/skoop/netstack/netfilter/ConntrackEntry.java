package io.skoop.netstack.netfilter;

/**
 * A simulated conntrack entry (nf_conn): the original tuple (as the first packet entered
 * conntrack) and the reply tuple (what a reply looks like on the wire, i.e. the inverse of
 * the first packet after every NAT). Feed it back to {@link NetfilterSimulator} with the
 * reply packet to simulate the reply direction (state ESTABLISHED, NAT reversed).
 *
 * @param original  tuple of the original direction, before NAT
 * @param reply     tuple a reply carries before reverse NAT
 * @param mark      the connection mark (ctmark, set by CONNMARK)
 * @param confirmed true once the first packet left POSTROUTING/INPUT (the entry is in the table)
 */
public record ConntrackEntry(Tuple original, Tuple reply, long mark, boolean confirmed) {
    /** True when the original destination was translated (virtual state DNAT, status IPS_DST_NAT). */
    public boolean dnat() {
        return !original.dst().equals(reply.src()) || original.dport() != reply.sport();
    }

    /** True when the original source was translated (virtual state SNAT, status IPS_SRC_NAT). */
    public boolean snat() {
        return !original.src().equals(reply.dst()) || original.sport() != reply.dport();
    }

    @Override
    public String toString() {
        return "original " + original + ", reply " + reply + (mark != 0 ? ", mark 0x" + Long.toHexString(mark) : "");
    }
}
