package io.skoop.dsl

import io.skoop.lab.run.LabException
import io.skoop.lab.run.LabStore
import io.skoop.lab.run.Labs
import io.skoop.lab.run.Probe
import io.skoop.diagnose.Verdict
import io.skoop.lab.topology.LabExamples
import io.skoop.netstack.parse.ParseException
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * The {@code lab} verb and the {@code lab { }} builder: which source a text names, every mistake as a clear error
 * (at the script line for the builder), the message without root (through the verb's root seam) — none of these
 * needs root — and, as root, the forms that build a lab, take one that is up, re-snapshot after exec, and remove it.
 */
class LabVerbSpec extends Specification {

    @Shared Path stateDir = Files.createTempDirectory('skoop-lab-verb')
    @Shared LabStore store = new LabStore(stateDir)

    def cleanupSpec() {
        stateDir.toFile().deleteDir()
    }

    /** The verb on the spec's own lab store, with root as given. */
    static Object lab(Labs labs, boolean root, Session session, Object... args) {
        LabVerb v = new LabVerb({ labs }, { root })
        v.call(session, new Args(v.descriptor(), args))
    }

    Object lab(boolean root, Object... args) {
        lab(new Labs(store), root, new Session(), args)
    }

    /** A saved lab entry without any namespace (the verb reads the store before it touches the kernel). */
    void saved(String name, String status, String yaml = LabExamples.text('flannel-vxlan')) {
        store.save(new LabStore.Entry(name, 'test', 'test.yaml', '2026-01-01T00:00:00Z', status, []), yaml.replace('name: vxlan', "name: $name"))
    }

    /** A valid lab { } up to line 5; the mistake goes on line 6. */
    static final String HEAD = """lab {
    name 'demo'
    cni 'flannel', backend: 'vxlan'
    clusterCIDR '10.244.0.0/16'; serviceCIDR '10.96.0.0/16'; underlay '192.168.56.0/24'
    node 'node-1'; node 'node-2'
"""

    def "a text that is no file, no lab that is up and no example: the examples, the labs up and the closest name"() {
        given:
        saved('shop', 'up')

        when:
        lab(true, 'shpo')

        then:
        IllegalArgumentException e = thrown()
        e.message == "lab: 'shpo' is not a topology file, a lab that is up or a lab example; examples: flannel-vxlan, flannel-host-gw, calico-bgp, calico-vxlan, flannel-vxlan-nftables, dual-stack, calico-dual-stack; labs up: shop; did you mean 'shop'?"

        cleanup:
        store.delete('shop')
    }

    def "a file comes first, then a lab that is up, then an example"() {
        given: 'a lab entry named like the example, and a file named like both'
        String name = 'skoop-verb-' + Long.toString(System.nanoTime() % 1_000_000L, 36)
        saved('flannel-vxlan', 'building')
        saved(name, 'building')
        Path file = Path.of(name)
        Files.writeString(file, 'name: [unclosed\n')

        when: 'the file is read, not the lab'
        lab(true, name)

        then:
        ParseException p = thrown()
        p.message.startsWith("$name:1: malformed YAML")

        when: 'without the file, the lab that is up'
        Files.delete(file)
        lab(true, name)

        then:
        LabException l = thrown()
        l.message == "lab $name is half-built (status building: an interrupted up); remove it with skoop lab down $name"

        when: 'the example loses to a lab of its name'
        lab(true, 'flannel-vxlan')

        then:
        LabException x = thrown()
        x.message.startsWith('lab flannel-vxlan is half-built')

        cleanup:
        Files.deleteIfExists(file)
        store.delete(name)
        store.delete('flannel-vxlan')
    }

    def "a topology file with a mistake: file and line, before anything else"() {
        given:
        Path f = stateDir.resolve('bad.yaml')
        Files.writeString(f, LabExamples.text('flannel-vxlan').replace('underlay:', 'underlai:'))

        when:
        lab(false, f.toString())

        then:
        ParseException e = thrown()
        e.message == "$f:9: unknown key in the topology (expected one of name, cni, clusterCIDR, serviceCIDR, underlay, nodes, pods, services, externalHosts, namespaces, policies, proxyMode; did you mean 'underlay'?) (at 'underlai')"
    }

    static final String NEEDS_ROOT = ' needs root (CAP_NET_ADMIN, to create and enter network namespaces): run the script as root, e.g. with sudo;' +
            ' diagnosing a snapshot (example(...), snapshot(...)) needs no root'

    def "without root: a clear message saying so, not a stack trace"() {
        when:
        lab(false, 'flannel-vxlan')

        then:
        LabException e = thrown()
        e.message == "lab('flannel-vxlan')" + NEEDS_ROOT

        when:
        int line = new Throwable().stackTrace.find { it.fileName == 'LabVerbSpec.groovy' }.lineNumber + 1
        lab(false, LabBuilder.build { name 'demo'; cni 'flannel'; clusterCIDR '10.244.0.0/16'; serviceCIDR '10.96.0.0/16'; underlay '192.168.56.0/24'; node 'node-1' })

        then:
        LabException b = thrown()
        b.message == "lab { } at LabVerbSpec.groovy:$line" + NEEDS_ROOT
    }

    def "name: renames a topology, not a lab that is up; a lab up from another topology is not taken for this one"() {
        given:
        saved('shop', 'up')

        when:
        lab(true, 'shop', 'other')

        then:
        IllegalArgumentException e = thrown()
        e.message == 'lab: name: renames a topology (a file, an example or lab { }), not lab shop that is up'

        when:
        lab(true, [name: 'shop'], 'flannel-host-gw')

        then:
        LabException l = thrown()
        l.message == "a lab named shop is up already, built from another topology (test); take it down first (skoop lab down shop) or give this one another name: lab(..., name: 'other')"

        cleanup:
        store.delete('shop')
    }

    def "the verb's argument must be a text or what lab { } built"() {
        when:
        lab(true, 42)

        then:
        IllegalArgumentException e = thrown()
        e.message == "lab needs a topology file, the name of a lab that is up or a lab example (flannel-vxlan, flannel-host-gw, calico-bgp, calico-vxlan, flannel-vxlan-nftables, dual-stack, calico-dual-stack), or lab { ... }; got Integer '42'"
    }

    @Unroll
    def "a lab { } mistake is reported at the line of the call that made it: #mistake"() {
        when:
        Scripts.runAs('demo.groovy', HEAD + mistake + '\n}\n')

        then:
        IllegalArgumentException e = thrown()
        e.message == message

        where:
        mistake                                                           | message
        "pod 'default/web-1', node: 'node-3'"                             | "demo.groovy:6 (pod 'default/web-1'): pod default/web-1 is on an unknown node (nodes: node-1, node-2; did you mean 'node-1'?) (at 'node-3')"
        "pod 'default/web-1', nod: 'node-1'"                              | "demo.groovy:6 (pod 'default/web-1'): unknown key in a pod (expected one of namespace, name, node, labels, ip, ports, listeners; did you mean 'node'?) (at 'nod')"
        "nod 'node-3'"                                                    | "demo.groovy:6: lab { } has no method 'nod' (methods: name, cni, clusterCIDR, serviceCIDR, underlay, node, pod, service, externalHost; did you mean 'node'?)"
        'node 3'                                                          | "demo.groovy:6: node(3) does not fit: write node 'node-1', listeners: [[port: 10250]]"
        "underlay = '10.0.0.0/24'"                                        | "demo.groovy:6: write underlay '192.168.56.0/24': builder settings are calls, not assignments"
        "name 'again'"                                                    | "demo.groovy:6 (name 'again'): name is set twice (first at demo.groovy:2)"
        "node 'node-1'"                                                   | "demo.groovy:6 (node 'node-1'): duplicate node name (at 'node-1')"
        "pod 'shop/web', namespace: 'shop', node: 'node-1'"               | "demo.groovy:6 (pod 'shop/web'): namespace is given twice: in the name and as namespace:"
        "pod 'default/web-1', node: 'node-2', labels: [app: 'web'], ports: [[name: 'http', port: 8080]]\n    service 'default/web', selector: [app: 'web'], ports: [[port: 80, targetPort: 'htp']]" | "demo.groovy:7 (service 'default/web'): targetPort names no TCP container port of the selected pods (default/web-1; their port names: http) (at 'htp')"
        "externalHost 'internet', address: '10.244.9.9'"                  | "demo.groovy:6 (externalHost 'internet'): external address is inside clusterCIDR 10.244.0.0/16 (expected an address outside the cluster, e.g. from 203.0.113.0/24) (at '10.244.9.9')"
    }

    def "a lab { } without a required setting: at the lab { } line, saying what to write"() {
        when:
        Scripts.runAs('demo.groovy', "\nlab {\n    name 'demo'\n    cni 'flannel'\n}\n")

        then:
        IllegalArgumentException e = thrown()
        e.message == "demo.groovy:2 (lab { }): the lab has no clusterCIDR; write clusterCIDR '10.244.0.0/16' inside lab { }"
    }

    def "from a script, a text goes to the verb: a mistake lists the examples and the labs up (here: none)"() {
        given:
        Path state = Files.createTempDirectory('skoop-lab-verb-script')
        System.setProperty(LabStore.PROPERTY, state.toString())

        when:
        Scripts.run("lab('flannel-vxlam')")

        then:
        IllegalArgumentException e = thrown()
        e.message == "lab: 'flannel-vxlam' is not a topology file, a lab that is up or a lab example; examples: flannel-vxlan, flannel-host-gw, calico-bgp, calico-vxlan, flannel-vxlan-nftables, dual-stack, calico-dual-stack; labs up: none; did you mean 'flannel-vxlan'?"

        cleanup:
        System.clearProperty(LabStore.PROPERTY)
        state.toFile().deleteDir()
    }

    @Unroll
    def "probe arguments are checked before the kernel is asked: #why"() {
        given: 'a view of a saved lab (no namespace is touched)'
        saved('shop', 'up')
        LabView view = new LabView(new Session(), new Labs(store), new Labs(store).open('shop'), '', null)

        when:
        view.probe(*args)

        then:
        IllegalArgumentException e = thrown()
        e.message == message

        cleanup:
        store.delete('shop')

        where:
        why                  | args                                                                          | message
        'no port'            | [new EndpointRef(EndpointRef.Kind.POD, 'default/client', null, null), 'svc/default/web'] | "probe needs a port: probe(source, destination, PORT), or a destination with its port (service('default/web', 80))"
        'unknown port name'  | ['default/client', new EndpointRef(EndpointRef.Kind.SERVICE, 'default/web', 'htp', null)] | 'probe: svc/default/web has no tcp port named \'htp\' (ports: http)'
        'a Service as source' | [new EndpointRef(EndpointRef.Kind.SERVICE, 'default/web', '80', null), 'default/client', 80] | 'probe: a Service (svc/default/web) is a destination, not a source'
        'an unknown address' | [new EndpointRef(EndpointRef.Kind.IP, '198.51.100.7', null, null), 'default/client', 80] | 'probe: no node, external host or pod of lab shop has address 198.51.100.7 (a probe runs in its source\'s namespace)'
        'a number as source' | [7, 'default/client', 80]                                                     | "probe: the source is an endpoint (pod(...), node(...), service(...), ip(...)) or a lab target ('default/client', 'node-1', 'svc/default/web'), got Integer '7'"
    }

    def "help lists lab with its forms"() {
        expect:
        Verbs.standard().help('lab').startsWith('lab(source, [name])\n    build a lab cluster out of network namespaces (or take one that is up) and work on its snapshot;')
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'builds a lab: needs root')
    def "as root: a file builds the lab; its name, an example of the same topology and the file again take the lab that is up; exec re-snapshots before the next diagnosis; down removes it"() {
        given:
        LabClusters clusters = new LabClusters('slv')
        String name = "${clusters.run}-v"
        Path file = clusters.stateDir.resolve('topology.yaml')
        Files.writeString(file, LabExamples.text('flannel-vxlan').replace('name: vxlan', "name: $name"))
        Session session = new Session()

        when: 'a file'
        LabView built = (LabView) lab(clusters.labs, true, session, file.toString())

        then: 'built, snapshotted, and the session works on the snapshot'
        !built.reused
        built.name == name
        session.snapshot().is(built.snapshot)
        session.snapshot().meta().name() == name
        Scripts.run("diagnose(pod('default/client'), service('default/web', 80)).verdict", session).result == Verdict.REACHABLE
        built.toString().startsWith("lab $name (flannel vxlan, ${file.toAbsolutePath()}): 3 nodes, 10 pods, 3 Services, 1 external host; up in ")
        built.toString().endsWith("\n  it stays up after the script: lab.down() or skoop lab down $name removes it")

        when: 'its name, the example under its name, the file again'
        LabView byName = (LabView) lab(clusters.labs, true, session, name)
        LabView byExample = (LabView) lab(clusters.labs, true, session, [name: name], 'flannel-vxlan')
        LabView again = (LabView) lab(clusters.labs, true, session, file.toString())

        then: 'each takes the lab that is up and snapshots it'
        [byName, byExample, again].every { it.reused && it.name == name && it.snapshot.dir() != built.snapshot.dir() }
        byName.toString().contains('; was up already, snapshot in ')

        when: 'a fault, then a diagnosis'
        Path before = session.snapshot().dir()
        String out = again.exec('node-2', 'iptables -I FORWARD -j DROP; echo injected')
        def d = Scripts.run("diagnose(pod('default/client'), pod('default/web-2', 8080))", session).result

        then: 'the diagnosis ran on a new snapshot, which has the fault'
        out == 'injected\n'
        session.snapshot().dir() != before
        session.snapshot().is(again.snapshot)
        d.verdict == Verdict.UNREACHABLE
        again.check(d).agrees()
        again.probe(d).outcome() == Probe.Outcome.TIMEOUT

        when: 'a command that fails'
        again.exec('default/client', ['ip', 'link', 'set', 'nothere', 'down'])

        then:
        LabException failed = thrown()
        failed.message.startsWith("exec on default/client in lab $name: `ip link set nothere down` exited 1: ")

        when: 'down'
        List<String> removed = again.down()

        then: 'nothing with its name is left, and the view says so'
        removed.size() == 15
        Labs.namespaces(name).isEmpty()
        again.toString().endsWith('; taken down')

        when:
        again.exec('node-1', 'true')

        then:
        LabException gone = thrown()
        gone.message == "exec: lab $name was taken down; bring it up again with lab(...)"

        cleanup:
        clusters.close()
    }
}
