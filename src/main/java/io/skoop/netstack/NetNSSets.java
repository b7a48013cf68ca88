package io.skoop.netstack;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.netstack.ipset.Direction;
import io.skoop.netstack.ipset.IpSets;
import io.skoop.netstack.ipset.SetProbe;
import io.skoop.netstack.netfilter.SetDimension;
import io.skoop.netstack.netfilter.SetMembership;
import io.skoop.netstack.netfilter.Tri;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespace's ipsets ({@code ipset save}) as the netfilter simulator's {@link SetMembership}
 * for {@code -m set --match-set NAME src,dst}: the dimensions become direction flags and a probe
 * packet whose source/destination side carries each dimension's address, port and interface.
 */
public final class NetNSSets implements SetMembership {
    private final java.util.function.Supplier<IpSets> sets;

    /** @param sets the namespace's ipsets, read on the first membership test (an untrusted ipset.txt makes every test UNKNOWN) */
    NetNSSets(java.util.function.Supplier<IpSets> sets) {
        this.sets = sets;
    }

    /** The membership test over ipsets already parsed (rules rendered for a lab, before any namespace holds them). */
    public static SetMembership of(IpSets sets) {
        return new NetNSSets(() -> sets);
    }

    @Override
    public Tri test(String setName, List<SetDimension> dims) {
        if (dims.isEmpty()) {
            return Tri.UNKNOWN;
        }
        Ip any = dims.get(0).address().isV6() ? Ip.V6_ANY : Ip.V4_ANY;
        Ip src = any, dst = any;
        int sport = 0, dport = 0;
        String in = null, out = null;
        List<Direction> dirs = new ArrayList<>();
        for (SetDimension d : dims) {
            if (d.source()) {
                src = d.address();
                sport = d.port();
                in = d.iface();
                dirs.add(Direction.SRC);
            } else {
                dst = d.address();
                dport = d.port();
                out = d.iface();
                dirs.add(Direction.DST);
            }
        }
        Packet probe = Packet.of(src, sport, dst, dport, dims.get(0).protocol());
        IpSets all;
        try {
            all = sets.get();
        } catch (UnavailablePartException e) {
            return Tri.UNKNOWN;
        }
        return switch (all.test(setName, dirs, SetProbe.of(probe).withIfaces(in, out))) {
            case MATCH -> Tri.MATCH;
            case NO_MATCH -> Tri.NO_MATCH;
            default -> Tri.UNKNOWN;
        };
    }
}
