package io.skoop.notebook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skoop.dsl.DiagnosisView;
import io.skoop.dsl.LabView;
import io.skoop.dsl.Stepper;
import io.skoop.dsl.Verbs;
import io.skoop.model.Level;
import io.skoop.model.Suspicion;
import io.skoop.netstack.route.RouteResult;
import io.skoop.render.ClusterTables;
import io.skoop.render.DotRenderer;
import io.skoop.render.EngineJson;
import io.skoop.render.Html;
import io.skoop.render.HtmlRenderer;
import io.skoop.render.ImageRenderer;
import io.skoop.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.common.Text;
import org.dflib.jjava.jupyter.kernel.display.common.Url;

/**
 * How a cell's value is shown: a registry from type to MIME bundle (jjava's {@link Renderer}: the first class or
 * interface of the value, in inheritance order, with a registration decides). Every bundle has {@code text/plain} (the
 * value's {@code toString()} unless the renderer gives another); skoop's types add richer ones:
 * <ul>
 * <li>a diagnosis ({@link DiagnosisView}): {@code text/html} — the verdict on a coloured badge, the share of
 *     connections that complete, the suspicions by level in the graph's colours, the branches, then the packet-path
 *     graph inline; {@code image/svg+xml} — the graph; {@code application/json} — docs/diagnose-json.md;</li>
 * <li>route lookups, netfilter traces, Send/Receive steps and NetNodes, cluster listings ({@code nodes()},
 *     {@code pods()}, {@code services()}), suspicions, lab checks: {@code text/html} tables (and {@code application/json}
 *     for lookups, traces and listings);</li>
 * <li>anything else (objects a user makes): {@code text/plain} only, unless a renderer is {@linkplain #register registered}.</li>
 * </ul>
 * Notebooks reach it as the variable {@code displays}: {@code displays.register(MyType) { x -> ['text/html': ...] }}.
 */
public final class Displays {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Renderer renderer;

    /** The registry over a new renderer, with skoop's renderers. */
    public Displays() {
        this(new Renderer());
    }

    /** The registry over {@code renderer} (the kernel's), with skoop's renderers added. */
    Displays(Renderer renderer) {
        this.renderer = renderer;
        registerStandard();
    }

    /**
     * Adds the renderers every jjava kernel has (text for character sequences, images, URLs: the kernel's base class
     * registers them on its renderer), so an in-process run shows values as the kernel does.
     */
    Displays withKernelDefaults() {
        Image.registerAll(renderer);
        Url.registerAll(renderer);
        Text.registerAll(renderer);
        return this;
    }

    /** The jjava renderer behind the registry. */
    public Renderer renderer() {
        return renderer;
    }

    /**
     * Registers how values of {@code type} (and its subtypes without one of their own) are shown.
     *
     * @param type   the type
     * @param bundle the MIME bundle of a value: MIME type → data (a string; for {@code application/json} a map or list);
     *               {@code text/plain} may be left out (the value's {@code toString()} is used)
     * @return this registry
     */
    public <T> Displays register(Class<T> type, Function<? super T, ? extends Map<String, ?>> bundle) {
        renderer.createRegistration(type).register((value, ctx) -> {
            Map<String, ?> b = bundle.apply(value);
            if (b != null) {
                b.forEach((mime, data) -> ctx.getOutputContainer().putData(mime, data instanceof CharSequence cs ? cs.toString() : data));
            }
        });
        return this;
    }

    /** {@code value}'s bundle as jjava display data (what the kernel publishes). */
    public DisplayData render(Object value) {
        if (value instanceof DisplayData d) {
            return d;
        }
        // a Groovy string ("$name:$port") is a CharSequence that is no String: shown as the text it makes
        return renderer.render(value instanceof groovy.lang.GString g ? g.toString() : value);
    }

    private void registerStandard() {
        register(DiagnosisView.class, d -> {
            String svg = new ImageRenderer().svg(d.getDiagnosis());
            return bundle(d.toString(), HtmlRenderer.diagnosis(d.getDiagnosis(), svg), "image/svg+xml", svg, json(d.json()));
        });
        register(ClusterTables.Table.class, t -> bundle(t.text(), t.html(), null, null, t.records()));
        register(RouteResult.class, r -> bundle(r.toString(), HtmlRenderer.route(r), null, null, r.toJson()));
        register(Verbs.TraceView.class, t -> bundle(t.toString(), HtmlRenderer.trace(t.result()), null, null, tree(t.result())));
        register(Stepper.Step.class, s -> bundle(s.toString(), stepsTable(List.of(s)), null, null, null));
        register(Stepper.NetNodeView.class, n -> bundle(n.toString(), netnode(n), null, null, null));
        register(Suspicion.class, s -> bundle(s.toString(), suspicionsTable(List.of(s)), null, null, null));
        register(LabView.KernelCheck.class, c -> bundle(c.toString(), check(c), null, null, null));
        register(Snapshot.class, s -> bundle(s.toString(), snapshot(s), null, null, null));
        register(List.class, l -> {
            if (!l.isEmpty() && l.stream().allMatch(x -> x instanceof Stepper.Step)) {
                return bundle(l.toString(), stepsTable(l.stream().map(x -> (Stepper.Step) x).toList()), null, null, null);
            }
            if (!l.isEmpty() && l.stream().allMatch(x -> x instanceof Suspicion)) {
                return bundle(l.toString(), suspicionsTable(l.stream().map(x -> (Suspicion) x).toList()), null, null, null);
            }
            return null;
        });
    }

    private static Map<String, Object> bundle(String text, String html, String otherType, Object other, Object json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text/plain", text);
        m.put("text/html", html);
        if (otherType != null) {
            m.put(otherType, other);
        }
        if (json != null) {
            m.put("application/json", json);
        }
        return m;
    }

    /** JSON text as plain maps and lists (what a MIME bundle's {@code application/json} holds). */
    private static Object json(String text) {
        try {
            return JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("skoop wrote JSON it cannot read back: " + e.getOriginalMessage(), e);
        }
    }

    private static Object tree(Object engineResult) {
        return EngineJson.mapper().convertValue(engineResult, Object.class);
    }

    /** Send/Receive steps: where each goes (or how it ended), over which link, the packet, its probability. */
    static String stepsTable(List<Stepper.Step> steps) {
        List<List<Html.Cell>> rows = new ArrayList<>();
        int i = 0;
        for (Stepper.Step s : steps) {
            boolean next = s.link() != null;
            String style = next ? null : s.kind().equals("DELIVERED") ? Html.levelStyle(null)
                    : s.kind().equals("UNKNOWN") ? Html.levelStyle(Level.WARNING) : Html.levelStyle(Level.FATAL);
            String link = next ? s.link().type().name().toLowerCase(Locale.ROOT) + " " + DotRenderer.end(s.link().sourceAttribute()) + " → "
                    + DotRenderer.end(s.link().destinationAttribute()) : "";
            rows.add(List.of(Html.Cell.of(i++), Html.Cell.styled(next ? "→ " + s.nextHop() : s.kind(), style), Html.Cell.of(link),
                    Html.Cell.of(s.packet()), Html.Cell.of(String.format(Locale.ROOT, "%.3f", s.probability())),
                    Html.Cell.of(next ? "" : s.reason())));
        }
        return Html.table(steps.size() + (steps.size() == 1 ? " step" : " steps") + " (steps[i].nextHop is where to receive next)",
                List.of("i", "next hop / end", "link", "packet", "p", "why it ended"), rows);
    }

    /** A NetNode being stepped: its hop, its actions, the suspicions and every decision taken there so far. */
    static String netnode(Stepper.NetNodeView n) {
        StringBuilder sb = new StringBuilder("<div class=\"skoop-netnode\" style=\"font-family:sans-serif\">\n<p style=\"margin:2px 0\"><b>")
                .append(Html.escape(n.getHop().toString())).append("</b>");
        List<String> actions = n.getActions().stream().map(a -> a.type().name().toLowerCase(Locale.ROOT)).distinct().toList();
        if (!actions.isEmpty()) {
            sb.append(" [").append(Html.escape(String.join(", ", actions))).append(']');
        }
        sb.append("</p>\n");
        if (!n.getSuspicions().isEmpty()) {
            sb.append(suspicionsTable(n.getSuspicions()));
        }
        List<List<String>> rows = new ArrayList<>();
        int i = 1;
        for (String line : n.getExplanation()) {
            rows.add(List.of(String.valueOf(i++), line));
        }
        sb.append(rows.isEmpty() ? "<p style=\"margin:2px 0\">no decision taken here yet: send(...) or receive(step)</p>\n"
                : Html.plainTable("decisions", List.of("#", "decision"), rows));
        return sb.append("</div>\n").toString();
    }

    static String suspicionsTable(List<Suspicion> all) {
        List<List<Html.Cell>> rows = new ArrayList<>();
        for (Suspicion s : all) {
            rows.add(List.of(Html.Cell.styled(s.level().name(), Html.levelStyle(s.level())), Html.Cell.of(s.message())));
        }
        return Html.table("suspicions", List.of("level", "message"), rows);
    }

    private static String check(LabView.KernelCheck c) {
        List<List<Html.Cell>> rows = List.of(
                List.of(Html.Cell.of("kernel (probe)"), Html.Cell.of(c.probe().summary())),
                List.of(Html.Cell.of("skoop"), Html.Cell.styled(c.diagnosis().getVerdict(), c.diagnosis().isReachable() ? Html.levelStyle(null)
                        : Html.levelStyle(Level.FATAL))),
                List.of(Html.Cell.of(c.agrees() ? "they agree" : "they DISAGREE"), Html.Cell.styled(c.why(),
                        c.agrees() ? Html.levelStyle(null) : Html.levelStyle(Level.FATAL))));
        return Html.table("the kernel judges skoop", List.of("who", "says"), rows);
    }

    private static String snapshot(Snapshot s) {
        io.skoop.snapshot.k8s.KubeObjects k = s.objects();
        return Html.plainTable("snapshot " + s.meta().name(), List.of("nodes", "pods", "Services", "EndpointSlices"),
                List.of(List.of(String.valueOf(k.nodes().size()), String.valueOf(k.pods().size()), String.valueOf(k.services().size()),
                        String.valueOf(k.endpointSlices().size()))));
    }
}
