package io.skoop.lab.calico

import io.skoop.model.Ip
import io.skoop.model.IpFamily
import io.skoop.model.Packet
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.FinalVerdict
import io.skoop.netstack.netfilter.NetfilterSimulator
import io.skoop.netstack.netfilter.Path
import io.skoop.netstack.netfilter.Rule
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.netfilter.TraceBranch
import io.skoop.netstack.netfilter.TraceRequest
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.parse.IptablesSaveParser
import io.skoop.snapshot.k8s.KPod
import io.skoop.snapshot.k8s.KubeObjects
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * The kernel judges FelixRules. Two node namespaces (node-1 192.168.56.11, node-2 192.168.56.12, linked by eth0, each
 * routing the other's pod block via it) hold one cali veth per pod of the test cluster (node-1: client, web, a1;
 * node-2: web2, b1), each towards a pod namespace wired as Calico's CNI does it (pod IP /32 on eth0, default via
 * 169.254.1.1; on the node a /32 route per pod on its veth, whose MAC is ee:ee:ee:ee:ee:ee; neighbours are static
 * since the node namespaces have no address on the veths for proxy ARP to answer from). For each scenario each node
 * gets its own rendering: ipsets ({@code ipset restore}) and rules ({@code iptables-restore --noflush});
 * iptables-save must print every rendered rule back as rendered, and so must ip6tables-save the IPv6 rendering
 * (loaded with ip6tables-restore into a throwaway namespace), ipset save every set and member; then real TCP connects and UDP round trips between
 * pods, on one node and across the two, must succeed exactly when the intent evaluator allows them, and the
 * simulator, run per node on the kernel's own iptables-save and ipset save output, must agree, each refused probe's
 * deciding DROP being the rule whose kernel counter moved.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class FelixRulesKernelSpec extends Specification {
    static final String SERVER = '''
import socket, threading
def tcp(p):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', p)); s.listen(64)
    while True:
        c, _ = s.accept(); c.close()
def udp(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', p))
    while True:
        d, a = s.recvfrom(2048); s.sendto(d, a)
for p in [80, 8000, 8080, 8081]: threading.Thread(target=tcp, args=(p,), daemon=True).start()
for p in [53, 9999]: threading.Thread(target=udp, args=(p,), daemon=True).start()
print('ready', flush=True)
threading.Event().wait()
'''
    static final String CLIENT = '''
import socket, sys
proto, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if proto == 'tcp':
        socket.create_connection((dst, port), timeout=0.5).close()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5); s.sendto(b'x', (dst, port)); s.recvfrom(16)
    print('ok')
except Exception as e:
    print('fail', e)
'''
    static final List<String> KERNEL_SCENARIOS = ['default deny ingress', 'allow from pod selector', 'named and numeric ports (match block)',
                                                  'ipBlock with except', 'endPort range and UDP', 'egress deny + egress allow',
                                                  'two policies with the same selector (policy group)',
                                                  'ANP deny over NP allow, Pass to the NPs, Allow over NP deny']
    /** [src pod, dst pod, proto, port]: on node-1, then across the nodes */
    static final List<List> PROBES = [['client', 'web', 'tcp', 8080], ['client', 'web', 'tcp', 80], ['a1', 'web', 'tcp', 8080],
                                      ['a1', 'web', 'udp', 53], ['web', 'client', 'tcp', 8000], ['a1', 'client', 'tcp', 8081],
                                      ['b1', 'web', 'tcp', 8080], ['client', 'web2', 'tcp', 8081], ['a1', 'b1', 'udp', 53]]
    static final Map<String, String> NODES = ['node-1': 'n1', 'node-2': 'n2']

    @Shared KernelLab lab = new KernelLab()
    @Shared Map<String, String> nodeNs = [:]
    @Shared Map<String, String> podNs = [:]
    @Shared List<Process> servers = []
    @Shared KubeObjects base = FelixFixtures.objects('')

    def setupSpec() {
        NODES.each { name, shortName ->
            nodeNs[name] = lab.netns(shortName)
            lab.exec(nodeNs[name], 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
        }
        KernelLab.sh('ip', '-n', nodeNs['node-1'], 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', nodeNs['node-2'])
        [['node-1', '10.244.2.0/24', '192.168.56.12'], ['node-2', '10.244.1.0/24', '192.168.56.11']].each { name, block, via ->
            lab.exec(nodeNs[name], 'ip', 'addr', 'add', FelixFixtures.NODE_IP[name] + '/24', 'dev', 'eth0')
            lab.exec(nodeNs[name], 'ip', 'link', 'set', 'eth0', 'up')
            lab.exec(nodeNs[name], 'ip', 'route', 'add', block, 'via', via, 'dev', 'eth0')
        }
        FelixFixtures.workloads(base).each { KPod p ->
            String node = nodeNs[p.nodeName()]
            String ns = lab.netns(p.name())
            podNs[p.name()] = ns
            String veth = Calico.vethName(p.namespace(), p.name())
            String ip = p.podIPs()[0].toString()
            KernelLab.sh('ip', '-n', node, 'link', 'add', veth, 'address', 'ee:ee:ee:ee:ee:ee', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
            lab.exec(node, 'ip', 'link', 'set', veth, 'up')
            lab.exec(ns, 'ip', 'link', 'set', 'eth0', 'up')
            lab.exec(ns, 'ip', 'addr', 'add', ip + '/32', 'dev', 'eth0')
            lab.exec(ns, 'ip', 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link')
            lab.exec(ns, 'ip', 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0')
            lab.exec(ns, 'ip', 'neigh', 'replace', '169.254.1.1', 'lladdr', 'ee:ee:ee:ee:ee:ee', 'dev', 'eth0', 'nud', 'permanent')
            String mac = lab.exec(ns, 'cat', '/sys/class/net/eth0/address').trim()
            lab.exec(node, 'ip', 'route', 'add', ip, 'dev', veth, 'scope', 'link')
            lab.exec(node, 'ip', 'neigh', 'replace', ip, 'lladdr', mac, 'dev', veth, 'nud', 'permanent')
            Process s = new ProcessBuilder('ip', 'netns', 'exec', ns, 'python3', '-c', SERVER).redirectErrorStream(true).start()
            servers << s
            assert new BufferedReader(new InputStreamReader(s.inputStream)).readLine() == 'ready'
        }
    }

    def cleanupSpec() {
        servers.each { it.destroy(); it.waitFor() }
        lab.close()
    }

    def "#restore: FelixRules' #family text for '#scenario' loads, and #save prints every rule back as rendered"() {
        given:
        String ns = lab.netns('rt')
        def r = FelixRules.render(FelixFixtures.input(FelixFixtures.objects(RESTORE_SCENARIOS[scenario]), 'node-1', family))

        when:
        lab.execInput(ns, r.ipsetRestore(), 'ipset', 'restore')
        lab.execInput(ns, r.iptablesRestore(), restore, '--noflush')
        String saved = lab.exec(ns, save, '-t', 'filter')

        then:
        byChain(saved) == byChain(r.iptablesSave())
        byChain(lab.exec(ns, save, '-t', 'nat')) == byChain(r.natSave())
        ipsetLines(lab.exec(ns, 'ipset', 'save')) == ipsetLines(r.ipsetRestore())

        cleanup:
        lab.runCmd('ip', 'netns', 'del', ns)

        where:
        [scenario, family, restore, save] << [RESTORE_SCENARIOS.keySet().findAll { it != 'no policy' },
                                              [[IpFamily.IPv4, 'iptables-restore', 'iptables-save'], [IpFamily.IPv4, 'iptables-legacy-restore', 'iptables-legacy-save'],
                                               [IpFamily.IPv6, 'ip6tables-restore', 'ip6tables-save'], [IpFamily.IPv6, 'ip6tables-legacy-restore', 'ip6tables-legacy-save']]]
                .combinations().collect { c -> [c[0]] + c[1] }
    }

    /** The scenarios loaded into the kernel in both families. */
    static final Map<String, String> RESTORE_SCENARIOS = FelixFixtures.ALL_SCENARIOS + FelixFixtures.DUAL_STACK_SCENARIOS

    /** ipset save / restore text as a set of lines, without the options the kernel adds (bucketsize, initval). */
    static Set<String> ipsetLines(String text) {
        text.readLines().findAll { it }.collect { it.replaceAll(/ bucketsize \d+| initval 0x[0-9a-f]+/, '') } as Set
    }

    def "'#scenario': real connections between pods succeed exactly when the intent allows them, as the simulator says"() {
        given:
        KubeObjects o = FelixFixtures.objects(FelixFixtures.ALL_SCENARIOS[scenario])
        def intent = FelixFixtures.evaluator(o)
        NODES.keySet().each { name ->
            def r = FelixRules.render(FelixFixtures.input(o, name))
            String node = nodeNs[name]
            ['filter', 'nat'].each { table ->
                lab.run(node, 'iptables', '-t', table, '-F')
                lab.run(node, 'iptables', '-t', table, '-X')
            }
            lab.run(node, 'ipset', 'destroy')
            lab.execInput(node, r.ipsetRestore(), 'ipset', 'restore')
            lab.execInput(node, r.iptablesRestore(), 'iptables-restore', '--noflush')
        }
        List<String> disagree = []

        when:
        PROBES.each { src, dst, proto, port ->
            KPod s = o.pods().find { it.name() == src }
            KPod d = o.pods().find { it.name() == dst }
            boolean want = intent.evaluate(s.podIPs()[0], d.podIPs()[0], port as int, Protocol.parse(proto)).allowed()
            Packet p = Packet.of(s.podIPs()[0], 40000, d.podIPs()[0], port as int, Protocol.parse(proto))
            List<String> path = (s.nodeName() == d.nodeName() ? [s.nodeName()] : [s.nodeName(), d.nodeName()])
            Map<String, Ruleset> before = path.collectEntries { [it, kernelRules(it)] }
            List<TraceBranch> branches = path.collect { n ->
                NetfilterSimulator sim = new NetfilterSimulator(before[n], Ruleset.empty(true), FelixFixtures.routing(o, n),
                        FelixFixtures.membership(IpsetParser.parse('ipset.txt', lab.exec(nodeNs[n], 'ipset', 'save')))).withConntrackActive(true)
                String iif = n == s.nodeName() ? Calico.vethName(s.namespace(), s.name()) : 'eth0'
                sim.trace(TraceRequest.of(p, Path.FORWARD).withIif(iif)).branches()[0]
            }
            String out = lab.exec(podNs[src], 'python3', '-c', CLIENT, proto, d.podIPs()[0].toString(), port.toString()).trim()
            boolean kernel = out == 'ok'
            List<String> moved = path.collectMany { n -> movedDrops(before[n], kernelRules(n)).collect { "$n:$it".toString() } }
            // the simulated path stops at the first node that drops
            int stop = branches.findIndexOf { it.verdict() != FinalVerdict.FORWARDED }
            TraceBranch deciding = stop < 0 ? null : branches[stop]
            String last = deciding ? "${path[stop]}:${deciding.matchedRules().last().chain()}#${deciding.matchedRules().last().origin().position()}" : null
            boolean simOk = stop < 0
            String line = "$src -> $dst $proto/$port: intent ${want ? 'allowed' : 'denied'}, kernel $out, simulator ${simOk ? 'FORWARDED' : deciding.verdict()}" +
                    "${last ? ' at ' + last : ''}, kernel drops $moved"
            println line
            if (kernel != want || simOk != want || (!kernel && !(last in moved))) {
                disagree << line
            }
        }

        then:
        disagree.isEmpty()

        where:
        scenario << KERNEL_SCENARIOS
    }

    /** A node's filter table as the kernel holds it, with counters. */
    Ruleset kernelRules(String node) {
        IptablesSaveParser.parse('iptables.txt', lab.exec(nodeNs[node], 'iptables-save', '-c', '-t', 'filter'), false)
    }

    /** "CHAIN#n" of every DROP rule whose packet counter grew between the two dumps. */
    static List<String> movedDrops(Ruleset before, Ruleset after) {
        after.table('filter').chains().values().collectMany { c ->
            c.rules().findAll { Rule r -> r.text().endsWith('-j DROP') &&
                    r.counters().packets() > (before.table('filter').chain(c.name())?.rule(r.number())?.counters()?.packets() ?: 0L) }
                    .collect { "${c.name()}#${it.number()}".toString() }
        }
    }

    /** Each chain's rule lines, in order; built-in and user chains alike. */
    static Map<String, List<String>> byChain(String save) {
        Map<String, List<String>> m = new TreeMap<>()
        save.eachLine { l ->
            if (l.startsWith(':')) m.computeIfAbsent(l.substring(1).split(' ')[0]) { [] }
            if (l.startsWith('-A ')) m.computeIfAbsent(l.split(' ')[1]) { [] } << l
        }
        m
    }
}
