package io.skoop.netstack.netfilter.kernel

import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement
import io.skoop.testsupport.KernelLab
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/** The generators: the synthetic kube-proxy cluster, determinism, and rulesets the kernel accepts (names and numbers: KubeProxyIptablesSpec). */
class RulesetGeneratorSpec extends Specification {

    def "a 3-endpoint service is written as kube-proxy writes it"() {
        given:
        def r = KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(10, 3, 7))
        def s = r.services().find { it.endpoints().size() == 3 }
        def lines = r.text().readLines()

        expect:
        lines.findAll { it.startsWith("-A ${s.svcChain()} ") }.collect { it.replaceAll(/ -m comment --comment "[^"]*"/, '') } == [
                "-A ${s.svcChain()} -m ${proto(s)} -p ${proto(s)} -d ${s.clusterIp()} --dport ${s.port()} ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
                "-A ${s.svcChain()} -m statistic --mode random --probability 0.3333333333 -j ${s.endpoints()[0].chain()}",
                "-A ${s.svcChain()} -m statistic --mode random --probability 0.5000000000 -j ${s.endpoints()[1].chain()}",
                "-A ${s.svcChain()} -j ${s.endpoints()[2].chain()}"]*.toString()
        lines.findAll { it.startsWith("-A ${s.endpoints()[0].chain()} ") } == [
                "-A ${s.endpoints()[0].chain()} -m comment --comment ${s.portName()} -s ${s.endpoints()[0].ip()} -j KUBE-MARK-MASQ",
                "-A ${s.endpoints()[0].chain()} -m comment --comment ${s.portName()} -m ${proto(s)} -p ${proto(s)} -j DNAT --to-destination ${s.endpoints()[0].hostPort()}"]*.toString()
        lines.contains('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully')
        lines.contains('-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000')
        lines.last() == 'COMMIT'
    }

    private static String proto(KubeProxyRuleset.Service s) {
        s.protocol().ianaName()
    }

    def "large clusters (over 1000 endpoints) leave the per-endpoint comments out, and the 10k-service benchmark set has 101,173 rules"() {
        when:
        def r = KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(10_000, 3, 1))

        then:
        r.ruleCount() == r.text().readLines().count { it.startsWith('-A ') }
        r.ruleCount() == 101_173 // the benchmark set (docs/benchmarks.md); the order of rules is kube-proxy's, the count unchanged
        !r.text().contains(' -> ')
    }

    def "generation is deterministic for a seed"() {
        expect:
        KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(50, 2, 3)).text() == KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(50, 2, 3)).text()
        RandomRuleset.generate(11, Placement.FORWARD, 5) == RandomRuleset.generate(11, Placement.FORWARD, 5)
        RandomRuleset.generate(11, Placement.FORWARD, 5) != RandomRuleset.generate(12, Placement.FORWARD, 5)
    }

    def "random rulesets use what the brief asks for"() {
        when:
        String all = (1..60).collectMany { seed -> Placement.values().collect { RandomRuleset.generate(seed, it, 1).text() } }.join('\n')

        then:
        ['! -s ', '! -d ', '! -p ', ' ! --dport ', '-m set ! --match-set', ' -g SK-', ' -j SK-', '-j RETURN', '-j REJECT', '-j DROP',
         '-j ACCEPT', '--set-xmark', '--or-mark', '-m mark --mark', '-m mark ! --mark', '-m multiport', '-m addrtype',
         '--match-set sk-ip ', '--match-set sk-net ', '--match-set sk-ipport ', '--tcp-flags', '--syn', '-m iprange',
         '--ctstate NEW', '-j DNAT --to-destination', '-j SNAT --to-source', '-j MASQUERADE', '--reject-with tcp-reset'].each {
            assert all.contains(it): "no generated ruleset contains '$it'"
        }
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
    def "the kernel accepts every generated ruleset (#backend)"() {
        given:
        KernelLab lab = new KernelLab()
        String ns = lab.netns('gen')

        when:
        NetfilterLab.exec(ns, RandomRuleset.IPSETS, 'ipset', 'restore')
        NetfilterLab.exec(ns, KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(200, 3, 5)).text(), restore)
        List<String> refused = []
        for (long seed = 1; seed <= 100; seed++) {
            for (Placement p : Placement.values()) {
                def r = NetfilterLab.run(ns, RandomRuleset.generate(seed, p, 1).text(), restore)
                if (r[0] != 0) {
                    refused << "seed $seed $p: ${r[2]}".toString()
                }
            }
        }

        then:
        refused == []

        cleanup:
        lab?.close()

        where:
        backend  | restore
        'nft'    | 'iptables-nft-restore'
        'legacy' | 'iptables-legacy-restore'
    }
}
