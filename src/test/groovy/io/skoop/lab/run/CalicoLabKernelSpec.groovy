package io.skoop.lab.run

import io.skoop.lab.calico.Calico
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.model.Protocol
import io.skoop.testsupport.KernelLab
import io.skoop.testsupport.LabClusters
import java.time.Duration
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.Unroll

/**
 * The calico-bgp example judged by the kernel: one lab (3 nodes, 8 pods, a ClusterIP, a NodePort and a DNS Service)
 * built for real, what calico-node and the Calico CNI plugin leave on a node read back from the kernel, every flow
 * probed with real connections, then two faults, each injected and repaired on the same lab, that must break exactly
 * their flow while a control flow keeps working. Needs root: runs in CI; fails (does not skip) under CI without root.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class CalicoLabKernelSpec extends Specification {

    static final Duration FAIL_TIMEOUT = Duration.ofMillis(1200)

    @Shared LabClusters clusters = new LabClusters('skc')
    @Shared Lab lab
    @Shared java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory('skoop-calico-diagnose')
    @Shared io.skoop.diagnose.Diagnostor healthy

    def setupSpec() {
        ResolvedTopology t = LabExamples.load('calico-bgp').withName("${clusters.run}-cb")
        lab = clusters.labs.up(t, 'example calico-bgp', 'calico-bgp.yaml', LabExamples.text('calico-bgp'), null).lab()
    }

    def cleanupSpec() {
        if (table || faults) {
            java.nio.file.Path f = java.nio.file.Path.of('target', 'calico-kernel-table.md')
            java.nio.file.Files.createDirectories(f.parent)
            f.text = '| fault | flow | kernel | skoop | cause named |\n|---|---|---|---|---|\n' + faults.join('\n') + '\n\n' +
                    '| policies | flow | kernel | skoop (Felix rule that dropped) | policy named (deciding reason) |\n|---|---|---|---|---|\n' +
                    table.join('\n') + '\n'
        }
        clusters.close()
        tmp.toFile().deleteDir()
    }

    /** The lab as skoop lab snapshot writes it, and a Diagnostor over it. */
    io.skoop.diagnose.Diagnostor diagnostor(String name) {
        java.nio.file.Path out = tmp.resolve(name)
        LabSnapshot.take(lab, LabExamples.text('calico-bgp'), out, 'test')
        new io.skoop.diagnose.Diagnostor(io.skoop.snapshot.Snapshot.open(out))
    }

    static io.skoop.diagnose.Diagnosis diagnose(io.skoop.diagnose.Diagnostor d, String src, String dst, int port, String proto = 'tcp') {
        d.diagnose(new io.skoop.diagnose.Query(src, dst, String.valueOf(port), Protocol.parse(proto)))
    }

    /** The FATAL and CRITICAL suspicions per hop of a diagnosis, request and reply. */
    static Map<String, List<String>> breaking(io.skoop.diagnose.Diagnosis d) {
        [d.request(), d.reply()].collectMany { it.nodes() }.collectEntries { n ->
            [(n.hop().toString()): n.suspicions().findAll { it.level().breaksFlow() }*.message()]
        }.findAll { k, v -> v }
    }

    static Probe.Result probe(Lab lab, String src, String dst, int port, String proto = 'tcp', Duration timeout = Probe.DEFAULT_TIMEOUT) {
        Probe.run(lab, src, dst, port, Protocol.parse(proto), timeout)
    }

    String exec(String target, String... cmd) {
        Proc.Result r = Proc.run(['ip', 'netns', 'exec', lab.netns(target)] + (cmd as List), null, Duration.ofSeconds(10))
        assert r.ok(): "${cmd.join(' ')} in $target: $r"
        r.out()
    }

    def "the kernel holds what calico-node and the CNI plugin leave: BIRD's routes, cali veths with proxy ARP, /32 pods behind 169.254.1.1"() {
        given:
        String veth = Calico.vethName('default', 'web-2')

        expect: 'node-2: its block blackholed, the other blocks via their nodes, the pod /32 on its veth'
        exec('node-2', 'ip', 'route').readLines()*.trim().containsAll([
                'blackhole 10.244.0.64/26 proto bird',
                '10.244.0.0/26 via 192.168.56.2 dev eth0 proto bird',
                '10.244.0.128/26 via 192.168.56.4 dev eth0 proto bird',
                "10.244.0.64 dev $veth scope link".toString()])
        exec('node-2', 'ip', '-o', 'link', 'show', veth).contains('link/ether ee:ee:ee:ee:ee:ee')
        exec('node-2', 'ip', '-4', '-o', 'addr', 'show', 'dev', veth).trim() == ''
        exec('node-2', 'sysctl', '-n', "net.ipv4.conf.${veth}.proxy_arp", "net.ipv4.neigh.${veth}.proxy_delay", "net.ipv4.conf.${veth}.forwarding",
                'net.ipv4.ip_forward').readLines() == ['1', '0', '1', '1']

        and: 'the pod: a /32 and the link-local gateway'
        exec('default/web-2', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0').contains('inet 10.244.0.64/32')
        exec('default/web-2', 'ip', 'route').readLines()*.trim() == ['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link']

        and: 'kube-proxy rules, no flannel rules'
        exec('node-1', 'iptables-save').contains('KUBE-SERVICES')
        !exec('node-1', 'iptables-save').contains('FLANNEL')
    }

    @Unroll
    def "#flow: #src -> #dst:#port/#proto connects, answered by #answeredBy"() {
        when:
        Probe.Result r = probe(lab, src, dst, port, proto)
        healthy = healthy ?: diagnostor('healthy')
        io.skoop.diagnose.Diagnosis d = diagnose(healthy, src, dst, port, proto)

        then: 'the kernel connects, and skoop diagnoses the snapshot of the same lab REACHABLE with nothing breaking it'
        r.connected()
        r.answeredBy() == answeredBy
        d.verdict() == io.skoop.diagnose.Verdict.REACHABLE
        breaking(d) == [:]

        where:
        flow                          | src                | dst                         | port  | proto || answeredBy
        'pod to pod, same node'       | 'default/client'   | 'default/web-1'             | 8080  | 'tcp' || 'pod default/web-1 8080/tcp'
        'pod to pod, cross node'      | 'default/client'   | 'default/web-2'             | 8080  | 'tcp' || 'pod default/web-2 8080/tcp'
        'pod to pod, cross node'      | 'default/client-2' | 'default/web-3'             | 8081  | 'tcp' || 'pod default/web-3 8081/tcp'
        'pod to pod, UDP, cross node' | 'default/client'   | 'kube-system/coredns'       | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'pod to node'                 | 'default/client'   | 'node-2'                    | 10250 | 'tcp' || 'node node-2 10250/tcp'
        'pod to own node'             | 'default/client'   | 'node-1'                    | 10250 | 'tcp' || 'node node-1 10250/tcp'
        'node to pod'                 | 'node-1'           | 'default/web-3'             | 8081  | 'tcp' || 'pod default/web-3 8081/tcp'
        'node to own pod'             | 'node-2'           | 'default/web-2'             | 8080  | 'tcp' || 'pod default/web-2 8080/tcp'
        'pod to Service, UDP'         | 'default/client'   | 'svc/kube-system/kube-dns'  | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
        'pod to Service, TCP'         | 'default/client-2' | 'svc/kube-system/kube-dns'  | 53    | 'tcp' || 'pod kube-system/coredns 53/tcp'
        'node to Service, UDP'        | 'node-2'           | 'svc/kube-system/kube-dns'  | 53    | 'udp' || 'pod kube-system/coredns 53/udp'
    }

    def "the pod's gateway 169.254.1.1 resolved to ee:ee:ee:ee:ee:ee by proxy ARP on the host side"() {
        expect:
        exec('default/client', 'ip', 'neigh', 'show', '169.254.1.1').contains('lladdr ee:ee:ee:ee:ee:ee')
    }

    @Unroll
    def "#flow: #src -> #dst:#port/#proto reaches every endpoint through the DNAT"() {
        when: 'probing until every backend answered (the statistic ladder picks at random), at most 60 times'
        List<Probe.Result> results = LabClusters.probeUntilEveryBackend(lab, src, dst, port, proto, backends, 60)

        then:
        results.findAll { !it.connected() }*.summary() == []
        results*.answeredBy() as Set == backends as Set

        where:
        flow                | src              | dst               | port  | proto || backends
        'pod to ClusterIP'  | 'default/client' | 'svc/default/web' | 80    | 'tcp' || ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']
        'node to ClusterIP' | 'node-3'         | 'svc/default/web' | 80    | 'tcp' || ['pod default/web-1 8080/tcp', 'pod default/web-2 8080/tcp', 'pod default/web-3 8081/tcp']
        'pod to NodePort'   | 'default/client' | 'node-3'          | 30080 | 'tcp' || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
        'node to NodePort'  | 'node-1'         | 'node-2'          | 30080 | 'tcp' || ['pod default/api-1 9090/tcp', 'pod default/api-2 9090/tcp']
    }

    @Unroll
    def "fault '#fault' breaks #src -> #dst:#port (#outcomes) while #controlSrc -> #controlDst:#controlPort still connects; repaired, it connects again"() {
        given:
        assert probe(lab, src, dst, port).connected()

        when: 'each (target, command) of the fault runs in the target namespace'
        inject.each { target, cmd -> exec(target, 'sh', '-c', cmd) }
        Probe.Result broken = probe(lab, src, dst, port, 'tcp', FAIL_TIMEOUT)
        Probe.Result control = probe(lab, controlSrc, controlDst, controlPort)

        io.skoop.diagnose.Diagnostor after = diagnostor(fault.replaceAll(/\W+/, '-'))
        io.skoop.diagnose.Diagnosis d = diagnose(after, src, dst, port)
        io.skoop.diagnose.Diagnosis c = diagnose(after, controlSrc, controlDst, controlPort)

        faults << "| $fault | $src -> $dst:$port | ${broken.outcome()} | ${d.verdict()} | ${breaking(d).collect { h, m -> "$h: ${m[0]}" }.join('; ').take(200)} |".toString()

        then: 'the kernel fails the flow; skoop says UNREACHABLE with the cause on the hop that breaks it, and the control REACHABLE'
        !broken.connected()
        broken.outcome() in outcomes
        control.connected()
        d.verdict() == io.skoop.diagnose.Verdict.UNREACHABLE
        breaking(d)[hop]?.any { it.contains(words) }
        c.verdict() == io.skoop.diagnose.Verdict.REACHABLE

        cleanup:
        repair.each { target, cmd -> exec(target, 'sh', '-c', cmd) }
        assert probe(lab, src, dst, port).connected()

        where:
        [fault, inject, repair, src, dst, port, outcomes, controlSrc, controlDst, controlPort, hop, words] << [
                // node-2 forwards what is for web-2 into its own block's blackhole; api-2 on the same node still answers
                ['web-2\'s /32 route on node-2 deleted',
                 [['node-2', "ip route del 10.244.0.64/32 dev ${WEB2}"]],
                 [['node-2', "ip route add 10.244.0.64/32 dev ${WEB2} scope link"]],
                 'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/api-2', 9090,
                 'node:node-2', 'blackhole'],
                // nobody answers the client's ARP for 169.254.1.1 any more: the client is cut off, its node-mate is not
                ['proxy_arp=0 on the client\'s cali veth, neighbours flushed',
                 [['node-1', "sysctl -qw net.ipv4.conf.${CLIENT}.proxy_arp=0"], ['default/client', 'ip neigh flush dev eth0']],
                 // the failed resolution left 169.254.1.1 FAILED in the client: flushed, the next packet resolves it again
                 [['node-1', "sysctl -qw net.ipv4.conf.${CLIENT}.proxy_arp=1"], ['default/client', 'ip neigh flush dev eth0']],
                 'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-1', 8080,
                 'pod:default/client', "proxy ARP is off on ${CLIENT}".toString()],
                // the veth down takes its /32 route with it (IPv4 flushes a down device's routes)
                ['the client\'s cali veth down on node-1',
                 [['node-1', "ip link set ${CLIENT} down"]],
                 [['node-1', "ip link set ${CLIENT} up && ip route replace 10.244.0.0/32 dev ${CLIENT} scope link"], ['default/client', 'ip neigh flush dev eth0']],
                 'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-1', 8080,
                 'node:node-1', "${CLIENT} is down".toString()],
                ['node-1\'s route to node-2\'s block deleted',
                 [['node-1', 'ip route del 10.244.0.64/26']],
                 [['node-1', 'ip route add 10.244.0.64/26 via 192.168.56.3 dev eth0 proto bird']],
                 'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
                 'node:node-1', 'left by the route via 192.168.56.1 dev eth0 onto the underlay'],
                ['node-1\'s route to node-2\'s block via an address no node holds',
                 [['node-1', 'ip route replace 10.244.0.64/26 via 192.168.56.99 dev eth0 proto bird']],
                 [['node-1', 'ip route replace 10.244.0.64/26 via 192.168.56.3 dev eth0 proto bird && ip neigh flush dev eth0 to 192.168.56.99']],
                 'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
                 'node:node-1', 'left by the route via 192.168.56.99 dev eth0'],
        ]
    }

    /** A NetworkPolicy in the topology's {@code policies:} list (namespace default). */
    static String np(String name, String spec, String namespace = 'default') {
        """
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: $name, namespace: $namespace}
    spec: $spec"""
    }

    /** An AdminNetworkPolicy in the topology's {@code policies:} list. */
    static String anp(String name, String spec) {
        """
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: {name: $name}
    spec: $spec"""
    }

    static final String DENY_ALL = np('default-deny', '{podSelector: {}, policyTypes: [Ingress]}')

    /**
     * The policy scenarios: policies (replacing the example's), then flows {@code [src, dst, port, proto, allowed,
     * words]} — whether the kernel connects, and what the intent's explanation must name.
     */
    static final Map<String, List> POLICY_SCENARIOS = [
            'the example\'s db-from-api (named port)': [null, [
                    ['default/client', 'default/db', 5432, 'tcp', false, 'default/db-from-api'],
                    ['default/api-1', 'default/db', 5432, 'tcp', true, 'NetworkPolicy default/db-from-api ingress[0] from[0] ports[0]'],
                    ['default/api-2', 'default/db', 5432, 'tcp', true, 'NetworkPolicy default/db-from-api ingress[0] from[0] ports[0]']]],
            'default deny': [DENY_ALL, [
                    ['default/client', 'default/web-2', 8080, 'tcp', false, 'default/default-deny'],
                    ['default/client', 'default/web-1', 8080, 'tcp', false, 'default/default-deny'],
                    ['node-1', 'default/web-2', 8080, 'tcp', false, 'default/default-deny'],
                    ['node-2', 'default/web-2', 8080, 'tcp', true, 'the node a pod runs on'],
                    ['default/client', 'kube-system/coredns', 53, 'udp', true, 'not isolated']]],
            'allow by pod selector, named port': [DENY_ALL + np('web-from-client',
                    '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: http}]}]}'), [
                    ['default/client', 'default/web-2', 8080, 'tcp', true, 'NetworkPolicy default/web-from-client ingress[0] from[0] ports[0]'],
                    ['default/client-2', 'default/web-3', 8081, 'tcp', true, 'NetworkPolicy default/web-from-client ingress[0] from[0] ports[0]'],
                    ['default/api-1', 'default/web-2', 8080, 'tcp', false, 'default/default-deny and default/web-from-client'],
                    ['default/client', 'svc/default/web', 80, 'tcp', true, 'default/web-from-client']]],
            'allow by namespace selector': [DENY_ALL + np('web-from-kube-system',
                    '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]}]}'), [
                    ['kube-system/coredns', 'default/web-2', 8080, 'tcp', true, 'NetworkPolicy default/web-from-kube-system ingress[0] from[0]'],
                    ['default/client', 'default/web-2', 8080, 'tcp', false, 'default/web-from-kube-system']]],
            'ipBlock with except': [np('web-from-block',
                    '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/24, except: [10.244.0.64/26]}}]}]}'), [
                    ['default/client', 'default/web-2', 8080, 'tcp', true, 'NetworkPolicy default/web-from-block ingress[0] from[0]'],
                    ['default/client-2', 'default/web-3', 8081, 'tcp', false, 'default/web-from-block'],
                    ['default/api-2', 'default/web-1', 8080, 'tcp', false, 'default/web-from-block'],
                    ['node-1', 'default/web-2', 8080, 'tcp', false, 'default/web-from-block']]],
            'egress deny': [np('client-egress',
                    '{podSelector: {matchLabels: {app: client}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}, {ports: [{port: 53, protocol: UDP}]}]}'), [
                    ['default/client', 'default/web-2', 8080, 'tcp', true, 'NetworkPolicy default/client-egress egress[0] to[0]'],
                    ['default/client', 'default/api-2', 9090, 'tcp', false, 'denied by the egress of default/client-egress'],
                    ['default/client', 'kube-system/coredns', 53, 'udp', true, 'NetworkPolicy default/client-egress egress[1]'],
                    ['default/client', 'svc/default/web', 80, 'tcp', true, 'default/client-egress'],
                    ['default/client-2', 'svc/default/api', 8080, 'tcp', false, 'denied by the egress of default/client-egress'],
                    // Calico polices a pod's egress to its own node (cali-wl-to-host); the Calico plugin tells the evaluator so
                    ['default/client', 'node-1', 10250, 'tcp', false, 'denied by the egress of default/client-egress'],
                    ['default/client', 'node-2', 10250, 'tcp', false, 'denied by the egress of default/client-egress']]],
            // Felix v3.29's adminnetworkpolicy tier runs before the NetworkPolicies: an ANP Deny beats an NP allow, an
            // ANP Allow beats an NP's isolation
            'AdminNetworkPolicy over NetworkPolicy': [np('web-from-all', '{podSelector: {matchLabels: {app: web}}, ingress: [{}]}')
                    + np('deny-all', '{podSelector: {}, policyTypes: [Ingress]}', 'kube-system')
                    + anp('no-client-to-web', '{priority: 10, subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}, '
                    + 'ingress: [{name: deny-client, action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}}]}]}')
                    + anp('dns-for-all', '{priority: 20, subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}, '
                    + 'ingress: [{name: dns, action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {protocol: UDP, port: 53}}]}]}'), [
                    ['default/client', 'default/web-2', 8080, 'tcp', false, 'denied by AdminNetworkPolicy no-client-to-web ingress[0] (deny-client) from[0] (Deny)'],
                    ['default/client-2', 'default/web-1', 8080, 'tcp', false, 'denied by AdminNetworkPolicy no-client-to-web ingress[0] (deny-client) from[0] (Deny)'],
                    ['default/api-1', 'default/web-2', 8080, 'tcp', true, 'NetworkPolicy default/web-from-all ingress[0]'],
                    ['default/client', 'kube-system/coredns', 53, 'udp', true, 'allowed by AdminNetworkPolicy dns-for-all ingress[0] (dns) from[0] ports[0] (Allow)'],
                    ['default/client', 'kube-system/coredns', 53, 'tcp', false, 'kube-system/deny-all']]],
    ]

    /** The probe, skoop's verdict and the policy named, one row per flow: the closing note's table. */
    @Shared List<String> table = []
    /** The faults: the probe, skoop's verdict and the cause it names. */
    @Shared List<String> faults = []

    @Unroll
    def "policies '#scenario': the kernel and skoop agree on every flow, and the explanation names the policy"() {
        given: 'the lab reprogrammed as Felix and kube-proxy would after the policies changed, and a snapshot of it'
        String text = policies == null ? LabExamples.text('calico-bgp')
                : LabExamples.text('calico-bgp').replaceFirst(/(?s)\npolicies:.*$/, '\npolicies:' + policies + '\n')
        lab = clusters.labs.reprogram(lab, io.skoop.lab.topology.TopologyLoader.parse('calico-bgp.yaml', text).withName(lab.name()), text)
        java.nio.file.Path out = tmp.resolve('policies-' + scenario.replaceAll(/\W+/, '-'))
        LabSnapshot.take(lab, text, out, 'test')
        io.skoop.diagnose.Diagnostor d = new io.skoop.diagnose.Diagnostor(io.skoop.snapshot.Snapshot.open(out))
        List<String> wrong = []

        when:
        flows.each { src, dst, port, proto, allowed, words ->
            Probe.Result r = probe(lab, src, dst, port, proto, allowed ? Probe.DEFAULT_TIMEOUT : FAIL_TIMEOUT)
            io.skoop.diagnose.Diagnosis g = diagnose(d, src, dst, port, proto)
            String explained = g.policies()*.explain().join(' | ')
            Map<String, List<String>> br = breaking(g)
            String cause = br.collect { hop, msgs -> "$hop: ${msgs[0]}" }.join('; ')
            // the deciding reason per pair: the denying side, else the side a rule allowed (ingress first)
            String decisive = g.policies().collect { v ->
                v.allowed() ? ([v.ingress(), v.egress()].find { it.rule() != null }?.reason() ?: v.ingress().reason()) : v.denyingSide().reason()
            }.unique().join(' / ')
            String dropped = br.values().flatten().find { it.contains('dropped by filter/cali-') }?.find(/filter\/cali-[^ ]+ `[^`]*"(Drop[^"]*|Unknown[^"]*)"/)
            table << "| $scenario | $src -> $dst:$port/$proto | ${r.outcome()} | ${g.verdict()}${dropped ? ' (' + dropped.replaceAll(/ `.*"(.*)"/, ': $1') + ')' : ''} | $decisive |".toString()
            if (r.connected() != allowed) {
                wrong << "kernel: $src -> $dst:$port/$proto ${r.summary()}, expected ${allowed ? 'connected' : 'blocked'}"
            }
            if ((g.verdict() == io.skoop.diagnose.Verdict.REACHABLE) != allowed) {
                wrong << "skoop: $src -> $dst:$port/$proto ${g.verdict()} ($cause)"
            }
            if (!explained.contains(words)) {
                wrong << "explanation of $src -> $dst:$port/$proto lacks '$words': $explained"
            }
            if (!allowed && !br.values().flatten().any { it.contains('cali-tw-') || it.contains('cali-fw-') || it.contains('cali-po-') || it.contains('cali-pi-') }) {
                wrong << "skoop names no Felix policy rule for $src -> $dst:$port/$proto: $cause"
            }
            if (g.allSuspicions().any { it.message().contains('do not enforce this policy') }) {
                wrong << "skoop says the data path and the intent disagree on $src -> $dst:$port/$proto"
            }
        }

        then:
        wrong == []

        where:
        scenario << POLICY_SCENARIOS.keySet()
        policies = POLICY_SCENARIOS[scenario][0]
        flows = POLICY_SCENARIOS[scenario][1]
    }

    def "stale Felix rules: a deleted default deny still drops; skoop names Felix's rule and says the rules and the policies disagree"() {
        given: 'the rules of a default deny installed, then the policy gone from the API objects without Felix catching up'
        String example = LabExamples.text('calico-bgp')
        String deny = example.replaceFirst(/(?s)\npolicies:.*$/, '\npolicies:' + DENY_ALL + '\n')
        lab = clusters.labs.reprogram(lab, io.skoop.lab.topology.TopologyLoader.parse('calico-bgp.yaml', deny).withName(lab.name()), deny)
        java.nio.file.Path out = tmp.resolve('stale-rules')
        LabSnapshot.take(new Lab(lab.entry(), LabExamples.load('calico-bgp').withName(lab.name())), example, out, 'test')
        io.skoop.diagnose.Diagnostor d = new io.skoop.diagnose.Diagnostor(io.skoop.snapshot.Snapshot.open(out))

        when:
        Probe.Result r = probe(lab, 'default/client', 'default/web-2', 8080, 'tcp', FAIL_TIMEOUT)
        io.skoop.diagnose.Diagnosis g = diagnose(d, 'default/client', 'default/web-2', 8080)
        faults << "| stale rules of a deleted default deny | default/client -> default/web-2:8080 | ${r.outcome()} | ${g.verdict()} | ${g.suspicions().find { it.message().contains('deny what the policies allow') }?.message()?.take(200)} |".toString()

        then: 'the kernel drops it; skoop: UNREACHABLE, the drop in web-2\'s cali-tw- chain on node-2, and the disagreement'
        !r.connected()
        g.verdict() == io.skoop.diagnose.Verdict.UNREACHABLE
        breaking(g)['node:node-2']?.any { it.contains("cali-tw-${WEB2}") }
        g.suspicions().any { it.level() == io.skoop.model.Level.WARNING && it.message().contains('deny what the policies allow')
                && it.message().contains("cali-tw-${WEB2} on node:node-2") }

        cleanup:
        lab = clusters.labs.reprogram(lab, LabExamples.load('calico-bgp').withName(lab.name()), example)
    }

    static final String WEB2 = Calico.vethName('default', 'web-2')
    static final String CLIENT = Calico.vethName('default', 'client')
}
