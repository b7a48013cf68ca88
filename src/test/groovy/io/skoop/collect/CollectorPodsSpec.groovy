package io.skoop.collect

import io.skoop.testsupport.Cli
import io.skoop.testsupport.ExampleCopy
import io.skoop.testsupport.ExecApiServer
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/**
 * {@link CollectorPods} against an API server over real HTTP, where no command has to run (no root): the pod it asks
 * for, a pod that vanishes before its exec, a refused create. Collections that run are in LiveNodeDumpKernelSpec.
 */
class CollectorPodsSpec extends Specification {
    @TempDir Path tmp
    ExecApiServer server

    def setup() {
        server = new ExecApiServer(ExampleCopy.EXAMPLE.resolve('k8s'), { String node -> 'unused' }, tmp)
    }

    def cleanup() {
        server?.close()
    }

    def "the pod: on the node by name, host network and PIDs, privileged, every taint tolerated, no token, netns read-only, labelled"() {
        given:
        server.vanishBeforeExec = true

        when:
        Cli.run('collect', '--kubeconfig', server.kubeconfig.toString(), '--nodes', 'node-2', '--image', 'registry.local/netshoot:1',
                '--namespace-for-collectors', 'netdiag', tmp.resolve('out').toString())
        Map pod = server.created[0]

        then:
        server.created.size() == 1
        pod.metadata.namespace == 'netdiag'
        pod.metadata.name ==~ /skoop-collector-node-2-[a-z0-9]+/
        pod.metadata.labels == ['app.kubernetes.io/managed-by': 'skoop-collector', 'app.kubernetes.io/name': 'skoop']
        pod.spec.nodeName == 'node-2'
        pod.spec.hostNetwork && pod.spec.hostPID
        pod.spec.restartPolicy == 'Never'
        pod.spec.automountServiceAccountToken == false
        pod.spec.tolerations == [[operator: 'Exists']]
        pod.spec.containers[0].image == 'registry.local/netshoot:1'
        pod.spec.containers[0].securityContext.privileged
        pod.spec.containers[0].command[0] == 'sleep'
        pod.spec.containers[0].volumeMounts == [[name: 'netns', mountPath: '/var/run/netns', mountPropagation: 'HostToContainer', readOnly: true]]
        pod.spec.volumes == [[name: 'netns', hostPath: [path: '/var/run/netns']]]
    }

    def "a pod deleted between create and exec: that node is named NOT collected, exit 1, the objects kept"() {
        given:
        server.vanishBeforeExec = true

        when:
        def (code, out, err) = Cli.run('collect', '--kubeconfig', server.kubeconfig.toString(), '--nodes', 'node-1', tmp.resolve('out').toString())

        then:
        code == 1
        out.readLines().find { it.contains('NOT collected') } ==~ /  nodes\/node-1: NOT collected: .*exec into skoop\/skoop-collector-node-1-\w+ failed: Expected HTTP 101 response but was '404 Client Error'/
        err == ''
        Files.isRegularFile(tmp.resolve('out/k8s/pods.json'))
        server.pods.isEmpty()
    }

    def "a notebook cell on a live cluster whose node cannot be collected: the diagnosis is UNKNOWN and says why, never a network verdict"() {
        given: 'the notebook kernel\'s evaluator; every collector pod vanishes before its exec'
        server.vanishBeforeExec = true
        def ev = new io.skoop.notebook.CellEvaluator(new io.skoop.dsl.Session(), new PrintStream(new ByteArrayOutputStream(), true))

        when:
        ev.eval("live(kubeconfig: '${server.kubeconfig}', keep: '${tmp.resolve('keep')}')", 'In [1]')
        def d = ev.eval("diagnose(pod('default/client'), pod('default/web-2', 8080))", 'In [2]').value()
        List<String> messages = (d.diagnosis.suspicions() + d.diagnosis.request().nodes().collectMany { it.suspicions() })*.message()

        then: 'the client\'s node could not be dumped: UNKNOWN, naming the node and the reason'
        d.verdict.name() == 'UNKNOWN'
        messages.any { it.contains('collecting node node-1 failed: ') && it.contains('exec into skoop/skoop-collector-node-1-') }
        server.pods.isEmpty()
    }

    def "creating pods forbidden: the node is named with the verb, the resource and the role that grants it"() {
        given:
        server.forbidCreate = true

        when:
        def (code, out, err) = Cli.run('collect', '--kubeconfig', server.kubeconfig.toString(), '--nodes', 'node-3', tmp.resolve('out').toString())

        then:
        code == 1
        out.contains('nodes/node-3: NOT collected: forbidden: skoop may not create pods in namespace skoop (HTTP 403: pods is forbidden: '
                + 'User "u" cannot create resource "pods" in API group "" in the namespace "skoop"); bind the Role skoop-collector in skoop '
                + 'to the user of context exec (skoop collect --print-rbac prints it)')
    }
}
