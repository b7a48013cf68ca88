package io.skoop.diagnose;

import io.skoop.model.Hop;
import io.skoop.model.Level;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.PacketPath;
import io.skoop.model.Suspicion;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of a diagnosis.
 *
 * @param query              what was asked
 * @param source             the resolved client
 * @param destination        the resolved server
 * @param verdict            REACHABLE / UNREACHABLE / UNKNOWN (DESIGN.md §3)
 * @param successProbability the share of new connections that complete (request delivered to a socket and reply
 *                           back at the client), 0..1: below 1 when some Service backends or branches fail
 * @param request            the request's packet-path graph (client to servers)
 * @param reply              the replies' graph (one origin per server that got the request); empty when none did
 * @param branches           how every branch ended, request and reply, with its absolute probability
 * @param suspicions         cluster-level suspicions (dumps not collected, what the snapshot cannot tell)
 * @param snapshot           the snapshot's name
 * @param opened             the dump folders of the pods and nodes on the paths (the only ones a diagnosis parses),
 *                           relative to the snapshot, in the order first reached
 * @param policies           what the cluster's NetworkPolicies and AdminNetworkPolicies intend for the flow's pod
 *                           pairs ({@link io.skoop.plugin.networkpolicy.PolicyEvaluator}); empty without policies
 */
public record Diagnosis(Query query, Target source, Target destination, Verdict verdict, double successProbability,
                        PacketPath request, PacketPath reply, List<Branch> branches, List<Suspicion> suspicions,
                        String snapshot, List<String> opened, List<io.skoop.plugin.networkpolicy.PolicyVerdict> policies) {
    public Diagnosis {
        branches = List.copyOf(branches);
        suspicions = List.copyOf(suspicions);
        opened = List.copyOf(opened);
        policies = List.copyOf(policies);
    }

    /** A diagnosis without policy intent. */
    public Diagnosis(Query query, Target source, Target destination, Verdict verdict, double successProbability,
                     PacketPath request, PacketPath reply, List<Branch> branches, List<Suspicion> suspicions,
                     String snapshot, List<String> opened) {
        this(query, source, destination, verdict, successProbability, request, reply, branches, suspicions, snapshot, opened, List.of());
    }

    /**
     * How one branch ended.
     *
     * @param direction   REQUEST or REPLY
     * @param kind        DELIVERED, DROPPED or UNKNOWN
     * @param hop         where it ended
     * @param probability its share of all new connections
     * @param packet      the packet as it ended
     * @param reason      one line
     */
    public record Branch(Walk.Direction direction, Outcome.End.Kind kind, Hop hop, double probability, Packet packet, String reason) {
    }

    /** True when the verdict is REACHABLE. */
    public boolean reachable() {
        return verdict == Verdict.REACHABLE;
    }

    /** Every suspicion of the diagnosis (cluster-level, then the request's nodes, then the reply's), each once. */
    public List<Suspicion> allSuspicions() {
        List<Suspicion> all = new ArrayList<>(suspicions);
        for (PacketPath p : List.of(request, reply)) {
            for (NetNode n : p.nodes()) {
                n.suspicions().stream().filter(s -> !all.contains(s)).forEach(all::add);
            }
        }
        return all;
    }

    /** The highest level among all suspicions, or null. */
    public Level maxLevel() {
        return allSuspicions().stream().map(Suspicion::level).max(Enum::compareTo).orElse(null);
    }
}
