package io.skoop.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.diagnose.Diagnosis;
import io.skoop.diagnose.Target;
import io.skoop.model.Action;
import io.skoop.model.Link;
import io.skoop.model.LinkAttribute;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.PacketPath;
import io.skoop.model.Suspicion;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A diagnosis as JSON for programs, in the stable schema of docs/diagnose-json.md (version {@link #SCHEMA_VERSION}).
 *
 * <p>The shape follows the {@link Diagnosis} record and the seed's PacketPath (NetNode, Link, Packet, Suspicion).
 * Every key is always present, in the documented order, with one exception: {@code encap} appears only on tunnel
 * packets. Enum values are written as their Java names ({@code POD}, {@code VXLAN}, {@code FATAL}); protocols by
 * their IANA names ({@code tcp}); hops as {@code type:id} ({@code pod:default/client}), the way the text output
 * shows them. The same diagnosis always gives the same bytes.
 */
public final class JsonRenderer {
    /** The version of the schema; it changes only when a key is removed, renamed or changes type. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A JSON renderer; it keeps no state and can be shared. */
    public JsonRenderer() {
    }

    /** The diagnosis as indented JSON (two spaces, '\n' line ends), ending in '\n'. */
    public String render(Diagnosis d) {
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withArrayEmptySeparator("").withObjectEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return MAPPER.writer(pretty).writeValueAsString(tree(d)) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // a tree of plain nodes always serializes
        }
    }

    /** The diagnosis as a Jackson tree, keys in the documented order (what {@link #render} writes). */
    public ObjectNode tree(Diagnosis d) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ObjectNode query = root.putObject("query");
        query.put("source", d.query().source());
        query.put("destination", d.query().destination());
        query.put("port", d.query().port());
        query.put("protocol", d.query().protocol().ianaName());
        query.put("namespace", d.query().namespace());
        target(root.putObject("source"), d.source());
        target(root.putObject("destination"), d.destination()).put("port", d.destination().port());
        root.put("verdict", d.verdict().name());
        root.put("successProbability", d.successProbability());
        root.put("snapshot", d.snapshot());
        suspicions(root.putArray("suspicions"), d.suspicions());
        path(root.putObject("request"), d.request());
        path(root.putObject("reply"), d.reply());
        ArrayNode branches = root.putArray("branches");
        for (Diagnosis.Branch b : d.branches()) {
            ObjectNode o = branches.addObject();
            o.put("direction", b.direction().name());
            o.put("kind", b.kind().name());
            o.put("hop", b.hop().toString());
            o.put("probability", b.probability());
            packet(o.putObject("packet"), b.packet());
            o.put("reason", b.reason());
        }
        ArrayNode opened = root.putArray("opened");
        d.opened().forEach(opened::add);
        ArrayNode policies = root.putArray("policies");
        for (io.skoop.plugin.networkpolicy.PolicyVerdict v : d.policies()) {
            ObjectNode o = policies.addObject();
            o.put("source", v.source().toString());
            o.put("destination", v.destination().toString());
            o.put("port", v.port());
            o.put("protocol", v.protocol().ianaName());
            o.put("allowed", v.allowed());
            side(o.putObject("egress"), v.egress());
            side(o.putObject("ingress"), v.ingress());
        }
        return root;
    }

    private static void side(ObjectNode o, io.skoop.plugin.networkpolicy.PolicyVerdict.Side s) {
        o.put("pod", s.pod());
        o.put("decision", s.decision().name());
        ArrayNode by = o.putArray("selectedBy");
        s.selectedBy().forEach(by::add);
        o.put("rule", s.rule() == null ? null : s.rule().toString());
        o.put("reason", s.reason());
        ArrayNode trace = o.putArray("trace");
        s.trace().forEach(trace::add);
    }

    private static ObjectNode target(ObjectNode o, Target t) {
        o.put("kind", t.kind().name());
        o.put("name", t.name());
        o.put("ip", t.ip().toString());
        return o;
    }

    private static void suspicions(ArrayNode a, List<Suspicion> suspicions) {
        for (Suspicion s : suspicions) {
            a.addObject().put("level", s.level().name()).put("message", s.message());
        }
    }

    private static void path(ObjectNode o, PacketPath p) {
        ArrayNode origins = o.putArray("origins");
        p.origins().forEach(n -> origins.add(n.hop().toString()));
        ArrayNode nodes = o.putArray("nodes");
        for (NetNode n : p.nodes()) {
            ObjectNode node = nodes.addObject();
            node.put("id", n.hop().toString());
            node.put("type", n.type().name());
            node.put("name", n.id());
            ArrayNode actions = node.putArray("actions");
            n.actions().stream().map(Action::type).distinct().forEach(t -> actions.add(t.name()));
            suspicions(node.putArray("suspicions"), n.suspicions());
            ArrayNode explanation = node.putArray("explanation");
            n.explanation().forEach(explanation::add);
            ArrayNode groups = node.putArray("explanationBranches");
            for (NetNode.ExplanationGroup g : n.explanationByBranch()) {
                if (g.branch() == null) {
                    continue;
                }
                ObjectNode group = groups.addObject();
                group.put("branch", g.branch());
                g.lines().forEach(group.putArray("lines")::add);
            }
        }
        ArrayNode links = o.putArray("links");
        for (Link l : p.links()) {
            ObjectNode link = links.addObject();
            link.put("type", l.type().name());
            link.put("source", l.source().toString());
            link.put("destination", l.destination().toString());
            packet(link.putObject("packet"), l.packet());
            attribute(link, "sourceAttribute", l.sourceAttribute());
            attribute(link, "destinationAttribute", l.destinationAttribute());
            link.put("level", l.level());
        }
    }

    private static void packet(ObjectNode o, Packet p) {
        o.put("protocol", p.protocol().ianaName());
        o.put("src", p.src().toString());
        o.put("sport", p.sport());
        o.put("dst", p.dst().toString());
        o.put("dport", p.dport());
        o.put("mark", p.mark());
        if (p.encap() != null) {
            packet(o.putObject("encap"), p.encap());
        }
    }

    /** null when the side is unknown; else device, address, then the properties by name (decimal integers as numbers). */
    private static void attribute(ObjectNode link, String key, LinkAttribute a) {
        if (a == null) {
            link.putNull(key);
            return;
        }
        ObjectNode o = link.putObject(key);
        o.put("device", a.device());
        o.put("address", a.address() == null ? null : a.address().toString());
        for (Map.Entry<String, String> e : new TreeMap<>(a.properties()).entrySet()) {
            if (o.has(e.getKey())) {
                continue;   // a property never hides device or address
            }
            if (e.getValue().matches("-?\\d{1,18}")) {
                o.put(e.getKey(), Long.parseLong(e.getValue()));
            } else {
                o.put(e.getKey(), e.getValue());
            }
        }
    }
}
