package io.skoop.diagnose;

import io.skoop.model.Hop;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.PacketPath;
import java.util.Objects;

/**
 * One direction of a diagnosis being walked: the graph it builds and what the NetNodes need to
 * know about the connection (seed: Context).
 */
public final class Walk {
    /** Which way the packets go. */
    public enum Direction { REQUEST, REPLY }

    private final Direction direction;
    private final NetNodeManager manager;
    private final PacketPath path = new PacketPath();
    private final Hop client;
    private Packet connected;

    /**
     * @param direction REQUEST (client to server) or REPLY (server to client)
     * @param manager   where NetNodes come from
     * @param client    the client's hop
     * @param connected for a reply walk, the client's connection as its socket sees it (the request walk records it
     *                  when the client sends); null for a request walk
     */
    public Walk(Direction direction, NetNodeManager manager, Hop client, Packet connected) {
        this.direction = Objects.requireNonNull(direction);
        this.manager = Objects.requireNonNull(manager);
        this.client = Objects.requireNonNull(client);
        this.connected = connected;
    }

    /** REQUEST or REPLY. */
    public Direction direction() {
        return direction;
    }

    /** True for the reply walk. */
    public boolean isReply() {
        return direction == Direction.REPLY;
    }

    /** Where NetNodes come from. */
    public NetNodeManager manager() {
        return manager;
    }

    /** The graph this walk builds. */
    public PacketPath path() {
        return path;
    }

    /** The client's hop. */
    public Hop client() {
        return client;
    }

    /** The client's connection (source selected, before any NAT): what a reply must match; null before the client sent. */
    public Packet connected() {
        return connected;
    }

    /** Records the client's connection (the request's first packet after source selection). */
    void connected(Packet packet) {
        if (connected == null) {
            connected = packet;
        }
    }

    /**
     * The graph node of {@code hop} in this walk, created on first use; a new pod or node gets the CNI plugin's
     * intent checks ({@link NetNodeManager#intent}) as its first suspicions.
     */
    public NetNode node(Hop hop) {
        NetNode n = path.node(hop);
        if (n == null) {
            n = path.addNode(new NetNode(hop.type(), hop.id()));
            manager.intent(hop).forEach(n::addSuspicion);
        }
        return n;
    }
}
