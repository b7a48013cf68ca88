package io.skoop.netstack.ipvs;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import java.util.List;

/**
 * An IPVS virtual service as {@code ipvsadm -Sn} saves it ({@code -A -t|-u|--sctp-service ADDR:PORT}
 * or {@code -A -f MARK}, then {@code -s SCHED [-p TIMEOUT [-M NETMASK]] [-b FLAGS] [--pe NAME]}),
 * with its real servers.
 *
 * @param protocol    TCP, UDP or SCTP; null for a firewall-mark service
 * @param address     the virtual address; null for a firewall-mark service
 * @param port        the virtual port (0 = any port in a persistent service, or fwmark)
 * @param fwmark      the firewall mark of a {@code -f} service, or null
 * @param ipv6        true for an IPv6 service (a fwmark service saved with {@code -6})
 * @param scheduler   the scheduler name ({@code rr}, {@code wrr}, {@code lc}, {@code sh}, ...)
 * @param persistence the persistence timeout in seconds ({@code -p}), or null when not persistent
 * @param netmask     the persistence netmask ({@code -M}) as written, or null
 * @param schedFlags  scheduler flags ({@code -b sh-fallback,sh-port}), possibly empty
 * @param realServers the real servers in file order
 * @param unknown     options this skoop does not know, as text
 */
public record VirtualService(Protocol protocol, Ip address, int port, Long fwmark, boolean ipv6, String scheduler,
                             Integer persistence, String netmask, List<String> schedFlags, List<RealServer> realServers,
                             List<String> unknown) {

    public VirtualService {
        schedFlags = List.copyOf(schedFlags);
        realServers = List.copyOf(realServers);
        unknown = List.copyOf(unknown);
    }

    /** The service key as ipvsadm writes it: {@code -t 10.96.0.1:443}, {@code -u [fd00::1]:53}, {@code -f 100}. */
    public String key() {
        if (fwmark != null) {
            return "-f " + fwmark + (ipv6 ? " -6" : "");
        }
        String sw = switch (protocol) {
            case TCP -> "-t";
            case UDP -> "-u";
            default -> "--sctp-service";
        };
        return sw + " " + address.withPort(port);
    }

    /**
     * True when the kernel's ip_vs_service_find (net/netfilter/ipvs/ip_vs_ctl.c) would pick this
     * service for {@code p}: a fwmark service by mark and family, otherwise protocol, destination
     * address and port (a port-0 service matches any port: ipvsadm makes it only persistent). {@link IpvsTable#lookup}
     * says which service wins when several match.
     */
    public boolean matches(Packet p) {
        if (fwmark != null) {
            return p.mark() == fwmark && p.dst().isV6() == ipv6;
        }
        return p.protocol() == protocol && p.dst().equals(address) && (port == p.dport() || port == 0);
    }

    /** The real servers that may receive new connections (weight &gt; 0). */
    public List<RealServer> activeRealServers() {
        return realServers.stream().filter(RealServer::isActive).toList();
    }
}
