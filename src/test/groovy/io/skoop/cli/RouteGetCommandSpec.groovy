package io.skoop.cli

import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/** {@code skoop netstack route-get} on the captured fixture dump (src/test/resources/netstack/route/basic). */
class RouteGetCommandSpec extends Specification {
    static final String DUMP = 'src/test/resources/netstack/route/basic'

    @TempDir
    Path tmp

    static List run(String... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int rc = cl.execute((['netstack', 'route-get'] + (args as List)) as String[])
        return [rc, out.toString(), err.toString()]
    }

    def "text output prints like ip route get, then the decision steps"() {
        when:
        def (rc, out, err) = run(DUMP, '10.40.1.1', 'from', '10.2.0.1')

        then:
        rc == 0
        out.readLines()[0] == '10.40.1.1 from 10.2.0.1 via 10.2.0.3 dev br0 table 100'
        out.contains('rule matched: 100: from 10.2.0.0/24 to 10.40.0.0/16 lookup 100')
        err == ''
    }

    def "--json uses the keys of ip -j route get: #words"() {
        when:
        def (rc, out, err) = run(([DUMP] + (words.split(' ') as List) + ['--json']) as String[])

        then:
        rc == code
        new JsonSlurper().parseText(out) == json

        where:
        words                          | code | json
        '10.40.1.1'                    | 0    | [dst: '10.40.1.1', gateway: '10.2.0.3', dev: 'br0', table: '100', prefsrc: '10.2.0.1']
        '10.1.0.5'                     | 0    | [type: 'local', dst: '10.1.0.5', dev: 'lo', table: 'local', prefsrc: '10.1.0.1']
        '10.24.1.1'                    | 0    | [dst: '10.24.1.1', via: [family: 'inet6', host: '2001:db8:1::2'], dev: 'va', prefsrc: '10.1.0.1']
        '10.20.1.1 from 10.2.0.7 iif br0' | 0 | [dst: '10.20.1.1', from: '10.2.0.7', gateway: '10.1.0.2', dev: 'va', iif: 'br0']
        '8.8.8.8 mark 7'               | 0    | [dst: '8.8.8.8', gateway: '10.1.0.254', dev: 'va', prefsrc: '10.1.0.1', mark: 7]
        '10.31.1.1'                    | 1    | [dst: '10.31.1.1', error: 'EHOSTUNREACH', message: 'No route to host']
        '2001:db8:5::1'                | 0    | [dst: '2001:db8:5::1', from: '::', gateway: '2001:db8:1::2', dev: 'va', prefsrc: '2001:db8:1::1', metric: 7]
    }

    def "a failing lookup exits 1 and prints the RTNETLINK line"() {
        when:
        def (rc, out, err) = run(DUMP, '10.30.1.1')

        then:
        rc == 1
        out.startsWith('RTNETLINK answers: Invalid argument (EINVAL)')
    }

    def "--batch answers one JSON line per query"() {
        given:
        Path q = tmp.resolve('q.txt')
        Files.writeString(q, '# comment\n10.40.1.1\n\n10.31.1.1\n10.20.1.1 from 10.2.0.7 iif br0\n')

        when:
        def (rc, out, err) = run(DUMP, '--batch', q.toString())
        def lines = out.readLines().collect { new JsonSlurper().parseText(it) }

        then:
        rc == 0
        lines*.dst == ['10.40.1.1', '10.31.1.1', '10.20.1.1']
        lines[1].error == 'EHOSTUNREACH'
        lines[2].iif == 'br0'
    }

    def "usage errors exit 2 with a clear message and no stack trace: #why"() {
        when:
        def (rc, out, err) = run(args as String[])

        then:
        rc == 2
        err.startsWith('skoop: error: ') || err.contains('Missing required parameter')
        err.contains(message)
        !err.contains('\tat ')

        where:
        why              | args                                   | message
        'no dump'        | ['/nonexistent', '10.0.0.1']           | 'not a netns dump folder'
        'bad address'    | [DUMP, '10.0.0.300']                   | "bad destination address '10.0.0.300'"
        'unknown device' | [DUMP, '10.0.0.1', 'oif', 'eth9']      | 'Cannot find device "eth9"'
        'stray word'     | [DUMP, '10.0.0.1', 'via', 'x']         | "unexpected word 'via'"
        'no destination' | [DUMP]                                 | 'missing destination'
        'bad mark'       | [DUMP, '10.0.0.1', 'mark', 'x']        | "bad mark 'x'"
    }

    def "a bad batch line names the file and line"() {
        given:
        Path q = tmp.resolve('q.txt')
        Files.writeString(q, '10.40.1.1\n10.40.1.1 iif\n')

        when:
        def (rc, out, err) = run(DUMP, '--batch', q.toString())

        then:
        rc == 2
        err.contains("q.txt:2: 'iif' needs a value")
    }

    def "a malformed dump file is reported with its name"() {
        given:
        Path d = tmp.resolve('ns')
        Files.createDirectories(d)
        ['link.json', 'addr.json', 'route.json', 'rule.json'].each { Files.copy(Path.of(DUMP, it), d.resolve(it)) }
        Files.writeString(d.resolve('route.json'), '[{"dst": ')

        when:
        def (rc, out, err) = run(d.toString(), '10.0.0.1')

        then:
        rc == 2
        err.contains('route.json:1: malformed JSON')
    }
}
