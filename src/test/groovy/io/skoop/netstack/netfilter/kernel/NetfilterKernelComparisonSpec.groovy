package io.skoop.netstack.netfilter.kernel

import io.skoop.model.Packet
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.SetMembership
import io.skoop.netstack.netfilter.TraceBranch
import io.skoop.netstack.netfilter.TraceResult
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement
import io.skoop.testsupport.KernelLab
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * The kernel judges the netfilter simulator: the same ruleset is loaded into a lab namespace
 * and parsed from that namespace's {@code iptables-save}; real probes are compared with the
 * simulator's trace on the rules hit (counters), the policies applied, the verdict and the
 * translated tuple (conntrack). See {@link SimulatorComparison} for what is compared and
 * {@link NetfilterLab} for how the kernel is read. Each disagreement is printed in full
 * (ruleset, packet, kernel view, every simulated branch with its steps); the totals are printed
 * at the end ("agreement: ...").
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class NetfilterKernelComparisonSpec extends Specification {
    /** Seeds FIRST_SEED .. FIRST_SEED + RANDOM_SEEDS - 1, each on the three paths (-Dskoop.nfk.seeds, -Dskoop.nfk.firstSeed). */
    static final int RANDOM_SEEDS = Integer.getInteger('skoop.nfk.seeds', 40)
    static final int FIRST_SEED = Integer.getInteger('skoop.nfk.firstSeed', 1)
    static final int PACKETS_PER_RULESET = 5
    static final int STATISTIC_TRIES = 16

    @Shared @AutoCleanup NetfilterLab lab = new NetfilterLab()
    @Shared Map<String, Integer> totals = [rulesets: 0, packets: 0, agreeing: 0].withDefault { 0 }

    def cleanupSpec() {
        println "agreement: ${totals}"
    }

    def "random ruleset #seed on the #placement path: simulator and kernel agree on every packet"() {
        given:
        def c = RandomRuleset.generate(seed, placement, PACKETS_PER_RULESET)
        String saved = lab.load(c.text(), c.ipsets(), placement)
        def cmp = new SimulatorComparison(placement, saved, new LabSets(c.ipsets()))
        totals.rulesets++

        when:
        List<String> disagreements = []
        for (Packet p : c.packets()) {
            def o = lab.observe(p)
            TraceResult r = cmp.trace(p)
            totals.packets++
            if (r.branches().size() == 1 && cmp.agreeingBranch(o, r) != null) {
                totals.agreeing++
            } else {
                String rep = cmp.report(o, r, "random seed $seed")
                println rep
                disagreements << "${p}: kernel ${cmp.kernelView(o, false)} / simulator ${r.branches().collect { cmp.simView(it) }}".toString()
            }
        }

        then:
        disagreements == []

        where:
        [seed, placement] << [(FIRST_SEED..<FIRST_SEED + RANDOM_SEEDS).collect { it as long }, Placement.values() as List].combinations()
    }

    def "kube-proxy ruleset on the router: every probe is one of the simulated branches and every likely branch occurs"() {
        given: '10 service ports with 2 endpoints each on server1/server2, every 3rd a NodePort, every 7th without endpoints'
        def kp = KubeProxyRuleset.generate(new KubeProxyRuleset.Params(10, 2, LabTopology.CLUSTER_CIDR,
                [Prefix.parse('10.244.1.0/24'), Prefix.parse('10.244.2.0/24')], LabTopology.SERVICE_CIDR,
                LabTopology.ROUTER_C, 3, true, 42))
        String saved = lab.load(kp.text(), '', Placement.FORWARD)
        def cmp = new SimulatorComparison(Placement.FORWARD, saved, SetMembership.NONE)
        totals.rulesets++
        int sport = 42000
        List<List> probes = [] // [name, packet template, tries]
        for (def s : kp.services()) {
            int tries = s.endpoints().size() > 1 ? STATISTIC_TRIES : 1
            probes << ["${s.portName()} from outside the cluster", Packet.of(LabTopology.CLIENT, 0, s.clusterIp(), s.port(), s.protocol()), tries]
            if (s.endpoints()) {
                probes << ["${s.portName()} from a pod", Packet.of(LabTopology.CLIENT_POD, 0, s.clusterIp(), s.port(), s.protocol()), 4]
            }
            if (s.nodePort()) {
                probes << ["${s.portName()} NodePort", Packet.of(LabTopology.CLIENT, 0, LabTopology.ROUTER_C, s.nodePort(), s.protocol()), tries]
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
    }
}
