package io.skoop.lab.calico

import io.skoop.k8s.IPCache
import io.skoop.model.Ip
import io.skoop.model.IpFamily
import io.skoop.model.Packet
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.netstack.ipset.IpSets
import io.skoop.netstack.netfilter.FakeRouting
import io.skoop.netstack.netfilter.NetfilterSimulator
import io.skoop.netstack.netfilter.Path
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.netfilter.SetMembership
import io.skoop.netstack.netfilter.TraceRequest
import io.skoop.netstack.netfilter.TraceResult
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.parse.IptablesSaveParser
import io.skoop.plugin.networkpolicy.PolicyEvaluator
import io.skoop.snapshot.k8s.KPod
import io.skoop.snapshot.k8s.KubeObjects
import io.skoop.testsupport.Manifests

/**
 * A small two-node cluster for Felix rule specs, its policy scenarios, and the glue between {@link FelixRules}, skoop's
 * parsers, the netfilter simulator and the intent evaluator.
 */
class FelixFixtures {
    static final Prefix POOL = Prefix.parse('10.244.0.0/16')
    static final Map<String, String> NODE_IP = ['node-1': '192.168.56.11', 'node-2': '192.168.56.12']
    /** The pool of the IPv6 renderings (pods: {@link #ip6}). */
    static final Prefix POOL6 = Prefix.parse('fd00:10:244::/56')
    static final Map<String, String> NODE_IP6 = ['node-1': 'fd00:192:168:56::11', 'node-2': 'fd00:192:168:56::12']

    static final String PODS = '''
apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b, labels: {team: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
spec: {nodeName: node-1}
status: {podIP: 10.244.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web, tier: front}}
spec:
  nodeName: node-1
  containers: [{name: web, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]
status: {podIP: 10.244.1.3}
---
apiVersion: v1
kind: Pod
metadata: {name: web2, namespace: default, labels: {app: web}}
spec:
  nodeName: node-2
  containers: [{name: web, ports: [{name: http, containerPort: 8081}]}]
status: {podIP: 10.244.2.2}
---
apiVersion: v1
kind: Pod
metadata: {name: a1, namespace: team-a, labels: {app: a1}}
spec: {nodeName: node-1}
status: {podIP: 10.244.1.4}
---
apiVersion: v1
kind: Pod
metadata: {name: b1, namespace: team-b, labels: {app: b1}}
spec: {nodeName: node-2}
status: {podIP: 10.244.2.3}
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

    /** NetworkPolicy scenarios: name → policies (YAML, may be empty). */
    static final Map<String, String> SCENARIOS = [
            'no policy'                          : '',
            'default deny ingress'               : '''
kind: NetworkPolicy
metadata: {name: deny-all, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress]}
''',
            'allow from pod selector'            : '''
kind: NetworkPolicy
metadata: {name: web-from-client, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 8080}]}]
''',
            'allow from namespace selector'      : '''
kind: NetworkPolicy
metadata: {name: web-from-team-a, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}]
''',
            'namespace and pod selector, all namespaces': '''
kind: NetworkPolicy
metadata: {name: web-from-b1-anywhere, namespace: default}
spec:
  podSelector: {matchLabels: {tier: front}}
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: b1}}}, {namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [a]}]}, podSelector: {matchExpressions: [{key: app, operator: Exists}]}}]
''',
            'named port'                         : '''
kind: NetworkPolicy
metadata: {name: web-http, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: http}, {port: dns, protocol: UDP}]}]
''',
            'named and numeric ports (match block)': '''
kind: NetworkPolicy
metadata: {name: web-mixed, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {}}], ports: [{port: http}, {port: 80}, {port: 443}]}]
''',
            'endPort range and UDP'              : '''
kind: NetworkPolicy
metadata: {name: web-range, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 8000, endPort: 8080}, {port: 53, protocol: UDP}]}]
''',
            'ipBlock with except'                : '''
kind: NetworkPolicy
metadata: {name: web-from-block, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/16, except: [10.244.1.4/32, 10.244.2.0/29]}}], ports: [{port: 8080}, {port: 8081}]}]
''',
            'egress deny + egress allow'         : '''
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: team-a}
spec: {podSelector: {}, policyTypes: [Egress]}
---
kind: NetworkPolicy
metadata: {name: allow-web, namespace: team-a}
spec:
  podSelector: {matchLabels: {app: a1}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: default}}, podSelector: {matchLabels: {app: web}}}], ports: [{port: http}]}]
''',
            'egress ipBlock and egress of default': '''
kind: NetworkPolicy
metadata: {name: client-out, namespace: default}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.244.2.0/24, except: [10.244.2.3/32]}}]}, {to: [{podSelector: {matchLabels: {tier: front}}}], ports: [{protocol: UDP}]}]
''',
            'policyTypes: Egress only ignores ingress rules': '''
kind: NetworkPolicy
metadata: {name: egress-only, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: nobody}}}]}]
  egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]
''',
            'policyTypes: Ingress and Egress, no rules': '''
kind: NetworkPolicy
metadata: {name: isolate-web, namespace: default}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress, Egress]}
''',
            'no policyTypes with egress rules'   : '''
kind: NetworkPolicy
metadata: {name: implicit-types, namespace: team-b}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}]
  egress: [{to: [{namespaceSelector: {}}], ports: [{port: 8080}, {port: 8081}, {port: 53, protocol: UDP}]}]
''',
            'two policies with the same selector (policy group)': '''
kind: NetworkPolicy
metadata: {name: web-a, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 8080}]}]
---
kind: NetworkPolicy
metadata: {name: web-b, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}], ports: [{port: 53, protocol: UDP}]}]
''',
            'six policies with the same selector (group with a return on verdict)': (1..6).collect { i -> """
kind: NetworkPolicy
metadata: {name: b-$i, namespace: team-b}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: ${[8080, 8081, 80, 8000, 53, 9999][i - 1]}, protocol: ${i > 4 ? 'UDP' : 'TCP'}}]}]
  egress: [{to: [{podSelector: {matchLabels: {app: ${['web', 'client', 'a1', 'b1', 'web', 'client'][i - 1]}}}, namespaceSelector: {}}]}]
""" }.join('---\n'),
            'many ports (two multiport chunks in a match block)': """
kind: NetworkPolicy
metadata: {name: web-many-ports, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [${((1..27).step(2).collect { "{port: $it}" } + ['{port: 80}', '{port: 8000, endPort: 8010}', '{port: 8081}']).join(', ')}]}]
""",
    ]

    static KubeObjects objects(String policies) {
        Manifests.objects(PODS + (policies ? '---\n' + policies.replaceAll(/(?m)^kind: NetworkPolicy/, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy') : ''))
    }

    /** A pod's address in the IPv6 renderings: its IPv4 10.244.N.M becomes fd00:10:244:N::M. */
    static Ip ip6(Ip v4) {
        def b = v4.toString().split('\\.')
        assert b[0] == '10' && b[1] == '244': "no IPv6 counterpart for $v4"
        Ip.parse("fd00:10:244:${b[2]}::${b[3]}")
    }

    static FelixRules.Workload workload(KPod p, IpFamily family = IpFamily.IPv4) {
        new FelixRules.Workload(p.namespace(), p.name(), 'default', p.labels(), family == IpFamily.IPv6 ? ip6(p.podIPs()[0]) : p.podIPs()[0],
                p.ports().findAll { it.name() }.collect { new FelixRules.NamedPort(it.name(), it.protocol() ?: Protocol.TCP, it.containerPort()) })
    }

    static List<KPod> workloads(KubeObjects o) {
        o.pods().findAll { !it.hostNetwork() && it.podIPs() }
    }

    /**
     * FelixRules' input for {@code node}: the v3.28 layout, or v3.29's when the objects hold AdminNetworkPolicies; for
     * IPv6 the pods' {@link #ip6} addresses, {@link #POOL6} and the node's {@link #NODE_IP6} and {@code ::1}.
     */
    static FelixRules.Input input(KubeObjects o, String node, IpFamily family = IpFamily.IPv4) {
        def admin = o.adminNetworkPolicies().findAll { !it.baseline() }
        boolean v6 = family == IpFamily.IPv6
        new FelixRules.Input(
                workloads(o).findAll { it.nodeName() == node }.collect { FelixRules.Endpoint.of(workload(it, family)) },
                workloads(o).collect { workload(it, family) },
                o.namespaces().collect { new FelixRules.Namespace(it.name(), it.labels()) },
                o.networkPolicies(),
                [new FelixRules.Pool(v6 ? POOL6 : POOL, true)],
                v6 ? [Ip.parse(NODE_IP6[node]), Ip.parse('::1')] : [Ip.parse(NODE_IP[node]), Ip.parse('127.0.0.1')],
                admin, admin ? FelixRules.Version.V3_29 : FelixRules.Version.V3_28, family)
    }

    /** {@link #SCENARIOS} and {@link #ADMIN_SCENARIOS}. */
    static Map<String, String> getALL_SCENARIOS() {
        SCENARIOS + ADMIN_SCENARIOS
    }

    /**
     * Dual-stack policy scenarios: ipBlocks of both families in one policy (each family's rendering keeps its own), an
     * egress to an IPv4 block only (nothing for IPv6), and /0 blocks of both families with an except each.
     */
    static final Map<String, String> DUAL_STACK_SCENARIOS = [
            'ipBlocks of both families': """
kind: NetworkPolicy
metadata: {name: web-from-blocks, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.244.0.0/16, except: [10.244.1.4/32]}
    - ipBlock: {cidr: 'fd00:10:244::/56', except: ['fd00:10:244:1::4/128', 'fd00:10:244:2::/125']}
    - podSelector: {matchLabels: {app: client}}
    ports: [{port: 8080}]
---
kind: NetworkPolicy
metadata: {name: client-out, namespace: default}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 192.168.56.0/24}}]}]
""",
            // a /0 block: Felix writes and hashes `--source 0.0.0.0/0`, the kernel keeps no address match (nothing in iptables-save)
            'ipBlocks of everything (/0) but one pod': """
kind: NetworkPolicy
metadata: {name: web-from-anywhere, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 0.0.0.0/0, except: [10.244.1.4/32]}
    - ipBlock: {cidr: '::/0', except: ['fd00:10:244:1::4/128']}
    ports: [{port: 8080}]
""",
    ]

    /** AdminNetworkPolicy scenarios (Felix v3.29's adminnetworkpolicy tier before the NetworkPolicies). */
    static final Map<String, String> ADMIN_SCENARIOS = [
            'ANP deny over NP allow, Pass to the NPs, Allow over NP deny': """
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: default}}}
  ingress:
    - {name: no-udp-dns, action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {protocol: UDP, port: 53}}]}
    - {name: team-a-passes, action: Pass, from: [{namespaces: {matchLabels: {team: a}}}]}
    - {name: team-b-web, action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {team: b}}, podSelector: {}}}], ports: [{portRange: {protocol: TCP, start: 8000, end: 8081}}]}
  egress:
    - {name: no-9999, action: Deny, to: [{networks: [10.244.0.0/16]}], ports: [{portNumber: {protocol: UDP, port: 9999}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: later}
spec:
  priority: 20
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}
  ingress:
    - {name: deny-client, action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}}]}
---
kind: NetworkPolicy
metadata: {name: allow-all-web, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{}]
---
kind: NetworkPolicy
metadata: {name: deny-all, namespace: team-b}
spec:
  podSelector: {}
  policyTypes: [Ingress]
""",
    ]

    /** @param egressToOwnNodePoliced as Calico's plugin sets it (true) or as the Kubernetes page says (false) */
    static PolicyEvaluator evaluator(KubeObjects o, boolean egressToOwnNodePoliced = false) {
        new PolicyEvaluator(new IPCache(o, POOL, Prefix.parse('10.96.0.0/12')), egressToOwnNodePoliced)
    }

    /** ipsets as the simulator's SetMembership, as NetNS does it for a dumped namespace. */
    static SetMembership membership(IpSets all) {
        io.skoop.netstack.NetNSSets.of(all)
    }

    /** A node's routing: eth0 with the node IP, default via the underlay, a /32 per local pod on its cali veth. */
    static FakeRouting routing(KubeObjects o, String node) {
        def r = new FakeRouting().addr('eth0', NODE_IP[node] + '/24').addr('lo', '127.0.0.1/8').route('0.0.0.0/0', 'eth0', '192.168.56.1')
        workloads(o).findAll { it.nodeName() == node }.each { p -> r.route(p.podIPs()[0].toString() + '/32', Calico.vethName(p.namespace(), p.name())) }
        r
    }

    /** The simulator of a node over FelixRules' rendering (the iptables-save text and the ipsets, parsed by skoop). */
    static NetfilterSimulator simulator(KubeObjects o, String node) {
        def r = FelixRules.render(input(o, node))
        Ruleset rs = IptablesSaveParser.parse('iptables.txt', r.iptablesSave(), false)
        new NetfilterSimulator(rs, Ruleset.empty(true), routing(o, node), membership(IpsetParser.parse('ipset.txt', r.ipsetRestore())))
                .withConntrackActive(true)
    }

    static final List<List> PORTS = [[8080, Protocol.TCP], [8081, Protocol.TCP], [80, Protocol.TCP], [8000, Protocol.TCP],
                                     [53, Protocol.UDP], [9999, Protocol.UDP]]

    /** The outcome of comparing simulator and intent on every ordered pod pair and port of {@link #PORTS}. */
    static class Comparison {
        int checked
        int allowed
        List<String> disagree = []
    }

    /**
     * For every ordered pair of pods and every port of {@link #PORTS}: the connection is accepted when every node on the
     * way forwards its first packet ({@link #traces}); a disagreement with {@code PolicyEvaluator.evaluate(...).allowed()}
     * or a trace that ends neither FORWARDED nor DROP is reported with the traces' steps.
     */
    static Comparison compare(KubeObjects o, String label) {
        def sims = ['node-1', 'node-2'].collectEntries { [it, simulator(o, it)] }
        def intent = evaluator(o)
        def pods = workloads(o)
        Comparison c = new Comparison()
        pods.each { src ->
            pods.each { dst ->
                if (src == dst) return
                PORTS.each { port, proto ->
                    List<TraceResult> traces = traces(o, src, dst, port as int, proto as Protocol, sims)
                    def verdicts = traces.collect { it.verdict() }
                    boolean sim = verdicts.every { it == io.skoop.netstack.netfilter.FinalVerdict.FORWARDED }
                    boolean want = intent.evaluate(src.podIPs()[0], dst.podIPs()[0], port as int, proto as Protocol).allowed()
                    c.checked++
                    c.allowed += want ? 1 : 0
                    if (verdicts.any { it != io.skoop.netstack.netfilter.FinalVerdict.FORWARDED && it != io.skoop.netstack.netfilter.FinalVerdict.DROP } || sim != want) {
                        c.disagree << "$label: ${src.key()} -> ${dst.key()} $proto/$port: simulator $verdicts, intent ${want ? 'allowed' : 'denied'}\n" +
                                traces.collect { t -> t.branches().collect { b -> b.steps().collect { '      ' + it }.join('\n') }.join('\n') }.join('\n----\n')
                    }
                }
            }
        }
        c
    }

    /** Traces a new connection's first packet from pod src to pod dst through FORWARD on the node(s) in between. */
    static List<TraceResult> traces(KubeObjects o, KPod src, KPod dst, int port, Protocol proto, Map<String, NetfilterSimulator> sims) {
        Packet p = Packet.of(src.podIPs()[0], 40000, dst.podIPs()[0], port, proto)
        def out = [sims[src.nodeName()].trace(TraceRequest.of(p, Path.FORWARD).withIif(Calico.vethName(src.namespace(), src.name())))]
        if (src.nodeName() != dst.nodeName()) {
            out << sims[dst.nodeName()].trace(TraceRequest.of(p, Path.FORWARD).withIif('eth0'))
        }
        out
    }
}
