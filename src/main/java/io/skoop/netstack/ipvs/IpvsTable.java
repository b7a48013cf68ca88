package io.skoop.netstack.ipvs;

import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import java.util.List;
import java.util.Optional;

/**
 * The IPVS virtual services of one network namespace (ipvs.txt).
 *
 * @param services the services in file order
 */
public record IpvsTable(List<VirtualService> services) {
    /** FTP's control port: ip_vs_service_find's FTPPORT. */
    private static final int FTP_PORT = 21;
    /** FTP's active data port: FTPDATA. */
    private static final int FTP_DATA_PORT = 20;
    /** net.ipv4.ip_unprivileged_port_start's default: ports below it need CAP_NET_BIND_SERVICE. */
    private static final int UNPRIVILEGED_PORT_START = 1024;

    public IpvsTable {
        services = List.copyOf(services);
    }

    /**
     * The service a new connection {@code p} hits, as net/netfilter/ipvs/ip_vs_ctl.c {@code ip_vs_service_find} does
     * after ip_vs_core.c {@code ip_vs_in} found a protocol IPVS handles (TCP, UDP, SCTP; anything else, ICMP included,
     * is no service's): a firewall-mark service of the packet's mark and family first (when the mark is not 0), then
     * the service of protocol, destination address and port; then, for TCP to port 20 or an unprivileged port, an FTP
     * service (port 21) of that address (its data connections); then a port-0 service of that protocol and address
     * (ipvsadm makes these only persistent).
     */
    public Optional<VirtualService> lookup(Packet p) {
        if (!handles(p)) {
            return Optional.empty();
        }
        if (p.mark() != 0) {
            Optional<VirtualService> fw = services.stream().filter(s -> s.fwmark() != null && s.matches(p)).findFirst();
            if (fw.isPresent()) {
                return fw;
            }
        }
        Optional<VirtualService> exact = byPort(p, p.dport());
        if (exact.isEmpty() && p.protocol() == Protocol.TCP && (p.dport() == FTP_DATA_PORT || p.dport() >= UNPRIVILEGED_PORT_START)) {
            exact = byPort(p, FTP_PORT);
        }
        return exact.isPresent() ? exact : byPort(p, 0);
    }

    /** True for the protocols IPVS schedules (ip_vs_proto_get: TCP, UDP, SCTP); ICMP only relates to them. */
    public static boolean handles(Packet p) {
        return p.protocol() == Protocol.TCP || p.protocol() == Protocol.UDP || p.protocol() == Protocol.SCTP;
    }

    private Optional<VirtualService> byPort(Packet p, int port) {
        return services.stream().filter(s -> s.fwmark() == null && s.port() == port && s.protocol() == p.protocol()
                && s.address().equals(p.dst())).findFirst();
    }
}
