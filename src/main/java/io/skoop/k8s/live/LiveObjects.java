package io.skoop.k8s.live;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Lists a live cluster's objects into a snapshot's {@code k8s/} folder, one kubectl {@code List} per kind as {@code
 * kubectl get KIND -A -o json} writes it: the API server's items exactly as served, each given the {@code apiVersion}
 * and {@code kind} kubectl adds, read in pages of {@value #PAGE} ({@code limit}/{@code continue}, as kubectl does) and
 * streamed to the file (a 30,000-pod list is never held whole). Every call is client-java's ({@link ApiClient}: the
 * kubeconfig's authentication and TLS).
 */
public final class LiveObjects {
    /** Items per page, kubectl's chunk size. */
    static final int PAGE = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One kind skoop reads.
     *
     * @param file       the file in {@code k8s/} ({@code pods} → {@code pods.json})
     * @param path       the API path of the cluster-wide list
     * @param apiVersion the items' apiVersion
     * @param kind       the items' kind
     * @param resource   the resource name RBAC grants ({@code pods}, {@code endpointslices})
     * @param group      its API group ("" for core)
     * @param optional     a kind served only where its CRD is installed: an API server answering 404 for it means
     *                     "none", and no file is written (the snapshot reader then reads none)
     */
    public record Kind(String file, String path, String apiVersion, String kind, String resource, String group, boolean optional) {
        /** A kind every API server serves. */
        public Kind(String file, String path, String apiVersion, String kind, String resource, String group) {
            this(file, path, apiVersion, kind, resource, group, false);
        }
    }

    /** What {@code skoop collect} lists, in this order: what the diagnosis reads, then what detection and policies read. */
    public static final List<Kind> KINDS = List.of(
            new Kind("namespaces", "/api/v1/namespaces", "v1", "Namespace", "namespaces", ""),
            new Kind("nodes", "/api/v1/nodes", "v1", "Node", "nodes", ""),
            new Kind("pods", "/api/v1/pods", "v1", "Pod", "pods", ""),
            new Kind("services", "/api/v1/services", "v1", "Service", "services", ""),
            new Kind("endpointslices", "/apis/discovery.k8s.io/v1/endpointslices", "discovery.k8s.io/v1", "EndpointSlice",
                    "endpointslices", "discovery.k8s.io"),
            new Kind("configmaps", "/api/v1/configmaps", "v1", "ConfigMap", "configmaps", ""),
            new Kind("networkpolicies", "/apis/networking.k8s.io/v1/networkpolicies", "networking.k8s.io/v1", "NetworkPolicy",
                    "networkpolicies", "networking.k8s.io"),
            new Kind("daemonsets", "/apis/apps/v1/daemonsets", "apps/v1", "DaemonSet", "daemonsets", "apps"),
            new Kind("adminnetworkpolicies", "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies",
                    "policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", "adminnetworkpolicies", "policy.networking.k8s.io", true),
            new Kind("baselineadminnetworkpolicies", "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies",
                    "policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy", "baselineadminnetworkpolicies",
                    "policy.networking.k8s.io", true),
            new Kind("ippools", "/apis/crd.projectcalico.org/v1/ippools", "crd.projectcalico.org/v1", "IPPool", "ippools",
                    "crd.projectcalico.org", true),
            new Kind("blockaffinities", "/apis/crd.projectcalico.org/v1/blockaffinities", "crd.projectcalico.org/v1", "BlockAffinity",
                    "blockaffinities", "crd.projectcalico.org", true));

    private LiveObjects() {
    }

    /**
     * Lists every kind of {@link #KINDS} into {@code k8sDir/FILE.json}; an optional kind the server does not serve (its
     * CRD is not installed: HTTP 404) gets no file and no count, and {@code done} is told so.
     *
     * @param cluster where to list, and its context's name for messages
     * @param k8sDir  the snapshot's {@code k8s/} folder (created)
     * @param done    told "KIND: N" after each kind (a progress display), or null
     * @return the number of items per file name
     * @throws LiveClusterException for a refusal (403: the verb, resource and the role that grants it), rejected
     *                              credentials (401), an API server that does not serve a kind, does not answer, or
     *                              answers with something that is not a List
     */
    public static java.util.Map<String, Integer> collect(KubeConfigs.Cluster cluster, Path k8sDir, Consumer<String> done) {
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        try {
            Files.createDirectories(k8sDir);
        } catch (IOException e) {
            throw new LiveClusterException("cannot write " + k8sDir + ": " + e.getMessage(), e);
        }
        for (Kind k : KINDS) {
            Path file = k8sDir.resolve(k.file() + ".json");
            int n;
            try {
                n = list(cluster, k, file);
            } catch (ApiErrors.NotServed e) {
                if (!k.optional()) {
                    throw e;
                }
                try {
                    Files.deleteIfExists(file);
                } catch (IOException io) {
                    throw new LiveClusterException("cannot remove " + file + ": " + io.getMessage(), io);
                }
                if (done != null) {
                    done.accept(k.file() + ": not served (no " + k.kind() + " CRD)");
                }
                continue;
            }
            counts.put(k.file(), n);
            if (done != null) {
                done.accept(k.file() + ": " + n);
            }
        }
        return counts;
    }

    private static int list(KubeConfigs.Cluster cluster, Kind k, Path file) {
        int count = 0;
        try (JsonGenerator g = JSON.getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("apiVersion", "v1");
            g.writeArrayFieldStart("items");
            String next = null;
            do {
                JsonNode page = page(cluster, k, next);
                JsonNode items = page.get("items");
                if (items != null && !items.isNull()) {
                    if (!items.isArray()) {
                        throw new LiveClusterException(cluster.server() + k.path() + " answered a List whose items are not an array");
                    }
                    for (JsonNode item : items) {
                        if (item instanceof ObjectNode o) {
                            ObjectNode out = JSON.createObjectNode();
                            out.put("apiVersion", k.apiVersion());
                            out.put("kind", k.kind());
                            o.properties().forEach(e -> {
                                if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                                    out.set(e.getKey(), e.getValue());
                                }
                            });
                            JSON.writeTree(g, out);
                            count++;
                        }
                    }
                }
                JsonNode meta = page.get("metadata");
                next = meta == null || meta.get("continue") == null || meta.get("continue").asText().isEmpty() ? null
                        : meta.get("continue").asText();
            } while (next != null);
            g.writeEndArray();
            g.writeStringField("kind", "List");
            g.writeObjectFieldStart("metadata");
            g.writeStringField("resourceVersion", "");
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new LiveClusterException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return count;
    }

    /** One page of the list of {@code k}, from {@code continueToken} (null: the first). */
    private static JsonNode page(KubeConfigs.Cluster cluster, Kind k, String continueToken) {
        ApiClient api = cluster.api();
        List<Pair> query = new ArrayList<>();
        query.add(new Pair("limit", String.valueOf(PAGE)));
        if (continueToken != null) {
            query.add(new Pair("continue", continueToken));
        }
        String url = cluster.server() + k.path();
        Call call;
        try {
            call = api.buildCall(api.getBasePath(), k.path(), "GET", query, new ArrayList<>(), null, new HashMap<>(java.util.Map.of(
                    "Accept", "application/json")), new HashMap<>(), new HashMap<>(), new String[] {"BearerToken"}, null);
        } catch (ApiException e) {
            throw new LiveClusterException("cannot call " + url + ": " + e.getMessage(), e);
        }
        try (Response r = call.execute()) {
            ResponseBody body = r.body();
            if (r.code() != 200) {
                throw ApiErrors.failure(cluster, "list", k, r.code(), body == null ? "" : body.string());
            }
            if (body == null) {
                throw new LiveClusterException(url + " answered HTTP 200 with no body");
            }
            try (InputStream in = body.byteStream()) {
                JsonNode page = JSON.readTree(in);
                if (page == null || !page.isObject()) {
                    throw new LiveClusterException(url + " answered something that is not a Kubernetes List");
                }
                return page;
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new LiveClusterException(url + " answered something that is not JSON: " + e.getOriginalMessage(), e);
            }
        } catch (javax.net.ssl.SSLException e) {
            throw new LiveClusterException(tlsFailure(cluster, e), e);
        } catch (java.io.InterruptedIOException e) {
            throw new LiveClusterException("the API server " + cluster.server() + " did not answer the list of " + k.resource()
                    + " within " + api.getReadTimeout() / 1000.0 + " s; --timeout S waits longer", e);
        } catch (IOException e) {
            throw new LiveClusterException("cannot reach the API server " + cluster.server() + " (context " + cluster.context()
                    + "): " + e.getMessage(), e);
        }
    }

    /**
     * A TLS failure as the user can act on it: a server certificate no configured authority signed (the kubeconfig's
     * {@code certificate-authority}, else the system's), one issued for another host, or another handshake failure.
     */
    static String tlsFailure(KubeConfigs.Cluster cluster, javax.net.ssl.SSLException e) {
        String head = "TLS with the API server " + cluster.server() + " (context " + cluster.context() + ") failed: ";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertPathValidatorException || t instanceof java.security.cert.CertPathBuilderException) {
                return head + "its certificate is not signed by the certificate authority the kubeconfig gives (certificate-authority"
                        + " or certificate-authority-data; the system's when none) — a kubeconfig of another cluster, or a rotated CA?";
            }
        }
        if (e instanceof javax.net.ssl.SSLPeerUnverifiedException) {
            return head + "its certificate is not for this host (" + e.getMessage() + "); the kubeconfig's server or tls-server-name"
                    + " must be a name the certificate holds";
        }
        return head + e.getMessage();
    }
}
