package io.skoop.dsl

import io.skoop.cli.SkoopCommand
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.Unroll

/** Every shipped runbook runs on the embedded example, as a user would start it. */
class RunbooksSpec extends Specification {

    static Map skoop(String... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int exit = cl.execute(args)
        [exit: exit, out: out.toString(), err: err.toString()]
    }

    static List<String> runbooks() {
        Files.list(Path.of('scripts/runbooks')).findAll { it.toString().endsWith('.groovy') }*.toString().sort()
    }

    def "the shipped runbooks are the four the docs list"() {
        expect:
        runbooks()*.replaceAll('.*/', '') == ['node-to-node.groovy', 'pod-to-service.groovy', 'service-endpoints.groovy', 'where-does-it-go.groovy']
    }

    @Unroll
    def "#runbook runs on the embedded example: exit 0, printing #words"() {
        when:
        def r = skoop('run', runbook, '--example', 'flannel-vxlan')

        then:
        r.err == ''
        r.exit == 0
        r.out.contains(words)

        where:
        runbook                                       | words
        'scripts/runbooks/pod-to-service.groovy'      | 'backend pod:default/web-3: DELIVERED (p=0.333)'
        'scripts/runbooks/node-to-node.groovy'        | 'verdict: REACHABLE'
        'scripts/runbooks/service-endpoints.groovy'   | 'from node node-2: REACHABLE via [pod:default/web-2, pod:default/web-1, pod:default/web-3]'
        'scripts/runbooks/where-does-it-go.groovy'    | 'KUBE-SEP-'
    }

    def "parameters change the question; an unreachable answer exits 1"() {
        when:
        def r = skoop('run', 'scripts/runbooks/pod-to-service.groovy', '--param', 'service=kube-system/kube-dns', '--param', 'port=53',
                '--param', 'protocol=udp')
        def sleeper = skoop('run', 'scripts/runbooks/node-to-node.groovy', '--param', 'to=node-2', '--param', 'port=10250', '--param', 'protocol=udp')

        then:
        r.exit == 0
        r.out.contains('backend pod:kube-system/coredns: DELIVERED (p=1.000)')
        sleeper.exit == 1
        sleeper.out.contains('no socket listens on 192.168.56.3:10250/udp')
    }

    def "--help lists a runbook's parameters"() {
        when:
        def r = skoop('run', 'scripts/runbooks/node-to-node.groovy', '--help')

        then:
        r.exit == 0
        r.out == '''Can one node reach another's port (kubelet, a NodePort, the VXLAN port)?
skoop run scripts/runbooks/node-to-node.groovy --example flannel-vxlan --param from=node-1 --param to=node-3 --param port=10250

runbook scripts/runbooks/node-to-node.groovy parameters:
  --param from=STRING            the client node (default: node-1)
  --param to=STRING              the server node (default: node-3)
  --param port=INT               the port on the server node (default: 10250)
  --param protocol=tcp|udp       the protocol (default: tcp)
'''
    }

    @Unroll
    def "a bad run is a clear error, exit 2: #message"() {
        given:
        Path bad = Files.createTempFile('runbook', '.groovy')
        bad.toFile().text = 'def p = params(x: [required: true, help: "an x"])\nprintln p.x +\n'

        when:
        def r = skoop(*args.collect { it == 'BAD' ? bad.toString() : it })

        then:
        r.exit == 2
        r.err.startsWith('skoop: error: ' + message.replace('BADNAME', bad.fileName.toString()).replace('BAD', bad.toString()))

        cleanup:
        Files.deleteIfExists(bad)

        where:
        args                                                                               | message
        ['run', 'scripts/runbooks/node-to-node.groovy', '--param', 'port=abc']             | '--param port=abc: not an int'
        ['run', 'scripts/runbooks/node-to-node.groovy', '--param', 'prot=udp']             | "the runbook has no parameter 'prot'"
        ['run', 'scripts/runbooks/node-to-node.groovy', '--param', 'protocol=icmp']        | "--param protocol=icmp: not one of tcp, udp"
        ['run', 'scripts/runbooks/node-to-node.groovy', '--param', 'port']                 | '--param port: expected NAME=VALUE'
        ['run', 'scripts/runbooks/nope.groovy']                                            | 'scripts/runbooks/nope.groovy (no such runbook)'
        ['run', 'BAD', '--param', 'x=1']                                                   | "runbook does not compile: line 3, column 1: Unexpected input: '<EOF>'\n  BADNAME, line 3:"
        ['run', 'scripts/runbooks/pod-to-service.groovy', '--param', 'service=default/wev'] | "no service default/wev in the snapshot"
    }

    def "a runbook's own failure is reported as its own, at its lines, exit 2: #what"() {
        given:
        Path rb = Files.createTempFile('runbook', '.groovy')
        rb.toFile().text = code
        String name = rb.fileName.toString()

        when:
        def r = skoop('run', rb.toString(), '--example', 'flannel-vxlan')

        then:
        r.exit == 2
        r.err == 'skoop: error: ' + message.replace('NAME', name) + '\n'
        !r.err.contains('internal error')

        cleanup:
        Files.deleteIfExists(rb)

        where:
        what                     | code                                                                                   || message
        'its own exception'      | 'def check(v) {\n  if (!v) { throw new IllegalStateException("no backend answered") }\n}\ncheck(false)\n' || 'the runbook failed: IllegalStateException: no backend answered\n  NAME, line 4: check(false)\n  NAME, line 2: if (!v) { throw new IllegalStateException("no backend answered") }'
        'a file it cannot write' | "def d = diagnose(pod('default/client'), service('default/web', 80))\nd.save('/nonexistent-dir/x.svg')\n" || "cannot write /nonexistent-dir/x.svg: its folder does not exist (NAME, line 2: d.save('/nonexistent-dir/x.svg'))"
        'an unknown verb'        | "diagnoze(pod('default/client'), service('default/web', 80))\n"                      || "unknown verb 'diagnoze'; verbs: example, snapshot, live, lab, pod, node, service, ip, diagnose, routeGet, trace, packet, netns, netnode, nodes, pods, services, address, policy, help; did you mean 'diagnose'? (NAME, line 1: diagnoze(pod('default/client'), service('default/web', 80)))"
        'an undefined variable'  | 'println nope\n'                                                                        || "the runbook failed: MissingPropertyException: 'nope' is not defined: no variable of that name in this session, and no verb\n  NAME, line 1: println nope"
    }

    def "a declaration a parameter cannot have, or a missing required parameter, is a clear error: #decl"() {
        given:
        Path rb = Files.createTempFile('runbook', '.groovy')
        rb.toFile().text = "def p = params($decl)\nprintln p\n"

        when:
        def r = skoop('run', rb.toString())

        then:
        r.exit == 2
        r.err.startsWith('skoop: error: ' + message)

        cleanup:
        Files.deleteIfExists(rb)

        where:
        decl                                             || message
        "x: [vaules: ['a', 'b']]"                        || "params: x declares 'vaules'; a parameter takes type, default, required, help, values; did you mean 'values'?"
        "x: [values: ['a', 'b'], default: 'c']"          || "params: x has default 'c', which is not one of [a, b]"
        "x: [values: []]"                                || "params: x values: must be a non-empty list"
        "x: [required: true, help: 'an x']"              || 'the runbook needs --param x=STRING (an x)'
    }

    def "a runbook's leading comment, line or block, is its description"() {
        expect:
        io.skoop.dsl.Runbook.description(source) == text

        where:
        source                                                   || text
        '// One.\n// Two.\ndef p = 1\n// not this\n'          || 'One.\nTwo.'
        '#!/usr/bin/env skoop\n/*\n * Block.\n * More.\n */\nx\n' || 'Block.\nMore.'
        '\n// After a blank line.\nx\n'                        || 'After a blank line.'
        'println 1\n// late\n'                                 || ''
    }
}
