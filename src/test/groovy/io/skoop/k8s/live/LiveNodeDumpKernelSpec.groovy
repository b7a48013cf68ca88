package io.skoop.k8s.live

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.dsl.Scripts
import io.skoop.dsl.Session
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabSnapshot
import io.skoop.lab.run.LabStore
import io.skoop.lab.run.Labs
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.Cli
import io.skoop.testsupport.ExecApiServer
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.MockApiServer
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * A "live" collection of a lab, as a user without collector pods makes it: {@code scripts/collect-node.sh} run in each
 * node's namespace (it finds every namespace on this machine: its own node's pods, the other nodes', the underlay) and
 * {@code skoop collect --node-dump} against an API server (real HTTP) holding the lab's objects. The pods' namespaces
 * are told apart by their addresses alone, and the diagnoses equal those of {@code skoop lab snapshot} on the same lab,
 * so the kernel's agreement with the lab snapshot carries over. Needs root: runs in CI.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class LiveNodeDumpKernelSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-live-lab')
    @Shared Labs labs = new Labs(new LabStore(tmp.resolve('state')))
    @Shared Lab lab
    @Shared MockApiServer api
    @Shared Path reference = tmp.resolve('lab-snapshot')

    /**
     * What collect-node.sh scans: this lab's namespaces (NETNS_DIR) and the processes in them (PROC, links to /proc).
     * On a node it sees that node's alone; on this machine other labs — CI's specs, a developer's — hold the same pod
     * addresses, and a namespace twice claimed is rightly left out.
     */
    @Shared Map<String, String> scope

    def setupSpec() {
        String yaml = LabExamples.text('flannel-host-gw')
        ResolvedTopology t = LabExamples.load('flannel-host-gw').withName('lv' + Long.toString(System.nanoTime() % 100_000L, 36))
        lab = labs.up(t, 'example flannel-host-gw', 'flannel-host-gw.yaml', yaml, null).lab()
        LabSnapshot.take(lab, yaml, reference, 'test')
        Path netnsDir = Files.createDirectories(tmp.resolve('scope/netns'))
        Path proc = Files.createDirectories(tmp.resolve('scope/proc'))
        lab.entry().namespaces().each { String ns ->
            List<String> pids = ['ip', 'netns', 'pids', ns].execute().text.readLines()*.trim().findAll()
            if (ns.contains('.pod.') && pids) {
                // a pod namespace with processes is found through /proc only, as a runtime that names none would leave it
                pids.each { pid ->
                    Files.createDirectories(proc.resolve("$pid/ns"))
                    Files.createSymbolicLink(proc.resolve("$pid/ns/net"), Path.of("/proc/$pid/ns/net"))
                }
            } else {
                Files.createSymbolicLink(netnsDir.resolve(ns), Path.of('/var/run/netns', ns))
            }
        }
        assert Files.list(proc).count() > 0: 'the lab runs listeners'
        scope = [NETNS_DIR: netnsDir.toString(), PROC: proc.toString()]
        api = new MockApiServer(MockApiServer.items(reference.resolve('k8s'),
                ['namespaces', 'nodes', 'pods', 'services', 'endpointslices', 'configmaps']), tmp)
    }

    def cleanupSpec() {
        api?.close()
        if (lab != null) {
            labs.down(lab.name())
        }
        tmp.toFile().deleteDir()
    }

    def "collect-node.sh on each node + collect --node-dump: every pod namespace found by its address, the lab snapshot's diagnoses"() {
        given: 'each node dumped from inside its namespace, as on a real node'
        Map<String, Path> dumps = [:]
        lab.topology().nodes().each { n ->
            Path d = tmp.resolve("dump-${n.name()}")
            def r = io.skoop.lab.run.Proc.run(['ip', 'netns', 'exec', lab.netns(n.name()), 'env', "NETNS_DIR=${scope.NETNS_DIR}".toString(),
                    "PROC=${scope.PROC}".toString(), 'bash', 'scripts/collect-node.sh', d.toString()], null, Duration.ofSeconds(120))
            assert r.ok(): r.err()
            dumps[n.name()] = d
        }
        Path out = tmp.resolve('live')

        when:
        List<String> args = ['collect', '--kubeconfig', api.kubeconfig.toString(), '--service-cidr', lab.topology().serviceCIDR().toString()]
        dumps.each { node, d -> args += ['--node-dump', "$node=$d".toString()] }
        def (code, text, err) = Cli.run((args + [out.toString()]) as String[])

        then: 'pod namespaces found through /proc (by a process in them) and named ones alike'
        dumps.values().every { Files.readString(it.resolve('netns.txt')).contains('\npid-') }

        and: 'the node and pod folders are the lab snapshot\'s'
        code == 0
        err == ''
        folders(out) == folders(reference)
        !text.contains('nodes without a dump')
        text =~ /nodes\/node-1: host, \d+ pod namespaces/
        text =~ /other namespaces hold no address of a pod of node-1 \(left out\)/   // the other nodes' pods, the underlay…

        and: 'the diagnoses agree with the lab snapshot\'s'
        Diagnostor live = new Diagnostor(Snapshot.open(out))
        Diagnostor ref = new Diagnostor(Snapshot.open(reference))
        [['default/client', 'svc/default/web', null], ['default/client', 'default/web-2', '8080'], ['default/client', 'node/node-2', '10250'],
         ['default/client', 'default/sleeper', '80']].every { src, dst, port ->
            Query q = new Query(src, dst, port, Protocol.TCP)
            same(live.diagnose(q), ref.diagnose(q))
        }
    }

    def "collector pods: one per node, exec'd over WebSocket, the same snapshot; every pod deleted; one that never starts is named"() {
        given: 'an API server whose pods/exec runs the command in the namespace of the pod\'s node'
        ExecApiServer server = labServer()
        Path out = tmp.resolve('collected')
        Path pending = tmp.resolve('pending')

        when:
        def (code, text, err) = Cli.run('collect', '--kubeconfig', server.kubeconfig.toString(), '--service-cidr',
                lab.topology().serviceCIDR().toString(), out.toString())
        List<String> created = server.requests.findAll { it.startsWith('POST /api/v1/namespaces/skoop/pods') }

        then: 'the lab snapshot\'s folders and diagnoses'
        code == 0
        err == ''
        folders(out) == folders(reference)
        created.size() == lab.topology().nodes().size()
        server.requests.count { it.startsWith('GET /api/v1/namespaces/skoop/pods/skoop-collector-') && it.contains('/exec?') } == created.size()
        server.requests.count { it.startsWith('DELETE /api/v1/namespaces/skoop/pods/skoop-collector-') } == created.size()
        server.pods.isEmpty()
        Diagnostor live = new Diagnostor(Snapshot.open(out))
        Diagnostor ref = new Diagnostor(Snapshot.open(reference))
        Query q = new Query('default/client', 'svc/default/web', null, Protocol.TCP)
        same(live.diagnose(q), ref.diagnose(q))

        when: 'the pods stay Pending'
        server.phase = 'Pending'
        def (pcode, ptext, perr) = Cli.run('collect', '--kubeconfig', server.kubeconfig.toString(), '--timeout', '1', '--nodes', 'node-2',
                pending.toString())

        then:
        pcode == 1
        ptext.contains('on node node-2 did not start within 1 s: PodScheduled Unschedulable (0/3 nodes are available)')
        server.pods.isEmpty()

        cleanup:
        server?.close()
    }

    def "diagnose --kubeconfig: only the nodes the walk reaches are collected, into --keep, and the verdict is the lab snapshot's"() {
        given:
        ExecApiServer server = labServer()
        Path keep = tmp.resolve('keep')
        Query q = new Query('default/client', 'default/web-2', '8080', Protocol.TCP)

        when:
        def (code, text, err) = Cli.run('diagnose', '--kubeconfig', server.kubeconfig.toString(), '--keep', keep.toString(),
                '-s', 'default/client', '-d', 'default/web-2', '-p', '8080', '-o', 'json')
        def json = new groovy.json.JsonSlurper().parseText(text)
        Diagnosis ref = new Diagnostor(Snapshot.open(reference)).diagnose(q)

        then: 'client on node-1 to web-2 on node-2: those two nodes only'
        code == 0
        json.verdict == ref.verdict().name()
        json.successProbability == ref.successProbability()
        err.trim() == "skoop: collected [node-1, node-2] into $keep (skoop diagnose --snapshot $keep … diagnoses it again)"
        Files.isDirectory(keep.resolve('nodes/node-1/host')) && Files.isDirectory(keep.resolve('nodes/node-2/pods/default_web-2'))
        !Files.exists(keep.resolve('nodes/node-3'))
        server.requests.count { it.startsWith('POST /api/v1/namespaces/skoop/pods') } == 2
        server.pods.isEmpty()

        and: 'the folder diagnoses again without the cluster'
        Cli.run('diagnose', '--snapshot', keep.toString(), '-s', 'default/client', '-d', 'default/web-2', '-p', '8080')[0] == 0

        cleanup:
        server?.close()
    }

    def "the DSL's live(...): a session's second diagnosis collects only the nodes the first did not reach"() {
        given:
        ExecApiServer server = labServer()
        Session session = new Session()
        Path keep = tmp.resolve('dsl-keep')
        Diagnostor ref = new Diagnostor(Snapshot.open(reference))

        when:
        Scripts.run("live(kubeconfig: '${server.kubeconfig}', keep: '$keep', timeout: 20)", session)
        def toPod = Scripts.run("diagnose(pod('default/client'), pod('default/web-2', 8080)).verdict", session).result
        int podsFirst = server.requests.count { it.startsWith('POST /api/v1/namespaces/skoop/pods') }
        def toService = Scripts.run("diagnose(pod('default/client'), service('default/web', 80)).verdict", session).result
        int podsBoth = server.requests.count { it.startsWith('POST /api/v1/namespaces/skoop/pods') }

        then:
        toPod == ref.diagnose(new Query('default/client', 'default/web-2', '8080', Protocol.TCP)).verdict()
        toService == ref.diagnose(new Query('default/client', 'svc/default/web', '80', Protocol.TCP)).verdict()
        podsFirst == 2
        podsBoth == 3
        server.pods.isEmpty()

        cleanup:
        server?.close()
    }

    /** An API server holding the lab's objects whose pods/exec runs in the pod's lab node, scanning this lab only. */
    ExecApiServer labServer() {
        ExecApiServer server = new ExecApiServer(reference.resolve('k8s'), { String node -> lab.netns(node) }, tmp)
        server.env.putAll(scope)
        server
    }

    /** Every dump folder of a snapshot: {@code nodes/NODE/host}, {@code nodes/NODE/pods/NS_POD}. */
    static Set<String> folders(Path snapshot) {
        Files.walk(snapshot.resolve('nodes')).withCloseable { s ->
            s.filter { Files.exists(it.resolve('meta.json')) }.collect { snapshot.relativize(it).toString() } as Set
        }
    }

    static boolean same(Diagnosis a, Diagnosis b) {
        assert a.verdict() == b.verdict()
        assert a.successProbability() == b.successProbability()
        assert a.branches().collect { [it.direction(), it.kind(), it.hop(), it.reason()] } == b.branches().collect { [it.direction(), it.kind(), it.hop(), it.reason()] }
        true
    }
}
