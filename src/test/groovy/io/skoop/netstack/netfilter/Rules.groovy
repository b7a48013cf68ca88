package io.skoop.netstack.netfilter

import io.skoop.netstack.parse.IptablesSaveParser

/** Builds iptables-save text for specs: declares the built-in chains of each table and every user chain used. */
class Rules {
    static final Map<String, List<String>> BUILTIN = [
            raw     : ['PREROUTING', 'OUTPUT'],
            mangle  : ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
            nat     : ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
            filter  : ['INPUT', 'FORWARD', 'OUTPUT'],
            security: ['INPUT', 'FORWARD', 'OUTPUT']]

    /** {@code [filter: [':FORWARD DROP', '-A INPUT -j X', ...]]}: a ':CHAIN POLICY' line overrides a built-in policy. */
    static String dump(Map<String, List<String>> tables) {
        StringBuilder sb = new StringBuilder()
        tables.each { String table, List<String> lines ->
            sb << "*$table\n"
            Map<String, String> policy = [:]
            BUILTIN[table].each { policy[it] = 'ACCEPT' }
            lines.findAll { it.startsWith(':') }.each { l -> def p = l.substring(1).split(' '); policy[p[0]] = p[1] }
            Set<String> user = new LinkedHashSet<>()
            lines.findAll { it.startsWith('-A ') }.each { l ->
                def c = l.split(' ')[1]
                if (!policy.containsKey(c)) user << c
                def m = l =~ /-[jg] ([A-Z][A-Z0-9_-]*)/
                m.each { mm -> if (!policy.containsKey(mm[1]) && !(mm[1] in KNOWN_TARGETS)) user << mm[1] }
            }
            policy.each { c, p -> sb << ":$c $p [0:0]\n" }
            user.each { sb << ":$it - [0:0]\n" }
            lines.findAll { !it.startsWith(':') }.each { sb << it << '\n' }
            sb << "COMMIT\n"
        }
        sb.toString()
    }

    static final Set<String> KNOWN_TARGETS = ['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG', 'NFLOG', 'MARK', 'CONNMARK', 'DNAT',
                                              'SNAT', 'MASQUERADE', 'REDIRECT', 'NOTRACK', 'CT', 'TCPMSS', 'FOO'] as Set

    static Ruleset parse(Map<String, List<String>> tables, boolean v6 = false) {
        IptablesSaveParser.parse(v6 ? 'ip6tables.txt' : 'iptables.txt', dump(tables), v6)
    }
}
