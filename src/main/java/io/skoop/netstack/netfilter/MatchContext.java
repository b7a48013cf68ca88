package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import java.util.List;

/**
 * What a {@link Match} can see of a packet at one hook: the headers, the devices, the
 * conntrack state and the namespace's address types and ipsets. The simulator implements it
 * per step; tests may implement it directly.
 */
public interface MatchContext {
    /** The packet as it is now (after earlier NAT and MARK targets). */
    Packet packet();

    /** The input device ({@code -i}), or null where the hook has none (OUTPUT, locally generated). */
    String inInterface();

    /** The output device ({@code -o}), or null where the hook has none (PREROUTING, INPUT). */
    String outInterface();

    /** The bridge port the packet entered by ({@code --physdev-in}), or null when not bridged. */
    String physIn();

    /** The bridge port the packet leaves by ({@code --physdev-out}), or null. */
    String physOut();

    /** True when the packet is being bridged (not routed) ({@code --physdev-is-bridged}). */
    boolean bridged();

    /** TCP flags of the packet (bits FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128). */
    int tcpFlags();

    /** ICMP type of the packet (8 echo-request for a new ICMP connection), -1 when not ICMP. */
    int icmpType();

    /** ICMP code of the packet. */
    int icmpCode();

    /** The conntrack state: NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED (never SNAT/DNAT). */
    CtState ctState();

    /** The connection's entry (for --ctorigsrc, --ctstate DNAT, connmark), or null when untracked. */
    ConntrackEntry conntrack();

    /** True when the packet travels in the reply direction of its connection ({@code --ctdir REPLY}). */
    boolean replyDirection();

    /**
     * The address type of {@code address} as {@code inet_dev_addr_type()} answers it, limited
     * to device {@code device} when not null ({@code --limit-iface-in/out}); null when it
     * cannot be decided.
     */
    AddrType addressType(Ip address, String device);

    /**
     * {@code -m rpfilter}'s reverse-path check of the packet on its input device ({@link RoutingOracle#rpfilter});
     * null when it cannot be answered. The default cannot.
     */
    default Boolean rpfilter(long mark, boolean loose, boolean acceptLocal) {
        return null;
    }

    /** Membership of the packet in an ipset; UNKNOWN when the set is not known. */
    Tri inSet(String setName, List<SetDimension> dimensions);
}
