package io.skoop.dsl

import io.skoop.diagnose.Verdict
import io.skoop.model.IpFamily
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

    def "family: which address of a dual-stack destination diagnose, policy and send reach (embedded dual-stack snapshot)"() {
        given:
        Session s = new Session()
        Scripts.run("example('dual-stack')", s)

        when: 'web6 is IPv6 only; api is RequireDualStack, IPv6 first'
        DiagnosisView web6 = Scripts.run("diagnose(pod('default/client'), service('default/web6', 80))", s).result
        DiagnosisView api = Scripts.run("diagnose(pod('default/client'), service('default/api', 8080))", s).result
        DiagnosisView api4 = Scripts.run("diagnose(pod('default/client'), service('default/api', 8080), family: 4)", s).result
        def requests = { DiagnosisView d -> d.diagnosis.branches().findAll { it.direction().name() == 'REQUEST' } }

        then: 'without family: the primary address; the source takes its address of the same family'
        web6.verdict == Verdict.REACHABLE
        web6.toString().startsWith('diagnosis: default/client (fd00:10:244::2) -> svc/default/web6 (fd00:10:96::2) port 80/tcp')
        requests(web6)*.hop()*.toString() == ['pod:default/web-1', 'pod:default/web-2', 'pod:default/web-3']
        requests(web6)*.packet()*.dst()*.toString() == ['fd00:10:244::3', 'fd00:10:244:1::2', 'fd00:10:244:2::2']
        api.toString().startsWith('diagnosis: default/client (fd00:10:244::2) -> svc/default/api (fd00:10:96::3) port 8080/tcp')

        and: 'family: 4 reaches api at its IPv4 cluster IP, and its endpoint at its IPv4 address'
        api4.verdict == Verdict.REACHABLE
        api4.diagnosis.query().family() == IpFamily.IPv4
        api4.toString().startsWith('diagnosis: default/client (10.244.0.2) -> svc/default/api (10.96.0.3) port 8080/tcp')
        requests(api4)*.packet()*.toString() == ['tcp 10.244.0.2:40000 > 10.244.1.3:9090']

        and: 'every spelling of a family, for pods and nodes too; an ip(...) is taken as written'
        ["6", "'6'", "'IPv6'", "'ipv6'", 'io.skoop.model.IpFamily.IPv6'].every {
            Scripts.run("diagnose(pod('default/client'), service('default/web', 80), family: $it)", s).result.toString()
                    .startsWith('diagnosis: default/client (fd00:10:244::2) -> svc/default/web (fd00:10:96::1) port 80/tcp')
        }
        Scripts.run("diagnose(pod('default/client'), pod('default/web-2', 8080), family: 6)", s).result.toString()
                .startsWith('diagnosis: default/client (fd00:10:244::2) -> default/web-2 (fd00:10:244:1::2) port 8080/tcp')
        Scripts.run("diagnose(pod('default/client'), node('node-2', 10250), tcp, 6)", s).result.toString()
                .startsWith('diagnosis: default/client (fd00:10:244::2) -> node/node-2 (fd00:192:168:56::3) port 10250/tcp')
        Scripts.run("diagnose(pod('default/client'), ip('10.244.1.2', 8080), family: 6)", s).result.toString()
                .startsWith('diagnosis: default/client (10.244.0.2) -> default/web-2 (10.244.1.2) port 8080/tcp')

        and: 'policy and a hand-stepped send take it too'
        Scripts.run("policy(pod('default/client'), service('default/api', 8080), family: 4).isAllowed()", s).result == true
        Scripts.run("netnode(pod('default/client')).send(service('default/api', 8080), family: 4)*.toString()", s).result ==
                ['-> node:node-1 [veth eth0 -> veth14479bba] tcp 10.244.0.2:40000 > 10.96.0.3:8080']
        Scripts.run("netnode(pod('default/client')).send(service('default/api', 8080))*.packet*.dst*.toString()", s).result == ['fd00:10:96::3']
    }

    @Unroll
    def "a bad family is a clear error: #code"() {
        given:
        Session s = new Session()
        Scripts.run("example('dual-stack')", s)

        when:
        Scripts.run(code, s)

        then:
        IllegalArgumentException e = thrown()
        e.message == message

        where:
        code                                                                                       | message
        "diagnose(pod('default/client'), service('default/web6', 80), family: 4)"                  | 'Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)'
        "diagnose(pod('default/client'), service('default/web6', 80), family: 5)"                  | "diagnose: family must be 4 or 6 (or 'IPv4', 'IPv6'), got Integer '5'"
        "diagnose(pod('default/client'), service('default/web', 80), family: 'inet6')"             | "diagnose: family must be 4 or 6 (or 'IPv4', 'IPv6'), got String 'inet6'"
        "policy(pod('default/client'), service('default/web6', 80), family: 4)"                    | 'Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)'
        "policy(pod('default/client'), service('default/web', 80), family: 46)"                    | "policy: family must be 4 or 6 (or 'IPv4', 'IPv6'), got Integer '46'"
        "netnode(pod('default/client')).send(service('default/web6', 80), family: 4)"              | 'Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)'
        "netnode(pod('default/client')).send(service('default/web6', 80), family: 'four')"         | "send: family must be 4 or 6 (or 'IPv4', 'IPv6'), got String 'four'"
        "netnode(pod('default/client')).send(service('default/web6', 80), familly: 6)"             | "send has no parameter 'familly': send(destination, [protocol], [family])"
        "address(service('default/web6'), family: 4)"                                              | 'Service default/web6 has no IPv4 address (spec.clusterIPs: fd00:10:96::2)'
    }

    def "address(endpoint, family): #code is #expected (embedded dual-stack snapshot)"() {
        given:
        Session s = new Session()
        Scripts.run("example('dual-stack')", s)

        expect:
        Scripts.run(code, s).result == expected

        where:
        code                                         || expected
        "address(service('default/api'))"            || 'fd00:10:96::3'
        "address(service('default/api'), family: 4)" || '10.96.0.3'
        "address(pod('default/web-2'), family: 6)"   || 'fd00:10:244:1::2'
        "address(pod('default/web-2'))"              || '10.244.1.2'
        "address(node('node-3'), family: 'IPv6')"    || 'fd00:192:168:56::4'
        "address(ip('10.1.2.3'), family: 6)"         || '10.1.2.3'
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
