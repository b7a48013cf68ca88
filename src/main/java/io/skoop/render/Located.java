package io.skoop.render;

import io.skoop.diagnose.Diagnosis;
import io.skoop.model.Level;
import io.skoop.model.NetNode;
import io.skoop.model.PacketPath;
import io.skoop.model.Suspicion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A suspicion with the place it was found: {@code cluster} for the diagnosis' own, else the hop it is on.
 *
 * @param suspicion the suspicion
 * @param on        {@code cluster} or the hop ({@code pod:default/client})
 */
record Located(Suspicion suspicion, String on) {
    /**
     * Every suspicion of {@code d} with its place, worst level first; within a level cluster-level ones, then the
     * request's hops, then the reply's, in path order. The same message on the same hop (request and reply both pass
     * it) is listed once.
     */
    static List<Located> of(Diagnosis d) {
        List<Located> all = new ArrayList<>();
        d.suspicions().forEach(s -> all.add(new Located(s, "cluster")));
        for (PacketPath p : List.of(d.request(), d.reply())) {
            for (NetNode n : p.nodes()) {
                for (Suspicion s : n.suspicions()) {
                    String hop = n.hop().toString();
                    if (all.stream().noneMatch(r -> r.on.equals(hop) && r.suspicion.message().equals(s.message()))) {
                        all.add(new Located(s, hop));
                    }
                }
            }
        }
        // a stable sort keeps the path order within a level
        all.sort(Comparator.comparing((Located l) -> l.suspicion.level()).reversed());
        return all;
    }

    /** The level. */
    Level level() {
        return suspicion.level();
    }
}
