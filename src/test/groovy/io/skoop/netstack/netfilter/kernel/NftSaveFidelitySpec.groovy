package io.skoop.netstack.netfilter.kernel

import io.skoop.testsupport.KernelLab
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/**
 * A kernel/tool fact the simulator's input depends on, found by the kernel comparison:
 * iptables-nft 1.8.9 keeps every condition of a rule with repeated {@code -m udp} / {@code -m tcp}
 * matches in the kernel (nft evaluates them all), but {@code iptables-save} prints only the last
 * port condition. A snapshot taken with iptables-nft therefore can describe a rule that matches
 * more packets than the kernel's rule does; iptables-legacy round-trips the rule. If this spec
 * starts failing, the tool was fixed and the random generator may use repeated port matches again.
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class NftSaveFidelitySpec extends Specification {
    @Shared @AutoCleanup KernelLab lab = new KernelLab()
    @Shared String ns = lab.netns('save')

    static final String RULE = '-A INPUT -p udp -m udp --sport 41000:41020 -m udp --dport 1:1024 -m udp ! --dport 80 -j ACCEPT'

    def "#restore then #save: the dump #keeps the repeated port matches"() {
        when:
        NetfilterLab.exec(ns, "*filter\n:INPUT ACCEPT [0:0]\n$RULE\nCOMMIT\n", restore)
        String dumped = NetfilterLab.exec(ns, null, save, '-t', 'filter').readLines().find { it.startsWith('-A INPUT') }

        then:
        dumped == expected

        cleanup:
        NetfilterLab.exec(ns, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", restore)

        where:
        restore                   | save                   | keeps          | expected
        'iptables-nft-restore'    | 'iptables-nft-save'    | 'does not keep'| '-A INPUT -p udp -m udp --sport 41000:41020 ! --dport 80 -j ACCEPT'
        'iptables-legacy-restore' | 'iptables-legacy-save' | 'keeps'        | RULE
    }

    def "the nft rule behind the lossy dump still checks all three port conditions"() {
        when:
        NetfilterLab.exec(ns, "*filter\n:INPUT ACCEPT [0:0]\n$RULE\nCOMMIT\n", 'iptables-nft-restore')
        String nft = NetfilterLab.exec(ns, null, 'nft', 'list', 'chain', 'ip', 'filter', 'INPUT')

        then:
        nft.contains('udp sport 41000-41020 udp dport 1-1024 udp dport != 80')

        cleanup:
        NetfilterLab.exec(ns, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", 'iptables-nft-restore')
    }
}
