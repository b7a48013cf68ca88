package io.skoop.k8s.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An API server's refusal as one line for the user: what skoop asked (verb, resource, scope), what the server said
 * (its {@code Status} message), and what to do — for 403 the role of {@link Rbac} that grants it.
 */
public final class ApiErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiErrors() {
    }

    /**
     * @param verb the RBAC verb skoop used ({@code list})
     * @param k    the kind it asked for
     * @param code the HTTP status
     * @param body the response body (a {@code Status} object, or anything)
     */
    static LiveClusterException failure(KubeConfigs.Cluster cluster, String verb, LiveObjects.Kind k, int code, String body) {
        String said = message(body);
        if (code == 404) {
            return new NotServed("the API server " + cluster.server() + " does not serve " + k.path() + " (HTTP 404"
                    + (said.isEmpty() ? "" : ": " + said) + "): skoop needs " + k.apiVersion() + " " + k.kind()
                    + (k.optional() ? " (its CRD is not installed)" : " (Kubernetes 1.21 or newer)"));
        }
        String what = verb + " " + k.resource() + (k.group().isEmpty() ? "" : "." + k.group()) + " cluster-wide";
        return new LiveClusterException(switch (code) {
            case 401 -> "the API server " + cluster.server() + " rejected the credentials of context " + cluster.context()
                    + " (HTTP 401 Unauthorized" + (said.isEmpty() ? "" : ": " + said) + "): an expired or revoked token or "
                    + "certificate? kubectl would fail the same way";
            case 403 -> forbidden(cluster, what, "the ClusterRole " + Rbac.READER, said);
            default -> "the API server " + cluster.server() + " failed to " + what + " (HTTP " + code
                    + (said.isEmpty() ? "" : ": " + said) + ")";
        });
    }

    /** HTTP 404: the server does not serve the kind (an optional kind's CRD is not installed). */
    static final class NotServed extends LiveClusterException {
        private static final long serialVersionUID = 1L;

        NotServed(String message) {
            super(message);
        }
    }

    /**
     * A 403 as one line: {@code forbidden: skoop may not WHAT (HTTP 403: SAID); bind ROLE to the user of context C …}.
     *
     * @param what what skoop asked, as RBAC words ({@code list nodes cluster-wide}, {@code create pods in namespace skoop})
     * @param role the role of {@link Rbac} that grants it ({@code the Role skoop-collector in skoop})
     * @param said the server's Status message, or ""
     */
    public static String forbidden(KubeConfigs.Cluster cluster, String what, String role, String said) {
        return "forbidden: skoop may not " + what + " (HTTP 403" + (said.isEmpty() ? "" : ": " + said) + "); bind " + role
                + " to the user of context " + cluster.context() + " (skoop collect --print-rbac prints it)";
    }

    /** The {@code message} of a Status body, else the body's first line (at most 200 characters), else "". */
    public static String message(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode s = JSON.readTree(body);
            if (s != null && s.get("message") != null && s.get("message").isTextual()) {
                return s.get("message").asText();
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // not JSON: a proxy's page, say
        }
        String first = body.strip().lines().findFirst().orElse("");
        return first.length() > 200 ? first.substring(0, 200) + "…" : first;
    }
}
