package io.skoop.k8s.live

import io.skoop.testsupport.Cli
import io.skoop.testsupport.Kubeconfig
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import groovy.json.JsonSlurper
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/**
 * {@code skoop collect} against API servers that misbehave, over real HTTP (the JDK's server answering as a
 * kube-apiserver would): each failure is one line naming what was asked and what to do, exit 2, and no half snapshot
 * is left behind. Also paging: a list served in two pages comes back whole.
 */
class LiveErrorsSpec extends Specification {
    @TempDir Path dir
    HttpServer http

    def cleanup() {
        http?.stop(0)
    }

    static final String LIST_OK = '{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}'

    /** Serves {@code handler(exchange)} → [status, body] for every path; returns a kubeconfig pointing at it. */
    Path serve(Closure<List> handler) {
        http = HttpServer.create(new InetSocketAddress('127.0.0.1', 0), 0)
        http.createContext('/') { HttpExchange ex ->
            def (int status, String body) = handler(ex)
            byte[] b = body.getBytes(StandardCharsets.UTF_8)
            ex.responseHeaders.add('Content-Type', body.startsWith('{') ? 'application/json' : 'text/html')
            ex.sendResponseHeaders(status, b.length)
            ex.responseBody.withCloseable { it.write(b) }
        }
        http.start()
        kubeconfig("http://127.0.0.1:${http.address.port}")
    }

    Path kubeconfig(String server) {
        Kubeconfig.write(dir.resolve('kubeconfig'), server, 'test', 'expired')
    }

    static List run(String... args) {
        Cli.run(args)
    }

    static String status(int code, String reason, String message) {
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"$message","reason":"$reason","code":$code}"""
    }

    def "#why: exit 2, one line, and OUTDIR as it was"() {
        given:
        Path kc = serve { HttpExchange ex -> handler(ex.requestURI.path) }
        Path out = dir.resolve('snap')

        when:
        def (code, text, err) = run('collect', '--kubeconfig', kc.toString(), '--objects-only', '--timeout', '1', out.toString())
        String server = "http://127.0.0.1:${http.address.port}"

        then:
        code == 2
        err.readLines().size() == 1
        err.trim().replace(server, 'SERVER') == "skoop: error: $message".toString()
        !Files.exists(out)

        where:
        why | handler || message
        'RBAC refuses nodes' | { String p -> p == '/api/v1/nodes' ? [403, status(403, 'Forbidden', 'nodes is forbidden: User \\"alice\\" cannot list resource \\"nodes\\" in API group \\"\\" at the cluster scope')] : [200, LIST_OK] } ||
                'forbidden: skoop may not list nodes cluster-wide (HTTP 403: nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope); bind the ClusterRole skoop-reader to the user of context test (skoop collect --print-rbac prints it)'
        'RBAC refuses endpointslices' | { String p -> p.contains('endpointslices') ? [403, status(403, 'Forbidden', 'no')] : [200, LIST_OK] } ||
                'forbidden: skoop may not list endpointslices.discovery.k8s.io cluster-wide (HTTP 403: no); bind the ClusterRole skoop-reader to the user of context test (skoop collect --print-rbac prints it)'
        'expired credentials' | { String p -> [401, status(401, 'Unauthorized', 'Unauthorized')] } ||
                'the API server SERVER rejected the credentials of context test (HTTP 401 Unauthorized: Unauthorized): an expired or revoked token or certificate? kubectl would fail the same way'
        'a proxy in the way' | { String p -> [502, '<html><body>Bad Gateway</body></html>'] } ||
                'the API server SERVER failed to list namespaces cluster-wide (HTTP 502: <html><body>Bad Gateway</body></html>)'
        'not a List' | { String p -> [200, 'hello'] } ||
                'SERVER/api/v1/namespaces answered something that is not JSON: Unrecognized token \'hello\': was expecting (JSON String, Number, Array, Object or token \'null\', \'true\' or \'false\')'
        'an old API server without EndpointSlices' | { String p -> p.contains('endpointslices') ? [404, status(404, 'NotFound', 'the server could not find the requested resource')] : [200, LIST_OK] } ||
                'the API server SERVER does not serve /apis/discovery.k8s.io/v1/endpointslices (HTTP 404: the server could not find the requested resource): skoop needs discovery.k8s.io/v1 EndpointSlice (Kubernetes 1.21 or newer)'
        'stops answering' | { String p -> if (p == '/api/v1/pods') { Thread.sleep(3000) }; [200, LIST_OK] } ||
                'the API server SERVER did not answer the list of pods within 1.0 s; --timeout S waits longer'
    }

    def "AdminNetworkPolicy CRDs not installed (404): no file for them, the rest collected, a snapshot the diagnosis reads"() {
        given:
        Path kc = serve { HttpExchange ex ->
            ex.requestURI.path.contains('policy.networking.k8s.io') ? [404, status(404, 'NotFound', 'the server could not find the requested resource')]
                    : [200, LIST_OK]
        }
        Path out = dir.resolve('no-anp')

        when:
        def (code, text, err) = run('collect', '--kubeconfig', kc.toString(), '--objects-only', out.toString())

        then:
        code == 0
        Files.isRegularFile(out.resolve('k8s/networkpolicies.json'))
        !Files.exists(out.resolve('k8s/adminnetworkpolicies.json'))
        !Files.exists(out.resolve('k8s/baselineadminnetworkpolicies.json'))
        io.skoop.snapshot.k8s.KubeObjects.read(out.resolve('k8s')).adminNetworkPolicies().isEmpty()
    }

    def "an API server nobody listens on"() {
        given:
        def s = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1'))
        int port = s.localPort
        s.close()
        Path kc = kubeconfig("http://127.0.0.1:$port")

        when:
        def (code, text, err) = run('collect', '--kubeconfig', kc.toString(), '--objects-only', dir.resolve('x').toString())

        then:
        code == 2
        err.startsWith("skoop: error: cannot reach the API server http://127.0.0.1:$port (context test): ")
    }

    def "a list served in pages (limit/continue) comes back whole, each item with apiVersion and kind"() {
        given:
        List<String> asked = []
        Path kc = serve { HttpExchange ex ->
            asked << ex.requestURI.query
            if (ex.requestURI.path != '/api/v1/pods') {
                return [200, LIST_OK]
            }
            boolean second = ex.requestURI.query?.contains('continue=c1')
            [200, """{"kind":"PodList","apiVersion":"v1","metadata":{"continue":"${second ? '' : 'c1'}"},
                      "items":[{"metadata":{"name":"p${second ? 2 : 1}","namespace":"default"},"spec":{},"status":{}}]}"""]
        }
        Path out = dir.resolve('paged')

        when:
        def (code, text, err) = run('collect', '--kubeconfig', kc.toString(), '--objects-only', out.toString())
        def pods = new JsonSlurper().parse(out.resolve('k8s/pods.json').toFile())

        then:
        code == 0
        pods.items*.metadata*.name == ['p1', 'p2']
        pods.items.every { it.apiVersion == 'v1' && it.kind == 'Pod' }
        asked.findAll { it?.contains('limit=500') }.size() >= LiveObjects.KINDS.size() + 1
        asked.any { it?.contains('continue=c1') }
    }
}
