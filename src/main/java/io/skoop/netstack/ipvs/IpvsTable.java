package io.skoop.netstack.ipvs;

import io.skoop.model.Packet;
import java.util.List;
import java.util.Optional;

/**
 * The IPVS virtual services of one network namespace (ipvs.txt).
 *
 * @param services the services in file order
 */
public record IpvsTable(List<VirtualService> services) {

    public IpvsTable {
        services = List.copyOf(services);
    }

    /**
     * The service a new connection {@code p} hits, as ip_vs_service_find does: a firewall-mark
     * service first when the packet carries a mark, then protocol/address/port, then a
     * persistent port-0 service of that address.
     */
    public Optional<VirtualService> lookup(Packet p) {
        if (p.mark() != 0) {
            Optional<VirtualService> fw = services.stream().filter(s -> s.fwmark() != null && s.matches(p)).findFirst();
            if (fw.isPresent()) {
                return fw;
            }
        }
        Optional<VirtualService> exact = services.stream()
                .filter(s -> s.fwmark() == null && s.port() == p.dport() && s.matches(p)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        return services.stream().filter(s -> s.fwmark() == null && s.port() == 0 && s.matches(p)).findFirst();
    }
}
