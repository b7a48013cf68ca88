package io.skoop.notebook.jupyter

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification

import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.net.http.WebSocket
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionStage
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * The skoop kernel under Debian's Jupyter Notebook server (the classic server, on 127.0.0.1 with a token), used the way
 * its web page uses it: the REST API lists the kernelspec and starts a kernel; one cell runs over the kernel's
 * websocket ({@code /api/kernels/ID/channels}, Jupyter's JSON message format) and its result comes back.
 */
class NotebookServerSpec extends Specification {
    @Shared Jupyter jupyter = new Jupyter()
    @Shared Process server
    @Shared int port
    @Shared String token = UUID.randomUUID().toString()
    @Shared HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()

    def setupSpec() {
        port = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()).withCloseable { it.localPort }
        List<String> cmd = ['jupyter', 'notebook', '--no-browser', '--ip=127.0.0.1', "--port=$port".toString(), '--port-retries=0',
                "--NotebookApp.token=$token".toString(), "--notebook-dir=${jupyter.home}".toString()]
        if ('id -u'.execute().text.trim() == '0') {
            cmd << '--allow-root' // CI runs as root; the server refuses to without it
        }
        def pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(jupyter.home.resolve('server.log').toFile())
        pb.environment().putAll(jupyter.env())
        server = pb.start()
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (true) {
            try {
                if (get('/api/status').statusCode() == 200) {
                    break
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            assert server.alive && System.nanoTime() < end: "the notebook server did not start:\n${Files.readString(jupyter.home.resolve('server.log'))}"
            Thread.sleep(200)
        }
    }

    def cleanupSpec() {
        server?.destroy()
        server?.waitFor(20, TimeUnit.SECONDS)
        server?.destroyForcibly()
        jupyter.close()
    }

    HttpResponse<String> get(String path) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:$port$path?token=$token")).GET().build(), HttpResponse.BodyHandlers.ofString())
    }

    HttpResponse<String> post(String path, String body) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:$port$path?token=$token")).header('Content-Type', 'application/json')
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
    }

    def "the server lists the skoop kernelspec with its logo"() {
        when:
        def specs = new JsonSlurper().parseText(get('/api/kernelspecs').body())

        then:
        specs.kernelspecs.skoop.spec.display_name == 'skoop (Groovy)'
        specs.kernelspecs.skoop.spec.language == 'groovy'
        specs.kernelspecs.skoop.resources.keySet().containsAll(['logo-32x32', 'logo-64x64', 'logo-svg'])
        get("/kernelspecs/skoop/logo-64x64.png").statusCode() == 200
    }

    def "a kernel started through the REST API runs a cell sent over its websocket"() {
        when:
        def kernel = new JsonSlurper().parseText(post('/api/kernels', '{"name": "skoop"}').body())
        def messages = new LinkedBlockingQueue<Map>()
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:$port/api/kernels/${kernel.id}/channels?token=$token"),
                new WebSocket.Listener() {
                    StringBuilder part = new StringBuilder()

                    @Override
                    CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        part << data
                        if (last) {
                            messages << (new JsonSlurper().parseText(part.toString()) as Map)
                            part.setLength(0)
                        }
                        w.request(1)
                        CompletableFuture.completedFuture(null)
                    }
                }).get(30, TimeUnit.SECONDS)
        String msgId = UUID.randomUUID().toString()
        ws.sendText(JsonOutput.toJson([header       : [msg_id: msgId, username: 'spec', session: UUID.randomUUID().toString(),
                                                        msg_type: 'execute_request', version: '5.3', date: java.time.Instant.now().toString()],
                                       parent_header: [:], metadata: [:], channel: 'shell', buffers: [],
                                       content      : [code: "example('flannel-vxlan')\ndiagnose(pod('default/client'), service('default/web', 80)).verdict",
                                                       silent: false, store_history: true, user_expressions: [:], allow_stdin: false, stop_on_error: true]]), true)
        Map result = null
        Map reply = null
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
        while (reply == null && System.nanoTime() < end) {
            Map m = messages.poll(1, TimeUnit.SECONDS)
            if (m?.parent_header?.msg_id == msgId) {
                if (m.msg_type == 'execute_result') {
                    result = m
                } else if (m.msg_type == 'execute_reply') {
                    reply = m
                }
            }
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, 'done').get(10, TimeUnit.SECONDS)
        int deleted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:$port/api/kernels/${kernel.id}?token=$token")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()

        then:
        kernel.name == 'skoop'
        reply.content.status == 'ok'
        result.content.data['text/plain'] == 'REACHABLE'
        result.content.execution_count == 1
        deleted == 204
    }
}
