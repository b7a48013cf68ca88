package io.skoop.netstack.netfilter

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.model.Prefix

/**
 * A small routing oracle for specs: local addresses per device, connected/gateway routes
 * with longest-prefix match, optional fwmark routes. Not the Router: just enough of a
 * namespace to drive the simulator's routing decisions.
 */
class FakeRouting implements RoutingOracle {
    /** address -> device owning it */
    Map<Ip, String> local = [:]
    /** device -> its addresses, primary first */
    Map<String, List<Ip>> hostAddr = [:]
    List<Map> routes = []
    /** the routing questions asked, for specs that check reroutes */
    List<String> asked = []

    /** Adds an address to a device, with its connected route (like ip addr add CIDR dev DEV). */
    FakeRouting addr(String dev, String cidr) {
        Ip a = Ip.parse(cidr.split('/')[0])
        local[a] = dev
        hostAddr[dev] = (hostAddr[dev] ?: []) + [a]
        routes << [prefix: Prefix.parse(cidr), dev: dev, gw: null, src: a, mark: null]
        this
    }

    FakeRouting route(String cidr, String dev, String gw = null, Long mark = null) {
        routes << [prefix: Prefix.parse(cidr), dev: dev, gw: gw ? Ip.parse(gw) : null, src: hostAddr[dev]?.get(0), mark: mark]
        this
    }

    @Override
    RouteDecision route(Packet p, String iif, String oif) {
        asked << "${p.dst()} iif=${iif} oif=${oif} mark=${p.mark()}".toString()
        if (local.containsKey(p.dst()) || p.dst().isLoopback()) {
            return RouteDecision.local(local[p.dst()] ?: 'lo', 'local table')
        }
        def best = routes.findAll { r -> r.prefix.contains(p.dst()) && (r.mark == null || r.mark == p.mark()) && (oif == null || r.dev == oif) }
                .max { a, b -> (a.prefix.length() <=> b.prefix.length()) ?: ((a.mark != null) <=> (b.mark != null)) }
        if (best == null) {
            return RouteDecision.error('ENETUNREACH', 'no route to ' + p.dst())
        }
        return RouteDecision.unicast(best.dev, best.gw, best.src, 'main ' + best.prefix)
    }

    @Override
    AddrType addressType(Ip address, String device) {
        if (address.isMulticast()) {
            return AddrType.MULTICAST
        }
        if (address.isLimitedBroadcast()) {
            return AddrType.BROADCAST
        }
        if (address.isLoopback() && (device == null || device == 'lo')) {
            return AddrType.LOCAL
        }
        String dev = local[address]
        return dev != null && (device == null || device == dev) ? AddrType.LOCAL : AddrType.UNICAST
    }

    @Override
    Ip primaryAddress(String device, boolean ipv6) {
        hostAddr[device]?.find { it.isV6() == ipv6 }
    }

    @Override
    Ip masqueradeSource(String device, Ip nexthop) {
        def onDev = routes.findAll { it.dev == device && it.gw == null && it.src != null }
        def same = onDev.find { it.prefix.contains(nexthop) }
        (same ?: onDev.find { it.src.isV6() == nexthop.isV6() })?.src
    }
}
