package io.skoop.cli

import groovy.json.JsonOutput
import io.skoop.testsupport.ExampleCopy
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/** {@code skoop policy}: the policies selecting a pod, and the intent for a flow, without the data path. */
class PolicyCommandSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-policy-cli')
    @Shared Path snap

    def setupSpec() {
        snap = ExampleCopy.copy(tmp.resolve('snap'))
        snap.resolve('k8s/networkpolicies.json').text = JsonOutput.toJson([apiVersion: 'v1', kind: 'List', items: [
                [apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: [name: 'deny-web', namespace: 'default'],
                 spec: [podSelector: [matchLabels: [app: 'web']], policyTypes: ['Ingress']]],
                [apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: [name: 'allow-client-1', namespace: 'default'],
                 spec: [podSelector: [matchLabels: [app: 'web']], policyTypes: ['Ingress'],
                        ingress: [[from: [[podSelector: [matchLabels: [app: 'client']]]], ports: [[port: 8080, protocol: 'TCP']]]]]]]])
    }

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    static List run(String... args) {
        def cl = SkoopCommand.commandLine()
        def out = new StringWriter(), err = new StringWriter()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int code = cl.execute((['policy'] + (args as List)) as String[])
        [code, out.toString(), err.toString()]
    }

    def "a pod: the policies selecting it per direction, and whether the CNI enforces them"() {
        when:
        def (code, out, err) = run('--snapshot', snap.toString(), 'default/web-2')

        then:
        code == 0
        out == '''policies: 2 NetworkPolicies, 0 AdminNetworkPolicies, no BaselineAdminNetworkPolicy in the snapshot; flannel enforces none of them: they have no effect on the data path
default/web-2
  ingress: NetworkPolicy default/allow-client-1, NetworkPolicy default/deny-web
  egress:  none (not isolated)
'''
    }

    def "a flow to a Service: one verdict per endpoint, the port each targetPort names; exit 1 when one is denied"() {
        when:
        def (code, out, err) = run('--snapshot', snap.toString(), '-s', 'default/client', '-d', 'svc/default/web', '-p', '80')

        then: 'web-3 serves http on 8081: the policy allows 8080 only'
        code == 1
        out.readLines().findAll { it ==~ /^\d.*: (ALLOWED|DENIED)$/ } == [
                '10.244.0.2 -> 10.244.0.3:8080/TCP: ALLOWED', '10.244.0.2 -> 10.244.1.2:8080/TCP: ALLOWED', '10.244.0.2 -> 10.244.2.2:8081/TCP: DENIED']
        out.contains('  ingress default/web-3: DENIED: denied by the ingress of default/allow-client-1 and default/deny-web: they select'
                + ' default/web-3 and no rule allows from pod default/client on TCP/8081')
    }

    def "--explain: every rule looked at; an allowed flow exits 0"() {
        when:
        def (code, out, err) = run('--snapshot', snap.toString(), '-s', 'client', '-d', 'web-2', '-p', '8080', '--explain')

        then:
        code == 0
        out.contains('  ingress default/web-2: ALLOWED: allowed by NetworkPolicy default/allow-client-1 ingress[0] from[0] ports[0]\n'
                + '    NetworkPolicy default/allow-client-1 ingress[0] from[0] ports[0]: allows\n')
    }

    def "--protocol sctp: the policies' verdict for an SCTP flow (the only TCP port rule does not allow it)"() {
        when:
        def (code, out, err) = run('--snapshot', snap.toString(), '-s', 'client', '-d', 'web-2', '-p', '8080', '--protocol', 'sctp')

        then:
        code == 1
        out.readLines().findAll { it ==~ /^\d.*: (ALLOWED|DENIED)$/ } == ['10.244.0.2 -> 10.244.1.2:8080/SCTP: DENIED']
    }

    def "mistakes: exit 2 with one line"() {
        expect:
        run(*args)[0] == 2
        (run(*args)[2] as String).readLines()[0] == message

        where:
        args                                                           | message
        ['--example', 'flannel-vxlan']                                 | 'skoop: error: give a POD, or a flow: -s SRC -d DST [-p PORT]'
        ['--example', 'flannel-vxlan', '-s', 'default/client']         | 'skoop: error: a flow needs both -s SRC and -d DST'
        ['--example', 'flannel-vxlan', 'default/web-9']                | 'skoop: error: no pod default/web-9 in the snapshot (pods in namespace default: api-1, api-2, client, client-2, sleeper, web-1, web-2, web-3); did you mean \'default/web-1\'?'
    }

    def "no policy in the snapshot: the flow is allowed, and it says why"() {
        when:
        def (code, out, err) = run('--example', 'flannel-vxlan', '-s', 'default/client', '-d', 'default/web-2', '-p', '8080')

        then:
        code == 0
        out.readLines() == ['policies: 0 NetworkPolicies, 0 AdminNetworkPolicies, no BaselineAdminNetworkPolicy in the snapshot; flannel enforces none of them: they have no effect on the data path',
                            'no policy in the snapshot: nothing is isolated, the flow is allowed']
    }
}
