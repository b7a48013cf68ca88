package io.skoop.k8s.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds the cluster to talk to as kubectl does (client-go's clientcmd loading rules, {@code kubectl config -h}):
 * <ol>
 * <li>{@code --kubeconfig FILE}: that file only; it must exist;</li>
 * <li>else {@code $KUBECONFIG}: a list of files separated by {@code :}; missing ones are skipped; they are merged — a
 * cluster, user or context defined in several files is taken from the first, and so is {@code current-context};</li>
 * <li>else {@code ~/.kube/config};</li>
 * <li>else, inside a pod, the in-cluster service account ({@code KUBERNETES_SERVICE_HOST}, the token and CA under
 * {@code /var/run/secrets/kubernetes.io/serviceaccount}).</li>
 * </ol>
 * {@code --context NAME} replaces {@code current-context}. Relative file paths in a kubeconfig (certificate authority,
 * client certificate and key, token file) are relative to the file that holds them. Authentication, TLS and exec
 * credential plugins are client-java's ({@link ClientBuilder#kubeconfig}).
 */
public final class KubeConfigs {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    private KubeConfigs() {
    }

    /**
     * A cluster to talk to.
     *
     * @param api     client-java's client, authenticated
     * @param context the kubeconfig context used ({@code in-cluster} for the service account)
     * @param server  the API server's URL
     * @param source  where the configuration came from: the file(s), or {@code in-cluster service account}
     */
    public record Cluster(ApiClient api, String context, String server, String source) {
    }

    /**
     * Resolves the cluster from {@code kubeconfig} (null: the rules above), with {@code context} (null: the
     * configuration's current context).
     *
     * @param env    the environment ({@code KUBECONFIG}, {@code HOME}, {@code KUBERNETES_SERVICE_HOST}), {@code System::getenv}
     *               outside tests
     * @throws LiveClusterException when no configuration is found, a file is not a kubeconfig, the context does not
     *                              exist (naming those that do), or the context names a cluster or user no file defines
     */
    public static Cluster resolve(Path kubeconfig, String context, Function<String, String> env) {
        List<Path> files = new ArrayList<>();
        String source;
        if (kubeconfig != null) {
            if (!Files.isRegularFile(kubeconfig)) {
                throw new LiveClusterException("--kubeconfig " + kubeconfig + ": no such file");
            }
            files.add(kubeconfig);
            source = kubeconfig.toString();
        } else if (env.apply("KUBECONFIG") != null && !env.apply("KUBECONFIG").isBlank()) {
            for (String f : env.apply("KUBECONFIG").split(File.pathSeparator)) {
                if (!f.isBlank() && Files.isRegularFile(Path.of(f))) {
                    files.add(Path.of(f));
                }
            }
            if (files.isEmpty()) {
                throw new LiveClusterException("$KUBECONFIG names no file that exists: " + env.apply("KUBECONFIG"));
            }
            source = "$KUBECONFIG (" + String.join(File.pathSeparator, files.stream().map(Path::toString).toList()) + ")";
        } else {
            String home = env.apply("HOME");
            Path dflt = home == null ? null : Path.of(home, ".kube", "config");
            if (dflt != null && Files.isRegularFile(dflt)) {
                files.add(dflt);
                source = dflt.toString();
            } else if (env.apply("KUBERNETES_SERVICE_HOST") != null && Files.isRegularFile(Path.of(IN_CLUSTER_TOKEN))) {
                return inCluster(context, env);
            } else {
                throw new LiveClusterException("no kubeconfig: give --kubeconfig FILE, set $KUBECONFIG, or create ~/.kube/config"
                        + " (kubectl's rules; inside a pod the service account is used)");
            }
        }
        Merged m = merge(files);
        String ctx = context != null ? context : m.currentContext;
        if (ctx == null || ctx.isEmpty()) {
            throw new LiveClusterException(source + " sets no current-context; give --context NAME (contexts: "
                    + String.join(", ", m.contexts.keySet()) + ")");
        }
        if (!m.contexts.containsKey(ctx)) {
            throw new LiveClusterException("context '" + ctx + "' is not in " + source + " (contexts: "
                    + String.join(", ", m.contexts.keySet()) + ")" + io.skoop.model.Names.didYouMean(ctx, m.contexts.keySet()));
        }
        Map<?, ?> c = asMap(m.contexts.get(ctx).get("context"));
        String cluster = c == null ? null : (String) c.get("cluster");
        String user = c == null ? null : (String) c.get("user");
        if (cluster == null || !m.clusters.containsKey(cluster)) {
            throw new LiveClusterException("context '" + ctx + "' of " + source + " names cluster '" + cluster + "', which no file defines");
        }
        if (user != null && !user.isEmpty() && !m.users.containsKey(user)) {
            throw new LiveClusterException("context '" + ctx + "' of " + source + " names user '" + user + "', which no file defines");
        }
        KubeConfig kc = new KubeConfig(new ArrayList<>(m.contexts.values()), new ArrayList<>(m.clusters.values()),
                new ArrayList<>(m.users.values()));
        kc.setContext(ctx);
        try {
            ApiClient api = ClientBuilder.kubeconfig(kc).build();
            return new Cluster(api, ctx, kc.getServer(), source);
        } catch (IOException | RuntimeException e) {
            throw new LiveClusterException("cannot use context '" + ctx + "' of " + source + ": " + e.getMessage(), e);
        }
    }

    private static Cluster inCluster(String context, Function<String, String> env) {
        if (context != null) {
            throw new LiveClusterException("--context " + context + ": there is no kubeconfig, only the in-cluster service account");
        }
        try {
            ApiClient api = ClientBuilder.cluster().build();
            return new Cluster(api, "in-cluster", api.getBasePath(), "in-cluster service account");
        } catch (IOException | RuntimeException e) {
            throw new LiveClusterException("cannot use the in-cluster service account: " + e.getMessage(), e);
        }
    }

    /** The named entries of every file, the first definition of a name winning; paths made absolute. */
    private static final class Merged {
        final Map<String, Map<String, Object>> clusters = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> users = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> contexts = new LinkedHashMap<>();
        String currentContext;
    }

    private static Merged merge(List<Path> files) {
        Merged m = new Merged();
        for (Path f : files) {
            Map<String, Object> doc;
            try {
                Object o = YAML.readValue(f.toFile(), Object.class);
                if (o == null) {
                    continue; // an empty file: kubectl skips it too
                }
                if (!(o instanceof Map)) {
                    throw new LiveClusterException(f + ": not a kubeconfig (expected a mapping with clusters, users, contexts)");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) o;
                doc = map;
            } catch (IOException e) {
                throw new LiveClusterException(f + ": not a kubeconfig: " + firstLine(e.getMessage()), e);
            }
            Path dir = f.toAbsolutePath().getParent();
            add(m.clusters, doc.get("clusters"), "cluster", dir, f);
            add(m.users, doc.get("users"), "user", dir, f);
            add(m.contexts, doc.get("contexts"), "context", dir, f);
            if (m.currentContext == null && doc.get("current-context") instanceof String s && !s.isEmpty()) {
                m.currentContext = s;
            }
        }
        return m;
    }

    private static final List<String> PATH_KEYS = List.of("certificate-authority", "client-certificate", "client-key", "tokenFile");

    private static void add(Map<String, Map<String, Object>> into, Object list, String key, Path dir, Path file) {
        if (list == null) {
            return;
        }
        if (!(list instanceof List<?> l)) {
            throw new LiveClusterException(file + ": '" + key + "s' is not a list");
        }
        for (Object e : l) {
            Map<?, ?> entry = asMap(e);
            if (entry == null || !(entry.get("name") instanceof String name)) {
                throw new LiveClusterException(file + ": an entry of '" + key + "s' has no name");
            }
            if (into.containsKey(name)) {
                continue;
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            entry.forEach((k, v) -> copy.put(String.valueOf(k), v));
            Map<?, ?> body = asMap(entry.get(key));
            if (body != null) {
                Map<String, Object> b = new LinkedHashMap<>();
                body.forEach((k, v) -> b.put(String.valueOf(k),
                        PATH_KEYS.contains(String.valueOf(k)) && v instanceof String s && !s.isEmpty() && !Path.of(s).isAbsolute()
                                ? dir.resolve(s).normalize().toString() : v));
                copy.put(key, b);
            }
            into.put(name, copy);
        }
    }

    private static Map<?, ?> asMap(Object o) {
        return o instanceof Map<?, ?> m ? m : null;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
