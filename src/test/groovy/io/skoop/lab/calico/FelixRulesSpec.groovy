package io.skoop.lab.calico

import io.skoop.model.IpFamily
import io.skoop.netstack.netfilter.Rule
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.parse.IptablesSaveParser
import io.skoop.snapshot.k8s.KLabelSelector
import io.skoop.snapshot.k8s.KNetworkPolicy
import spock.lang.Specification

/** FelixRules without root: names Felix computes, the layout, and text skoop's own parsers read without unknown constructs. */
class FelixRulesSpec extends Specification {

    def "names verified on real Felix nodes"() {
        expect:
        Calico.vethName('alpha', 'nginx-dbddb74b8-z9dpn') == 'cali92d634f8f03'
        Calico.vethName('default', 'nginx') == 'calic440f455693'
        FelixRules.policyChain(np('alpha', 'access-nginx'), true) == 'cali-pi-_e8MLrhOHDfNlfSa51Ak'
        FelixRules.policyChain(np('kube-system', 'konnectivity-agent'), false) == 'cali-po-_rWDSk9LLgWIl_lpnJE2'
        FelixRules.profileChain('ksa.kube-system.metrics-server', true) == 'cali-pri-_CVSZITRyIpEmH8AB6H'
        FelixRules.profileChain('ksa.kube-system.konnectivity-agent', true) == 'cali-pri-_b-WIgmNvlBH1FuEYm2'
        FelixRules.profileChain('kns.alpha', true) == 'cali-pri-kns.alpha'
    }

    def "cali: rule hashes: Felix's algorithm over Felix's own rule text reproduces real nodes' values"() {
        given:
        def ep = FelixRules.Endpoint.of(new FelixRules.Workload('alpha', 'nginx-dbddb74b8-z9dpn', 'default', [:], io.skoop.model.Ip.parse('10.0.0.1'), []))
        def ks = FelixRules.Endpoint.of(new FelixRules.Workload('kube-system', 'metrics', 'metrics-server', [:], io.skoop.model.Ip.parse('10.0.0.2'), []))
        String none = FelixRules.render(new FelixRules.Input([], [], [], [], [], [])).iptablesSave()
        String one = FelixRules.render(new FelixRules.Input([ep, ks], [], [], [], [], [])).iptablesSave()
        def hashes = { String text, String chain -> text.readLines().findAll { it.startsWith("-A $chain ") }.collect { (it =~ /cali:([^"]+)/)[0][1] } }

        expect: 'hooks and static chains (corpus:cali, RW-AKS)'
        hashes(none, 'INPUT') == ['Cz_u1IQiXIMmKD4c']
        hashes(none, 'FORWARD') == ['wUHhoiAYhphO9Mso', 'S93hcgKJrXEqnTfs', 'mp77cMpurHhyjLrM']
        hashes(none, 'OUTPUT') == ['tVnHkvAo15HuiPy0']
        hashes(none, 'cali-from-wl-dispatch') == ['zTj6P0TIgYvgz-md']
        hashes(none, 'cali-to-wl-dispatch') == ['7KNphB1nNHw80nIO']
        hashes(none, 'cali-OUTPUT').take(2) == ['Mq1_rAdXXH3YkrzW', '69FkRTJDvD5Vu6Vl']
        hashes(none, 'cali-wl-to-host') == ['Ee9Sbo10IpVujdIY', 'nSZbcOoG1xPONxb8']
        // v3.28's cali-FORWARD clears 0xe0000 first; with corpus:cali's v3.30 mask 0x1a0000 the same rules give its hashes
        FelixRules.ruleHashes('cali-FORWARD', [FelixRules.R.setMark(0, 0x1a0000), FelixRules.R.jump('cali-from-hep-forward').markMatch(0, 0x10000),
                FelixRules.R.jump('cali-from-wl-dispatch').in('cali+'), FelixRules.R.jump('cali-to-wl-dispatch').out('cali+'),
                FelixRules.R.jump('cali-to-hep-forward'), FelixRules.R.jump('cali-cidr-block')])*.substring(5) ==
                ['W_vvds1Nw3n9QE2f', 'ZfgmjuiLaA8Pg0kp', 'tAzwBLPaV-j53OOZ', '4Z0Pf0byo05NFe-P', 'hQ7Oc16wmUtLuneJ', 'rnKNH2WxGcRQcIlD']

        and: 'endpoint and profile chains (RW-GKE, RW-AKS)'
        hashes(one, 'cali-tw-cali92d634f8f03').take(3) == ['FUgB7G5ObIh96acF', 'WQJ64LtbzEP_A0C0', 'VrULH6VzIHThTAkb']
        hashes(one, 'cali-pri-kns.kube-system') == ['J1TyxtHWd0qaBGK-']
        hashes(one, 'cali-pri-_CVSZITRyIpEmH8AB6H') == ['Jm7TmoNoWplOEka1']
        and: 'the nat table (corpus:cali: cali-POSTROUTING, cali-nat-outgoing; hooks as on every node)'
        String nat = FelixRules.render(new FelixRules.Input([], [], [], [], [new FelixRules.Pool(io.skoop.model.Prefix.parse('10.244.0.0/16'), true)],
                [])).natSave()
        hashes(nat, 'PREROUTING') == ['6gwbT8clXdHdC1b1']
        hashes(nat, 'OUTPUT') == ['tVnHkvAo15HuiPy0']
        hashes(nat, 'POSTROUTING') == ['0i8pjzKKPyA34aQD']
        hashes(nat, 'cali-PREROUTING') == ['r6XmIziWUJsdOK6Z']
        hashes(nat, 'cali-OUTPUT') == ['GBTAv2p5CwevEyJm']
        hashes(nat, 'cali-POSTROUTING') == ['Z-c7XtVd2Bq7s_hA', 'nYKhEzDlr11Jccal']
        nat.readLines().contains('-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src '
                + '-m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully')
        !FelixRules.render(new FelixRules.Input([], [], [], [], [new FelixRules.Pool(io.skoop.model.Prefix.parse('10.244.0.0/16'), false)], []))
                .natSave().contains('-A cali-nat-outgoing')
    }

    def "cali: hashes of an ipBlock-with-except policy chain as RW-GKE shows it (≤v3.27 marks, trailing RETURN kept)"() {
        given:
        def R = FelixRules.R
        def rules = [R.setMark(0x40000, 0xc0000), R.setMark(0, 0x40000).src('10.63.48.4/32'),
                     R.setMark(0x10000, 0x10000).proto('tcp').src('10.63.48.0/22').dports('80').markMatch(0x40000, 0x40000),
                     R.jump('RETURN').markMatch(0x10000, 0x10000)]

        expect:
        FelixRules.ruleHashes('cali-pi-_w6rJoXTmbxiadSPZU3_', rules) == ['cali:OeI8Z8LoNxhlHpkK', 'cali:vDgXktHVGJU-gOA1', 'cali:b2PcWFL4ZdRMP-QC', 'cali:NyzjuO985SLGb87x']
        rules[2].saveText('cali:b2PcWFL4ZdRMP-QC') == ' -s 10.63.48.0/22 -p tcp -m comment --comment "cali:b2PcWFL4ZdRMP-QC" -m multiport --dports 80 -m mark --mark 0x40000/0x40000 -j MARK --set-xmark 0x10000/0x10000'
    }

    def "selector ipset names verified on a real node (RW-GKE)"() {
        expect:
        setName(new KNetworkPolicy.Peer(sel(run: 'access'), null, null), 'alpha') == 'cali40s:XZEFRy4u2E2Kz28IwtNm0u8'
        setName(new KNetworkPolicy.Peer(null, sel(ns: 'a'), null), 'x') == 'cali40s:USRWmGlMuNymjhMsAmbxKOD'
        setName(new KNetworkPolicy.Peer(sel(run: 'access'), sel(ns: 'b'), null), 'x') == 'cali40s:11jW-7YBzuTbDQfMRpGESlM'
    }

    def "scenario '#name' (#family) parses with skoop's IptablesSaveParser and IpsetParser, no unknown construct, every jump and set declared"() {
        given:
        def o = FelixFixtures.objects(policies)
        boolean v6 = family == IpFamily.IPv6

        expect:
        ['node-1', 'node-2'].each { node ->
            def r = FelixRules.render(FelixFixtures.input(o, node, family))
            Ruleset rs = IptablesSaveParser.parse('iptables.txt', r.iptablesSave(), v6)
            List<Rule> rules = rs.table('filter').chains().values().collectMany { it.rules() }
            assert rules.findAll { it.hasUnknown() }.isEmpty()
            assert rules.size() == r.iptablesSave().readLines().count { it.startsWith('-A ') }
            rules.each { rule ->
                def m = rule.text() =~ / -[jg] (cali-\S+)/
                if (m.find()) {
                    assert rs.table('filter').chain(m.group(1)) != null: "undeclared ${m.group(1)} in $rule"
                }
            }
            def sets = IpsetParser.parse('ipset.txt', r.ipsetRestore())
            ((r.iptablesSave() + r.natSave()) =~ /--match-set (\S+)/).each { mm -> assert sets.get(mm[1]).isPresent() }
            // each family's own sets only: cali40 / inet, cali60 / inet6
            assert sets.all().every { it.isV6() == v6 && it.name().startsWith(v6 ? 'cali60' : 'cali40') }
            assert !(r.iptablesSave() + r.natSave()).contains(v6 ? 'cali40' : 'cali60')
            // filter INPUT, FORWARD, OUTPUT; nat PREROUTING, OUTPUT (nat POSTROUTING's hook is appended)
            assert r.iptablesRestore().readLines().findAll { it.startsWith('-I ') }*.split(' ')*.getAt(1) == ['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'OUTPUT']
        }

        where:
        [name, family] << [(FelixFixtures.ALL_SCENARIOS + FelixFixtures.DUAL_STACK_SCENARIOS).keySet(), [IpFamily.IPv4, IpFamily.IPv6]].combinations()
        policies = (FelixFixtures.ALL_SCENARIOS + FelixFixtures.DUAL_STACK_SCENARIOS)[name]
    }

    def "layout of an endpoint chain with one ingress policy, its policy chain, dispatch and profiles"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.SCENARIOS['allow from pod selector'])
        def r = FelixRules.render(FelixFixtures.input(o, 'node-1'))
        def web = Calico.vethName('default', 'web')
        def pi = FelixRules.policyChain(o.networkPolicies()[0], true)
        def lines = { String chain -> r.iptablesSave().readLines().findAll { it.startsWith("-A $chain ") }.collect { it.replaceAll(/ -m comment --comment "cali:[^"]+"/, '') } }

        expect:
        lines("cali-tw-$web") == [
                "-A cali-tw-$web -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A cali-tw-$web -m conntrack --ctstate INVALID -j DROP",
                "-A cali-tw-$web -j MARK --set-xmark 0x0/0x30000",
                "-A cali-tw-$web -m mark --mark 0x0/0x20000 -j $pi",
                "-A cali-tw-$web -m comment --comment \"Return if policy accepted\" -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A cali-tw-$web -m comment --comment \"Drop if no policies passed packet\" -m mark --mark 0x0/0x20000 -j DROP",
                "-A cali-tw-$web -j cali-pri-kns.default",
                "-A cali-tw-$web -m comment --comment \"Return if profile accepted\" -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A cali-tw-$web -j cali-pri-ksa.default.default",
                "-A cali-tw-$web -m comment --comment \"Return if profile accepted\" -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A cali-tw-$web -m comment --comment \"Drop if no profiles matched\" -j DROP"]*.toString()
        lines(pi).size() == 1
        lines(pi)[0] ==~ /-A $pi -p tcp -m comment --comment "Policy default\/knp.default.web-from-client ingress" -m set --match-set cali40s:\S{23} src -m multiport --dports 8080 -j MARK --set-xmark 0x10000\/0x10000/
        lines('cali-pri-kns.default') == ['-A cali-pri-kns.default -m comment --comment "Profile kns.default ingress" -j MARK --set-xmark 0x10000/0x10000']
        lines('cali-pri-ksa.default.default') == ['-A cali-pri-ksa.default.default -m comment --comment "Profile ksa.default.default ingress"']
        lines('cali-from-wl-dispatch').last() == '-A cali-from-wl-dispatch -m comment --comment "Unknown interface" -j DROP'
        r.iptablesSave().contains('-A FORWARD -m comment --comment "cali:S93hcgKJrXEqnTfs" -m comment --comment "Policy explicitly accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT')
        // web is the only endpoint not selected in egress: no policy block in its fw chain
        !lines("cali-fw-$web").any { it.contains('cali-po-') }
    }

    def "v3.29 layout: the adminnetworkpolicy tier (no end-of-tier drop) before tier default; ANP Deny drops, Pass sets the pass mark"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.ADMIN_SCENARIOS.values()[0])
        def r = FelixRules.render(FelixFixtures.input(o, 'node-1'))
        def web = Calico.vethName('default', 'web')
        def guard = FelixRules.policyChain(o.adminNetworkPolicies().find { it.name() == 'guard' }, true)
        def later = FelixRules.policyChain(o.adminNetworkPolicies().find { it.name() == 'later' }, true)
        def pi = FelixRules.policyChain(o.networkPolicies().find { it.name() == 'allow-all-web' }, true, FelixRules.Version.V3_29)
        def lines = { String chain -> r.iptablesSave().readLines().findAll { it.startsWith("-A $chain ") }.collect { it.replaceAll(/ -m comment --comment "cali:[^"]+"/, '') } }

        expect: 'ANPs by priority in their tier, then the NetworkPolicies in tier default'
        lines("cali-tw-$web").subList(3, 12) == [
                "-A cali-tw-$web -m comment --comment \"Start of tier adminnetworkpolicy\" -j MARK --set-xmark 0x0/0x20000",
                "-A cali-tw-$web -m mark --mark 0x0/0x20000 -j $guard",
                "-A cali-tw-$web -m comment --comment \"Return if policy accepted\" -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A cali-tw-$web -m mark --mark 0x0/0x20000 -j $later",
                "-A cali-tw-$web -m comment --comment \"Return if policy accepted\" -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A cali-tw-$web -m comment --comment \"Start of tier default\" -j MARK --set-xmark 0x0/0x20000",
                "-A cali-tw-$web -m mark --mark 0x0/0x20000 -j $pi",
                "-A cali-tw-$web -m comment --comment \"Return if policy accepted\" -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A cali-tw-$web -m comment --comment \"Drop if no policies passed packet\" -m mark --mark 0x0/0x20000 -j DROP"]*.toString()
        guard == FelixRules.lengthLimited('cali-pi-', 'adminnetworkpolicy/kanp.adminnetworkpolicy.guard')
        pi == FelixRules.lengthLimited('cali-pi-', 'default/default/knp.default.allow-all-web')

        and: 'Deny is a DROP, Pass sets 0x20000 and returns on it, Allow sets 0x10000 (its trailing RETURN stripped)'
        lines(guard)[0] ==~ /-A $guard -p udp -m comment --comment "Policy kanp.adminnetworkpolicy.guard ingress" -m set --match-set cali40s:\S{23} src -m multiport --dports 53 -j DROP/
        lines(guard)[1] ==~ /-A $guard -m set --match-set cali40s:\S{23} src -j MARK --set-xmark 0x20000\/0x20000/
        lines(guard)[2] == "-A $guard -m mark --mark 0x20000/0x20000 -j RETURN".toString()
        lines(guard)[3] ==~ /-A $guard -p tcp -m set --match-set cali40s:\S{23} src -m multiport --dports 8000:8081 -j MARK --set-xmark 0x10000\/0x10000/
        lines(guard).size() == 4

        and: 'v3.28 renders no AdminNetworkPolicy'
        when:
        new FelixRules.Input([], [], [], [], [], [], o.adminNetworkPolicies(), FelixRules.Version.V3_28)
        then:
        IllegalArgumentException e = thrown()
        e.message.contains('v3.29')
    }

    def "policies with the same selector form a group chain: first jump unconditional, later ones guarded, a return on verdict every fifth"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.SCENARIOS['six policies with the same selector (group with a return on verdict)'])
        def r = FelixRules.render(FelixFixtures.input(o, 'node-2'))
        def strip = { String l -> l.replaceAll(/ -m comment --comment "cali:[^"]+"/, '') }
        def b1 = Calico.vethName('team-b', 'b1')
        def tw = r.iptablesSave().readLines().findAll { it.startsWith("-A cali-tw-$b1 ") }.collect(strip)
        String gi = (tw.find { it.contains('cali-gi-') } =~ /(cali-gi-\S+)/)[0][1]
        def pis = o.networkPolicies().sort(false) { it.name() }.collect { FelixRules.policyChain(it, true) }

        expect:
        gi.length() == 28
        tw.count { it.contains('-j cali-pi-') } == 0
        r.iptablesSave().readLines().findAll { it.startsWith("-A $gi ") }.collect(strip) == [
                "-A $gi -j ${pis[0]}",
                "-A $gi -m mark --mark 0x0/0x30000 -j ${pis[1]}",
                "-A $gi -m mark --mark 0x0/0x30000 -j ${pis[2]}",
                "-A $gi -m mark --mark 0x0/0x30000 -j ${pis[3]}",
                "-A $gi -m mark --mark 0x0/0x30000 -j ${pis[4]}",
                "-A $gi -m comment --comment \"Return on verdict\" -m mark ! --mark 0x0/0x30000 -j RETURN",
                "-A $gi -m mark --mark 0x0/0x30000 -j ${pis[5]}"]*.toString()
        r.iptablesSave().contains("-A cali-fw-$b1 ") && r.iptablesSave() =~ /-A cali-fw-$b1 .*-j cali-go-/
    }

    def "more than 15 multiport slots: two chunks in a positive match block"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.SCENARIOS['many ports (two multiport chunks in a match block)'])
        def pi = FelixRules.policyChain(o.networkPolicies()[0], true)
        def lines = FelixRules.render(FelixFixtures.input(o, 'node-1')).iptablesSave().readLines().findAll { it.startsWith("-A $pi ") }
                .collect { it.replaceAll(/ -m comment --comment "[^"]+"/, '') }

        expect:
        lines == ["-A $pi -j MARK --set-xmark 0x0/0xc0000",
                  "-A $pi -p tcp -m multiport --dports 1,3,5,7,9,11,13,15,17,19,21,23,25,27,80 -j MARK --set-xmark 0x40000/0x40000",
                  "-A $pi -p tcp -m multiport --dports 8000:8010,8081 -j MARK --set-xmark 0x40000/0x40000",
                  "-A $pi -p tcp -m mark --mark 0x40000/0x40000 -j MARK --set-xmark 0x10000/0x10000"]*.toString()
    }

    def "dispatch splits one level on the character after the common prefix"() {
        given:
        def w = { String n -> new FelixRules.Endpoint(n, new FelixRules.Workload('d', n, null, [:], io.skoop.model.Ip.parse('10.0.0.1'), [])) }
        def r = FelixRules.render(new FelixRules.Input([w('cali44ea6404663'), w('cali4a00000000b'), w('cali5b00000000c')], [], [], [], [], []))
        def lines = r.iptablesSave().readLines().findAll { it.contains('wl-dispatch') && it.startsWith('-A cali-from') }
                .collect { it.replaceAll(/ -m comment --comment "cali:[^"]+"/, '') }

        expect:
        lines == ['-A cali-from-wl-dispatch -i cali4+ -g cali-from-wl-dispatch-4',
                  '-A cali-from-wl-dispatch -i cali5b00000000c -g cali-fw-cali5b00000000c',
                  '-A cali-from-wl-dispatch -m comment --comment "Unknown interface" -j DROP',
                  '-A cali-from-wl-dispatch-4 -i cali44ea6404663 -g cali-fw-cali44ea6404663',
                  '-A cali-from-wl-dispatch-4 -i cali4a00000000b -g cali-fw-cali4a00000000b',
                  '-A cali-from-wl-dispatch-4 -m comment --comment "Unknown interface" -j DROP']
    }

    def "ipBlock with except renders Felix's negated match block"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.SCENARIOS['ipBlock with except'])
        def r = FelixRules.render(FelixFixtures.input(o, 'node-1'))
        def pi = FelixRules.policyChain(o.networkPolicies()[0], true)

        expect:
        r.iptablesSave().readLines().findAll { it.startsWith("-A $pi ") }.collect { it.replaceAll(/ -m comment --comment "cali:[^"]+"/, '') } == [
                "-A $pi -m comment --comment \"Policy default/knp.default.web-from-block ingress\" -j MARK --set-xmark 0x40000/0xc0000",
                "-A $pi -s 10.244.1.4/32 -j MARK --set-xmark 0x0/0x40000",
                "-A $pi -s 10.244.2.0/29 -j MARK --set-xmark 0x0/0x40000",
                "-A $pi -s 10.244.0.0/16 -p tcp -m multiport --dports 8080:8081 -m mark --mark 0x40000/0x40000 -j MARK --set-xmark 0x10000/0x10000"]*.toString()
    }

    static KLabelSelector sel(Map<String, String> m) {
        new KLabelSelector(m, [])
    }

    static KNetworkPolicy np(String ns, String name) {
        new KNetworkPolicy(ns, name, KLabelSelector.ALL, [], [], true, false)
    }

    static String setName(KNetworkPolicy.Peer peer, String policyNs) {
        def policy = new KNetworkPolicy(policyNs, 'p', KLabelSelector.ALL, [new KNetworkPolicy.Rule([peer], [])], [], true, false)
        def ep = FelixRules.Endpoint.of(new FelixRules.Workload(policyNs, 'x', null, [:], io.skoop.model.Ip.parse('10.0.0.1'), []))
        def r = FelixRules.render(new FelixRules.Input([ep], [], [], [policy], [], []))
        (r.iptablesSave() =~ /--match-set (cali40s:\S+)/)[0][1]
    }
}
