package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.topology.Policy;
import io.skoop.lab.topology.ResolvedTopology;
import java.util.ArrayList;
import java.util.List;

/**
 * The topology's policies as the API server returns them: the manifest's spec with the API server's defaults
 * applied ({@code SetDefaults_NetworkPolicy}: {@code policyTypes} Ingress, plus Egress when the spec has egress
 * rules; {@code SetDefaults_NetworkPolicyPort}: protocol TCP), and server-set metadata ({@code creationTimestamp},
 * {@code generation: 1}, {@code resourceVersion}, {@code uid}). The manifest's labels and annotations are kept.
 */
final class PolicyObjects {
    private PolicyObjects() {
    }

    /** The policies of {@code kind}, in file order. */
    static List<ObjectNode> render(ResolvedTopology t, Meta meta, String kind) {
        List<ObjectNode> out = new ArrayList<>();
        for (Policy p : t.policies()) {
            if (!p.kind().equals(kind)) {
                continue;
            }
            ObjectNode o = meta.object(Policy.KINDS.get(kind), kind, p.namespace(), p.name());
            ObjectNode m = o.withObjectProperty("metadata");
            m.put("generation", 1);
            JsonNode given = p.manifest().path("metadata");
            for (String k : List.of("labels", "annotations")) {
                if (given.has(k)) {
                    m.set(k, sorted(given.get(k)));
                }
            }
            ObjectNode spec = (ObjectNode) sorted(p.manifest().path("spec").isObject() ? p.manifest().get("spec") : KubeJson.object());
            if (kind.equals("NetworkPolicy")) {
                defaults(spec);
            }
            o.set("spec", spec);
            out.add(o);
        }
        return out;
    }

    /** policyTypes and port protocols as the API server defaults them. */
    private static void defaults(ObjectNode spec) {
        if (!spec.has("podSelector")) {
            spec.set("podSelector", KubeJson.object());
        }
        boolean egress = spec.path("egress").isArray() && !spec.get("egress").isEmpty();
        if (!spec.has("policyTypes")) {
            ArrayNode types = spec.putArray("policyTypes");
            types.add("Ingress");
            if (egress) {
                types.add("Egress");
            }
        }
        for (String dir : List.of("ingress", "egress")) {
            for (JsonNode rule : spec.path(dir)) {
                for (JsonNode port : rule.path("ports")) {
                    if (port instanceof ObjectNode po && !po.has("protocol")) {
                        po.put("protocol", "TCP");
                    }
                }
            }
        }
    }

    /** A copy with the lab's sorted key order (kubectl prints Go maps' keys sorted). */
    private static JsonNode sorted(JsonNode n) {
        if (n instanceof ObjectNode o) {
            ObjectNode c = KubeJson.object();
            o.properties().forEach(e -> c.set(e.getKey(), sorted(e.getValue())));
            return c;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode c = KubeJson.array();
            a.forEach(i -> c.add(sorted(i)));
            return c;
        }
        return n;
    }
}
