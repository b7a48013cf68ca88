package io.skoop.netstack.route

import groovy.json.JsonOutput
import io.skoop.netstack.parse.RoutingDump
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * The Router on the captured fixture namespace (src/test/resources/netstack/route/basic, made by
 * capture.sh) answers every recorded query exactly as the kernel did (kernel-answers.txt), and
 * records the decisions that led there. Needs no root.
 */
class RouterFixtureSpec extends Specification {
    static final Path DIR = Path.of('src/test/resources/netstack/route/basic')

    @Shared
    Map<String, String> sysctl = sysctls(DIR.resolve('sysctl.txt'))
    @Shared
    Router router = RoutingDump.load(DIR, sysctl)

    static Map<String, String> sysctls(Path file) {
        Files.readAllLines(file).findAll { it.contains(' = ') }.collectEntries { l ->
            int eq = l.indexOf(' = ')
            [(l.substring(0, eq).trim()): l.substring(eq + 3).trim()]
        }
    }

    static List<List<String>> answers() {
        Files.readAllLines(DIR.resolve('kernel-answers.txt')).findAll { it }.collect { it.split('\t', 2) as List<String> }
    }

    RouteResult get(String q) {
        router.lookup(RouteQuery.parse(q.split(/\s+/) as List))
    }

    def "answers '#query' like the kernel: #kernel"() {
        when:
        RouteResult r = get(query)
        Map ours = new groovy.json.JsonSlurper().parseText(JsonOutput.toJson(r.toJson())) as Map

        then:
        KernelAnswer.disagreement(ours, kernel) == null

        where:
        [query, kernel] << answers()
    }

    def "every recorded kernel answer is checked (the fixture is not empty)"() {
        expect:
        answers().size() >= 50
    }

    def "the steps name the rule, the table and the route that decided"() {
        when:
        RouteResult r = get('10.40.1.1 from 10.2.0.1')

        then:
        r.ok()
        r.table() == 100
        r.steps().find { it instanceof Step.RuleMatched }.rule.priority == 0
        r.steps().findAll { it instanceof Step.RuleMatched }*.rule*.priority == [0L, 100L]
        r.steps().find { it instanceof Step.TableLookup && it.table == 100 }.route.toString() == '10.40.0.0/16 via 10.2.0.3 dev br0 table 100'
        r.toString().contains('rule matched: 100: from 10.2.0.0/24 to 10.40.0.0/16 lookup 100')
    }

    def "suppress_prefixlength 0 suppresses the default route and the lookup goes on"() {
        when:
        RouteResult r = get('10.99.1.1')

        then:
        r.ok()
        r.steps().find { it instanceof Step.Suppressed }.rule.priority == 108
        r.steps().find { it instanceof Step.Suppressed }.reason.contains('prefix length 0 <= suppress_prefixlength 0')
        r.gateway().toString() == '10.1.0.254'
    }

    def "a goto jumps to its target rule"() {
        when:
        RouteResult r = get('10.43.1.1 oif br0 mark 0x10')

        then:
        r.steps().find { it instanceof Step.Goto }.target == 300L
        r.table() == 300
    }

    def "throw in table 100 continues with the next rule"() {
        when:
        RouteResult r = get('10.42.1.1')

        then:
        r.steps().find { it instanceof Step.TableLookup && it.table == 100 }.outcome.contains('throw')
        r.ok()
        r.table() == Tables.MAIN
    }

    def "multipath reports every nexthop with its weight and says the pick is hash-dependent"() {
        when:
        RouteResult r = get('10.21.1.1')

        then:
        r.hashDependent()
        r.paths().collect { [it.gateway().toString(), it.dev(), it.weight()] } == [['10.1.0.2', 'va', 2], ['10.2.0.9', 'br0', 1]]
        r.paths()*.prefsrc*.toString() == ['10.1.0.1', '10.2.0.1']
        r.toJson().multipath.size() == 2
    }

    def "rule actions and route types end with their errno (#query)"() {
        expect:
        get(query).errno() == errno

        where:
        query                                   | errno
        '10.30.1.1'                             | Errno.EINVAL
        '10.31.1.1'                             | Errno.EHOSTUNREACH
        '10.32.1.1'                             | Errno.EACCES
        '8.8.8.8 mark 0x20'                     | Errno.EACCES
        '8.8.8.8 ipproto udp sport 1500 dport 53' | Errno.EINVAL
        '8.8.8.8 from 10.77.0.1'                | Errno.ENETUNREACH
        '8.8.8.8 from 127.0.0.1'                | Errno.EINVAL
    }

    def "forwarding off on the input device: EHOSTUNREACH for forwarded packets, local delivery still works"() {
        given:
        def noFwd = new Router(router.interfaces(), router.table(false, Tables.MAIN).all() + router.table(false, Tables.LOCAL).all()
                + router.table(false, 100).all(), router.rules(false), router.rules(true),
                sysctl + ['net.ipv4.conf.br0.forwarding': '0'])

        expect:
        noFwd.lookup(RouteQuery.parse('10.20.1.1 from 10.2.0.7 iif br0'.split(' ') as List)).errno() == Errno.EHOSTUNREACH
        noFwd.lookup(RouteQuery.parse('10.1.0.1 from 10.2.0.7 iif br0'.split(' ') as List)).type() == RouteType.LOCAL
    }

    def "strict rp_filter on br0 rejects a source that routes back via another device"() {
        when:
        RouteResult r = get('10.20.1.1 from 10.1.0.9 iif br0')
        Step.SourceValidation v = r.steps().find { it instanceof Step.SourceValidation }

        then:
        r.errno() == Errno.EINVAL
        v.rpFilter() == 1
        !v.passed()
        v.detail().contains('strict rp_filter')
    }

    def "a local source arriving from outside is a martian (EINVAL)"() {
        expect:
        get('10.20.1.1 from 10.1.0.1 iif br0').errno() == Errno.EINVAL
    }

    def "output with oif and no route via it: the kernel assumes the destination is on-link there"() {
        when:
        RouteResult r = get('8.8.8.8 oif br0')

        then:
        r.dev() == 'br0'
        r.gateway() == null
        r.prefsrc().toString() == '10.2.0.1'
        r.steps().any { it instanceof Step.Decision && it.text.contains('on-link') }
    }

    def "text output prints like ip route get, then the numbered steps"() {
        expect:
        get('10.40.1.1').summary() == '10.40.1.1 via 10.2.0.3 dev br0 table 100 src 10.2.0.1'
        get('10.30.1.1').summary() == 'RTNETLINK answers: Invalid argument (EINVAL)'
        get('10.40.1.1').toString().readLines()[1].startsWith('  1. ')
    }

    def "unknown devices in a query are usage errors"() {
        when:
        get('10.1.0.1 oif nosuch')

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('Cannot find device "nosuch"')
    }
}
