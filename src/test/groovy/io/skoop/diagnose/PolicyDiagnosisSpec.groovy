package io.skoop.diagnose

import groovy.json.JsonOutput
import io.skoop.model.Level
import io.skoop.model.Suspicion
import io.skoop.network.Network
import io.skoop.network.provider.GenericProvider
import io.skoop.plugin.Plugin
import io.skoop.snapshot.Snapshot
import io.skoop.testsupport.ExampleCopy
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification

/**
 * NetworkPolicy intent in a diagnosis: the data path decides, the intent explains and cross-checks. On the embedded
 * flannel example (flannel enforces no policy) with policies written into copies of its k8s/ folder.
 */
class PolicyDiagnosisSpec extends Specification {
    @Shared Path tmp = Files.createTempDirectory('skoop-policy-diagnosis')

    def cleanupSpec() {
        tmp.toFile().deleteDir()
    }

    static final Map DENY_WEB = [apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
                                 metadata: [name: 'deny-web', namespace: 'default'],
                                 spec: [podSelector: [matchLabels: [app: 'web']], policyTypes: ['Ingress']]]
    static final Map ALLOW_CLIENT = [apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
                                     metadata: [name: 'allow-client', namespace: 'default'],
                                     spec: [podSelector: [matchLabels: [app: 'web']], policyTypes: ['Ingress'],
                                            ingress: [[from: [[podSelector: [matchLabels: [app: 'client']]]], ports: [[port: 'http', protocol: 'TCP']]]]]]

    /** A copy of the example whose networkpolicies.json holds {@code policies} (null: the file removed). */
    Snapshot with(String name, List<Map> policies) {
        Path dir = tmp.resolve(name)
        if (!Files.exists(dir)) {
            ExampleCopy.copy(dir)
            Path f = dir.resolve('k8s/networkpolicies.json')
            if (policies == null) {
                Files.delete(f)
            } else {
                f.text = JsonOutput.toJson([apiVersion: 'v1', kind: 'List', items: policies])
            }
        }
        Snapshot.open(dir)
    }

    static List<Suspicion> about(Diagnosis d) {
        d.suspicions().findAll { it.message().startsWith('NetworkPolicy') }
    }

    def "flannel enforces no policy: a flow its policies deny still connects, and a WARNING says the policy has no effect"() {
        when:
        Diagnosis d = new Diagnostor(with('deny', [DENY_WEB])).diagnose(Query.tcp('default/client', 'default/web-2', 8080))

        then: 'the data path decides'
        d.verdict() == Verdict.REACHABLE
        d.policies().size() == 1
        !d.policies()[0].allowed()

        and: 'the intent names the policy, the pod it selects and the flow; flannel makes it moot'
        about(d)*.level() == [Level.WARNING]
        about(d)[0].message() == 'NetworkPolicy 10.244.0.2 -> 10.244.1.2:8080/TCP: denied: denied by the ingress of default/deny-web:' +
                ' it selects default/web-2 and no rule allows from pod default/client on TCP/8080; but flannel enforces no' +
                ' NetworkPolicy: the cluster\'s NetworkPolicies have no effect (this flow is not blocked by them)'
    }

    def "a Service: the intent is evaluated per backend the data path reached, on the translated packet"() {
        when:
        Diagnosis d = new Diagnostor(with('allow', [DENY_WEB, ALLOW_CLIENT])).diagnose(Query.tcp('default/client', 'svc/default/web', 80))

        then:
        d.verdict() == Verdict.REACHABLE
        d.policies()*.destination()*.toString().sort() == ['10.244.0.3', '10.244.1.2', '10.244.2.2']
        d.policies().every { it.allowed() && it.ingress().rule().toString() == 'NetworkPolicy default/allow-client ingress[0] from[0] ports[0]' }
        d.policies()*.port().sort() == [8080, 8080, 8081]   // web-3 serves http on 8081: the named port follows it
        about(d).every { it.level() == Level.WARNING && it.message().contains('flannel enforces no NetworkPolicy') }
    }

    def "pods no policy selects: nothing is said; a snapshot without networkpolicies.json: an INFO says intent is unknown"() {
        expect:
        about(new Diagnostor(with('deny', [DENY_WEB])).diagnose(Query.tcp('default/client', 'default/api-2', 9090))).isEmpty()
        about(new Diagnostor(with('none', null)).diagnose(Query.tcp('default/client', 'default/web-2', 8080)))*.message() ==
                ['NetworkPolicy: the snapshot has no k8s/networkpolicies.json: which policies apply is not known']
    }

    def "a CNI that enforces policies but whose rules let a denied flow through: data path and intent disagree, a WARNING says so"() {
        given: "flannel's plugin, as if it rendered policies (the rules in the example's dumps don't)"
        Snapshot s = with('deny', [DENY_WEB])
        Network n = Network.of(s, new GenericProvider())
        Plugin enforcing = [name: { 'calico' }, enforcesNetworkPolicy: { true },
                            checkNode: { a, b, c -> [] }, checkPod: { a, b, c, e -> [] }, expectedRoute: { a, b, c, e -> Optional.empty() }] as Plugin

        when:
        Diagnosis d = new Diagnostor(s, new Network(n.provider(), n.infra(), enforcing, n.services(), n.setup()))
                .diagnose(Query.tcp('default/client', 'default/web-2', 8080))

        then:
        d.verdict() == Verdict.REACHABLE
        about(d)*.level() == [Level.WARNING]
        about(d)[0].message().endsWith('; but the data path delivers it: the rules calico installed do not enforce this policy'
                + ' (stale rules, or a policy it does not render)')
    }
}
