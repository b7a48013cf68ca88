package io.skoop.netstack.netfilter.kernel

import io.skoop.model.Packet
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.TraceBranch
import io.skoop.netstack.netfilter.TraceResult
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement
import io.skoop.testsupport.KernelLab
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Path

/**
 * The kernel judges skoop's integrated engine end to end: a ruleset (and its ipsets) is loaded
 * into a lab namespace, that namespace is dumped once per ruleset with
 * {@code scripts/collect-netns.sh}, and the simulator is {@code NetNS.load(dump).netfilter()}:
 * the dumped iptables (the harness's raw table included, as the kernel runs it), the real
 * Router over the dumped links, addresses, routes, rules and sysctls, and the dumped ipsets.
 * Real probes are compared with the simulator's trace on the rules hit (counters), the policies applied, the verdict and the
 * translated tuple (conntrack). See {@link SimulatorComparison} for what is compared and
 * {@link NetfilterLab} for how the kernel is read. Each disagreement is printed in full
 * (ruleset, packet, kernel view, every simulated branch with its steps); the totals are printed
 * at the end ("agreement: ...").
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class NetfilterKernelComparisonSpec extends Specification {
    /** Seeds FIRST_SEED .. FIRST_SEED + RANDOM_SEEDS - 1, each on the three paths (-Dskoop.nfk.seeds, -Dskoop.nfk.firstSeed). */
    static final int RANDOM_SEEDS = Integer.getInteger('skoop.nfk.seeds', 16)
    static final int FIRST_SEED = Integer.getInteger('skoop.nfk.firstSeed', 1)
    static final int PACKETS_PER_RULESET = 5
    static final int STATISTIC_TRIES = 16
    /** Where the ruleset's namespace is dumped (scripts/collect-netns.sh) once per ruleset, overwritten by the next. */
    static final Path DUMP = Path.of('target', 'nfk-dump', 'ns')

    @Shared @AutoCleanup NetfilterLab lab = new NetfilterLab()
    @Shared Map<String, Integer> totals = [rulesets: 0, packets: 0, agreeing: 0].withDefault { 0 }

    def cleanupSpec() {
        println "agreement: ${totals}"
    }

    def "random ruleset #seed on the #placement path: simulator and kernel agree on every packet"() {
        given:
        def c = RandomRuleset.generate(seed, placement, PACKETS_PER_RULESET)
        String saved = lab.load(c.text(), c.ipsets(), placement)
        def cmp = new SimulatorComparison(placement, saved, lab.collect(DUMP))
        totals.rulesets++

        when:
        List<String> disagreements = cmp.compareEach(lab, c.packets(), "random seed $seed", totals)

        then:
        disagreements == []

        where:
        [seed, placement] << [(FIRST_SEED..<FIRST_SEED + RANDOM_SEEDS).collect { it as long }, Placement.values() as List].combinations()
    }

    def "hand-written ruleset (#name): simulator and kernel agree"() {
        given:
        String saved = lab.load(withBuiltinChains(ruleset), '', placement)
        def cmp = new SimulatorComparison(placement, saved, lab.collect(DUMP))
        Packet p = Packet.parse(packet)
        totals.rulesets++

        when:
        def o = lab.observe(p)
        totals.packets++
        TraceResult r = cmp.trace(p)
        def agreeing = r.branches().size() == 1 ? cmp.agreeingBranch(o, r) : null
        if (agreeing) {
            totals.agreeing++
        } else {
            println cmp.report(o, r, name)
        }

        then:
        agreeing != null

        where:
        name                                                 | placement           | packet                                   | ruleset
        'goto from a built-in chain, then its policy'       | Placement.FORWARD   | 'tcp 10.11.0.2:43001 > 10.12.0.2:80'     | '*filter\n:FORWARD DROP [0:0]\n:X - [0:0]\n-A FORWARD -g X\n-A FORWARD -j ACCEPT\n-A X -p udp -j ACCEPT\nCOMMIT\n'
        'RETURN from a built-in chain applies the policy'   | Placement.FORWARD   | 'tcp 10.11.0.2:43002 > 10.12.0.2:80'     | '*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p tcp -j RETURN\n-A FORWARD -j ACCEPT\nCOMMIT\n'
        'goto then RETURN goes back to the caller\'s caller' | Placement.FORWARD   | 'tcp 10.11.0.2:43003 > 10.12.0.2:80'     | '*filter\n:FORWARD ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A FORWARD -j A\n-A FORWARD -j DROP\n-A A -g B\n-A A -j ACCEPT\n-A B -j RETURN\nCOMMIT\n'
        'mark set in mangle, matched in filter'             | Placement.FORWARD   | 'udp 10.11.0.2:43004 > 10.13.0.2:53'     | '*mangle\n-A PREROUTING -j MARK --set-xmark 0x10/0xf0\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -m mark --mark 0x10/0xf0 -j DROP\nCOMMIT\n'
        'DNAT re-routes: -o sees the new device'            | Placement.FORWARD   | 'tcp 10.11.0.2:43005 > 10.12.0.2:80'     | '*nat\n-A PREROUTING -p tcp -j DNAT --to-destination 203.0.113.9:8080\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o r-s1 -j DROP\n-A FORWARD -o r-s2 -p tcp --dport 8080 -j ACCEPT\nCOMMIT\n'
        'DNAT to the router itself goes to INPUT'           | Placement.FORWARD   | 'tcp 10.11.0.2:43006 > 10.12.0.2:80'     | '*nat\n-A PREROUTING -j DNAT --to-destination 10.12.0.1\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp -m conntrack --ctstate DNAT -j ACCEPT\nCOMMIT\n'
        'local-out DNAT then SNAT in POSTROUTING'           | Placement.LOCAL_OUT | 'tcp 10.11.0.2:43007 > 10.96.0.10:80'    | '*nat\n-A OUTPUT -d 10.96.0.10 -p tcp -j DNAT --to-destination 10.244.2.30:9000\n-A POSTROUTING -d 10.244.2.30 -j SNAT --to-source 10.244.0.2\nCOMMIT\n'
        'local-in REDIRECT to a local port'                 | Placement.LOCAL_IN  | 'tcp 10.11.0.2:43008 > 10.244.1.7:80'    | '*nat\n-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080\nCOMMIT\n*filter\n-A INPUT -p tcp --dport 8080 -j ACCEPT\nCOMMIT\n'
        'nat table is only consulted for NEW (first) packet' | Placement.FORWARD  | 'udp 10.244.0.2:43009 > 10.13.0.2:53'    | '*nat\n-A PREROUTING -m conntrack --ctstate NEW -j ACCEPT\n-A PREROUTING -j DNAT --to-destination 10.12.0.2\nCOMMIT\n'
    }

    /**
     * Declares every built-in chain of each table (as iptables-save writes them): iptables-nft
     * creates only the base chains a restore names, and a base chain that does not exist is not
     * traversed, so its policy counter never counts; the dump of such a table still lists it.
     */
    static String withBuiltinChains(String text) {
        Map<String, List<String>> builtins = [raw: ['PREROUTING', 'OUTPUT'], mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
                nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], filter: ['INPUT', 'FORWARD', 'OUTPUT']]
        List<String> out = []
        List<String> lines = text.readLines()
        lines.eachWithIndex { String line, int i ->
            out << line
            if (line.startsWith('*')) {
                String table = line.substring(1)
                Set<String> declared = lines.drop(i + 1).takeWhile { it != 'COMMIT' }.findAll { it.startsWith(':') }
                        .collect { it.substring(1).split(' ')[0] } as Set
                builtins[table].findAll { !declared.contains(it) }.each { out << ":$it ACCEPT [0:0]".toString() }
            }
        }
        out.join('\n') + '\n'
    }

    def "kube-proxy ruleset on the #placement path: every probe is one of the simulated branches and every likely branch occurs"() {
        given: '7 service ports (enough for each kind: 2 NodePorts, 1 without endpoints) with 2 endpoints each on server1/server2, every 3rd a NodePort, every 7th without endpoints'
        def kp = KubeProxyRuleset.generate(new KubeProxyRuleset.Params(7, 2, LabTopology.CLUSTER_CIDR,
                [Prefix.parse('10.244.1.0/24'), Prefix.parse('10.244.2.0/24')], LabTopology.SERVICE_CIDR,
                LabTopology.ROUTER_C, 3, true, 42))
        String saved = lab.load(kp.text(), '', placement)
        def cmp = new SimulatorComparison(placement, saved, lab.collect(DUMP))
        totals.rulesets++
        int sport = placement == Placement.FORWARD ? 42000 : 44000
        boolean node = placement == Placement.LOCAL_OUT
        List<List> probes = [] // [name, packet template, tries]
        for (def s : kp.services()) {
            int tries = s.endpoints().size() > 1 ? STATISTIC_TRIES : 1
            if (node && !s.endpoints()) {
                // a REJECT in OUTPUT sends its ICMP error to this same host: through OUTPUT and INPUT again, which
                // adds counts that are not the probe's (KUBE-FIREWALL, KUBE-NODEPORTS); the router case covers REJECT
                continue
            }
            probes << ["${s.portName()} from ${node ? 'the node' : 'outside the cluster'}", Packet.of(LabTopology.CLIENT, 0, s.clusterIp(), s.port(), s.protocol()), tries]
            if (s.endpoints()) {
                probes << ["${s.portName()} from a pod", Packet.of(LabTopology.CLIENT_POD, 0, s.clusterIp(), s.port(), s.protocol()), 4]
            }
            if (s.nodePort()) {
                // on the node, the router's address is not local: no NodePort match, one try is enough
                probes << ["${s.portName()} NodePort", Packet.of(LabTopology.CLIENT, 0, LabTopology.ROUTER_C, s.nodePort(), s.protocol()), node ? 1 : tries]
            }
        }
        probes << ['no service', Packet.of(LabTopology.CLIENT, 0, LabTopology.SERVER2, 80, Protocol.TCP), 1]

        when:
        List<String> disagreements = []
        for (List probe : probes) {
            Set<Set<String>> seen = [] as Set // hit sets of the branches observed
            TraceResult r = null
            for (int i = 0; i < (probe[2] as int); i++) {
                Packet p = (probe[1] as Packet).withSrc((probe[1] as Packet).src(), sport++)
                def o = lab.observe(p)
                r = cmp.trace(p)
                totals.packets++
                TraceBranch b = cmp.agreeingBranch(o, r)
                if (b != null) {
                    totals.agreeing++
                    seen << cmp.simView(b).hits
                } else {
                    println cmp.report(o, r, "kube-proxy ${probe[0]}")
                    disagreements << "${probe[0]} ${p}: kernel ${cmp.kernelView(o, false)}".toString()
                }
            }
            if ((probe[2] as int) >= STATISTIC_TRIES) {
                // P(a branch of probability >= 1/2 never occurs in 16 tries) <= 1/65536
                def missing = r.branches().findAll { it.probability() >= 0.5 - 1e-9 && !seen.contains(cmp.simView(it).hits) }
                if (missing) {
                    disagreements << "${probe[0]}: simulated branches never observed in ${probe[2]} tries: ${missing.collect { cmp.simView(it) }}".toString()
                }
            }
        }

        then:
        disagreements == []

        where:
        placement << [Placement.FORWARD, Placement.LOCAL_OUT]
    }
}
