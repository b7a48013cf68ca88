package io.skoop.cli

import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/** {@code skoop diagnose} as a user types it, on the embedded flannel-vxlan snapshot: each format, -o, the mistakes. */
class DiagnoseCommandSpec extends Specification {
    static final List<String> REFUSED = ['--example', 'flannel-vxlan', '-s', 'default/client', '-d', 'default/sleeper', '-p', '80']
    static final List<String> SERVICE = ['--example', 'flannel-vxlan', '-s', 'default/client', '-d', 'svc/default/web']

    @TempDir
    Path tmp

    static List run(List<String> query, String... args) {
        def cl = SkoopCommand.commandLine()
        def out = new StringWriter(), err = new StringWriter()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int code = cl.execute((['diagnose'] + query + (args as List)) as String[])
        [code, out.toString(), err.toString()]
    }

    def "text is the default: the paths, the suspicions, the verdict; exit 0 reachable, 1 unreachable"() {
        when:
        def (okCode, okOut, okErr) = run(SERVICE)
        def (badCode, badOut, badErr) = run(REFUSED, '--format', 'text')

        then:
        okCode == 0
        okOut.startsWith('diagnosis: default/client (10.244.0.2) -> svc/default/web (10.96.0.2) port 80/tcp  (snapshot vxlan)\n')
        okOut.endsWith('\nverdict: REACHABLE\n')
        okErr == ''
        badCode == 1
        badOut.contains('  FATAL    pod:default/sleeper: no socket listens on 10.244.2.4:80/tcp')
        badOut.endsWith('\nverdict: UNREACHABLE\n')
        badErr == ''
    }

    def "json on standard output parses, with the schema version and the verdict"() {
        when:
        def (code, out, err) = run(REFUSED, '--format', 'json')
        def j = new JsonSlurper().parseText(out)

        then:
        code == 1
        j.schemaVersion == 1
        j.verdict == 'UNREACHABLE'
        j.request.nodes*.id == ['pod:default/client', 'node:node-1', 'node:node-3', 'pod:default/sleeper']
        err == ''
    }

    def "dot on standard output is a digraph with both clusters"() {
        when:
        def (code, out, err) = run(SERVICE, '--format', 'DOT')

        then:
        code == 0
        out.startsWith('digraph "skoop" {\n')
        out.contains('subgraph "cluster_request"')
        out.contains('subgraph "cluster_reply"')
        out.endsWith('}\n')
        err == ''
    }

    def "svg to standard output, or to a file named by -o (a file already there is replaced)"() {
        given:
        Path file = tmp.resolve('d.svg')
        Files.writeString(file, 'old')

        when:
        def (code, out, err) = run(REFUSED, '--format', 'svg')
        def (fileCode, fileOut, fileErr) = run(REFUSED, '--format', 'svg', '-o', file.toString())

        then:
        code == 1
        out.startsWith('<svg ')
        out.contains('pod:default/sleeper')
        fileCode == 1
        fileOut == ''
        Files.readString(file) == out
        fileErr == "skoop: UNREACHABLE; wrote $file (svg, ${Files.size(file)} bytes)\n"
    }

    def "png goes to the file given by -o"() {
        given:
        Path file = tmp.resolve('d.png')

        when:
        def (code, out, err) = run(SERVICE, '--format', 'png', '--output', file.toString())
        byte[] png = Files.readAllBytes(file)

        then:
        code == 0
        out == ''
        err.startsWith("skoop: REACHABLE; wrote $file (png, ")
        png[1..3] == 'PNG'.bytes as List
        png.length > 10_000
    }

    def "text and json to a file too"() {
        given:
        Path text = tmp.resolve('d.txt')
        Path json = tmp.resolve('d.json')

        when:
        def t = run(REFUSED, '-o', text.toString(), '--explain')
        def j = run(REFUSED, '--format', 'json', '-o', json.toString())

        then:
        t[0] == 1 && t[1] == ''
        Files.readString(text).contains('\n      | ROUTING      (input route: local dev lo (local 10.244.2.4 from 10.244.0.2 dev lo iif eth0))\n')
        j[0] == 1 && j[1] == ''
        new JsonSlurper().parse(json.toFile()).verdict == 'UNREACHABLE'
    }

    def "mistakes are usage errors (exit 2) with a message, not a stack trace, found before the diagnosis runs: #args"() {
        when:
        def (code, out, err) = run(REFUSED, *args.collect { it.replace('TMP', tmp.toString()) })

        then:
        code == 2
        out == ''
        err.trim() == message.replace('TMP', tmp.toString())
        !err.contains('\tat ')

        where:
        args                                        || message
        ['--format', 'xml']                         || "skoop: error: unknown format 'xml'; formats: text, json, dot, svg, png, html"
        ['--format', 'png']                         || 'skoop: error: --format png is a binary image: give -o FILE'
        ['--format', 'svg', '-o', 'TMP/no/d.svg']   || 'skoop: error: cannot write TMP/no/d.svg: folder TMP/no does not exist'
        ['--format', 'json', '-o', 'TMP']           || 'skoop: error: cannot write TMP: it is a folder; give a file name'
        ['--fail-on', 'critcal']                    || "skoop: error: --fail-on expects unreachable, fatal, critical or warning, got 'critcal'; did you mean 'critical'?"
    }

    def "--fail-on #level: a REACHABLE flow with a CRITICAL (one backend of three refuses) exits #code"() {
        given: 'a copy of the example where nothing listens in web-2 (one Service branch of three is refused)'
        Path snap = io.skoop.testsupport.ExampleCopy.copy(tmp.resolve('snap'))
        snap.resolve('nodes/node-2/pods/default_web-2/sockets.txt').text = ''

        when:
        def (c, out, err) = run(['--snapshot', snap.toString(), '-s', 'default/client', '-d', 'svc/default/web'], *(level ? ['--fail-on', level] : []))

        then:
        c == code
        out.contains('verdict: REACHABLE (67% of new connections complete)')
        out.contains('CRITICAL')

        where:
        level         || code
        null          || 0
        'unreachable' || 0
        'fatal'       || 0
        'critical'    || 1
        'WARNING'     || 1
    }
}
