package io.skoop.netstack.netfilter;

import io.skoop.model.Packet;
import java.util.Objects;

/**
 * What to trace: a packet entering the netstack on a {@link Path}.
 *
 * @param packet     the packet (its mark is the initial skb mark, e.g. a socket's SO_MARK)
 * @param path       where it enters
 * @param iif        input device (FORWARD, LOCAL_IN: the receiving device; BRIDGE: the bridge); null for LOCAL_OUT
 * @param oif        LOCAL_OUT: device the socket is bound to, or null; BRIDGE: the bridge; otherwise ignored (routing decides)
 * @param physIn     BRIDGE (or routed traffic that entered through a bridge port): the bridge port it arrived on, or null
 * @param physOut    BRIDGE: the bridge port it leaves by, or null
 * @param conntrack  an existing conntrack entry (from an earlier trace) when this packet belongs to it — a reply or a
 *                   later packet of the same connection (state ESTABLISHED, NAT from the entry); null for a new connection
 * @param tcpFlags   TCP flags, or -1 for the default: SYN for a new connection, SYN|ACK for a reply-direction packet,
 *                   ACK for a later original-direction packet
 * @param recordNoMatch true to record a step for every rule that did not match (large for kube-proxy rulesets)
 */
public record TraceRequest(Packet packet, Path path, String iif, String oif, String physIn, String physOut,
                           ConntrackEntry conntrack, int tcpFlags, boolean recordNoMatch) {
    public TraceRequest {
        Objects.requireNonNull(packet, "packet");
        Objects.requireNonNull(path, "path");
    }

    /** A new connection's first packet on {@code path}, no devices given. */
    public static TraceRequest of(Packet packet, Path path) {
        return new TraceRequest(packet, path, null, null, null, null, null, -1, false);
    }

    /** The same request with input device {@code dev}. */
    public TraceRequest withIif(String dev) {
        return new TraceRequest(packet, path, dev, oif, physIn, physOut, conntrack, tcpFlags, recordNoMatch);
    }

    /** The same request with output device {@code dev} (LOCAL_OUT: the socket's bound device; BRIDGE: the bridge). */
    public TraceRequest withOif(String dev) {
        return new TraceRequest(packet, path, iif, dev, physIn, physOut, conntrack, tcpFlags, recordNoMatch);
    }

    /** The same request with bridge ports {@code in} / {@code out} (null when unknown or not bridged). */
    public TraceRequest withPhysdev(String in, String out) {
        return new TraceRequest(packet, path, iif, oif, in, out, conntrack, tcpFlags, recordNoMatch);
    }

    /** The same request for a packet of the connection {@code entry} (from an earlier trace's branch). */
    public TraceRequest withConntrack(ConntrackEntry entry) {
        return new TraceRequest(packet, path, iif, oif, physIn, physOut, entry, tcpFlags, recordNoMatch);
    }

    /** The same request with explicit TCP flags (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128). */
    public TraceRequest withTcpFlags(int flags) {
        return new TraceRequest(packet, path, iif, oif, physIn, physOut, conntrack, flags, recordNoMatch);
    }

    /** The same request, recording (or not) a step for every rule that did not match. */
    public TraceRequest withRecordNoMatch(boolean record) {
        return new TraceRequest(packet, path, iif, oif, physIn, physOut, conntrack, tcpFlags, record);
    }
}
