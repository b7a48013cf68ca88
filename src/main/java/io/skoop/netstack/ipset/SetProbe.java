package io.skoop.netstack.ipset;

import io.skoop.model.Packet;
import java.util.Locale;
import java.util.Objects;

/**
 * What a set lookup may read from a packet at the point of the match: the packet itself
 * (addresses, ports, protocol, mark) and, when known, the interfaces and MAC addresses. A
 * field left null that an entry needs makes that entry's answer UNKNOWN.
 *
 * @param packet    the packet (its protocol decides which entries' ports apply)
 * @param inIface   the input device (hash:net,iface with {@code src}); {@code ""} at a hook that
 *                  has none (OUTPUT, POSTROUTING of local packets), null when not known
 * @param outIface  the output device (hash:net,iface with {@code dst}); {@code ""} at a hook that
 *                  has none yet (PREROUTING, INPUT), null when not known
 * @param physdev   true when the lookup compares bridge ports ({@code physdev:} entries) instead of devices
 * @param srcMac    the source MAC (hash:mac, *:ip,mac with {@code src}), or null
 * @param dstMac    the destination MAC, or null
 * @param icmpType  for ICMP/ICMPv6 packets the type/code as ipset writes it ({@code 8/0}), or null
 */
public record SetProbe(Packet packet, String inIface, String outIface, boolean physdev, String srcMac, String dstMac,
                       String icmpType) {

    public SetProbe {
        Objects.requireNonNull(packet, "packet");
        srcMac = srcMac == null ? null : srcMac.toLowerCase(Locale.ROOT);
        dstMac = dstMac == null ? null : dstMac.toLowerCase(Locale.ROOT);
    }

    /** A probe knowing only the packet. */
    public static SetProbe of(Packet packet) {
        return new SetProbe(packet, null, null, false, null, null, null);
    }

    /** The same probe with interfaces. */
    public SetProbe withIfaces(String in, String out) {
        return new SetProbe(packet, in, out, physdev, srcMac, dstMac, icmpType);
    }

    /** The same probe with MAC addresses. */
    public SetProbe withMacs(String src, String dst) {
        return new SetProbe(packet, inIface, outIface, physdev, src, dst, icmpType);
    }
}
