package io.skoop.netstack.ipvs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The share of new connections each real server of a virtual service gets from its scheduler, as the kernel's
 * schedulers pick (net/netfilter/ipvs/ip_vs_rr.c, ip_vs_wrr.c, ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sh.c, ip_vs_dh.c,
 * ip_vs_sed.c, ip_vs_nq.c, ip_vs_mh.c, ip_vs_lblc.c, ip_vs_lblcr.c, ip_vs_twos.c, ip_vs_fo.c, ip_vs_ovf.c). Every
 * scheduler skips a real server of weight 0 (quiesced: it keeps its connections but gets no new one); among the others:
 * <ul>
 * <li>{@code rr}, {@code lc}, {@code dh}: weights are not used — each server gets an equal share (rr in turn, lc by
 *     fewest connections, dh by a hash of the destination: equal in the long run);</li>
 * <li>{@code wrr}, {@code wlc}, {@code sed}, {@code nq}, {@code sh}, {@code mh}, {@code lblc}, {@code lblcr},
 *     {@code twos}: weight / sum of weights (sh and mh give a server buckets in proportion to its weight; the
 *     connection-counting ones balance connections per weight);</li>
 * <li>{@code fo} (weighted failover) and {@code ovf} (overflow): the first server of the highest weight takes every
 *     new connection (ovf until it has as many active connections as its weight, which a dump does not say).</li>
 * </ul>
 * Shares of the connection-counting and hashing schedulers are long-run expectations: which server the kernel picks
 * for one connection depends on live connection counts or the client's address. An unknown scheduler is taken by
 * weight, and says so.
 */
public final class IpvsScheduler {
    private static final Set<String> EQUAL = Set.of("rr", "lc", "dh");
    private static final Set<String> WEIGHTED = Set.of("wrr", "wlc", "sed", "nq", "sh", "mh", "lblc", "lblcr", "twos");
    private static final Set<String> HIGHEST = Set.of("fo", "ovf");

    private IpvsScheduler() {
    }

    /**
     * One real server's share.
     *
     * @param server the real server
     * @param index  its 1-based position in the virtual service (ipvsadm -Sn order)
     * @param share  the probability that a new connection goes to it
     * @param why    how the share comes about: {@code 1/3 (rr: equal shares)}, {@code weight 2 of 3 (wrr)}
     */
    public record Share(RealServer server, int index, double share, String why) {
    }

    /** The shares of the real servers that may get new connections (weight &gt; 0); empty when there is none. */
    public static List<Share> shares(VirtualService vs) {
        List<RealServer> all = vs.realServers();
        List<RealServer> active = vs.activeRealServers();
        List<Share> out = new ArrayList<>();
        if (active.isEmpty()) {
            return out;
        }
        String sched = vs.scheduler().toLowerCase(Locale.ROOT);
        long sum = active.stream().mapToLong(RealServer::weight).sum();
        String note = vs.persistence() != null ? "; persistent " + vs.persistence() + "s: a client's later connections follow its first" : "";
        if (HIGHEST.contains(sched)) {
            RealServer top = active.stream().reduce((a, b) -> b.weight() > a.weight() ? b : a).orElseThrow();
            out.add(new Share(top, all.indexOf(top) + 1, 1.0, "the highest weight (" + top.weight() + ") takes every new connection ("
                    + sched + (sched.equals("ovf") ? " while its active connections stay below its weight" : "") + ")" + note));
            return out;
        }
        boolean equal = EQUAL.contains(sched);
        String unknown = equal || WEIGHTED.contains(sched) ? "" : "; scheduler " + vs.scheduler() + " is not known to skoop: share taken by weight";
        for (RealServer r : active) {
            double share = equal ? 1.0 / active.size() : (double) r.weight() / sum;
            String why = equal ? "1/" + active.size() + " (" + sched + ": equal shares, weights not used)"
                    : "weight " + r.weight() + " of " + sum + " (" + sched + ")";
            out.add(new Share(r, all.indexOf(r) + 1, share, why + unknown + note));
        }
        return out;
    }
}
