package io.skoop.netstack.netfilter.kernel;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Prefix;
import io.skoop.netstack.netfilter.AddrType;
import io.skoop.netstack.netfilter.RouteDecision;
import io.skoop.netstack.netfilter.RoutingOracle;
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement;
import java.util.List;
import java.util.Map;

/**
 * The routing of one {@link LabTopology} namespace as the simulator's {@link RoutingOracle}:
 * a hand-written copy of the routes {@code NetfilterLab} configures (connected /24s with their
 * prefsrc, gateways, AnyIP {@code local} ranges on {@code lo}), so the comparison does not
 * depend on the routing engineer's code. {@code LabRoutingSpec} checks every decision against
 * {@code ip route get} in the real namespaces, so a wrong line here fails loudly.
 */
public final class LabRouting implements RoutingOracle {

    /** A connected subnet on a device with the namespace's address in it. */
    private record Connected(Prefix subnet, String device, Ip address) {
    }

    private final List<Connected> connected;
    private final List<Prefix> localRanges;
    private final Map<Prefix, Ip> gateways; // prefix -> gateway, checked in order (default last)
    private final boolean forwarding;

    private LabRouting(List<Connected> connected, List<Prefix> localRanges, Map<Prefix, Ip> gateways, boolean forwarding) {
        this.connected = connected;
        this.localRanges = localRanges;
        this.gateways = gateways;
        this.forwarding = forwarding;
    }

    /** The routing of the namespace that holds rulesets of {@code placement}. */
    public static LabRouting of(Placement placement) {
        return switch (placement) {
            case FORWARD -> router();
            case LOCAL_OUT -> client();
            case LOCAL_IN -> server1();
        };
    }

    public static LabRouting router() {
        var gw = new java.util.LinkedHashMap<Prefix, Ip>();
        LabTopology.SERVER1_LOCAL.forEach(p -> gw.put(p, LabTopology.SERVER1));
        LabTopology.SERVER2_LOCAL.forEach(p -> gw.put(p, LabTopology.SERVER2));
        gw.put(LabTopology.SERVICE_CIDR, LabTopology.SERVER2);
        return new LabRouting(List.of(
                new Connected(Prefix.parse("10.11.0.0/24"), LabTopology.ROUTER_CLIENT_DEV, LabTopology.ROUTER_C),
                new Connected(Prefix.parse("10.244.0.0/24"), LabTopology.ROUTER_CLIENT_DEV, LabTopology.ROUTER_C_POD),
                new Connected(Prefix.parse("10.12.0.0/24"), LabTopology.ROUTER_S1_DEV, LabTopology.ROUTER_S1),
                new Connected(Prefix.parse("10.13.0.0/24"), LabTopology.ROUTER_S2_DEV, LabTopology.ROUTER_S2)),
                List.of(), gw, true);
    }

    public static LabRouting client() {
        return new LabRouting(List.of(
                new Connected(Prefix.parse("10.11.0.0/24"), LabTopology.CLIENT_DEV, LabTopology.CLIENT),
                new Connected(Prefix.parse("10.244.0.0/24"), LabTopology.CLIENT_DEV, LabTopology.CLIENT_POD)),
                List.of(), Map.of(Prefix.V4_DEFAULT, LabTopology.ROUTER_C), false);
    }

    public static LabRouting server1() {
        return new LabRouting(List.of(
                new Connected(Prefix.parse("10.12.0.0/24"), LabTopology.SERVER1_DEV, LabTopology.SERVER1)),
                LabTopology.SERVER1_LOCAL, Map.of(Prefix.V4_DEFAULT, LabTopology.ROUTER_S1), false);
    }

    private boolean isLocal(Ip ip) {
        return ip.mask(8).equals(Ip.parse("127.0.0.0")) || connected.stream().anyMatch(c -> c.address().equals(ip))
                || localRanges.stream().anyMatch(p -> p.contains(ip));
    }

    @Override
    public RouteDecision route(Packet packet, String iif, String oif) {
        Ip dst = packet.dst();
        if (isLocal(dst)) {
            return RouteDecision.local("lo", "local table");
        }
        if (iif != null && !forwarding) {
            // ip_route_input_slow: a received packet for another host on a host with ip_forward=0
            return RouteDecision.error("EHOSTUNREACH: forwarding disabled", "net.ipv4.ip_forward=0");
        }
        for (Connected c : connected) {
            if (c.subnet().contains(dst)) {
                return RouteDecision.unicast(c.device(), null, c.address(), c.subnet() + " dev " + c.device() + " scope link");
            }
        }
        for (var e : gateways.entrySet()) {
            if (e.getKey().contains(dst)) {
                Connected via = connected.stream().filter(c -> c.subnet().contains(e.getValue())).findFirst().orElseThrow();
                return RouteDecision.unicast(via.device(), e.getValue(), null, e.getKey() + " via " + e.getValue());
            }
        }
        return RouteDecision.error("ENETUNREACH: no route", "no route to " + dst);
    }

    @Override
    public AddrType addressType(Ip address, String device) {
        if (isLocal(address)) {
            return AddrType.LOCAL;
        }
        if (address.mask(4).equals(Ip.parse("224.0.0.0"))) {
            return AddrType.MULTICAST;
        }
        if (address.equals(Ip.parse("255.255.255.255"))
                || connected.stream().anyMatch(c -> c.subnet().contains(address) && address.equals(c.subnet().address().plus(255)))) {
            return AddrType.BROADCAST;
        }
        return AddrType.UNICAST;
    }

    @Override
    public Ip primaryAddress(String device, boolean ipv6) {
        if (ipv6) {
            return null;
        }
        if ("lo".equals(device)) {
            return Ip.parse("127.0.0.1");
        }
        return connected.stream().filter(c -> c.device().equals(device)).map(Connected::address).findFirst().orElse(null);
    }

    @Override
    public Ip masqueradeSource(String device, Ip nexthop) {
        for (Connected c : connected) {
            if (c.device().equals(device) && nexthop != null && c.subnet().contains(nexthop)) {
                return c.address();
            }
        }
        return primaryAddress(device, false);
    }
}
