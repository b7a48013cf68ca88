package io.skoop.render;

import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import io.skoop.snapshot.k8s.KService;
import io.skoop.snapshot.k8s.KubeObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A snapshot's cluster objects as {@code kubectl get -o wide}-style tables (upper-case headers, columns padded to
 * their widest cell, {@code <none>} for an empty cell), for the shell's {@code /nodes}, {@code /pods} and
 * {@code /services}. Rows keep the snapshot's order.
 */
public final class ClusterTables {
    private ClusterTables() {
    }

    /** NAME, STATUS (Ready / NotReady / Unknown), INTERNAL-IP, PODCIDR — one row per node. */
    public static String nodes(KubeObjects k) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "STATUS", "INTERNAL-IP", "PODCIDR"));
        for (KNode n : k.nodes()) {
            String status = n.ready() == null ? "Unknown" : n.isReady() ? "Ready" : "NotReady";
            rows.add(List.of(n.name(), status, join(n.internalIPs()), join(n.podCIDRs())));
        }
        return table(rows);
    }

    /**
     * NAMESPACE, NAME, READY (true/false), STATUS (the phase), IP, NODE — one row per pod.
     *
     * @param namespace only pods of this namespace; null for all
     */
    public static String pods(KubeObjects k, String namespace) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAMESPACE", "NAME", "READY", "STATUS", "IP", "NODE"));
        for (KPod p : k.pods()) {
            if (namespace == null || namespace.equals(p.namespace())) {
                rows.add(List.of(p.namespace(), p.name(), String.valueOf(p.isReady()), orNone(p.phase()), join(p.podIPs()),
                        orNone(p.nodeName())));
            }
        }
        return table(rows);
    }

    /** NAMESPACE, NAME, TYPE, CLUSTER-IP ({@code None} when headless), PORT(S) as kubectl prints them. */
    public static String services(KubeObjects k) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "PORT(S)"));
        for (KService s : k.services()) {
            String ports = s.ports().stream().map(p -> p.port() + (p.nodePort() == null ? "" : ":" + p.nodePort()) + "/" + p.protocol())
                    .collect(Collectors.joining(","));
            rows.add(List.of(s.namespace(), s.name(), orNone(s.type()), s.headless() ? "None" : join(s.clusterIPs()), orNone(ports)));
        }
        return table(rows);
    }

    private static String join(List<?> values) {
        return values.isEmpty() ? "<none>" : values.stream().map(Object::toString).collect(Collectors.joining(","));
    }

    private static String orNone(String s) {
        return s == null || s.isEmpty() ? "<none>" : s;
    }

    /** Left-aligned columns separated by three spaces, trailing blanks trimmed. */
    static String table(List<List<String>> rows) {
        int[] width = new int[rows.get(0).size()];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(String.format(Locale.ROOT, "%-" + (width[i] + 3) + "s", r.get(i)));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
