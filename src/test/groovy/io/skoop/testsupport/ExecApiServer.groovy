package io.skoop.testsupport

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.ConcurrentHashMap
import okhttp3.Response
import okhttp3.WebSocket
import okhttp3.WebSocketListener
import okhttp3.mockwebserver.Dispatcher
import okhttp3.mockwebserver.MockResponse
import okhttp3.mockwebserver.MockWebServer
import okhttp3.mockwebserver.RecordedRequest
import okio.ByteString

/**
 * A Kubernetes API server over real HTTP that runs pods: the lists of a snapshot's {@code k8s/} folder, pods created,
 * read, listed by label and deleted in memory, and {@code pods/exec} over WebSocket (channel protocol
 * v4.channel.k8s.io: stdout on channel 1, stderr on 2, the exit Status on 3) served by running the command in the
 * network namespace that stands for the pod's node ({@code ip netns exec}) — a lab node for a collector pod.
 */
class ExecApiServer implements AutoCloseable {
    /** The mock servers' loggers, kept at WARNING (held here: a logger only weakly referenced loses its level). */
    static final List<java.util.logging.Logger> QUIET = ['io.fabric8.mockwebserver', 'okhttp3.mockwebserver', 'mockwebserver3'].collect {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(it)
        l.level = java.util.logging.Level.WARNING
        l
    }

    final MockWebServer server = new MockWebServer()
    final Map<String, Map> pods = new ConcurrentHashMap<>()
    final List<String> requests = Collections.synchronizedList([])
    /** The phase a created pod gets: Running, or Pending (a collector that never starts). */
    volatile String phase = 'Running'
    private final Map<String, String> lists = [:]
    private final Closure<String> netnsOfNode
    /** Every pod as created (the request's body), in order. */
    final List<Map> created = Collections.synchronizedList([])
    /** True: a pod is gone when its exec arrives (deleted by someone else between create and exec). */
    volatile boolean vanishBeforeExec = false
    /** True: creating pods is forbidden (HTTP 403, as RBAC answers). */
    volatile boolean forbidCreate = false
    /** Milliseconds an exec waits before its command runs (a collection that takes long, to be interrupted). */
    volatile long holdExecMillis = 0
    /** Environment variables of every exec'd command (collect-node.sh's NETNS_DIR and PROC, say). */
    final Map<String, String> env = [:]
    final Path kubeconfig

    ExecApiServer(Path k8sDir, Closure<String> netnsOfNode, Path dir) {
        QUIET // every request is logged at INFO otherwise, thousands of lines in CI
        this.netnsOfNode = netnsOfNode
        ['namespaces': '/api/v1/namespaces', 'nodes': '/api/v1/nodes', 'pods': '/api/v1/pods', 'services': '/api/v1/services',
         'endpointslices': '/apis/discovery.k8s.io/v1/endpointslices', 'configmaps': '/api/v1/configmaps'].each { kind, path ->
            lists[path] = k8sDir.resolve("${kind}.json").text
        }
        ['/apis/networking.k8s.io/v1/networkpolicies', '/apis/apps/v1/daemonsets'].each {
            lists[it] = '{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}'
        }
        server.dispatcher = new Dispatcher() {
            @Override
            MockResponse dispatch(RecordedRequest r) {
                requests << "${r.method} ${r.path}".toString()
                handle(r)
            }
        }
        server.start()
        kubeconfig = Kubeconfig.write(dir.resolve('kubeconfig-exec'), server.url('/').toString().replaceAll('/$', ''), 'exec')
    }

    private MockResponse handle(RecordedRequest r) {
        String path = r.requestUrl.encodedPath()
        def m = path =~ '^/api/v1/namespaces/([^/]+)/pods(?:/([^/]+))?(/exec)?$'
        if (r.method == 'GET' && lists.containsKey(path)) {
            return json(200, lists[path])
        }
        if (!m.matches()) {
            return json(404, '{"kind":"Status","status":"Failure","message":"not served here","code":404}')
        }
        String ns = m.group(1), name = m.group(2)
        if (m.group(3)) {
            return exec(r, ns, name)
        }
        switch (r.method) {
            case 'POST':
                if (forbidCreate) {
                    return json(403, '{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods is forbidden: User \\"u\\" cannot create resource \\"pods\\" in API group \\"\\" in the namespace \\"skoop\\"","reason":"Forbidden","code":403}')
                }
                Map pod = new JsonSlurper().parseText(r.body.readUtf8()) as Map
                created << new JsonSlurper().parseText(JsonOutput.toJson(pod))
                pod.metadata.uid = UUID.randomUUID().toString()
                pod.status = [phase: phase, conditions: phase == 'Running' ? [[type: 'Ready', status: 'True']]
                        : [[type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available']]]
                pods["$ns/${pod.metadata.name}".toString()] = pod
                return json(201, JsonOutput.toJson(pod))
            case 'GET':
                if (name == null) {
                    String selector = r.requestUrl.queryParameter('labelSelector')
                    def items = pods.findAll { k, v -> k.startsWith("$ns/") && (selector == null || selector.split('=').with { v.metadata.labels?.get(it[0]) == it[1] }) }.values()
                    return json(200, JsonOutput.toJson([kind: 'PodList', apiVersion: 'v1', metadata: [:], items: items]))
                }
                Map pod = pods["$ns/$name".toString()]
                return pod == null ? json(404, '{"kind":"Status","status":"Failure","reason":"NotFound","code":404}') : json(200, JsonOutput.toJson(pod))
            case 'DELETE':
                Map pod = pods.remove("$ns/$name".toString())
                return pod == null ? json(404, '{"kind":"Status","status":"Failure","reason":"NotFound","code":404}') : json(200, JsonOutput.toJson(pod))
        }
        json(405, '{"kind":"Status","status":"Failure","code":405}')
    }

    private MockResponse exec(RecordedRequest r, String ns, String name) {
        if (vanishBeforeExec) {
            pods.remove("$ns/$name".toString())
        }
        Map pod = pods["$ns/$name".toString()]
        if (pod == null) {
            return json(404, '{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \\"' + name + '\\" not found","reason":"NotFound","code":404}')
        }
        List<String> command = r.requestUrl.queryParameterValues('command')
        String netns = netnsOfNode(pod.spec.nodeName as String)
        new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override
            void onOpen(WebSocket ws, Response response) {
                Thread.start {
                    if (holdExecMillis > 0) {
                        Thread.sleep(holdExecMillis)
                    }
                    ProcessBuilder pb = new ProcessBuilder(['ip', 'netns', 'exec', netns] + command)
                    pb.environment().putAll(env)
                    Process p = pb.start()
                    Thread err = Thread.start { pump(p.errorStream, ws, 2) }
                    pump(p.inputStream, ws, 1)
                    err.join()
                    int code = p.waitFor()
                    String status = code == 0 ? '{"metadata":{},"status":"Success"}'
                            : """{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status $code","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"$code"}]}}"""
                    ws.send(ByteString.of(([3 as byte] + status.getBytes('UTF-8').toList()) as byte[]))
                    ws.close(1000, null)
                }
            }
        }).setHeader('Sec-WebSocket-Protocol', 'v4.channel.k8s.io')
    }

    private static void pump(InputStream in, WebSocket ws, int channel) {
        byte[] buf = new byte[32768]
        int n
        while ((n = in.read(buf)) > 0) {
            byte[] frame = new byte[n + 1]
            frame[0] = channel as byte
            System.arraycopy(buf, 0, frame, 1, n)
            ws.send(ByteString.of(frame))
        }
    }

    private static MockResponse json(int code, String body) {
        new MockResponse().setResponseCode(code).setHeader('Content-Type', 'application/json').setBody(body)
    }

    @Override
    void close() {
        server.shutdown()
    }
}
