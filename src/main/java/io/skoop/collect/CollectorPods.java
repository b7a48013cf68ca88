package io.skoop.collect;

import io.kubernetes.client.Exec;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1HostPathVolumeSource;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Toleration;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.skoop.k8s.live.ApiErrors;
import io.skoop.k8s.live.KubeConfigs;
import io.skoop.k8s.live.LiveClusterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Collects a node of a live cluster with a short-lived pod on it (docs/live.md): hostNetwork and hostPID, privileged,
 * tolerating every taint, bound to the node by {@code spec.nodeName} (no scheduler), with the node's {@code
 * /var/run/netns} mounted. Over exec (client-java, WebSocket) it receives skoop's own {@code collect-node.sh} and
 * {@code collect-netns.sh} — shipped in the command, never baked into an image — runs them, and sends the result back
 * as one tar stream on standard output, which is unpacked into a folder in collect-node.sh's layout. The pod only
 * reads; it is deleted on success, on error, on timeout and when the JVM is stopped (a shutdown hook); {@link
 * #cleanup} removes leftovers by their label.
 */
public final class CollectorPods {
    /** The image by default: has bash, iproute2, iptables (nft and legacy), ipset, nft, ss, conntrack, sysctl, nsenter, tar. */
    public static final String DEFAULT_IMAGE = "nicolaka/netshoot:v0.13";
    /** The label every collector pod carries ({@value #LABEL}={@value #LABEL_VALUE}); {@link #cleanup} selects by it. */
    public static final String LABEL = "app.kubernetes.io/managed-by";
    public static final String LABEL_VALUE = "skoop-collector";
    static final String CONTAINER = "collector";

    private CollectorPods() {
    }

    /**
     * Where and how collectors run.
     *
     * @param namespace the collectors' namespace (the Role skoop-collector is there)
     * @param image     the container image
     * @param timeout   bound for the pod to start (image pull included)
     * @param collect   bound for the dump itself, once the pod runs
     */
    public record Options(String namespace, String image, Duration timeout, Duration collect) {
        /**
         * Collector pods in {@code namespace} from {@code image}: {@code timeoutSeconds} to start, 5 minutes (or {@code
         * timeoutSeconds} when longer) to dump.
         *
         * @throws IllegalArgumentException for a namespace that is not a DNS label, or a timeout outside (0, 3600]
         */
        public static Options of(String namespace, String image, double timeoutSeconds) {
            if (!io.skoop.model.Names.isDnsLabel(namespace)) {
                throw new IllegalArgumentException("--namespace-for-collectors " + namespace + " is not a namespace name (a DNS label)");
            }
            long ms = LiveSnapshots.millis(timeoutSeconds);
            return new Options(namespace, image, Duration.ofMillis(ms), Duration.ofMillis(Math.max(ms, 300_000)));
        }
    }

    /**
     * Collects node {@code node} into {@code dir} (created; collect-node.sh's layout: {@code host/}, {@code netns/ID/},
     * {@code netns.txt}).
     *
     * @throws LiveClusterException when the pod cannot be created (naming the permission), does not start in time
     *                              (naming why: unschedulable, image pull, …), the collection fails or times out; the
     *                              pod is deleted in every case
     */
    public static void collect(KubeConfigs.Cluster cluster, String node, Options o, Path dir) {
        CoreV1Api core = new CoreV1Api(cluster.api());
        String name = "skoop-collector-" + node.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-")
                + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
        if (name.length() > 63) {
            name = name.substring(name.length() - 63).replaceFirst("^-+", "");
        }
        String podName = name;
        Thread deleter = new Thread(() -> delete(core, o.namespace(), podName), "skoop-collector-cleanup");
        try {
            core.createNamespacedPod(o.namespace(), pod(podName, node, o)).execute();
        } catch (ApiException e) {
            throw failure(cluster, e, "create pods in namespace " + o.namespace(), "the Role skoop-collector in " + o.namespace());
        }
        Runtime.getRuntime().addShutdownHook(deleter);
        try {
            awaitRunning(cluster, core, podName, node, o);
            run(cluster, podName, node, o, dir);
        } finally {
            delete(core, o.namespace(), podName);
            try {
                Runtime.getRuntime().removeShutdownHook(deleter);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /**
     * Deletes every pod of {@code namespace} that carries the collector label (leftovers of a skoop that was killed).
     *
     * @return the names of the pods deleted
     */
    public static List<String> cleanup(KubeConfigs.Cluster cluster, String namespace) {
        CoreV1Api core = new CoreV1Api(cluster.api());
        try {
            List<String> names = core.listNamespacedPod(namespace).labelSelector(LABEL + "=" + LABEL_VALUE).execute().getItems().stream()
                    .map(p -> p.getMetadata().getName()).toList();
            names.forEach(n -> delete(core, namespace, n));
            return names;
        } catch (ApiException e) {
            throw failure(cluster, e, "list pods in namespace " + namespace, "the Role skoop-collector in " + namespace);
        }
    }

    /** The collector pod for {@code node}. */
    static V1Pod pod(String name, String node, Options o) {
        return new V1Pod().apiVersion("v1").kind("Pod")
                .metadata(new V1ObjectMeta().name(name).namespace(o.namespace()).labels(Map.of(LABEL, LABEL_VALUE, "app.kubernetes.io/name", "skoop")))
                .spec(new V1PodSpec().nodeName(node).hostNetwork(true).hostPID(true).restartPolicy("Never")
                        .tolerations(List.of(new V1Toleration().operator("Exists")))
                        .automountServiceAccountToken(false)
                        .containers(List.of(new V1Container().name(CONTAINER).image(o.image())
                                .command(List.of("sleep", String.valueOf(o.timeout().toSeconds() + o.collect().toSeconds() + 60)))
                                .securityContext(new V1SecurityContext().privileged(true))
                                .volumeMounts(List.of(new V1VolumeMount().name("netns").mountPath("/var/run/netns")
                                        .mountPropagation("HostToContainer").readOnly(true)))))
                        .volumes(List.of(new V1Volume().name("netns").hostPath(new V1HostPathVolumeSource().path("/var/run/netns")))));
    }

    private static void awaitRunning(KubeConfigs.Cluster cluster, CoreV1Api core, String name, String node, Options o) {
        long deadline = System.nanoTime() + o.timeout().toNanos();
        String why = "";
        while (System.nanoTime() < deadline) {
            V1Pod p;
            try {
                p = core.readNamespacedPod(name, o.namespace()).execute();
            } catch (ApiException e) {
                throw failure(cluster, e, "get pods in namespace " + o.namespace(), "the Role skoop-collector in " + o.namespace());
            }
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if ("Running".equals(phase)) {
                return;
            }
            if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
                throw new LiveClusterException("the collector pod " + o.namespace() + "/" + name + " on node " + node + " ended (" + phase
                        + ") before it was used" + reason(p));
            }
            why = reason(p);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LiveClusterException("interrupted while the collector pod on node " + node + " started");
            }
        }
        throw new LiveClusterException("the collector pod " + o.namespace() + "/" + name + " on node " + node + " did not start within "
                + o.timeout().toSeconds() + " s" + (why.isEmpty() ? " (Pending)" : why) + "; --timeout S waits longer, --image IMAGE "
                + "picks another image");
    }

    /** Why a pod is not running, from its conditions and container states: {@code : ImagePullBackOff (…)}, or "". */
    private static String reason(V1Pod p) {
        if (p.getStatus() == null) {
            return "";
        }
        for (V1ContainerStatus c : p.getStatus().getContainerStatuses() == null ? List.<V1ContainerStatus>of() : p.getStatus().getContainerStatuses()) {
            if (c.getState() != null && c.getState().getWaiting() != null && c.getState().getWaiting().getReason() != null) {
                return ": " + c.getState().getWaiting().getReason() + (c.getState().getWaiting().getMessage() == null ? ""
                        : " (" + c.getState().getWaiting().getMessage() + ")");
            }
        }
        for (V1PodCondition c : p.getStatus().getConditions() == null ? List.<V1PodCondition>of() : p.getStatus().getConditions()) {
            if ("False".equals(c.getStatus()) && c.getMessage() != null) {
                return ": " + c.getType() + " " + c.getReason() + " (" + c.getMessage() + ")";
            }
        }
        return "";
    }

    /** The shell command that unpacks skoop's scripts, dumps the node and writes the dump as tar to standard output. */
    static String command() {
        return "set -e; d=$(mktemp -d); cd \"$d\"; "
                + "echo " + resource("collect-netns.sh") + " | base64 -d > collect-netns.sh; "
                + "echo " + resource("collect-node.sh") + " | base64 -d > collect-node.sh; "
                + "bash collect-node.sh out >&2; tar cf - -C out .; cd /; rm -rf \"$d\"";
    }

    private static String resource(String script) {
        try (InputStream in = CollectorPods.class.getResourceAsStream("/io/skoop/scripts/" + script)) {
            if (in == null) {
                throw new IllegalStateException(script + " is missing from the jar (/io/skoop/scripts/)");
            }
            return Base64.getEncoder().encodeToString(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + script + " from the jar", e);
        }
    }

    private static void run(KubeConfigs.Cluster cluster, String name, String node, Options o, Path dir) {
        Process p;
        java.util.concurrent.atomic.AtomicReference<Throwable> execError = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            Exec exec = new Exec(cluster.api());
            exec.setOnUnhandledError(execError::set); // client-java prints these with a stack trace otherwise; ours is one line
            p = exec.exec(o.namespace(), name, new String[] {"sh", "-c", command()}, CONTAINER, false, false);
        } catch (ApiException e) {
            throw failure(cluster, e, "create pods/exec in namespace " + o.namespace(), "the Role skoop-collector in " + o.namespace());
        } catch (IOException e) {
            throw new LiveClusterException("cannot exec into the collector pod on node " + node + ": " + e.getMessage(), e);
        }
        InputStream stdout;
        InputStream stderrIn;
        try {
            stdout = p.getInputStream();
            stderrIn = p.getErrorStream();
        } catch (IllegalStateException closed) {
            // client-java's stream handler is closed already: the exec failed before its streams opened (the pod is
            // gone, the upgrade was refused); its error reaches onUnhandledError, possibly a moment later
            throw new LiveClusterException("collecting node " + node + " failed: the exec ended before it started"
                    + execFailure(execError, o.namespace() + "/" + name));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = new Thread(() -> {
            try (InputStream in = stderrIn) {
                in.transferTo(err);
            } catch (IOException ignored) {
                // the exit status tells
            }
        }, "skoop-collector-stderr");
        errReader.start();
        try {
            int files = untar(stdout, dir);
            if (!p.waitFor(o.collect().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroy();
                throw new LiveClusterException("collecting node " + node + " did not end within " + o.collect().toSeconds() + " s");
            }
            errReader.join(2000);
            String stderr = err.toString(StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0 || !Files.isDirectory(dir.resolve("host"))) {
                Throwable t = execError.get();
                throw new LiveClusterException("collecting node " + node + " failed (exit " + p.exitValue() + ", " + files + " files)"
                        + (stderr.isEmpty() ? "" : ": " + stderr.lines().reduce((a, b) -> b).orElse(""))
                        + (t == null ? "" : "; exec into " + o.namespace() + "/" + name + " failed: " + t.getMessage()));
            }
        } catch (IOException e) {
            throw new LiveClusterException("the dump of node " + node + " did not arrive whole: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new LiveClusterException("interrupted while collecting node " + node);
        }
    }

    /** {@code "; exec into POD failed: WHY"} once client-java reported the exec's error (waiting up to 2 s for it), else "". */
    private static String execFailure(java.util.concurrent.atomic.AtomicReference<Throwable> error, String pod) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (error.get() == null && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Throwable t = error.get();
        return t == null ? "" : "; exec into " + pod + " failed: " + t.getMessage();
    }

    /** Unpacks a tar stream into {@code dir}; an entry that would land outside it is refused. */
    static int untar(InputStream in, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        int n = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("tar entry " + e.getName() + " points outside " + root);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                    n++;
                }
            }
        }
        return n;
    }

    private static void delete(CoreV1Api core, String namespace, String name) {
        try {
            core.deleteNamespacedPod(name, namespace).gracePeriodSeconds(0).execute();
        } catch (ApiException e) {
            // already gone (404), or the cluster went away: skoop collect --cleanup removes leftovers by their label
        }
    }

    private static LiveClusterException failure(KubeConfigs.Cluster cluster, ApiException e, String what, String role) {
        if (e.getCode() == 403) {
            return new LiveClusterException(ApiErrors.forbidden(cluster, what, role, ApiErrors.message(e.getResponseBody())), e);
        }
        if (e.getCode() == 0) {
            return new LiveClusterException("cannot reach the API server " + cluster.server() + " to " + what + ": " + e.getMessage(), e);
        }
        return new LiveClusterException("the API server " + cluster.server() + " refused to " + what + " (HTTP " + e.getCode() + ": "
                + ApiErrors.message(e.getResponseBody()) + ")", e);
    }
}
