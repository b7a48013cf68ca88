package io.skoop.netstack.netfilter.kernel

import io.skoop.model.Packet
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
 * The kernel judges the nftables evaluator: an nft ruleset ({@link RandomNftRuleset}, or a hand-written one beside
 * iptables rules) is loaded with {@code nft -f} into a lab namespace ({@link NetfilterLab#loadNft}), the namespace is
 * dumped with {@code scripts/collect-netns.sh} (nft.json is {@code nft -j list ruleset}), and the simulator is the
 * dump's {@code NetNS.netfilter()}: nftables and iptables interleaved by priority on each hook. Real probes are
 * compared with the trace on the rules hit (the rules' {@code counter} deltas), the iptables policies applied, the
 * verdict and the translated tuple (conntrack) — see {@link SimulatorComparison}. Totals are printed at the end
 * ("nft agreement: ..."). Needs root: fails under CI without it, never skips there.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root, iproute2 and nft')
class NftKernelComparisonSpec extends Specification {
    /** Seeds FIRST_SEED .. FIRST_SEED + RANDOM_SEEDS - 1, each on the three paths (-Dskoop.nftk.seeds, -Dskoop.nftk.firstSeed). */
    static final int RANDOM_SEEDS = Integer.getInteger('skoop.nftk.seeds', 15)
    static final int FIRST_SEED = Integer.getInteger('skoop.nftk.firstSeed', 1)
    static final int PACKETS_PER_RULESET = 5
    static final int TRIES = 16
    static final Path DUMP = Path.of('target', 'nftk-dump', 'ns')

    @Shared @AutoCleanup NetfilterLab lab = new NetfilterLab()
    @Shared Map<String, Integer> totals = [rulesets: 0, packets: 0, agreeing: 0].withDefault { 0 }

    def cleanupSpec() {
        println "nft agreement: ${totals}"
    }

    def "random nft ruleset #seed on the #placement path: simulator and kernel agree on every packet"() {
        given:
        def c = RandomNftRuleset.generate(seed, placement, PACKETS_PER_RULESET)
        String saved = lab.loadNft(c.text(), placement)
        def cmp = new SimulatorComparison(placement, saved, lab.collect(DUMP))
        totals.rulesets++

        when:
        List<String> disagreements = cmp.compareEach(lab, c.packets(), "nft seed $seed", totals)

        then:
        disagreements == []

        where:
        [seed, placement] << [(FIRST_SEED..<FIRST_SEED + RANDOM_SEEDS).collect { it as long }, Placement.values() as List].combinations()
    }

    def "nft and iptables on one hook (#name): simulator and kernel agree"() {
        given:
        String saved = lab.loadNft(nft, placement, iptables ? NetfilterKernelComparisonSpec.withBuiltinChains(iptables) : '')
        def cmp = new SimulatorComparison(placement, saved + '\n' + iptables, lab.collect(DUMP))
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
        name                                                    | placement         | packet                               | iptables | nft
        'nft dnat before iptables nat: nft binds, iptables nat not run' | Placement.FORWARD | 'tcp 10.11.0.2:45001 > 10.96.0.10:80' | '*nat\n-A PREROUTING -p tcp -j DNAT --to-destination 10.244.2.5\nCOMMIT\n' | 'table ip sknft { chain d { type nat hook prerouting priority -110; policy accept; ip daddr 10.96.0.10 counter dnat to 10.244.1.7; }; }'
        'iptables nat before nft dnat: iptables binds'          | Placement.FORWARD | 'tcp 10.11.0.2:45002 > 10.96.0.10:80' | '*nat\n-A PREROUTING -p tcp -j DNAT --to-destination 10.244.2.5\nCOMMIT\n' | 'table ip sknft { chain d { type nat hook prerouting priority -90; policy accept; ip daddr 10.96.0.10 counter dnat to 10.244.1.7; }; }'
        'nft nat without binding: the next nat chain runs'      | Placement.FORWARD | 'tcp 10.11.0.2:45003 > 10.96.0.10:80' | '*nat\n-A PREROUTING -p tcp -j DNAT --to-destination 10.244.2.5\nCOMMIT\n' | 'table ip sknft { chain d { type nat hook prerouting priority -110; policy accept; ip daddr 10.96.0.10 counter accept; }; }'
        'an nft accept does not skip iptables filter'           | Placement.FORWARD | 'tcp 10.11.0.2:45004 > 10.12.0.2:80'  | '*filter\n-A FORWARD -p tcp --dport 80 -j DROP\nCOMMIT\n' | 'table inet sknft { chain f { type filter hook forward priority -5; policy drop; tcp dport 80 counter accept; }; }'
        'iptables mark seen by a later nft chain'               | Placement.FORWARD | 'udp 10.11.0.2:45005 > 10.13.0.2:53'  | '*mangle\n-A PREROUTING -j MARK --set-xmark 0x10/0xf0\nCOMMIT\n' | 'table ip sknft { chain f { type filter hook prerouting priority -140; meta mark & 0xf0 == 0x10 counter drop; }; }'
        'nft raw notrack: iptables sees UNTRACKED'              | Placement.FORWARD | 'tcp 10.11.0.2:45006 > 10.12.0.2:80'  | '*filter\n-A FORWARD -m conntrack --ctstate UNTRACKED -j DROP\nCOMMIT\n' | 'table ip sknft { chain r { type filter hook prerouting priority -310; tcp dport 80 counter notrack; }; }'
        'output route chain mark reroutes'                      | Placement.LOCAL_OUT | 'tcp 10.11.0.2:45007 > 10.12.0.2:80' | '' | 'table ip sknft { chain o { type route hook output priority -150; counter meta mark set 0x7; }; chain p { type filter hook postrouting priority 0; meta mark 0x7 counter accept; }; }'
        'goto then return goes back to the caller\'s caller'   | Placement.FORWARD | 'tcp 10.11.0.2:45008 > 10.12.0.2:80'  | '' | 'table inet sknft { chain b { counter return; }; chain a { counter goto b; counter drop; }; chain f { type filter hook forward priority 0; policy accept; counter jump a; counter drop; }; }'
        'masquerade on the output device'                       | Placement.FORWARD | 'udp 10.11.0.2:45009 > 10.13.0.2:53'  | '' | 'table ip sknft { chain s { type nat hook postrouting priority 100; oifname "r-s2" counter masquerade; }; }'
        'meta pkttype host: a routed unicast frame'            | Placement.FORWARD | 'tcp 10.11.0.2:45011 > 10.12.0.2:80'  | '' | 'table inet sknft { chain f { type filter hook forward priority 0; policy accept; meta pkttype { broadcast, multicast } counter drop; meta pkttype host counter accept; counter drop; }; }'
        'meta pkttype host: a locally generated packet'        | Placement.LOCAL_OUT | 'udp 10.11.0.2:45012 > 10.13.0.2:53' | '' | 'table ip sknft { chain o { type filter hook output priority 0; policy accept; meta pkttype != host counter drop; counter accept; }; }'
        'dnat from a map, then the forward chain sees the new address' | Placement.FORWARD | 'tcp 10.11.0.2:45010 > 10.96.0.11:80' | '' | 'table ip sknft { map m { type ipv4_addr : ipv4_addr; elements = { 10.96.0.11 : 10.244.2.5 }; }; chain d { type nat hook prerouting priority -100; counter dnat to ip daddr map @m; }; chain f { type filter hook forward priority 0; ip daddr 10.244.2.5 ct status dnat counter accept; counter drop; }; }'
    }

    def "numgen random verdict map: every probe is one of the simulated branches and both occur"() {
        given:
        String nft = 'table ip sknft { chain e0 { meta l4proto tcp counter dnat to 10.244.1.7:8080; }; chain e1 { meta l4proto tcp counter dnat to 10.244.2.5:8080; };' +
                ' chain d { type nat hook prerouting priority -100; ip daddr 10.96.0.10 tcp dport 80 counter numgen random mod 2 vmap { 0 : goto e0, 1 : goto e1 }; }; }'
        String saved = lab.loadNft(nft, Placement.FORWARD)
        def cmp = new SimulatorComparison(Placement.FORWARD, saved, lab.collect(DUMP))
        Set<Set<String>> seen = [] as Set
        List<String> disagreements = []
        TraceResult r = null

        when:
        for (int i = 0; i < TRIES; i++) {
            Packet p = Packet.parse("tcp 10.11.0.2:${46000 + i} > 10.96.0.10:80")
            def o = lab.observe(p)
            r = cmp.trace(p)
            totals.packets++
            TraceBranch b = cmp.agreeingBranch(o, r)
            if (b) {
                totals.agreeing++
                seen << cmp.simView(b).hits
            } else {
                println cmp.report(o, r, 'numgen')
                disagreements << "${p}: kernel ${cmp.kernelView(o, false)}".toString()
            }
        }

        then: 'two branches of 1/2 each, both observed (P(one never occurs in 16 tries) = 2^-15)'
        disagreements == []
        r.branches()*.probability() == [0.5d, 0.5d]
        seen.size() == 2
    }
}
