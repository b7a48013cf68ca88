package io.skoop.notebook

import io.skoop.dsl.Session
import spock.lang.Shared
import spock.lang.Specification

/** Tab (complete), Shift-Tab (inspect) and Enter in a console (is_complete), on the embedded example. */
class CompletionsSpec extends Specification {
    @Shared CellEvaluator ev = new CellEvaluator(new Session(), System.err)
    @Shared Completions completions = new Completions(ev)
    @Shared Inspector inspector = new Inspector(ev)

    def setupSpec() {
        ev.eval("example('flannel-vxlan')\nd = diagnose(pod('default/client'), service('default/web', 80))\ndef myPort = 80", 'setup')
    }

    /** Completes at the '|' in {@code code}; gives the candidates and the replaced text. */
    List complete(String code) {
        int at = code.indexOf('|')
        String c = code.replace('|', '')
        def r = completions.complete(c, at)
        [r.matches(), c.substring(r.start(), r.end())]
    }

    def "completes #what"() {
        expect:
        complete(code) == [matches, replaced]

        where:
        what                                       | code                                       || matches                                  | replaced
        'a verb'                                   | 'diag|'                                    || ['diagnose']                             | 'diag'
        'verbs alike'                              | 'ne|'                                      || ['netnode', 'netns'] | 'ne'
        'a variable of the session'                | 'myP|'                                     || ['myPort']                               | 'myP'
        'the middle of a word (replaces it all)'   | 'diag|nose'                                || ['diagnose']                             | 'diagnose'
        'a pod inside pod(\'...'                   | "diagnose(pod('default/cl|"                || ['default/client', 'default/client-2']   | 'default/cl'
        'a node inside node("...'                  | 'routeGet(node("no|'                       || ['node-1', 'node-2', 'node-3']           | 'no'
        'a Service'                                | "service('kube-|"                          || ['kube-system/kube-dns']                 | 'kube-'
        'an address'                               | "ip('10.96.0.1|"                           || ['10.96.0.1', '10.96.0.10']              | '10.96.0.1'
        'an example'                               | "example('fl|"                             || ['flannel-vxlan', 'flannel-vxlan-nftables'] | 'fl'
        'a magic'                                  | '%di|'                                     || ['diagnose']                             | 'di'
        'a cell magic'                             | '%%t|'                                     || ['time']                                 | 't'
        'an endpoint of %diagnose'                 | '%diagnose default/client node/node-|'     || ['node/node-1', 'node/node-2', 'node/node-3'] | 'node/node-'
        'a namespace of %pods -n'                  | '%pods -n ku|'                             || ['kube-flannel', 'kube-system']                          | 'ku'
        'a member of a variable (method with no parameter)' | 'd.expl|'                         || ['explain()']                            | 'expl'
        'a bean property of a variable'            | 'd.verd|'                                  || ['verdict']                              | 'verd'
        'a member of a property chain'             | 'd.diagnosis.successP|'                    || ['successProbability()']                 | 'successP'
        'a member of what a verb returns'          | "routeGet(node('node-1'), '10.0.0.1').summ|" || ['summary()']                          | 'summ'
        'nothing after a method of a value'        | 'd.json().len|'                            || []                                       | 'len'
    }

    def "Shift-Tab on a verb shows its help and what it returns, with that class's Javadoc"() {
        when:
        String s = inspector.inspect('diagnose', 3)

        then:
        s.startsWith('diagnose(source, destination, [protocol], [family])\n')
        s.contains('returns io.skoop.dsl.DiagnosisView: A diagnosis as scripts use it')
    }

    def "Shift-Tab inside a call shows the call's verb"() {
        expect:
        inspector.inspect("routeGet(node('node-1'), ", 25).startsWith('routeGet(at, dst, [from], [iif], [oif], [mark])')
    }

    def "Shift-Tab on a variable: its type, its value, the class's summary and its members'"() {
        when:
        String s = inspector.inspect('d', 1)

        then:
        s.startsWith('d: io.skoop.dsl.DiagnosisView\nvalue: diagnosis: default/client')
        s.contains('\nA diagnosis as scripts use it')
        s =~ /\n  explain\(\)\s+The text report with every hop's decisions/
        s =~ /\n  verdict\s+REACHABLE, UNREACHABLE or UNKNOWN\./
    }

    def "Shift-Tab on a member, a magic, and on nothing"() {
        expect:
        inspector.inspect('d.explain', 5) == "String DiagnosisView.explain()\n\nThe text report with every hop's decisions (routes, rules, lookups).\n"
        inspector.inspect('d.diagnosis.verdict', 15).contains('REACHABLE / UNREACHABLE / UNKNOWN')
        inspector.inspect('%diagnose', 3).startsWith('Usage: %diagnose [-huV] [--family=4|6] [-p=PORT] SRC DST')
        inspector.inspect('   ', 1) == null
        inspector.inspect('nosuchname', 3) == null
    }

    def "the Javadoc index the build made is in the classes"() {
        when:
        JavadocIndex index = JavadocIndex.load()

        then:
        index.size() > 1000
        index.of(io.skoop.diagnose.Diagnostor) != null
        index.of(io.skoop.dsl.Stepper.Step, 'getNextHop') == 'The hop the packet goes to next, or null when it ended.'
    }

    def "is_complete: #code.inspect() is #status"() {
        expect:
        IsComplete.check(code) == new IsComplete.Answer(status, indent)

        where:
        code                                   || status       | indent
        '1 + 1'                                || 'complete'   | ''
        ''                                     || 'complete'   | ''
        '%diagnose default/client node/node-2' || 'complete'   | ''
        'def f() {'                            || 'incomplete' | '    '
        'diagnose(pod("a"),'                   || 'incomplete' | '    '
        'if (x) {\n  [1,'                      || 'incomplete' | '        '
        'x = 1 +'                              || 'incomplete' | ''
        '"""a text'                            || 'incomplete' | ''
        "println 'abc"                         || 'incomplete' | ''
        '/* a comment'                         || 'incomplete' | ''
        'foo(}'                                || 'invalid'    | ''
        'def 1x = 2'                           || 'invalid'    | ''
    }
}
