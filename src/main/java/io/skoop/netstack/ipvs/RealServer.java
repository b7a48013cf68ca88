package io.skoop.netstack.ipvs;

import io.skoop.model.Ip;
import java.util.List;

/**
 * A real server (destination) of an IPVS virtual service: {@code -a ... -r ADDR:PORT -m -w W}.
 *
 * @param address the real server's address
 * @param port    its port (0 for a fwmark service whose real servers keep the packet's port)
 * @param method  how packets are sent to it
 * @param weight  the scheduling weight; 0 means quiesced (no new connections)
 * @param upper   the upper connection threshold ({@code -x}), or null
 * @param lower   the lower connection threshold ({@code -y}), or null
 * @param unknown options this skoop does not know, as text (e.g. {@code --tun-type gue})
 */
public record RealServer(Ip address, int port, ForwardMethod method, int weight, Integer upper, Integer lower, List<String> unknown) {

    public RealServer {
        unknown = List.copyOf(unknown);
    }

    /** True when the scheduler may pick this server for a new connection (weight &gt; 0). */
    public boolean isActive() {
        return weight > 0;
    }
}
