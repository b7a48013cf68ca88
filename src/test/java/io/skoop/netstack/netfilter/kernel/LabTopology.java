package io.skoop.netstack.netfilter.kernel;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import java.util.List;

/**
 * The addresses and devices of the netfilter kernel lab, shared by the ruleset generators,
 * the harness that builds it and the routing the simulator is given:
 * <pre>
 *  client ──c-r ═ r-c── router ──r-s1 ═ s1-r── server1   (local 10.244.1.0/24, 198.51.100.0/24)
 *  10.11.0.2/24         10.11.0.1/24          10.12.0.2/24
 *  10.244.0.2/24        10.244.0.1/24
 *                       ──r-s2 ═ s2-r── server2            (local 10.244.2.0/24, 203.0.113.0/24)
 *                       10.13.0.1/24    10.13.0.2/24
 * </pre>
 * The servers own whole ranges through {@code local} routes on {@code lo} (AnyIP), so DNAT may
 * pick any address in them. The router forwards (ip_forward=1) and routes 10.96.0.0/12 (service
 * addresses) to server2, which does not forward: a service packet that was not DNAT'd dies there
 * without being delivered. All ranges are lab-only: RFC 1918 10/8 and the documentation ranges.
 */
public final class LabTopology {
    private LabTopology() {
    }

    public static final Ip CLIENT = Ip.parse("10.11.0.2");
    /** The client's second address, inside the cluster CIDR (a "pod" source). */
    public static final Ip CLIENT_POD = Ip.parse("10.244.0.2");
    public static final Ip ROUTER_C = Ip.parse("10.11.0.1");
    public static final Ip ROUTER_C_POD = Ip.parse("10.244.0.1");
    public static final Ip ROUTER_S1 = Ip.parse("10.12.0.1");
    public static final Ip ROUTER_S2 = Ip.parse("10.13.0.1");
    public static final Ip SERVER1 = Ip.parse("10.12.0.2");
    public static final Ip SERVER2 = Ip.parse("10.13.0.2");
    public static final Prefix CLUSTER_CIDR = Prefix.parse("10.244.0.0/16");
    public static final Prefix SERVICE_CIDR = Prefix.parse("10.96.0.0/12");
    public static final List<Prefix> SERVER1_LOCAL = List.of(Prefix.parse("10.244.1.0/24"), Prefix.parse("198.51.100.0/24"));
    public static final List<Prefix> SERVER2_LOCAL = List.of(Prefix.parse("10.244.2.0/24"), Prefix.parse("203.0.113.0/24"));

    /** Client side devices. */
    public static final String CLIENT_DEV = "c-r";
    public static final String ROUTER_CLIENT_DEV = "r-c";
    public static final String ROUTER_S1_DEV = "r-s1";
    public static final String ROUTER_S2_DEV = "r-s2";
    public static final String SERVER1_DEV = "s1-r";
    public static final String SERVER2_DEV = "s2-r";

    /** Addresses of the router (its local addresses). */
    public static final List<Ip> ROUTER_ADDRESSES = List.of(ROUTER_C, ROUTER_C_POD, ROUTER_S1, ROUTER_S2);

    /**
     * The router's forwarding decision for a destination: its output device, or null when the
     * destination is one of its own addresses (local delivery).
     *
     * @throws IllegalArgumentException when the router has no route (never generated)
     */
    public static String routerOutDevice(Ip dst) {
        if (ROUTER_ADDRESSES.contains(dst)) {
            return null;
        }
        if (Prefix.parse("10.11.0.0/24").contains(dst) || Prefix.parse("10.244.0.0/24").contains(dst)) {
            return ROUTER_CLIENT_DEV;
        }
        if (Prefix.parse("10.12.0.0/24").contains(dst) || SERVER1_LOCAL.stream().anyMatch(p -> p.contains(dst))) {
            return ROUTER_S1_DEV;
        }
        if (Prefix.parse("10.13.0.0/24").contains(dst) || SERVICE_CIDR.contains(dst)
                || SERVER2_LOCAL.stream().anyMatch(p -> p.contains(dst))) {
            return ROUTER_S2_DEV;
        }
        throw new IllegalArgumentException("the lab router has no route to " + dst);
    }

    /** The router's address on a device (what MASQUERADE picks as source). */
    public static Ip routerAddressOn(String dev) {
        return switch (dev) {
            case ROUTER_CLIENT_DEV -> ROUTER_C;
            case ROUTER_S1_DEV -> ROUTER_S1;
            case ROUTER_S2_DEV -> ROUTER_S2;
            default -> throw new IllegalArgumentException("no router device " + dev);
        };
    }

    /** True when {@code ip} is an address of server1 (its link address or its local ranges). */
    public static boolean server1Local(Ip ip) {
        return ip.equals(SERVER1) || SERVER1_LOCAL.stream().anyMatch(p -> p.contains(ip));
    }

    /** True when {@code ip} is an address of server2. */
    public static boolean server2Local(Ip ip) {
        return ip.equals(SERVER2) || SERVER2_LOCAL.stream().anyMatch(p -> p.contains(ip));
    }
}
