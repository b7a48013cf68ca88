package io.skoop.render;

import static guru.nidi.graphviz.model.Factory.mutGraph;
import static guru.nidi.graphviz.model.Factory.mutNode;
import static guru.nidi.graphviz.model.Factory.to;

import guru.nidi.graphviz.attribute.Color;
import guru.nidi.graphviz.attribute.Font;
import guru.nidi.graphviz.attribute.Label;
import guru.nidi.graphviz.attribute.Rank;
import guru.nidi.graphviz.attribute.Shape;
import guru.nidi.graphviz.attribute.Style;
import guru.nidi.graphviz.model.MutableGraph;
import guru.nidi.graphviz.model.MutableNode;
import io.skoop.diagnose.Diagnosis;
import io.skoop.model.Hop;
import io.skoop.model.Level;
import io.skoop.model.Link;
import io.skoop.model.LinkAttribute;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.PacketPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A diagnosis as a Graphviz graph: two clusters, {@code request} and {@code reply}, each the packet-path graph of
 * that direction drawn left to right. A node is a NetNode, labelled with its hop ({@code pod:default/client}) and,
 * when it has suspicions, the worst level; its fill says the same (FATAL red, CRITICAL orange, WARNING yellow,
 * INFO or none pale green). An edge is a Link, labelled with its type, the devices on both ends and the packet (the
 * inner packet of a tunnel on a line of its own). A reply cluster without nodes holds one note saying no reply was
 * sent. The graph is built with graphviz-java's model, so names and labels are quoted and escaped by its serializer.
 */
public final class DotRenderer {
    /**
     * The font of every label: a family that Graphviz (through fontconfig), viz.js (measured by Java) and svgSalamander
     * (which draws PNGs, through Java) all find on Debian ({@code fonts-dejavu-core}, a dependency of graphviz).
     */
    static final String FONT = "DejaVu Sans";

    /** A DOT renderer; it keeps no state and can be shared. */
    public DotRenderer() {
    }

    /** The graph as Graphviz DOT text (a {@code digraph}) ending in '\n'; the same diagnosis always gives the same text. */
    public String render(Diagnosis d) {
        return graph(d) + "\n";
    }

    /**
     * The graph, for {@link ImageRenderer} or further styling. Node names are {@code request/HOP} and
     * {@code reply/HOP}, unique across both clusters.
     */
    public MutableGraph graph(Diagnosis d) {
        MutableGraph g = mutGraph("skoop").setDirected(true);
        g.graphAttrs().add(Rank.dir(Rank.RankDir.LEFT_TO_RIGHT), Font.name(FONT),
                Label.of(d.source().name() + " -> " + d.destination().name()
                        + (d.destination().port() == 0 ? "" : ":" + d.destination().port())
                        + "/" + d.query().protocol().ianaName() + ": " + d.verdict()));
        g.nodeAttrs().add(Shape.RECTANGLE, Style.combine(Style.ROUNDED, Style.FILLED), Font.name(FONT), Font.size(11));
        g.linkAttrs().add(Font.name(FONT), Font.size(9));
        // dot stacks clusters of a left-to-right graph from the bottom: reply first puts the request on top
        g.add(cluster("reply", d.reply()), cluster("request", d.request()));
        return g;
    }

    private static MutableGraph cluster(String name, PacketPath path) {
        MutableGraph c = mutGraph(name).setDirected(true).setCluster(true);
        c.graphAttrs().add(Label.of(name));
        if (path.nodes().isEmpty()) {
            c.add(mutNode(name + "/none").add(Label.of("no " + name + " was sent"), Shape.PLAIN_TEXT, Style.SOLID));
            return c;
        }
        Map<Hop, MutableNode> nodes = new HashMap<>();
        for (NetNode n : path.nodes()) {
            MutableNode node = mutNode(name + "/" + n.hop()).add(label(n), color(n.maxLevel()).fill());
            nodes.put(n.hop(), node);
            c.add(node);
        }
        for (Link l : path.links()) {
            nodes.get(l.source()).addLink(to(nodes.get(l.destination())).with(label(l)));
        }
        return c;
    }

    private static Label label(NetNode n) {
        return n.maxLevel() == null ? Label.of(n.hop().toString()) : Label.lines(n.hop().toString(), n.maxLevel().name());
    }

    /** The fill for a worst level (null: no suspicion). */
    static Color color(Level worst) {
        if (worst == null) {
            return Color.PALEGREEN;
        }
        return switch (worst) {
            case FATAL -> Color.RED;
            case CRITICAL -> Color.ORANGE;
            case WARNING -> Color.YELLOW;
            case INFO -> Color.PALEGREEN;
        };
    }

    private static Label label(Link l) {
        List<String> lines = new ArrayList<>();
        lines.add(l.type().name().toLowerCase(Locale.ROOT) + " " + end(l.sourceAttribute()) + " -> " + end(l.destinationAttribute()));
        Packet p = l.packet();
        lines.add(p.encap() == null ? p.toString() : new Packet(p.src(), p.sport(), p.dst(), p.dport(), p.protocol(), null, p.mark()).toString());
        if (p.encap() != null) {
            lines.add("encap " + p.encap());
        }
        return Label.lines(lines.toArray(String[]::new));
    }

    /** One end of a link as the renderers print it: its device, else its address, else {@code ?}. */
    public static String end(LinkAttribute a) {
        return a == null ? "?" : a.device() != null ? a.device() : a.address() != null ? a.address().toString() : "?";
    }
}
