package io.skoop.render;

import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;
import io.skoop.snapshot.k8s.KubeObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A snapshot's cluster objects as {@code kubectl get -o wide}-style tables (upper-case headers, {@code <none>} for an
 * empty cell), for the shell's {@code /nodes}, {@code /pods} and {@code /services}, the DSL's {@code nodes()},
 * {@code pods()} and {@code services()} and notebooks. Rows keep the snapshot's order. A {@link Table} prints as
 * kubectl does ({@link Table#text()}: columns padded to their widest cell) and also renders as HTML and JSON.
 */
public final class ClusterTables {
    private ClusterTables() {
    }

    /**
     * A table: its kind ({@code nodes}), the column names and the rows.
     *
     * @param kind    what the rows are: nodes, pods or services
     * @param headers the column names, upper case as kubectl prints them
     * @param rows    the cells, each row as long as {@code headers}
     */
    public record Table(String kind, List<String> headers, List<List<String>> rows) {
        public Table {
            headers = List.copyOf(headers);
            rows = rows.stream().map(List::copyOf).toList();
        }

        /** Left-aligned columns separated by three spaces, trailing blanks trimmed, lines ending in '\n'. */
        public String text() {
            List<List<String>> all = new ArrayList<>();
            all.add(headers);
            all.addAll(rows);
            int[] width = new int[headers.size()];
            for (List<String> r : all) {
                for (int i = 0; i < r.size(); i++) {
                    width[i] = Math.max(width[i], r.get(i).length());
                }
            }
            StringBuilder sb = new StringBuilder();
            for (List<String> r : all) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < r.size(); i++) {
                    line.append(String.format(Locale.ROOT, "%-" + (width[i] + 3) + "s", r.get(i)));
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
            return sb.toString();
        }

        /** An HTML table with a caption saying how many rows of which kind. */
        public String html() {
            return Html.plainTable(rows.size() + " " + kind, headers, rows);
        }

        /** The rows as JSON-ready maps, keyed by the lower-case column name ({@code [{"name": "node-1", ...}]}). */
        public List<Map<String, String>> records() {
            List<Map<String, String>> out = new ArrayList<>();
            for (List<String> r : rows) {
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < headers.size(); i++) {
                    m.put(headers.get(i).toLowerCase(Locale.ROOT), r.get(i));
                }
                out.add(m);
            }
            return out;
        }

        @Override
        public String toString() {
            return text();
        }
    }

    /** NAME, STATUS (Ready / NotReady / Unknown), INTERNAL-IP, PODCIDR — one row per node. */
    public static Table nodeTable(KubeObjects k) {
        List<List<String>> rows = new ArrayList<>();
        for (KNode n : k.nodes()) {
            String status = n.ready() == null ? "Unknown" : n.isReady() ? "Ready" : "NotReady";
            rows.add(List.of(n.name(), status, join(n.internalIPs()), join(n.podCIDRs())));
        }
        return new Table("nodes", List.of("NAME", "STATUS", "INTERNAL-IP", "PODCIDR"), rows);
    }

    /**
     * NAMESPACE, NAME, READY (true/false), STATUS (the phase), IP, NODE — one row per pod.
     *
     * @param namespace only pods of this namespace; null for all
     */
    public static Table podTable(KubeObjects k, String namespace) {
        List<List<String>> rows = new ArrayList<>();
        for (KPod p : k.pods()) {
            if (namespace == null || namespace.equals(p.namespace())) {
                rows.add(List.of(p.namespace(), p.name(), String.valueOf(p.isReady()), orNone(p.phase()), join(p.podIPs()),
                        orNone(p.nodeName())));
            }
        }
        return new Table("pods", List.of("NAMESPACE", "NAME", "READY", "STATUS", "IP", "NODE"), rows);
    }

    /** NAMESPACE, NAME, TYPE, CLUSTER-IP ({@code None} when headless), PORT(S) as kubectl prints them. */
    public static Table serviceTable(KubeObjects k) {
        List<List<String>> rows = new ArrayList<>();
        for (KService s : k.services()) {
            String ports = s.ports().stream().map(p -> p.port() + (p.nodePort() == null ? "" : ":" + p.nodePort()) + "/" + p.protocol())
                    .collect(Collectors.joining(","));
            rows.add(List.of(s.namespace(), s.name(), orNone(s.type()), s.headless() ? "None" : join(s.clusterIPs()), orNone(ports)));
        }
        return new Table("services", List.of("NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "PORT(S)"), rows);
    }

    /** {@link #nodeTable} as text. */
    public static String nodes(KubeObjects k) {
        return nodeTable(k).text();
    }

    /** {@link #podTable} as text. */
    public static String pods(KubeObjects k, String namespace) {
        return podTable(k, namespace).text();
    }

    /** {@link #serviceTable} as text. */
    public static String services(KubeObjects k) {
        return serviceTable(k).text();
    }

    private static String join(List<?> values) {
        return values.isEmpty() ? "<none>" : values.stream().map(Object::toString).collect(Collectors.joining(","));
    }

    private static String orNone(String s) {
        return s == null || s.isEmpty() ? "<none>" : s;
    }
}
