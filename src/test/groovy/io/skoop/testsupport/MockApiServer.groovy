package io.skoop.testsupport

import io.fabric8.kubernetes.client.KubernetesClient
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer
import io.fabric8.mockwebserver.Context
import io.fabric8.mockwebserver.MockWebServer
import java.nio.file.Files
import java.nio.file.Path

/**
 * A Kubernetes API server over real HTTP (fabric8's mock in CRUD mode: list, get, create, delete) holding the objects
 * given, and a kubeconfig that points at it (context {@code mock}, a bearer token).
 */
class MockApiServer implements AutoCloseable {
    /** The mock servers' loggers, kept at WARNING (held here: a logger only weakly referenced loses its level). */
    static final List<java.util.logging.Logger> QUIET = ['io.fabric8.mockwebserver', 'okhttp3.mockwebserver', 'mockwebserver3'].collect {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(it)
        l.level = java.util.logging.Level.WARNING
        l
    }

    final KubernetesMockServer server
    final Path kubeconfig

    /** @param items each object as JSON text; created in order (namespaces first) */
    MockApiServer(Iterable<String> items, Path dir) {
        this(items, dir, false)
    }

    /**
     * @param items each object as JSON text; created in order (namespaces first)
     * @param https true to serve HTTPS with a self-signed certificate for localhost ({@link #certificate()})
     */
    MockApiServer(Iterable<String> items, Path dir, boolean https) {
        QUIET // every request is logged at INFO otherwise, thousands of lines in CI
        server = new KubernetesMockServer(new Context(), new MockWebServer(), [:], new KubernetesCrudDispatcher(), https)
        server.init()
        KubernetesClient client = server.createClient()
        try {
            items.each { client.resource(it).create() }
        } finally {
            client.close()
        }
        kubeconfig = Kubeconfig.write(dir.resolve('kubeconfig'), url(), 'mock', 'secret')
    }

    /** The PEM file of an HTTPS server's self-signed certificate (its own CA). */
    Path certificate() {
        Path.of(server.selfSignedCertificate.certificatePath())
    }

    /** The server's URL without a final slash. */
    String url() {
        server.url('/').replaceAll('/$', '')
    }

    /** The items of the kubectl List files {@code k8sDir/KIND.json}, for the kinds given, as JSON texts. */
    static List<String> items(Path k8sDir, List<String> kinds) {
        kinds.collectMany { kind ->
            def list = new groovy.json.JsonSlurper().parse(k8sDir.resolve("${kind}.json").toFile())
            list.items.collect { groovy.json.JsonOutput.toJson(it) }
        }
    }

    @Override
    void close() {
        server.destroy()
    }
}
