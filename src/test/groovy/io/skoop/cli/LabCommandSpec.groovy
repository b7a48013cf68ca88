package io.skoop.cli

import io.skoop.lab.run.LabStore
import io.skoop.lab.run.Labs
import io.skoop.testsupport.KernelLab
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/** {@code skoop lab …} as a user types it. The dry run and the errors need no root; the rest is judged by the kernel. */
class LabCommandSpec extends Specification {

    @Shared Path stateDir = Files.createTempDirectory('skoop-lab-cli')
    @Shared String lab = 'skt' + Long.toString(System.nanoTime() % 1_000_000L, 36) + '-cli'

    def setupSpec() {
        System.setProperty(LabStore.PROPERTY, stateDir.toString())
    }

    def cleanupSpec() {
        System.clearProperty(LabStore.PROPERTY)
        stateDir.toFile().deleteDir()
    }

    static List run(String... args) {
        def cl = SkoopCommand.commandLine()
        def out = new StringWriter(), err = new StringWriter()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int code = cl.execute((['lab'] + (args as List)) as String[])
        [code, out.toString(), err.toString()]
    }

    def "up --dry-run prints the build as a shell script, without root"() {
        when:
        def (code, out, err) = run('up', '--example', 'flannel-vxlan', '--dry-run', '--name', 'demo')

        then:
        code == 0
        out.readLines()[0] == '# skoop lab up example flannel-vxlan: lab demo (run as root; skoop lab down demo removes it)'
        out.contains('\nip netns add demo.node.node-1\n')
        out.contains("ip netns exec demo.node.node-1 iptables-restore <<'EOF'\n*filter\n")
        out.contains("setsid -f ip netns exec demo.ext.internet python3 -S -c 'import socket, sys\n")
        out.contains("' 0.0.0.0 53 'skoop-lab external internet 53/udp'\n")
        err.isEmpty()
    }

    def "what up prints: a TUNNEL column only for nodes with a tunnel address (calico vxlan), none for flannel"() {
        given:
        def print = { String example ->
            def t = io.skoop.lab.topology.LabExamples.load(example)
            def entry = new io.skoop.lab.run.LabStore.Entry(t.name(), "example $example", "${example}.yaml", '2026-12-06T00:00:00Z', 'up', [])
            StringWriter w = new StringWriter()
            LabCommand.printLab(new PrintWriter(w), new io.skoop.lab.run.Lab(entry, t))
            w.toString().readLines()
        }

        expect:
        print('calico-vxlan').containsAll([
                'NODE     ADDRESS        PODCIDR           TUNNEL         NAMESPACE',
                'node-2   192.168.56.3   10.244.0.64/26    10.244.0.64    calico-vxlan.node.node-2'])
        print('calico-bgp').contains('NODE     ADDRESS        PODCIDR           NAMESPACE')
        !print('flannel-vxlan').any { it.contains('TUNNEL') }

        and: 'dual-stack address lists widen their column: every row of a table starts its namespace where the header does'
        List<String> dual = print('dual-stack')
        int node = dual.findIndexOf { it.startsWith('NODE ') }
        dual[node..node + 3].collect { it.indexOf(it.startsWith('NODE') ? 'NAMESPACE' : 'dual.node.') }.unique().size() == 1
        dual.find { it.startsWith('node-1 ') }.split(/ +/).toList() == ['node-1', '192.168.56.2,fd00:192:168:56::2', '10.244.0.0/24,fd00:10:244::/64',
                                                                      'dual.node.node-1']
        dual.find { it.startsWith('internet ') }.split(/ +/).toList() == ['internet', '203.0.113.10,2001:db8:113::10', 'dual.ext.internet']

        and: 'calico vxlan dual-stack: the TUNNEL column holds both tunnel addresses (vxlan-v6.calico\'s is the IPv6 block\'s ordinal 0)'
        def t6 = io.skoop.lab.topology.TopologyLoader.parse('c6x.yaml',
                io.skoop.lab.topology.LabExamples.text('calico-dual-stack').replace('  mode: bgp', '  mode: vxlan'))
        StringWriter w6 = new StringWriter()
        LabCommand.printLab(new PrintWriter(w6), new io.skoop.lab.run.Lab(
                new io.skoop.lab.run.LabStore.Entry(t6.name(), 'file c6x.yaml', 'c6x.yaml', '2026-12-07T00:00:00Z', 'up', []), t6))
        w6.toString().readLines().find { it.startsWith('node-2 ') }.split(/ +/).toList() == ['node-2', '192.168.56.3,fd00:192:168:56::3',
                '10.244.0.64/26,fd00:10:244::40/122', '10.244.0.64,fd00:10:244::40', 'calico6.node.node-2']

        and: "kube-proxy's mode in the first line when it is not iptables"
        print('flannel-vxlan')[0] == 'lab vxlan (example flannel-vxlan, flannel vxlan)'
        print('flannel-vxlan-nftables')[0] == 'lab vxlan-nft (example flannel-vxlan-nftables, flannel vxlan, kube-proxy nftables)'
    }

    def "up --dry-run of flannel-vxlan-nftables loads table ip kube-proxy with nft -f and restores filter and nat without KUBE- chains"() {
        when:
        def (code, out, err) = run('up', '--example', 'flannel-vxlan-nftables', '--dry-run', '--name', 'demo')

        then:
        code == 0
        out.contains("ip netns exec demo.node.node-1 nft -f - <<'EOF'\nadd table ip kube-proxy\ndelete table ip kube-proxy\n")
        !out.contains('KUBE-')
        out.contains('FLANNEL-POSTRTG')
    }

    def "mistakes are usage errors (exit 2) with a message, not a stack trace"() {
        when:
        def (code, out, err) = run(args as String[])

        then:
        code == 2
        err.startsWith('skoop: error: ') || err.contains('Missing required parameter') || err.contains('Unknown option')
        err.contains(message)
        !err.contains('\tat ')

        where:
        args                                                       || message
        ['up']                                                     || 'give either FILE or --example NAME (bundled: flannel-vxlan, flannel-host-gw, calico-bgp, calico-vxlan, flannel-vxlan-nftables, dual-stack, calico-dual-stack)'
        ['up', '--example', 'flannel-vxlam', '--dry-run']          || "did you mean 'flannel-vxlan'?"
        ['up', '--example', 'flannel-vxlan', '--name', 'Bad_Name', '--dry-run'] || "lab name 'Bad_Name' is not a DNS-1123 label"
        ['up', 'no/such/file.yaml', '--dry-run']                   || 'no/such/file.yaml'
        ['probe', 'x', 'a', 'b']                                   || "Missing required parameter: 'PORT'"
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
    def "up, list, exec, probe, down: the whole life of a lab from the command line"() {
        when:
        def up = run('up', '--example', 'flannel-vxlan', '--name', lab)
        def list = run('list')
        def exec = run('exec', lab, 'default/client', '--', 'ip', 'route', 'show', 'default')
        def svc = run('probe', lab, 'default/client', 'svc/default/web', '80')
        def udp = run('probe', lab, 'node-2', 'svc/kube-system/kube-dns', '53', '--protocol', 'udp')
        def refused = run('probe', lab, 'default/client', 'default/sleeper', '80', '--timeout', '1')
        def badTarget = run('probe', lab, 'default/clinet', 'node-1', '10250')
        def again = run('up', '--example', 'flannel-vxlan', '--name', lab)
        Path snap = stateDir.resolve('snap')
        def snapshot = run('snapshot', lab, snap.toString())
        def snapshotAgain = run('snapshot', lab, snap.toString())
        def down = run('down', lab)
        def downAgain = run('down', lab)

        then:
        up[0] == 0
        up[1].contains("lab $lab is up: 15 namespaces, 15 listeners, built in ")
        up[1] =~ /default\/web-2 +node-2 +10\.244\.1\.2 +8080\/tcp +skt\w+-cli\.pod\.default\.web-2/
        list[0] == 0
        list[1] =~ /$lab +up +15\/15 +\S+ +example flannel-vxlan/
        exec[0] == 0      // the command's own output went to the terminal (inheritIO)
        svc[0] == 0
        svc[1] =~ /^default\/client -> 10\.96\.0\.2:80\/tcp: connected, answered by pod default\/web-[123] 80(80|81)\/tcp$/
        udp[0] == 0
        udp[1].trim() == 'node-2 -> 10.96.0.10:53/udp: connected, answered by pod kube-system/coredns 53/udp'
        refused[0] == 1
        refused[1].startsWith('default/client -> 10.244.2.4:80/tcp: refused (')
        badTarget[0] == 2
        badTarget[2].contains("lab $lab has no pod 'default/clinet'")
        badTarget[2].contains("did you mean 'default/client'?")
        again[0] == 2
        again[2].contains("lab $lab is already up; remove it with: skoop lab down $lab")
        snapshot[0] == 0
        snapshot[1].startsWith("snapshot of lab $lab in $snap: 13 namespace dumps, k8s/*.json, snapshot.json (")
        io.skoop.testsupport.SnapshotChecks.problems(snap) == []
        snapshotAgain[0] == 2
        snapshotAgain[2].trim() == "skoop: error: $snap is not empty; give a new or empty folder (a snapshot never overwrites files)"
        down[0] == 0
        down[1].trim() == "lab $lab is down: removed 15 namespaces"
        downAgain[0] == 2
        downAgain[2].contains("no lab '$lab'")
        Labs.netnsList().findAll { it.startsWith(lab) } == []
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
    def "down removes what a half-finished up left, and list shows namespaces without state as orphaned"() {
        given: 'an up that died after saving its state and creating two of its namespaces, and a namespace of a lab without state'
        String half = lab + 'h', orphan = lab + 'o'
        new LabStore(stateDir).save(new LabStore.Entry(half, 'test', 'x.yaml', '2026-01-01T00:00:00Z', 'building',
                ["${half}.underlay", "${half}.node.n1", "${half}.node.n2"]*.toString()), 'name: x\n')
        KernelLab.sh('ip', 'netns', 'add', "${half}.underlay")
        KernelLab.sh('ip', 'netns', 'add', "${half}.node.n1")
        KernelLab.sh('ip', 'netns', 'add', "${orphan}.pod.default.p")

        when:
        def list = run('list')
        def downHalf = run('down', half)
        def downOrphan = run('down', orphan)

        then:
        list[1] =~ /$half +building +2\/3 /
        list[1] =~ /$orphan +orphaned +1 .*skoop lab down $orphan/
        downHalf[0] == 0
        downHalf[1].trim() == "lab $half is down: removed 2 namespaces"
        downOrphan[0] == 0
        Labs.netnsList().findAll { it.startsWith(lab) } == []
        !Files.exists(stateDir.resolve(half))

        cleanup:
        [half, orphan].each { l -> Labs.netnsList().findAll { it.startsWith(l + '.') }.each { KernelLab.sh('ip', 'netns', 'del', it) } }
    }
}
