package io.skoop.plugin.networkpolicy

import io.skoop.k8s.IPCache
import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.parse.ParseException
import io.skoop.plugin.networkpolicy.PolicyVerdict.Decision
import io.skoop.testsupport.Manifests
import spock.lang.Specification
import spock.lang.Unroll

/** The NetworkPolicy / AdminNetworkPolicy intent evaluator, on manifests as users write them. */
class PolicyEvaluatorSpec extends Specification {

    static final String PODS = '''
apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
status: {podIP: 10.244.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web, tier: front}}
spec:
  nodeName: node-2
  containers: [{name: web, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]
status: {podIP: 10.244.2.2}
---
apiVersion: v1
kind: Pod
metadata: {name: a1, namespace: team-a, labels: {app: a1}}
status: {podIP: 10.244.1.3}
---
apiVersion: v1
kind: Pod
metadata: {name: b1, namespace: team-b, labels: {app: b1}}
status: {podIP: 10.244.1.4}
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet, namespace: default, labels: {app: hostnet}}
spec: {hostNetwork: true, nodeName: node-1}
status: {podIP: 192.168.56.11}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
spec: {podCIDR: 10.244.1.0/24}
status: {addresses: [{type: InternalIP, address: 192.168.56.11}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
spec: {podCIDR: 10.244.2.0/24}
status: {addresses: [{type: InternalIP, address: 192.168.56.12}]}
'''

    static final Map<String, String> IPS = [client: '10.244.1.2', web: '10.244.2.2', a1: '10.244.1.3', b1: '10.244.1.4',
                                            'node-1': '192.168.56.11', 'node-2': '192.168.56.12', cni0: '10.244.2.1', ext: '203.0.113.5',
                                            ext2: '203.0.113.200']

    static PolicyVerdict eval(String policies, String src, String dst, int port, String proto = 'tcp') {
        IPCache c = Manifests.cache(PODS + '---\n' + policies)
        new PolicyEvaluator(c).evaluate(Ip.parse(IPS[src] ?: src), Ip.parse(IPS[dst] ?: dst), port, Protocol.parse(proto))
    }

    static final String DENY_ALL = '''
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress]}
'''

    def "no policy: nothing is isolated, every side allows and says so"() {
        when:
        PolicyVerdict v = eval('', 'client', 'web', 8080)

        then:
        v.allowed()
        v.egress().decision() == Decision.NOT_ISOLATED
        v.ingress().decision() == Decision.NOT_ISOLATED
        v.ingress().reason() == 'default/web is not isolated for ingress (no NetworkPolicy with Ingress selects it)'
    }

    def "default deny: the explanation names the policy, the pod it selects and the flow no rule allows"() {
        when:
        PolicyVerdict v = eval(DENY_ALL, 'client', 'web', 8080)

        then:
        !v.allowed()
        v.denyingSide().is(v.ingress())
        v.ingress().selectedBy() == ['NetworkPolicy default/deny-all']
        v.explain() == 'denied: denied by the ingress of default/deny-all: it selects default/web and no rule allows from pod default/client on TCP/8080'
        v.ingress().trace() == ['NetworkPolicy default/deny-all ingress: no rules (denies all ingress of the pods it selects)']
        v.egress().decision() == Decision.NOT_ISOLATED
    }

    @Unroll
    def "#what: #src -> web:#port/#proto is #expected, by #rule"() {
        given:
        String allow = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: client}}
    - namespaceSelector: {matchLabels: {team: a}}
    - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}
    ports:
    - {port: http}
    - {port: 9000, endPort: 9010}
    - {protocol: UDP, port: 53}
"""

        when:
        PolicyVerdict v = eval(DENY_ALL + '---\n' + allow, src, 'web', port, proto)

        then:
        v.allowed() == (expected == 'allowed')
        String.valueOf(v.ingress().rule()) == rule

        where:
        what                         | src      | port | proto | expected  | rule
        'pod selector, named port'   | 'client' | 8080 | 'tcp' | 'allowed' | 'NetworkPolicy default/allow-web ingress[0] from[0] ports[0]'
        'named port of another number' | 'client' | 8081 | 'tcp' | 'denied' | 'null'
        'named port, other protocol' | 'client' | 8080 | 'udp' | 'denied'  | 'null'
        'endPort range'              | 'client' | 9005 | 'tcp' | 'allowed' | 'NetworkPolicy default/allow-web ingress[0] from[0] ports[1]'
        'past endPort'               | 'client' | 9011 | 'tcp' | 'denied'  | 'null'
        'UDP port'                   | 'client' | 53   | 'udp' | 'allowed' | 'NetworkPolicy default/allow-web ingress[0] from[0] ports[2]'
        'namespace selector'         | 'a1'     | 8080 | 'tcp' | 'allowed' | 'NetworkPolicy default/allow-web ingress[0] from[1] ports[0]'
        'namespace not selected'     | 'b1'     | 8080 | 'tcp' | 'denied'  | 'null'
        'ipBlock'                    | 'ext'    | 8080 | 'tcp' | 'allowed' | 'NetworkPolicy default/allow-web ingress[0] from[2] ports[0]'
        'ipBlock except'             | 'ext2'   | 8080 | 'tcp' | 'denied'  | 'null'
        'the node the pod runs on'   | 'node-2' | 7    | 'tcp' | 'allowed' | 'null'
        'its node\'s bridge address' | 'cni0'   | 7    | 'tcp' | 'allowed' | 'null'
        'another node'               | 'node-1' | 8080 | 'tcp' | 'denied'  | 'null'
        'itself'                     | 'web'    | 7    | 'tcp' | 'allowed' | 'null'
    }

    def "why a rule does not match is traced per rule and peer"() {
        given:
        String allow = '''
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-db, namespace: default}
spec:
  podSelector: {matchExpressions: [{key: tier, operator: In, values: [front, back]}]}
  ingress:
  - from: [{podSelector: {matchLabels: {app: db}}}]
  - from: [{podSelector: {}}]
    ports: [{port: 5432}]
'''
        when:
        PolicyVerdict v = eval(allow, 'client', 'web', 8080)

        then:
        !v.allowed()
        v.ingress().trace() == [
                'NetworkPolicy default/allow-db ingress[0]: from [pods app=db of the policy\'s namespace] — not pod default/client',
                'NetworkPolicy default/allow-db ingress[1]: ports [TCP/5432] — not TCP/8080']
    }

    def "egress: a policy isolating the client for egress denies on the client's side; an egress rule to the web pods allows"() {
        given:
        String deny = '''
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: default}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
'''
        String allow = '''
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-to-web, namespace: default}
spec:
  podSelector: {matchLabels: {app: client}}
  egress: [{to: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: http}]}]
'''
        expect:
        with(eval(deny, 'client', 'web', 8080)) {
            !allowed() && denyingSide().is(egress()) &&
                    egress().reason() == 'denied by the egress of default/client-egress: it selects default/client and no rule allows to pod default/web on TCP/8080'
        }
        with(eval(deny + allow, 'client', 'web', 8080)) {
            allowed() && egress().rule().toString() == 'NetworkPolicy default/client-to-web egress[0] to[0] ports[0]'
        }
        // a named port resolves on the destination pod: the client's egress to a node address has no such port
        !eval(deny + allow, 'client', 'node-2', 8080).allowed()
    }

    def "AdminNetworkPolicy: Deny beats a NetworkPolicy's Allow, Pass hands over to it, priorities order ANPs"() {
        given:
        String np = '''
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-in, namespace: default}
spec:
  podSelector: {}
  ingress: [{}]
'''
        Closure<String> anp = { String action, int priority, String name -> """
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: $name}
spec:
  priority: $priority
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: default}}}
  ingress:
  - name: from-team-b
    action: $action
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: team-b}}}]
    ports: [{portNumber: {protocol: TCP, port: 8080}}]
""" }

        expect: 'an ANP Deny is final even though a NetworkPolicy allows'
        with(eval(np + anp('Deny', 10, 'deny-b'), 'b1', 'web', 8080)) {
            !allowed() && ingress().reason() == 'denied by AdminNetworkPolicy deny-b ingress[0] (from-team-b) from[0] ports[0] (Deny): it selects default/web and the rule matches from pod team-b/b1 on TCP/8080'
        }
        and: 'its ports decide too'
        eval(np + anp('Deny', 10, 'deny-b'), 'b1', 'web', 9090).allowed()
        and: 'Pass: the NetworkPolicy decides'
        with(eval(np + anp('Pass', 5, 'pass-b') + anp('Deny', 10, 'deny-b'), 'b1', 'web', 8080)) {
            allowed() && ingress().rule().toString() == 'NetworkPolicy default/allow-all-in ingress[0]' &&
                    ingress().selectedBy() == ['AdminNetworkPolicy pass-b (priority 5)', 'AdminNetworkPolicy deny-b (priority 10)', 'NetworkPolicy default/allow-all-in']
        }
        and: 'the lower priority number goes first'
        !eval(np + anp('Pass', 20, 'pass-b') + anp('Deny', 10, 'deny-b'), 'b1', 'web', 8080).allowed()
    }

    def "BaselineAdminNetworkPolicy: decides only for pods no NetworkPolicy isolates"() {
        given:
        String banp = '''
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
'''
        String np = '''
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-client, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
'''
        expect:
        with(eval(banp, 'client', 'web', 8080)) {
            !allowed() && ingress().reason().startsWith('denied by BaselineAdminNetworkPolicy default ingress[0] (deny-all) from[0] (Deny): no NetworkPolicy isolates default/web')
        }
        eval(np + banp, 'client', 'web', 8080).allowed()
        !eval(np + banp, 'a1', 'web', 8080).allowed()
        and: 'an address no namespaces peer selects is not denied by it'
        eval(banp, 'ext', 'web', 8080).allowed()
    }

    def "nodes, hostNetwork pods and outside addresses are never subjects; policies of other namespaces do not select"() {
        expect:
        eval(DENY_ALL, 'web', 'node-1', 22).ingress().decision() == Decision.NOT_A_POD
        eval(DENY_ALL, 'web', 'node-1', 22).ingress().reason() == 'node node-1 is not a pod: no policy selects it'
        eval(DENY_ALL, 'client', 'a1', 80).allowed()
        and: 'a hostNetwork pod\'s address is its node\'s: another node\'s pod is not allowed from it by default deny'
        !eval(DENY_ALL, 'node-1', 'web', 8080).allowed()
    }

    def "applying: the policies that select a pod, per direction, in evaluation order"() {
        given:
        IPCache c = Manifests.cache(PODS + '---\n' + DENY_ALL + '''
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: eg, namespace: default}
spec: {podSelector: {matchLabels: {app: web}}, egress: [{}]}
''')
        when:
        def a = new PolicyEvaluator(c).applying(c.pod('default', 'web'))

        then: 'eg has no policyTypes: the API server defaults them to Ingress, plus Egress as it has egress rules'
        a.ingress() == ['NetworkPolicy default/deny-all', 'NetworkPolicy default/eg']
        a.egress() == ['NetworkPolicy default/eg']
    }

    @Unroll
    def "a malformed policy is a parse error naming the file and the field: #why"() {
        when:
        Manifests.objects(PODS + '---\n' + policy)

        then:
        ParseException e = thrown()
        e.message.contains('networkpolicies.json')
        e.message.contains(why)

        where:
        policy                                                                                                               | why
        'kind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {matchExpressions: [{key: a, operator: Is}]}}'       | "matchExpressions operator 'Is' of key a: expected In, NotIn, Exists or DoesNotExist"
        'kind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}, policyTypes: [Inbound]}'                          | "policyTypes holds 'Inbound': expected Ingress or Egress"
        'kind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]}' | '10.0.0.0/33'
        'kind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}, ingress: [{ports: [{port: http, endPort: 90}]}]}' | 'endPort needs a numeric port'
    }
}
