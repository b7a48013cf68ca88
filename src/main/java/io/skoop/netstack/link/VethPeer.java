package io.skoop.netstack.link;

/**
 * The other end of a veth pair (or the lower device of a link), as {@code ip -j link show}
 * gives it: {@code link} (a name, when the peer is in the same network namespace) or
 * {@code link_index} plus {@code link_netnsid} (when it is in another one).
 *
 * @param name     the peer's name when it lives in the same namespace, else null
 * @param ifindex  the peer's ifindex ({@code link_index}), or 0 when only the name is known
 * @param netnsid  the peer namespace's id as seen from this namespace ({@code link_netnsid}), or -1 when in the same namespace
 */
public record VethPeer(String name, int ifindex, int netnsid) {

    /** True when the peer lives in another network namespace. */
    public boolean inOtherNamespace() {
        return netnsid >= 0;
    }

    @Override
    public String toString() {
        return name != null ? name : "if" + ifindex + (netnsid >= 0 ? " link-netnsid " + netnsid : "");
    }
}
