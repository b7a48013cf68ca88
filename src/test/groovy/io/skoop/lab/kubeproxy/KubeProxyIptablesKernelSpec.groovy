package io.skoop.lab.kubeproxy

import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.Match
import io.skoop.netstack.netfilter.Rule
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.netfilter.Target
import io.skoop.netstack.netfilter.kernel.KubeProxyRuleset
import io.skoop.netstack.parse.IptablesSaveParser
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Specification

/**
 * The kernel judges the generator: the rendered text loads with iptables-restore in a throwaway namespace,
 * iptables-save gives back the same rules (chain by chain, rule by rule, as our parser models them), and
 * the parser reads both without an Unknown element.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class KubeProxyIptablesKernelSpec extends Specification {

    def "#name loads with #restore and iptables-save round-trips it"() {
        given:
        KernelLab lab = new KernelLab()
        String ns = lab.netns('kp')
        String text = rendered()

        when:
        lab.execInput(ns, text, restore)
        String saved = lab.exec(ns, save)
        Ruleset mine = IptablesSaveParser.parse('rendered', text, false)
        Ruleset kernel = IptablesSaveParser.parse(save, saved, false)

        then: 'the same chains in filter and nat, and the same rules in each, in order'
        ['filter', 'nat'].every { kernel.table(it).chains().keySet() == mine.table(it).chains().keySet() }
        mismatches(mine, kernel) == []
        kernel.ruleCount() == text.readLines().count { it.startsWith('-A ') }

        and: 'our parser models every match and target of both'
        allRules(mine).findAll { it.hasUnknown() } == []
        allRules(kernel).findAll { it.hasUnknown() } == []

        cleanup:
        lab?.close()

        where:
        [name, rendered, restore, save] << [
                [['golden case', { KubeProxyIptables.render(KubeProxyIptablesSpec.NODE, KubeProxyIptablesSpec.goldenCase()).text() }],
                 ['external and load-balancer IPs', { KubeProxyIptables.render(KubeProxyIptablesSpec.NODE, externalCase()).text() }],
                 ['large-cluster mode (1,200 endpoints)', { KubeProxyRuleset.generate(KubeProxyRuleset.Params.large(400, 3, 5)).text() }]],
                [['iptables-restore', 'iptables-save'], ['iptables-legacy-restore', 'iptables-legacy-save']]
        ].combinations().collect { c -> [c[0][0], c[0][1], c[1][0], c[1][1]] }
    }

    static List<ServicePort> externalCase() {
        [new ServicePort('ns', 'lb', 'https', Protocol.TCP, Ip.parse('10.96.0.7'), 443, 31443,
                [Ip.parse('203.0.113.7')], [Ip.parse('198.51.100.7')],
                [ServiceEndpoint.ready(Ip.parse('10.244.1.7'), 8443), ServiceEndpoint.ready(Ip.parse('10.244.2.7'), 8443)]),
         new ServicePort('ns', 'gone', '', Protocol.SCTP, Ip.parse('10.96.0.8'), 443, 31444,
                 [Ip.parse('203.0.113.8')], [Ip.parse('198.51.100.8')], [])]
    }

    /** "table chain #n: kernel … | rendered …" for each rule position where the two differ. */
    static List<String> mismatches(Ruleset mine, Ruleset kernel) {
        ['filter', 'nat'].collectMany { t ->
            mine.table(t).chains().collectMany { chainName, chain ->
                List<String> k = canonical(kernel.table(t).chain(chainName)?.rules() ?: [])
                List<String> m = canonical(chain.rules())
                (0..<Math.max(k.size(), m.size())).findAll { k[it] != m[it] }
                        .collect { "$t $chainName #${it + 1}: kernel ${k[it]} | rendered ${m[it]}".toString() }
            }
        }
    }

    static List<Rule> allRules(Ruleset rs) {
        rs.tables().values().collectMany { t -> t.chains().values().collectMany { it.rules() } }
    }

    /**
     * Each rule as its sorted matches (iptables-save puts -s/-d/-p before the modules) and its target, with
     * three differences of notation that do not change what the rule matches folded away: probabilities to
     * 1e-9 (the kernel keeps them as a 32-bit fraction), an empty {@code -m tcp}/{@code -m udp} that our parser
     * adds when {@code -m PROTO} comes before {@code -p PROTO} (as kube-proxy writes it), and REJECT's default
     * {@code --reject-with icmp-port-unreachable}, which iptables-save prints and the rendered text leaves out.
     */
    static List<String> canonical(List<Rule> rules) {
        rules.collect { r ->
            r.matches().findAll { !emptyPortMatch(it) }.collect { m ->
                m instanceof Match.Statistic ? "statistic ${String.format(Locale.ROOT, '%.9f', m.probability())}".toString() : m.toString()
            }.sort().join(' & ') + ' -> ' +
                    (r.target() instanceof Target.Reject && r.target().with() == null ? new Target.Reject('icmp-port-unreachable') : r.target())
        }
    }

    static boolean emptyPortMatch(Match m) {
        (m instanceof Match.Tcp && m.sport() == null && m.dport() == null && m.flagsMask() == 0) ||
                (m instanceof Match.Udp && m.sport() == null && m.dport() == null)
    }
}
