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

    def "the embedded calico-bgp snapshot: the example's NetworkPolicy denies client -> db; skoop names Felix's rule and the policy"() {
        when:
        def (code, out, err) = run(['--example', 'calico-bgp', '-s', 'default/client', '-d', 'default/db', '-p', '5432'])
        def (okCode, okOut, okErr) = run(['--example', 'calico-bgp', '-s', 'default/api-1', '-d', 'default/db', '-p', '5432'])

        then: 'UNREACHABLE: the drop on node-3 in db\'s cali-tw- chain, explained by db-from-api'
        code == 1
        out.contains('  FATAL    node:node-3: iptables: dropped by filter/cali-tw-calie57ed5aa5ae#')
        out.contains('"Drop if no policies passed packet"')
        out.contains('denied by the ingress of default/db-from-api: it selects default/db and no rule allows from pod default/client on TCP/5432')
        !out.contains('has no skoop plugin')
        out.endsWith('\nverdict: UNREACHABLE\n')
        err == ''

        and: 'api-1 is allowed by the policy'
        okCode == 0
        okOut.contains('allowed by NetworkPolicy default/db-from-api ingress[0] from[0] ports[0]')
        okOut.endsWith('\nverdict: REACHABLE\n')
    }

    def "json on standard output parses, with the schema version and the verdict"() {
        when:
        def (code, out, err) = run(REFUSED, '-o', 'json')
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

    def "svg to standard output, or to a file named by --output-file (a file already there only with --force)"() {
        given:
        Path file = tmp.resolve('d.svg')
        Files.writeString(file, 'old')

        when:
        def (code, out, err) = run(REFUSED, '-o', 'svg')
        def (keptCode, keptOut, keptErr) = run(REFUSED, '-o', 'svg', '--output-file', file.toString())
        String kept = Files.readString(file)
        def (fileCode, fileOut, fileErr) = run(REFUSED, '--output', 'svg', '--output-file', file.toString(), '--force')
        def (dashCode, dashOut, dashErr) = run(REFUSED, '-o', 'svg', '--output-file', '-')

        then:
        code == 1
        out.startsWith('<svg ')
        out.contains('pod:default/sleeper')
        keptCode == 2
        keptErr == "skoop: error: cannot write $file: it exists; add --force to replace it\n"
        kept == 'old'
        fileCode == 1
        fileOut == ''
        Files.readString(file) == out
        fileErr == "skoop: UNREACHABLE; wrote $file (svg, ${Files.size(file)} bytes)\n"
        dashCode == 1 && dashOut == out
    }

    def "png goes to the file given by --output-file"() {
        given:
        Path file = tmp.resolve('d.png')

        when:
        def (code, out, err) = run(SERVICE, '-o', 'png', '--output-file', file.toString())
        byte[] png = Files.readAllBytes(file)

        then:
        code == 0
        out == ''
        err.startsWith("skoop: REACHABLE; wrote $file (png, ")
        png[1..3] == 'PNG'.bytes as List
        png.length > 10_000
    }

    def "text, wide, json and yaml to a file too; --format is -o's older name"() {
        given:
        Path text = tmp.resolve('d.txt')
        Path wide = tmp.resolve('w.txt')
        Path json = tmp.resolve('d.json')
        Path yaml = tmp.resolve('d.yaml')

        when:
        def t = run(REFUSED, '--output-file', text.toString(), '--explain')
        def w = run(REFUSED, '-o', 'wide', '--output-file', wide.toString())
        def j = run(REFUSED, '--format', 'json', '--output-file', json.toString())
        def y = run(REFUSED, '-o', 'yaml', '--output-file', yaml.toString())

        then:
        t[0] == 1 && t[1] == ''
        Files.readString(text).contains('\n      | ROUTING      (input route: local dev lo (local 10.244.2.4 from 10.244.0.2 dev lo iif eth0))\n')
        Files.readString(wide) == Files.readString(text)
        j[0] == 1 && j[1] == ''
        new JsonSlurper().parse(json.toFile()).verdict == 'UNREACHABLE'
        y[0] == 1
        new org.yaml.snakeyaml.Yaml().load(Files.readString(yaml)) == new JsonSlurper().parse(json.toFile())
    }

    def "endpoints as kubectl users write them: #src -> #dst (-n #ns)"() {
        when:
        def (code, out, err) = run(['--example', 'flannel-vxlan', '-s', src, '-d', dst, '-p', '80', '-n', ns, '-o', 'json'])
        def d = new JsonSlurper().parseText(out)

        then:
        code == 0
        d.source.name == source
        d.destination.name == destination

        where:
        src                | dst               | ns        || source               | destination
        'client'           | 'svc/web'         | 'default' || 'default/client'     | 'svc/default/web'
        'client'           | 'web'             | 'default' || 'default/client'     | 'svc/default/web'
        'default/client'   | 'default/web'     | 'staging' || 'default/client'     | 'svc/default/web'
        'node-1'           | 'svc/default/web' | 'default' || 'node/node-1'        | 'svc/default/web'
        'pod/client'       | 'service/web'     | 'default' || 'default/client'     | 'svc/default/web'
    }

    def "the embedded dual-stack snapshot: --family 6 reaches web at its IPv6 cluster IP; web6 has no IPv4 address; a bad family is refused"() {
        when:
        def (code, out, err) = run(['--example', 'dual-stack', '-s', 'default/client', '-d', 'svc/default/web', '-p', '80', '--family', '6'])
        def (noCode, noOut, noErr) = run(['--example', 'dual-stack', '-s', 'default/client', '-d', 'svc/default/web6', '-p', '80', '--family', '4'])
        def (badCode, badOut, badErr) = run(['--example', 'dual-stack', '-s', 'default/client', '-d', 'svc/default/web', '-p', '80', '--family', '5'])

        then:
        code == 0
        out.startsWith('diagnosis: default/client (fd00:10:244::2) -> svc/default/web (fd00:10:96::1) port 80/tcp')
        out.endsWith('\nverdict: REACHABLE\n')
        err == ''
        noCode == 2
        noErr.contains('Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)')
        !noErr.contains('\tat ')
        badCode == 2
        badErr.trim() == "skoop: error: --family must be 4 or 6, got '5'"
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
        ['-o', 'xml']                                    || "skoop: error: unknown format 'xml'; formats: text, wide, json, yaml, dot, svg, png, html"
        ['-o', 'd.svg']                                  || 'skoop: error: -o takes the output format, as in kubectl (text, wide, json, yaml, dot, svg, png, html); write to a file with --output-file d.svg'
        ['-o', 'png']                                    || 'skoop: error: -o png is a binary image: give --output-file FILE'
        ['-o', 'svg', '--output-file', 'TMP/no/d.svg']   || 'skoop: error: cannot write TMP/no/d.svg: folder TMP/no does not exist'
        ['-o', 'json', '--output-file', 'TMP']           || 'skoop: error: cannot write TMP: it is a folder; give a file name'
        ['--fail-on', 'critcal']                    || "skoop: error: --fail-on expects unreachable, fatal, critical or warning, got 'critcal'; did you mean 'critical'?"
        ['--protocol', 'sctp']                      || 'skoop: error: a diagnosis simulates TCP and UDP connections, not sctp (policy intent evaluates SCTP: skoop policy --protocol sctp)'
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
