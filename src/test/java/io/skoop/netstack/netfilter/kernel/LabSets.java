package io.skoop.netstack.netfilter.kernel;

import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import io.skoop.netstack.netfilter.SetDimension;
import io.skoop.netstack.netfilter.SetMembership;
import io.skoop.netstack.netfilter.Tri;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Membership in the lab's ipsets ({@link RandomRuleset#IPSETS}, {@code ipset restore} syntax) for
 * the simulator: the three types the generator uses, hash:ip (dimension 1's address), hash:net
 * (longest prefix containing dimension 1's address) and hash:ip,port (dimension 1's address,
 * dimension 2's protocol and port), as ipset(8) defines them. Any other type or an unknown set
 * answers UNKNOWN. Test-side only: the ipset engineer's parser replaces it when it exists.
 */
public final class LabSets implements SetMembership {
    private final Map<String, String> types = new HashMap<>();
    private final Map<String, Set<String>> members = new HashMap<>();

    /** Reads {@code create NAME TYPE ...} and {@code add NAME ELEMENT} lines. */
    public LabSets(String restoreText) {
        for (String line : restoreText.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("create")) {
                types.put(f[1], f[2]);
                members.put(f[1], new HashSet<>());
            } else if (f.length >= 3 && f[0].equals("add")) {
                members.get(f[1]).add(f[2]);
            }
        }
    }

    @Override
    public Tri test(String setName, List<SetDimension> dims) {
        String type = types.get(setName);
        if (type == null || dims.isEmpty()) {
            return Tri.UNKNOWN;
        }
        Set<String> m = members.get(setName);
        Ip a = dims.get(0).address();
        switch (type) {
            case "hash:ip":
                return Tri.of(m.contains(a.toString()));
            case "hash:net":
                return Tri.of(m.stream().anyMatch(n -> Prefix.parse(n).contains(a)));
            case "hash:ip,port":
                if (dims.size() < 2) {
                    return Tri.UNKNOWN;
                }
                SetDimension d = dims.get(1);
                if (d.protocol() != Protocol.TCP && d.protocol() != Protocol.UDP) {
                    return Tri.NO_MATCH;
                }
                return Tri.of(m.contains(a + "," + d.protocol().ianaName() + ":" + d.port()));
            default:
                return Tri.UNKNOWN;
        }
    }
}
