package io.skoop.cli.terminal

import io.skoop.testsupport.ExampleCopy
import io.skoop.testsupport.ExecApiServer
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import spock.lang.Shared
import spock.lang.Specification

/**
 * Ctrl-C during {@code skoop collect} (the packaged jar, run by failsafe after {@code package}) leaves no collector pod
 * behind — checked on the API server (real HTTP) — and {@code collect --cleanup} removes the ones a {@code kill -9}
 * left. No root: the exec is held, its command never runs.
 */
class CollectInterruptSpec extends Specification {
    static final Path SKOOP = Path.of('scripts/skoop').toAbsolutePath()
    /**
     * A shell without job control starts background commands with SIGINT ignored, and an ignored SIGINT is inherited
     * down to skoop's JVM, which then never hears it (a CI started as {@code cmd &} would fail here for that alone): skoop
     * runs through this exec wrapper, which gives SIGINT its default action back, as an interactive terminal has it.
     */
    static final List<String> WITH_DEFAULT_SIGINT = ['python3', '-c',
                                                     'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])']
    @Shared Path tmp = Files.createTempDirectory('skoop-interrupt')

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    /** An API server holding the example's objects whose exec never gets to run its command in the spec's time. */
    ExecApiServer holdingServer() {
        ExecApiServer server = new ExecApiServer(ExampleCopy.EXAMPLE.resolve('k8s'), { String node -> 'unused' }, tmp)
        server.holdExecMillis = 120_000
        server
    }

    /** Starts {@code skoop collect} against {@code server}; returns the process once a collector pod exists. */
    Process collectUntilPodExists(ExecApiServer server, String out) {
        Process p = new ProcessBuilder(WITH_DEFAULT_SIGINT + [SKOOP.toString(), 'collect', '--kubeconfig', server.kubeconfig.toString(),
                                                              tmp.resolve(out).toString()])
                .redirectErrorStream(true).redirectOutput(tmp.resolve("${out}.log").toFile()).start()
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (server.pods.isEmpty() && p.alive && System.nanoTime() < deadline) {
            Thread.sleep(50)
        }
        assert !server.pods.isEmpty(): "no collector pod was created: ${tmp.resolve("${out}.log").text}"
        Thread.sleep(300) // the exec has started
        p
    }

    def "#signal while a node is being collected: skoop ends and the server holds no collector pod"() {
        given:
        ExecApiServer server = holdingServer()
        Process p = collectUntilPodExists(server, "out-$signal")

        when:
        ['kill', "-$signal", String.valueOf(p.pid())].execute().waitFor()
        boolean ended = p.waitFor(30, TimeUnit.SECONDS)

        then:
        ended
        server.pods.isEmpty()
        server.requests.any { it.startsWith('DELETE /api/v1/namespaces/skoop/pods/skoop-collector-') }

        cleanup:
        p?.destroyForcibly()
        server?.close()

        where:
        signal << ['INT', 'TERM']
    }

    def "kill -9 leaves the pod; collect --cleanup removes it by its label"() {
        given:
        ExecApiServer server = holdingServer()
        Process p = collectUntilPodExists(server, 'out-9')

        when:
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS)
        int left = server.pods.size()
        Process c = new ProcessBuilder(SKOOP.toString(), 'collect', '--kubeconfig', server.kubeconfig.toString(), '--cleanup')
                .redirectErrorStream(true).start()
        String out = c.inputStream.text
        c.waitFor(60, TimeUnit.SECONDS)

        then:
        left == 1
        c.exitValue() == 0
        out.startsWith('deleted 1 collector pods in namespace skoop: skoop-collector-node-1-')
        server.pods.isEmpty()

        cleanup:
        server?.close()
    }
}
