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
 * @param icmpError  for an ICMP or ICMPv6 error the stack sends about a packet of {@code conntrack}'s connection (a
 *                   router's Packet Too Big, say): its type and code; conntrack gives it state RELATED and the nat
 *                   table is not consulted for it (nf_conntrack_icmp/icmpv6 error lookup); null for any other packet
 */
public record TraceRequest(Packet packet, Path path, String iif, String oif, String physIn, String physOut,
                           ConntrackEntry conntrack, int tcpFlags, boolean recordNoMatch, IcmpError icmpError) {
    public TraceRequest {
        Objects.requireNonNull(packet, "packet");
        Objects.requireNonNull(path, "path");
    }

    /**
     * An ICMP error message: type and code as icmp(7)/icmpv6 number them (ICMPv6 Packet Too Big: type 2, code 0; ICMP
     * destination unreachable, fragmentation needed: type 3, code 4).
     */
    public record IcmpError(int type, int code) {
        /** ICMPv6 Packet Too Big (RFC 4443 §3.2). */
        public static final IcmpError PACKET_TOO_BIG = new IcmpError(2, 0);
        /** ICMP destination unreachable, fragmentation needed and DF set (RFC 792, RFC 1191). */
        public static final IcmpError FRAGMENTATION_NEEDED = new IcmpError(3, 4);
    }

    /** A request without an ICMP error. */
    public TraceRequest(Packet packet, Path path, String iif, String oif, String physIn, String physOut, ConntrackEntry conntrack,
                        int tcpFlags, boolean recordNoMatch) {
        this(packet, path, iif, oif, physIn, physOut, conntrack, tcpFlags, recordNoMatch, null);
    }

    /** A new connection's first packet on {@code path}, no devices given. */
    public static TraceRequest of(Packet packet, Path path) {
        return new TraceRequest(packet, path, null, null, null, null, null, -1, false);
    }

    /**
     * The ICMP error {@code error} ({@code packet} is its outer header, protocol ICMP or ICMPv6) about a packet of
     * connection {@code related}, sent on {@code path}.
     */
    public static TraceRequest icmpError(Packet packet, Path path, ConntrackEntry related, IcmpError error) {
        return new TraceRequest(packet, path, null, null, null, null, related, -1, false, Objects.requireNonNull(error, "error"));
    }

    /** The same request with input device {@code dev}. */
    public TraceRequest withIif(String dev) {
        return new TraceRequest(packet, path, dev, oif, physIn, physOut, conntrack, tcpFlags, recordNoMatch, icmpError);
    }

    /** The same request with output device {@code dev} (LOCAL_OUT: the socket's bound device; BRIDGE: the bridge). */
    public TraceRequest withOif(String dev) {
        return new TraceRequest(packet, path, iif, dev, physIn, physOut, conntrack, tcpFlags, recordNoMatch, icmpError);
    }

    /** The same request with bridge ports {@code in} / {@code out} (null when unknown or not bridged). */
    public TraceRequest withPhysdev(String in, String out) {
        return new TraceRequest(packet, path, iif, oif, in, out, conntrack, tcpFlags, recordNoMatch, icmpError);
    }

    /** The same request for a packet of the connection {@code entry} (from an earlier trace's branch). */
    public TraceRequest withConntrack(ConntrackEntry entry) {
        return new TraceRequest(packet, path, iif, oif, physIn, physOut, entry, tcpFlags, recordNoMatch, icmpError);
    }

    /** The same request with explicit TCP flags (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128). */
    public TraceRequest withTcpFlags(int flags) {
        return new TraceRequest(packet, path, iif, oif, physIn, physOut, conntrack, flags, recordNoMatch, icmpError);
    }

    /** The same request, recording (or not) a step for every rule that did not match. */
    public TraceRequest withRecordNoMatch(boolean record) {
        return new TraceRequest(packet, path, iif, oif, physIn, physOut, conntrack, tcpFlags, record, icmpError);
    }
}
