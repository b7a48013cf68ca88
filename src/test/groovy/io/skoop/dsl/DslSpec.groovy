package io.skoop.dsl

import io.skoop.diagnose.Verdict
import io.skoop.model.Protocol
import java.nio.file.Files
import spock.lang.Specification
import spock.lang.Unroll

class DslSpec extends Specification {

    def "help lists every verb with its signature, generated from the descriptors"() {
        when:
        String h = Scripts.run('help()').result

        then:
        Verbs.standard().descriptors().every { h.contains(it.signature()) }
        h.contains('routeGet(at, dst, [from], [iif], [oif], [mark])')
    }

    def "the session survives from one evaluation to the next (a shell evaluates line by line)"() {
        given:
        Session s = new Session()

        when:
        Scripts.run("example('flannel-vxlan')", s)
        def r = Scripts.run("diagnose(pod('default/client'), pod('default/web-2', 8080)).verdict", s)

        then:
        r.result == Verdict.REACHABLE
    }

    def "UDP from the endpoint or as a third argument"() {
        given:
        Session s = new Session()
        Scripts.run("example('flannel-vxlan')", s)

        expect:
        Scripts.run("diagnose(pod('default/client'), service('kube-system/kube-dns', 53, udp)).diagnosis.query().protocol()", s).result == Protocol.UDP
        Scripts.run("diagnose(pod('default/client'), service('kube-system/kube-dns', 53), udp).reachable", s).result == true
    }

    def "save writes the format its extension names"() {
        given:
        def dir = Files.createTempDirectory('skoop-dsl')

        when:
        Scripts.run("example('flannel-vxlan'); def d = diagnose(pod('default/client'), pod('default/web-1', 8080)); d.save('${dir}/d.json'); d.save('${dir}/d.txt')")

        then:
        Files.readString(dir.resolve('d.json')).contains('"verdict": "REACHABLE"')
        Files.readString(dir.resolve('d.txt')).contains('verdict: REACHABLE')

        cleanup:
        dir.toFile().deleteDir()
    }

    def "policy(...): the policies selecting a pod, and the intent for a flow, naming the deciding rule"() {
        given: 'a copy of the example with a default-deny for app=web'
        java.nio.file.Path dir = io.skoop.testsupport.ExampleCopy.copy(java.nio.file.Files.createTempDirectory('skoop-dsl-policy').resolve('s'))
        dir.resolve('k8s/networkpolicies.json').text = groovy.json.JsonOutput.toJson([apiVersion: 'v1', kind: 'List', items: [
                [apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: [name: 'deny-web', namespace: 'default'],
                 spec: [podSelector: [matchLabels: [app: 'web']], policyTypes: ['Ingress']]]]])
        Session s = new Session()
        Scripts.run("snapshot('${dir}')", s)

        when:
        PolicyView listed = Scripts.run("policy(pod('default/web-2'))", s).result
        PolicyView flow = Scripts.run("policy(pod('default/client'), pod('default/web-2', 8080))", s).result

        then:
        listed.applying().ingress() == ['NetworkPolicy default/deny-web']
        listed.toString().contains('flannel enforces none of them')
        !flow.isAllowed()
        flow.verdicts()[0].explain() == 'denied: denied by the ingress of default/deny-web: it selects default/web-2 and no rule allows' +
                ' from pod default/client on TCP/8080'
        flow.explain().contains('NetworkPolicy default/deny-web ingress: no rules (denies all ingress of the pods it selects)')

        and: 'a diagnosis carries the verdict of the pair its data path reached'
        Scripts.run("diagnose(pod('default/client'), pod('default/web-2', 8080)).policies", s).result*.explain() == [flow.verdicts()[0].explain()]

        cleanup:
        dir?.parent?.toFile()?.deleteDir()
    }

    @Unroll
    def "a mistake is a clear error: #code"() {
        when:
        Scripts.run(code)

        then:
        Exception e = thrown()
        e.message == message

        where:
        code                                                        | message
        "diagnose(pod('default/client'), pod('default/web-1', 80))" | "no snapshot yet: start with example('flannel-vxlan'), snapshot('/path/to/snapshot') or lab('flannel-vxlan')"
        "podd('default/client')"                                    | "unknown verb 'podd'; verbs: example, snapshot, live, lab, pod, node, service, ip, diagnose, routeGet, trace, packet, netns, netnode, nodes, pods, services, address, policy, help; did you mean 'pod'?"
        "ip('default/client')"                                      | "ip: 'default/client' is not an IP address"
        "diagnose('default/client', pod('default/web-1', 80))"      | "diagnose: source must be a EndpointRef (e.g. diagnose(pod('default/client'), service('default/web', 80))), got String 'default/client'"
        "routeGet(node('node-1'), '10.0.0.1', via: 'x')"            | "routeGet has no parameter 'via': routeGet(at, dst, [from], [iif], [oif], [mark])"
        "example('flannel-vxlan'); trace(service('default/web', 80), packet('tcp 1.1.1.1:1 > 2.2.2.2:2'))" | "trace runs in a pod's or node's network namespace, not in service default/web:80"
        "example('flannel-vxlan'); netnode(new io.skoop.model.Hop(io.skoop.model.NetNodeType.NODE, 'node-1'))" | "start with netnode(pod('ns/name')) (or node/ip): the client of the walk to step through"
        "example('flannel-vxlan'); def s = netnode(pod('default/client')).send(pod('default/web-1', 8080)); netnode(pod('default/client')).receive(s[0])" | "receive takes a transmission returned by send or receive of this session"
        "example('flannel-vxlan'); def n = netnode(pod('default/client')); def s = n.send(pod('default/web-1', 8080)); n.receive(s[0])" | "that transmission goes to node:node-1, not to pod:default/client"
        "help('diagnoze')"                                          | "unknown verb 'diagnoze'; verbs: example, snapshot, live, lab, pod, node, service, ip, diagnose, routeGet, trace, packet, netns, netnode, nodes, pods, services, address, policy; did you mean 'diagnose'?"
    }
}
