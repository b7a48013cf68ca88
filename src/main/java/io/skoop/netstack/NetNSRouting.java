package io.skoop.netstack;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.netstack.link.Address;
import io.skoop.netstack.link.Interface;
import io.skoop.netstack.link.Scope;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.RouteDecision;
import io.skoop.netstack.netfilter.RoutingOracle;
import io.skoop.netstack.route.RouteQuery;
import io.skoop.netstack.route.RouteResult;
import io.skoop.netstack.route.RouteType;
import io.skoop.netstack.route.Router;

/**
 * The {@link Router} of a namespace as the netfilter simulator's {@link RoutingOracle}: every
 * routing decision inside a netfilter path is a real policy-routing lookup on the dump.
 */
final class NetNSRouting implements RoutingOracle {
    private final Router router;
    private final UnavailablePartException ipv6;

    /**
     * @param ipv6 why IPv6 routing cannot be simulated (route6.json or rule6.json untrusted), thrown for IPv6
     *             questions; null when it can
     */
    NetNSRouting(Router router, UnavailablePartException ipv6) {
        this.router = router;
        this.ipv6 = ipv6;
    }

    private void family(Ip address) {
        if (ipv6 != null && address != null && address.isV6()) {
            throw ipv6;
        }
    }

    /**
     * {@code ip route get} for the packet: LOCAL for local (and, on input, broadcast/multicast)
     * delivery, UNICAST via device/gateway/prefsrc, or ERROR with the errno name. A multipath
     * answer takes the first usable nexthop and says in the explanation that the kernel's pick
     * is hash-dependent.
     */
    @Override
    public String ipv6Disabled(String dev) {
        family(Ip.V6_ANY);
        return router.ipv6Disabled(dev);
    }

    @Override
    public String ipv6NotForwarded(String iif) {
        family(Ip.V6_ANY);
        return router.ipv6NotForwarded(iif);
    }

    @Override
    public RouteDecision route(Packet packet, String iif, String oif) {
        family(packet.dst());
        RouteResult r = router.lookup(RouteQuery.of(packet, iif, oif));
        String why = r.summary().strip();
        if (r.uncertain()) {
            throw new UnsupportedOperationException(r.assumptions().isEmpty() ? "routing decision not certain: " + why
                    : String.join("; ", r.assumptions()) + "; with that the lookup gives: " + why);
        }
        if (!r.ok()) {
            return RouteDecision.error(r.errno().name(), r.failure() == null ? why : why + ": " + r.failure());
        }
        RouteType t = r.type();
        boolean input = iif != null;
        if (t == RouteType.LOCAL || (input && (t == RouteType.BROADCAST || t == RouteType.MULTICAST))) {
            return RouteDecision.local(r.dev(), why);
        }
        String note = r.hashDependent() ? " (multipath: the kernel's choice is hash-dependent; first nexthop taken)" : "";
        return RouteDecision.unicast(r.dev(), r.gateway(), r.prefsrc(), why + note);
    }

    @Override
    public boolean rpfilter(Packet packet, String device, long mark, boolean loose, boolean acceptLocal) {
        family(packet.src());
        return router.rpfilter(packet.src(), packet.dst(), device, mark, 0, loose, acceptLocal);
    }

    @Override
    public AddrType addressType(Ip address, String device) {
        family(address);
        RouteType t = router.addressType(address, device);
        return switch (t) {
            case UNKNOWN -> null;
            default -> AddrType.parse(t.name());
        };
    }

    @Override
    public Ip primaryAddress(String device, boolean ipv6) {
        family(ipv6 ? Ip.V6_ANY : null);
        Interface dev = router.interfaces().byName(device).orElse(null);
        if (dev == null) {
            return null;
        }
        for (Address a : dev.addresses(ipv6)) {
            if (!a.isSecondary() && !a.isTentative()) {
                return a.local();
            }
        }
        return null;
    }

    @Override
    public Ip masqueradeSource(String device, Ip nexthop) {
        family(nexthop);
        if (nexthop != null && nexthop.isV6()) {
            // IPv6 MASQUERADE uses ipv6_dev_get_saddr; the primary global address of the device is its usual answer
            Interface dev = router.interfaces().byName(device).orElse(null);
            if (dev == null) {
                return null;
            }
            return dev.addresses(true).stream().filter(a -> a.scope().equals(Scope.GLOBAL) && !a.isTentative())
                    .map(Address::local).findFirst().orElse(null);
        }
        return router.inetSelectAddr(device, nexthop, Scope.GLOBAL);
    }
}
