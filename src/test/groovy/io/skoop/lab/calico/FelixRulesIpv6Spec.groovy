package io.skoop.lab.calico

import io.skoop.model.Ip
import io.skoop.model.IpFamily
import io.skoop.model.Prefix
import io.skoop.snapshot.k8s.KLabelSelector
import io.skoop.snapshot.k8s.KNetworkPolicy
import spock.lang.Specification

/**
 * FelixRules' IPv6 rendering (what Felix programs with ip6tables on a dual-stack node), without root. The expected
 * {@code cali:} hashes were computed with a separate script implementing Felix's chained SHA-224 over the rule text
 * Felix writes (the script reproduces the IPv4 hashes seen on real nodes, e.g. cali-wl-to-host's Ee9Sbo10IpVujdIY);
 * no real IPv6 node dump was available to check them against. FelixRulesSpec parses every scenario's IPv6 rendering
 * with skoop's parsers; FelixRulesKernelSpec loads it into ip6tables and ipset.
 */
class FelixRulesIpv6Spec extends Specification {
    static final String MIXED = 'ipBlocks of both families'

    def "cali-wl-to-host accepts six ICMPv6 types before the workload's egress policy; the rules after them hash differently"() {
        given:
        def v6 = FelixRules.render(FelixFixtures.input(FelixFixtures.objects(''), 'node-1', IpFamily.IPv6))
        def v4 = FelixRules.render(FelixFixtures.input(FelixFixtures.objects(''), 'node-1'))
        def chain = { String save -> save.readLines().findAll { it.startsWith('-A cali-wl-to-host ') } }

        expect:
        chain(v6.iptablesSave()) == [
                '-A cali-wl-to-host -p ipv6-icmp -m comment --comment "cali:TYeA_BqDrPHaAt6E" -m icmp6 --icmpv6-type 130 -j ACCEPT',
                '-A cali-wl-to-host -p ipv6-icmp -m comment --comment "cali:5ugan8LfmJg_BiJc" -m icmp6 --icmpv6-type 131 -j ACCEPT',
                '-A cali-wl-to-host -p ipv6-icmp -m comment --comment "cali:Fl5LHxdlOnUNgCc4" -m icmp6 --icmpv6-type 132 -j ACCEPT',
                '-A cali-wl-to-host -p ipv6-icmp -m comment --comment "cali:tNvzCkGVISJ3ZXdS" -m icmp6 --icmpv6-type 133 -j ACCEPT',
                '-A cali-wl-to-host -p ipv6-icmp -m comment --comment "cali:86e1wB5w3SEOMrZb" -m icmp6 --icmpv6-type 135 -j ACCEPT',
                '-A cali-wl-to-host -p ipv6-icmp -m comment --comment "cali:kCq3XXx0yCb5mSXt" -m icmp6 --icmpv6-type 136 -j ACCEPT',
                '-A cali-wl-to-host -m comment --comment "cali:qQJuyC_KUUNb16sA" -j cali-from-wl-dispatch',
                '-A cali-wl-to-host -m comment --comment "cali:TEAa8oLTO9cQ8kDr" -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT']
        chain(v6.iptablesRestore()) == chain(v6.iptablesSave())

        and: 'Felix hashes its own notation: protocol number 58, not the name ip6tables-save prints'
        FelixRules.ruleHashes('cali-wl-to-host', [FelixRules.R.jump('ACCEPT').proto('58', 'ipv6-icmp').module('-m icmp6 --icmpv6-type 130')]) ==
                ['cali:TYeA_BqDrPHaAt6E']

        and: 'IPv4 keeps the two rules real nodes show'
        chain(v4.iptablesSave()) == [
                '-A cali-wl-to-host -m comment --comment "cali:Ee9Sbo10IpVujdIY" -j cali-from-wl-dispatch',
                '-A cali-wl-to-host -m comment --comment "cali:nSZbcOoG1xPONxb8" -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT']
    }

    def "ipsets: cali60 names (the selector hash unchanged), family inet6, the IPv6 pool and host addresses"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.DUAL_STACK_SCENARIOS[MIXED])
        def v6 = FelixRules.render(FelixFixtures.input(o, 'node-1', IpFamily.IPv6))
        def v4 = FelixRules.render(FelixFixtures.input(o, 'node-1'))

        expect:
        v6.ipsetRestore() == '''\
create cali60s:g_TM4cHGncRYRKupcms5_3m hash:net family inet6 hashsize 1024 maxelem 1048576
add cali60s:g_TM4cHGncRYRKupcms5_3m fd00:10:244:1::2
create cali60all-ipam-pools hash:net family inet6 hashsize 1024 maxelem 1048576
add cali60all-ipam-pools fd00:10:244::/56
create cali60masq-ipam-pools hash:net family inet6 hashsize 1024 maxelem 1048576
add cali60masq-ipam-pools fd00:10:244::/56
create cali60this-host hash:ip family inet6 hashsize 1024 maxelem 1048576
add cali60this-host fd00:192:168:56::11
add cali60this-host ::1
'''
        v4.ipsetRestore().startsWith('create cali40s:g_TM4cHGncRYRKupcms5_3m hash:net family inet hashsize 1024 maxelem 1048576\nadd cali40s:g_TM4cHGncRYRKupcms5_3m 10.244.1.2\n')
    }

    def "cali-nat-outgoing masquerades from the IPv6 pools to non-pool addresses"() {
        given:
        def v6 = FelixRules.render(FelixFixtures.input(FelixFixtures.objects(''), 'node-1', IpFamily.IPv6))

        expect:
        v6.natSave().readLines().findAll { it.startsWith('-A cali-nat-outgoing ') } ==
                ['-A cali-nat-outgoing -m comment --comment "cali:Ir_z2t1P6-CxTDof" -m set --match-set cali60masq-ipam-pools src -m set ! --match-set cali60all-ipam-pools dst -j MASQUERADE --random-fully']
        v6.ipsetRestore().contains('add cali60masq-ipam-pools fd00:10:244::/56\n')
    }

    def "a policy with ipBlocks of both families: each family renders its own blocks; a rule of the other family only renders nothing"() {
        given:
        def o = FelixFixtures.objects(FelixFixtures.DUAL_STACK_SCENARIOS[MIXED])
        def pi = FelixRules.policyChain(o.networkPolicies().find { it.name() == 'web-from-blocks' }, true)
        def po = FelixRules.policyChain(o.networkPolicies().find { it.name() == 'client-out' }, false)
        def v6 = FelixRules.render(FelixFixtures.input(o, 'node-1', IpFamily.IPv6)).iptablesSave().readLines()
        def v4 = FelixRules.render(FelixFixtures.input(o, 'node-1')).iptablesSave().readLines()
        def strip = { String l -> l.replaceAll(/ -m comment --comment "cali:[^"]+"/, '') }

        expect: 'IPv6: the v4 block is gone, the v6 block with its two excepts is a negated match block, then the selector'
        pi == 'cali-pi-_RQ1mocMl9dSqGppWZkF'
        v6.findAll { it.startsWith("-A $pi ") } == [
                '-A cali-pi-_RQ1mocMl9dSqGppWZkF -m comment --comment "cali:st0l51Fp_wqJUl3n" -m comment --comment "Policy default/knp.default.web-from-blocks ingress" -j MARK --set-xmark 0x40000/0xc0000',
                '-A cali-pi-_RQ1mocMl9dSqGppWZkF -s fd00:10:244:1::4/128 -m comment --comment "cali:lOWaC_Ez8AgdS2Ad" -j MARK --set-xmark 0x0/0x40000',
                '-A cali-pi-_RQ1mocMl9dSqGppWZkF -s fd00:10:244:2::/125 -m comment --comment "cali:6T1tR56KgSp7nwSA" -j MARK --set-xmark 0x0/0x40000',
                '-A cali-pi-_RQ1mocMl9dSqGppWZkF -s fd00:10:244::/56 -p tcp -m comment --comment "cali:aUQ4UJmv1-5_m9eC" -m multiport --dports 8080 -m mark --mark 0x40000/0x40000 -j MARK --set-xmark 0x10000/0x10000',
                '-A cali-pi-_RQ1mocMl9dSqGppWZkF -m comment --comment "cali:MCwHoUGYN0MlgiLF" -m mark --mark 0x10000/0x10000 -j RETURN',
                '-A cali-pi-_RQ1mocMl9dSqGppWZkF -p tcp -m comment --comment "cali:IqkDOLsAT9I8ktIx" -m set --match-set cali60s:g_TM4cHGncRYRKupcms5_3m src -m multiport --dports 8080 -j MARK --set-xmark 0x10000/0x10000']

        and: 'an egress rule to an IPv4 block only: the IPv6 chain keeps just its comment (the client may reach nothing over IPv6)'
        v6.findAll { it.startsWith("-A $po ") } == [
                '-A cali-po-_U6FYaU02RheNa4WTqwa -m comment --comment "cali:tWSMnhJrcn2Xzl7b" -m comment --comment "Policy default/knp.default.client-out egress"']

        and: 'IPv4: the v6 block is gone'
        v4.findAll { it.startsWith("-A $pi ") }.collect(strip) == [
                "-A $pi -m comment --comment \"Policy default/knp.default.web-from-blocks ingress\" -j MARK --set-xmark 0x40000/0xc0000",
                "-A $pi -s 10.244.1.4/32 -j MARK --set-xmark 0x0/0x40000",
                "-A $pi -s 10.244.0.0/16 -p tcp -m multiport --dports 8080 -m mark --mark 0x40000/0x40000 -j MARK --set-xmark 0x10000/0x10000",
                "-A $pi -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A $pi -p tcp -m set --match-set cali40s:g_TM4cHGncRYRKupcms5_3m src -m multiport --dports 8080 -j MARK --set-xmark 0x10000/0x10000"]*.toString()
        v4.findAll { it.startsWith("-A $po ") }.collect(strip) == [
                "-A $po -d 192.168.56.0/24 -m comment --comment \"Policy default/knp.default.client-out egress\" -j MARK --set-xmark 0x10000/0x10000"]*.toString()
    }

    def "an except list entirely of the other family drops the rule, a mixed one keeps the family's excepts (Felix's filterNets)"() {
        given:
        def block = { String cidr, List<String> except ->
            def rule = new KNetworkPolicy.Rule([new KNetworkPolicy.Peer(null, null, new KNetworkPolicy.IpBlock(Prefix.parse(cidr), except.collect { Prefix.parse(it) }))], [])
            def np = new KNetworkPolicy('default', 'p', KLabelSelector.ALL, [rule], [], true, false)
            def ep = FelixRules.Endpoint.of(new FelixRules.Workload('default', 'x', null, [:], Ip.parse('fd00:10:244:1::9'), []))
            def save = FelixRules.render(new FelixRules.Input([ep], [], [], [np], [], [], [], FelixRules.Version.V3_28, IpFamily.IPv6)).iptablesSave()
            save.readLines().findAll { it.startsWith("-A ${FelixRules.policyChain(np, true)} ") }.collect { it.replaceAll(/ -m comment --comment "cali:[^"]+"/, '') }
        }
        def pi = FelixRules.policyChain(new KNetworkPolicy('default', 'p', KLabelSelector.ALL, [], [], true, false), true)

        expect:
        block('fd00::/8', ['10.0.0.0/8']) == ["-A $pi -m comment --comment \"Policy default/knp.default.p ingress\""]*.toString()
        block('fd00::/8', ['10.0.0.0/8', 'fd00::/16']) == [
                "-A $pi -m comment --comment \"Policy default/knp.default.p ingress\" -j MARK --set-xmark 0x40000/0xc0000",
                "-A $pi -s fd00::/16 -j MARK --set-xmark 0x0/0x40000",
                "-A $pi -s fd00::/8 -m mark --mark 0x40000/0x40000 -j MARK --set-xmark 0x10000/0x10000"]*.toString()
        block('0.0.0.0/0', []) == ["-A $pi -m comment --comment \"Policy default/knp.default.p ingress\""]*.toString()
    }

    def "'#name': the IPv6 filter table is the IPv4 one with cali60 sets (but for hashes and cali-wl-to-host's ICMPv6 head); the sets hold the IPv6 addresses"() {
        given:
        def o = FelixFixtures.objects(policies)

        expect:
        ['node-1', 'node-2'].each { node ->
            def v4 = FelixRules.render(FelixFixtures.input(o, node))
            def v6 = FelixRules.render(FelixFixtures.input(o, node, IpFamily.IPv6))
            // hashes cover the set names, so rules naming a set hash differently (the exact ones are checked above)
            def rest = { String save -> save.readLines().findAll { !it.startsWith('-A cali-wl-to-host ') }.collect { it.replaceAll(/"cali:[^"]+"/, 'HASH') } }
            assert rest(v6.iptablesSave()) == rest(v4.iptablesSave().replace('cali40', 'cali60'))
            assert v6.iptablesSave().readLines().count { it.startsWith('-A cali-wl-to-host -p ipv6-icmp ') } == 6
            assert v6.ipsetRestore() == toV6(v4.ipsetRestore())
            assert v6.natSave() == v4.natSave().replace('cali40', 'cali60').replace('flqWnvo8yq4ULQLa', 'Ir_z2t1P6-CxTDof')
        }

        where: 'every scenario without ipBlocks or networks (no addresses in the policy chains)'
        name << FelixFixtures.ALL_SCENARIOS.keySet().findAll { !FelixFixtures.ALL_SCENARIOS[it].contains('ipBlock') && !FelixFixtures.ALL_SCENARIOS[it].contains('networks') }
        policies = FelixFixtures.ALL_SCENARIOS[name]
    }

    def "every workload, pool and host address must be of the rendered family; the IPv4 constructors stay IPv4"() {
        given:
        def w4 = new FelixRules.Workload('default', 'web', 'default', [:], Ip.parse('10.244.1.3'), [])
        def w6 = new FelixRules.Workload('default', 'web6', 'default', [:], Ip.parse('fd00:10:244:1::3'), [])
        def pool6 = new FelixRules.Pool(Prefix.parse('fd00:10:244::/56'), true)
        def v3_28 = FelixRules.Version.V3_28

        expect:
        new FelixRules.Input([], [], [], [], [], []).family() == IpFamily.IPv4
        new FelixRules.Input([], [], [], [], [], [], [], v3_28).family() == IpFamily.IPv4

        when:
        new FelixRules.Input([FelixRules.Endpoint.of(w4)], [w6], [], [], [pool6], [], [], v3_28, IpFamily.IPv6)
        then:
        IllegalArgumentException e1 = thrown()
        e1.message == 'the IPv6 Felix rules got local workload default/web with IPv4 address 10.244.1.3'

        when:
        new FelixRules.Input([], [w6, w4], [], [], [pool6], [], [], v3_28, IpFamily.IPv6)
        then:
        IllegalArgumentException e2 = thrown()
        e2.message == 'the IPv6 Felix rules got workload default/web with IPv4 address 10.244.1.3'

        when:
        new FelixRules.Input([], [w4], [], [], [pool6], [Ip.parse('192.168.56.11')], [], v3_28, IpFamily.IPv4)
        then:
        IllegalArgumentException e3 = thrown()
        e3.message == 'the IPv4 Felix rules got pool fd00:10:244::/56 with IPv6 address fd00:10:244::'

        when:
        new FelixRules.Input([], [w6], [], [], [pool6], [Ip.parse('::1'), Ip.parse('127.0.0.1')], [], v3_28, IpFamily.IPv6)
        then:
        IllegalArgumentException e4 = thrown()
        e4.message == 'the IPv6 Felix rules got host address 127.0.0.1 with IPv4 address 127.0.0.1'

        when:
        new FelixRules.Input([], [], [], [], [], [], [], v3_28, null)
        then:
        thrown(IllegalArgumentException)
    }

    /** The IPv4 fixture's ipset text as the IPv6 rendering must print it: cali60, inet6, every address mapped. */
    static String toV6(String v4) {
        v4.replace('cali40', 'cali60').replace(' family inet ', ' family inet6 ')
                .replace(FelixFixtures.POOL.toString(), FelixFixtures.POOL6.toString())
                .replace('127.0.0.1', '::1')
                .replaceAll(/192\.168\.56\.(\d+)/, 'fd00:192:168:56::$1')
                .replaceAll(/10\.244\.\d+\.\d+/) { String a -> FelixFixtures.ip6(Ip.parse(a)).toString() }
    }
}
