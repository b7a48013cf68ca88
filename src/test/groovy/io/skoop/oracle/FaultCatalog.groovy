package io.skoop.oracle

import groovy.json.JsonSlurper
import io.skoop.lab.run.Lab
import io.skoop.lab.run.Proc
import io.skoop.lab.topology.Node
import io.skoop.lab.topology.Pod
import io.skoop.lab.topology.ResolvedService
import io.skoop.lab.topology.ResolvedTopology
import java.time.Duration

/**
 * The faults the oracle injects, each the way a person would with ordinary commands ({@code ip}, {@code bridge},
 * {@code iptables}, {@code ipset}, {@code sysctl}, killing a listener) in one namespace of a running lab. A kind
 * makes a {@link Fault} for a lab (or null when the lab has nothing it applies to): where, the commands, and the
 * words of which one, in a FATAL or CRITICAL suspicion, names the cause (case-insensitive).
 * <p>
 * Faults are injected in nodes and pods only: the underlay's router and the external hosts stand for the provider's
 * network and the internet, which no snapshot records (docs/snapshot.md), so what breaks there cannot be seen.
 */
class FaultCatalog {

    /** One injected fault. */
    static final class Fault {
        String kind
        /** the lab target it is injected in: a node or {@code NS/POD} */
        String where
        List<List<String>> commands
        /** any of these in a FATAL/CRITICAL suspicion names the cause */
        List<String> words
        /** lab targets near the fault: flows through them are the ones it may break */
        Set<String> focus
        /** the flows most likely to show the fault (chosen first), or null */
        Closure<Boolean> prefer

        String text() {
            "$where: " + commands.collect { it.join(' ') }.join('; ')
        }
    }

    /** What a kind needs of the lab: its topology, a seeded random source, and commands run in its namespaces. */
    static final class Context {
        final Lab lab
        final ResolvedTopology t
        final Random r

        Context(Lab lab, Random r) {
            this.lab = lab
            this.t = lab.topology()
            this.r = r
        }

        boolean vxlan() {
            t.cni().toString().contains('VXLAN') || t.cni().toString().toLowerCase().contains('vxlan')
        }

        String netns(String target) {
            lab.netns(target)
        }

        /** Runs argv in the target's namespace and returns what it printed; fails the scenario when it fails. */
        String sh(String target, List<String> argv) {
            Proc.Result res = Proc.run((['ip', 'netns', 'exec', netns(target)] + argv)*.toString(), null, Duration.ofSeconds(10))
            assert res.ok(): "$target: ${argv.join(' ')}: ${res.err()}"
            return res.out()
        }

        def <T> T pick(Collection<T> c) {
            List<T> l = c as List
            l.isEmpty() ? null : l[r.nextInt(l.size())]
        }

        Pod pod(Closure<Boolean> filter = { true }) {
            pick(t.pods().findAll(filter))
        }

        /** A pod with a port that has a listener. */
        Pod server() {
            pod { Pod p -> !p.listeners().isEmpty() }
        }

        Node node(Closure<Boolean> filter = { true }) {
            pick(t.nodes().findAll(filter))
        }

        Node other(Node n) {
            node { it.name() != n.name() }
        }

        /** A node with pods. */
        Node nodeWithPods() {
            node { Node n -> !t.podsOn(n.name()).isEmpty() }
        }

        /** The name, in {@code where}'s namespace, of the peer of {@code device} in {@code from}'s namespace. */
        String peer(String from, String device, String where) {
            int index = sh(from, ['cat', "/sys/class/net/$device/iflink"]).trim() as int
            def links = new JsonSlurper().parseText(sh(where, ['ip', '-j', 'link', 'show']))
            links.find { it.ifindex == index }.ifname
        }

        /** The node-side veth of a pod (a cni0 port). */
        String hostVeth(Pod p) {
            peer(p.key(), 'eth0', p.node())
        }

        String vtepMac(Node n) {
            sh(n.name(), ['cat', '/sys/class/net/flannel.1/address']).trim()
        }

        String vtepIp(Node n) {
            n.podCIDR().address().toString()
        }

        /** The KUBE-SVC chain of a Service port on a node, from its iptables-save. */
        String svcChain(Node n, ResolvedService s, ResolvedService.Port p) {
            String save = sh(n.name(), ['iptables-save', '-t', 'nat'])
            String line = save.lines().find { it.startsWith('-A KUBE-SERVICES') && it.contains("-d ${s.service().clusterIP()}/32") && it.contains("--dport ${p.port().port()} ") }
            (line =~ /-j (KUBE-SVC-\w+)/)[0][1]
        }

        /** The KUBE-SEP chains a Service chain jumps to. */
        List<String> sepChains(Node n, String svcChain) {
            sh(n.name(), ['iptables-save', '-t', 'nat']).lines().findAll { it.startsWith("-A $svcChain ") && it.contains('-j KUBE-SEP-') }
                    .collect { (it =~ /-j (KUBE-SEP-\w+)/)[0][1] }
        }

        /** PIDs of the listeners of a port in a target's namespace (socat's TCP4-LISTEN, the UDP responder). */
        List<String> listenerPids(String target, int port, String protocol) {
            sh(target, ['ip', 'netns', 'pids', netns(target)]).readLines()*.trim().findAll { pid ->
                File cmd = new File("/proc/$pid/cmdline")
                if (!cmd.exists()) {
                    return false
                }
                List<String> argv = cmd.text.split('\u0000') as List
                protocol == 'UDP' ? argv[0] == 'python3' && argv.contains(String.valueOf(port)) : argv.any { it.startsWith("TCP4-LISTEN:$port,") }
            }
        }
    }

    private static Fault f(String kind, String where, List<List<String>> commands, List<String> words, Collection<String> focus) {
        new Fault(kind: kind, where: where, commands: commands, words: words, focus: (focus + [where]) as Set)
    }

    /** {@code fault} with the flows it should be seen on chosen first. */
    private static Fault preferring(Fault fault, Closure<Boolean> prefer) {
        fault.prefer = prefer
        fault
    }

    private static List<String> cmd(String line) {
        line.split(' ') as List
    }

    private static List<List<String>> cmds(String... lines) {
        lines.collect { cmd(it) }
    }

    private static Set<String> podsAndNode(ResolvedTopology t, Node n) {
        (t.podsOn(n.name())*.key() + [n.name()]) as Set
    }

    /** Every kind: name → maker (null when the lab has nothing it applies to). */
    static final Map<String, Closure<Fault>> KINDS = [
            // ---- devices
            'pod eth0 down'                : { Context c -> Pod p = c.pod(); f('pod eth0 down', p.key(), cmds('ip link set eth0 down'), ['eth0'], []) },
            'node eth0 down'               : { Context c -> Node n = c.node(); f('node eth0 down', n.name(), cmds('ip link set eth0 down'), ['eth0'], podsAndNode(c.t, n)) },
            'cni0 down'                    : { Context c -> Node n = c.nodeWithPods(); f('cni0 down', n.name(), cmds('ip link set cni0 down'), ['cni0'], podsAndNode(c.t, n)) },
            'flannel.1 down'               : { Context c -> if (!c.vxlan()) return null; Node n = c.node(); f('flannel.1 down', n.name(), cmds('ip link set flannel.1 down'), ['flannel.1'], podsAndNode(c.t, n)) },
            'pod veth down (node side)'    : { Context c -> Pod p = c.pod(); String v = c.hostVeth(p); f('pod veth down (node side)', p.node(), [['ip', 'link', 'set', v, 'down']], [v], [p.key()]) },
            'pod veth deleted'             : { Context c -> Pod p = c.pod(); String v = c.hostVeth(p); f('pod veth deleted', p.node(), [['ip', 'link', 'del', v]], [v, 'eth0', 'no IPv4 address'], [p.key()]) },
            'pod address flushed'          : { Context c -> Pod p = c.pod(); f('pod address flushed', p.key(), cmds('ip addr flush dev eth0'), ['no IPv4 address'], []) },
            'cni0 address flushed'         : { Context c -> Node n = c.nodeWithPods(); f('cni0 address flushed', n.name(), cmds('ip addr flush dev cni0'), ['cni0'], podsAndNode(c.t, n)) },
            'node eth0 arp off'            : { Context c -> Node n = c.node(); f('node eth0 arp off', n.name(), cmds('ip link set eth0 arp off'), ['arp', 'NOARP'], podsAndNode(c.t, n)) },
            // ---- bridge ports
            'bridge port disabled'         : { Context c -> Pod p = c.pod(); String v = c.hostVeth(p); f('bridge port disabled', p.node(), [['bridge', 'link', 'set', 'dev', v, 'state', '0']], ['disabled'], [p.key()]) },
            'bridge port blocking'         : { Context c -> Pod p = c.pod(); String v = c.hostVeth(p); f('bridge port blocking', p.node(), [['bridge', 'link', 'set', 'dev', v, 'state', '4']], ['blocking'], [p.key()]) },
            'bridge port hairpin off'      : { Context c -> Pod p = c.server(); if (p == null) return null; String v = c.hostVeth(p); preferring(f('bridge port hairpin off', p.node(), [['bridge', 'link', 'set', 'dev', v, 'hairpin', 'off']], ['hairpin'], [p.key()])) { it.src == p.key() && it.kind.contains('itself a backend') } },
            'bridge port removed'          : { Context c -> Pod p = c.pod(); String v = c.hostVeth(p); f('bridge port removed', p.node(), [['ip', 'link', 'set', v, 'nomaster']], [v], [p.key()]) },
            // ---- routes
            'pod default route deleted'    : { Context c -> Pod p = c.pod(); f('pod default route deleted', p.key(), cmds('ip route del default'), ['no route'], []) },
            'pod default route dev lo'     : { Context c -> Pod p = c.pod(); f('pod default route dev lo', p.key(), cmds('ip route replace default dev lo'), ['lo'], []) },
            'podCIDR route deleted'        : { Context c -> Node a = c.node(); Node b = c.other(a); f('podCIDR route deleted', a.name(), [['ip', 'route', 'del', b.podCIDR().toString()]], ['no route', 'underlay'], podsAndNode(c.t, b)) },
            'podCIDR route on-link eth0'   : { Context c -> Node a = c.node(); Node b = c.other(a); f('podCIDR route on-link eth0', a.name(), [['ip', 'route', 'replace', b.podCIDR().toString(), 'dev', 'eth0']], ['ARP'], podsAndNode(c.t, b)) },
            'podCIDR route blackhole'      : { Context c -> Node a = c.node(); Node b = c.other(a); f('podCIDR route blackhole', a.name(), [['ip', 'route', 'replace', 'blackhole', b.podCIDR().toString()]], ['blackhole'], podsAndNode(c.t, b)) },
            'podCIDR route unreachable'    : { Context c -> Node a = c.node(); Node b = c.other(a); f('podCIDR route unreachable', a.name(), [['ip', 'route', 'replace', 'unreachable', b.podCIDR().toString()]], ['unreachable'], podsAndNode(c.t, b)) },
            'podCIDR route prohibit'       : { Context c -> Node a = c.node(); Node b = c.other(a); f('podCIDR route prohibit', a.name(), [['ip', 'route', 'replace', 'prohibit', b.podCIDR().toString()]], ['prohibit'], podsAndNode(c.t, b)) },
            'podCIDR route via a third node': { Context c ->
                if (c.t.nodes().size() < 3) return null
                Node a = c.node(); Node b = c.other(a); Node x = c.node { it.name() != a.name() && it.name() != b.name() }
                List<String> argv = c.vxlan() ? ['ip', 'route', 'replace', b.podCIDR().toString(), 'via', c.vtepIp(x), 'dev', 'flannel.1', 'onlink']
                        : ['ip', 'route', 'replace', b.podCIDR().toString(), 'via', x.address().toString(), 'dev', 'eth0']
                f('podCIDR route via a third node', a.name(), [argv], [c.vxlan() ? c.vtepIp(x) : x.address().toString()], podsAndNode(c.t, b) + [x.name()])
            },
            'podCIDR route via own address': { Context c -> Node a = c.node(); Node b = c.other(a); f('podCIDR route via own address', a.name(), [['ip', 'route', 'replace', b.podCIDR().toString(), 'via', a.address().toString(), 'dev', 'eth0']], ['ARP', 'own address'], podsAndNode(c.t, b)) },
            'own podCIDR route deleted'    : { Context c -> Node n = c.nodeWithPods(); f('own podCIDR route deleted', n.name(), [['ip', 'route', 'del', n.podCIDR().toString(), 'dev', 'cni0']], ['no route', n.podCIDR().toString()], podsAndNode(c.t, n)) },
            'node default route deleted'   : { Context c -> Node n = c.node(); f('node default route deleted', n.name(), cmds('ip route del default'), ['no route'], [n.name(), 'ext']) },
            // ---- policy rules
            'rule to podCIDR blackhole'    : { Context c -> Node a = c.node(); Node b = c.other(a); f('rule to podCIDR blackhole', a.name(), [['ip', 'rule', 'add', 'to', b.podCIDR().toString(), 'blackhole', 'pref', '100']], ['blackhole', 'rule'], podsAndNode(c.t, b)) },
            'rule to podCIDR prohibit (pod)': { Context c -> Pod p = c.pod(); Node b = c.node(); f('rule to podCIDR prohibit (pod)', p.key(), [['ip', 'rule', 'add', 'to', b.podCIDR().toString(), 'prohibit', 'pref', '100']], ['prohibit', 'rule'], podsAndNode(c.t, b)) },
            'rule to an empty table'       : { Context c -> Node a = c.node(); Node b = c.other(a); f('rule to an empty table', a.name(), [['ip', 'rule', 'add', 'to', b.podCIDR().toString(), 'lookup', '100', 'pref', '100']], [], podsAndNode(c.t, b)) },
            'rule from podCIDR to a blackhole table': { Context c -> Node n = c.nodeWithPods(); f('rule from podCIDR to a blackhole table', n.name(), [['ip', 'route', 'add', 'blackhole', 'default', 'table', '100'], ['ip', 'rule', 'add', 'from', n.podCIDR().toString(), 'lookup', '100', 'pref', '100']], ['blackhole', 'table 100'], podsAndNode(c.t, n)) },
            'main rule deleted'            : { Context c -> Node n = c.node(); f('main rule deleted', n.name(), cmds('ip rule del pref 32766'), ['rule', 'no route'], podsAndNode(c.t, n)) },
            // ---- neighbours and FDB
            'VXLAN FDB entry deleted'      : { Context c -> if (!c.vxlan()) return null; Node a = c.node(); Node b = c.other(a); f('VXLAN FDB entry deleted', a.name(), [['bridge', 'fdb', 'del', c.vtepMac(b), 'dev', 'flannel.1', 'dst', b.address().toString()]], ['FDB', c.vtepMac(b)], podsAndNode(c.t, b)) },
            'VXLAN neighbour deleted'      : { Context c -> if (!c.vxlan()) return null; Node a = c.node(); Node b = c.other(a); f('VXLAN neighbour deleted', a.name(), [['ip', 'neigh', 'del', c.vtepIp(b), 'dev', 'flannel.1']], ['neighbour', c.vtepIp(b)], podsAndNode(c.t, b)) },
            'VXLAN FDB entry to a wrong node': { Context c -> if (!c.vxlan() || c.t.nodes().size() < 3) return null; Node a = c.node(); Node b = c.other(a); Node x = c.node { it.name() != a.name() && it.name() != b.name() }
                f('VXLAN FDB entry to a wrong node', a.name(), [['bridge', 'fdb', 'replace', c.vtepMac(b), 'dev', 'flannel.1', 'dst', x.address().toString(), 'self', 'permanent']], ['FDB', x.address().toString()], podsAndNode(c.t, b) + [x.name()]) },
            'pod gateway neighbour wrong'  : { Context c -> Pod p = c.pod(); String gw = ResolvedTopology.podGateway(c.t.node(p.node())).toString(); f('pod gateway neighbour wrong', p.key(), [['ip', 'neigh', 'replace', gw, 'lladdr', '02:00:5e:00:00:01', 'dev', 'eth0', 'nud', 'permanent']], ['02:00:5e:00:00:01'], [p.node()]) },
            'node neighbour wrong'         : { Context c -> Node a = c.node(); Node b = c.other(a); f('node neighbour wrong', a.name(), [['ip', 'neigh', 'replace', b.address().toString(), 'lladdr', '02:00:5e:00:00:02', 'dev', 'eth0', 'nud', 'permanent']], ['02:00:5e:00:00:02'], podsAndNode(c.t, b)) },
            // ---- iptables
            'filter INPUT DROP (node)'     : { Context c -> Node n = c.node(); f('filter INPUT DROP (node)', n.name(), cmds('iptables -I INPUT -j DROP'), ['filter/INPUT'], [n.name()]) },
            'filter FORWARD DROP (node)'   : { Context c -> Node n = c.node(); f('filter FORWARD DROP (node)', n.name(), cmds('iptables -I FORWARD -j DROP'), ['filter/FORWARD'], podsAndNode(c.t, n)) },
            'filter OUTPUT DROP (pod)'     : { Context c -> Pod p = c.pod(); f('filter OUTPUT DROP (pod)', p.key(), cmds('iptables -I OUTPUT -j DROP'), ['filter/OUTPUT'], []) },
            'filter INPUT DROP port (pod)' : { Context c -> Pod p = c.server(); if (p == null) return null; def l = c.pick(p.listeners()); f('filter INPUT DROP port (pod)', p.key(), [['iptables', '-I', 'INPUT', '-p', l.protocol().ianaName(), '--dport', "${l.port()}".toString(), '-j', 'DROP']], ['filter/INPUT'], []) },
            'filter INPUT REJECT (pod)'    : { Context c -> Pod p = c.server(); if (p == null) return null; f('filter INPUT REJECT (pod)', p.key(), cmds('iptables -I INPUT -j REJECT'), ['filter/INPUT'], []) },
            'filter FORWARD REJECT host-unreachable': { Context c -> Node n = c.nodeWithPods(); f('filter FORWARD REJECT host-unreachable', n.name(), [['iptables', '-I', 'FORWARD', '-d', n.podCIDR().toString(), '-j', 'REJECT', '--reject-with', 'icmp-host-unreachable']], ['filter/FORWARD'], podsAndNode(c.t, n)) },
            'filter FORWARD negated source': { Context c -> Node n = c.node(); f('filter FORWARD negated source', n.name(), [['iptables', '-I', 'FORWARD', '!', '-s', c.t.clusterCIDR().toString(), '-j', 'DROP']], ['filter/FORWARD'], podsAndNode(c.t, n) + ['ext']) },
            'filter FORWARD policy DROP'   : { Context c -> Node n = c.node(); f('filter FORWARD policy DROP', n.name(), cmds('iptables -P FORWARD DROP'), ['policy', 'FORWARD'], podsAndNode(c.t, n) + ['ext']) },
            'raw NOTRACK (node)'           : { Context c -> Node n = c.node(); f('raw NOTRACK (node)', n.name(), cmds('iptables -t raw -I PREROUTING -j NOTRACK', 'iptables -t raw -I OUTPUT -j NOTRACK'), ['NOTRACK'], podsAndNode(c.t, n)) },
            'raw NOTRACK (pod)'            : { Context c -> Pod p = c.pod(); f('raw NOTRACK (pod)', p.key(), cmds('iptables -t raw -I OUTPUT -j NOTRACK', 'iptables -t raw -I PREROUTING -j NOTRACK'), ['NOTRACK'], []) },
            'mangle PREROUTING DROP from a podCIDR': { Context c -> Node a = c.node(); Node b = c.other(a); f('mangle PREROUTING DROP from a podCIDR', a.name(), [['iptables', '-t', 'mangle', '-I', 'PREROUTING', '-s', b.podCIDR().toString(), '-j', 'DROP']], ['mangle/PREROUTING'], podsAndNode(c.t, b) + [a.name()]) },
            'conntrack ESTABLISHED DROP'   : { Context c -> Node n = c.node(); f('conntrack ESTABLISHED DROP', n.name(), cmds('iptables -I FORWARD -m conntrack --ctstate ESTABLISHED -j DROP'), ['filter/FORWARD', 'ESTABLISHED'], podsAndNode(c.t, n) + ['ext']) },
            'conntrack INVALID DROP'       : { Context c -> Node n = c.node(); f('conntrack INVALID DROP', n.name(), cmds('iptables -I INPUT -m conntrack --ctstate INVALID -j DROP', 'iptables -I FORWARD -m conntrack --ctstate INVALID -j DROP'), ['INVALID'], podsAndNode(c.t, n)) },
            'state NEW DROP (pod)'         : { Context c -> Pod p = c.server(); if (p == null) return null; f('state NEW DROP (pod)', p.key(), cmds('iptables -I INPUT -m state --state NEW -j DROP'), ['filter/INPUT'], []) },
            'ipset deny list'              : { Context c -> Pod p = c.pod(); f('ipset deny list', p.node(), [cmd('ipset create skoop-deny hash:ip'), ['ipset', 'add', 'skoop-deny', p.ip().toString()], cmd('iptables -I FORWARD -m set --match-set skoop-deny dst -j DROP')], ['skoop-deny'], [p.key()]) },
            'ipset net with nomatch'       : { Context c -> Pod p = c.pod(); Node n = c.t.node(p.node()); f('ipset net with nomatch', n.name(), [cmd('ipset create skoop-nets hash:net'), ['ipset', 'add', 'skoop-nets', n.podCIDR().toString()], ['ipset', 'add', 'skoop-nets', p.ip().toString() + '/32', 'nomatch'], cmd('iptables -I FORWARD -m set --match-set skoop-nets dst -j DROP')], ['skoop-nets'], podsAndNode(c.t, n)) },
            'nat flannel MASQUERADE flushed': { Context c -> Node n = c.nodeWithPods(); f('nat flannel MASQUERADE flushed', n.name(), cmds('iptables -t nat -F FLANNEL-POSTRTG'), ['MASQUERADE', 'FLANNEL-POSTRTG'], podsAndNode(c.t, n) + ['ext']) },
            'nat PREROUTING RETURN first'  : { Context c -> Node n = c.node(); f('nat PREROUTING RETURN first', n.name(), cmds('iptables -t nat -I PREROUTING -j RETURN'), ['nat/PREROUTING'], podsAndNode(c.t, n)) },
            'Service chain flushed'        : { Context c ->
                def s = c.pick(c.t.services().findAll { it.ports().any { !it.endpoints().isEmpty() } }); if (s == null) return null
                def p = c.pick(s.ports().findAll { !it.endpoints().isEmpty() }); Node n = c.node(); String chain = c.svcChain(n, s, p)
                f('Service chain flushed', n.name(), [['iptables', '-t', 'nat', '-F', chain]], [chain], podsAndNode(c.t, n))
            },
            'endpoint DNAT to a wrong port': { Context c ->
                def s = c.pick(c.t.services().findAll { it.ports().any { !it.endpoints().isEmpty() } }); if (s == null) return null
                def p = c.pick(s.ports().findAll { !it.endpoints().isEmpty() }); Node n = c.node(); String chain = c.svcChain(n, s, p)
                String sep = c.pick(c.sepChains(n, chain)); def e = c.sh(n.name(), ['iptables-save', '-t', 'nat']).lines().find { it.startsWith("-A $sep ") && it.contains('DNAT') }
                String ip = (e =~ /--to-destination ([0-9.]+):/)[0][1]
                f('endpoint DNAT to a wrong port', n.name(), [['iptables', '-t', 'nat', '-I', sep, '1', '-p', p.port().protocol().ianaName(), '-j', 'DNAT', '--to-destination', "$ip:1".toString()]], [sep, 'no socket listens on ' + ip + ':1'], podsAndNode(c.t, n))
            },
            'KUBE-NODEPORTS flushed'       : { Context c -> if (!c.t.services().any { s -> s.ports().any { it.port().nodePort() > 0 } }) return null; Node n = c.node(); f('KUBE-NODEPORTS flushed', n.name(), cmds('iptables -t nat -F KUBE-NODEPORTS'), ['KUBE-NODEPORTS', 'NodePort'], [n.name(), 'ext']) },
            'KUBE-POSTROUTING flushed'     : { Context c -> Node n = c.node(); f('KUBE-POSTROUTING flushed', n.name(), cmds('iptables -t nat -F KUBE-POSTROUTING'), ['KUBE-POSTROUTING', 'MASQUERADE'], podsAndNode(c.t, n) + ['ext']) },
            // ---- sysctls
            'ip_forward off'               : { Context c -> Node n = c.node(); f('ip_forward off', n.name(), cmds('sysctl -qw net.ipv4.ip_forward=0'), ['forwarding'], podsAndNode(c.t, n) + ['ext']) },
            'eth0 forwarding off'          : { Context c -> Node n = c.node(); f('eth0 forwarding off', n.name(), cmds('sysctl -qw net.ipv4.conf.eth0.forwarding=0'), ['forwarding'], podsAndNode(c.t, n) + ['ext']) },
            'cni0 forwarding off'          : { Context c -> Node n = c.nodeWithPods(); f('cni0 forwarding off', n.name(), cmds('sysctl -qw net.ipv4.conf.cni0.forwarding=0'), ['forwarding'], podsAndNode(c.t, n)) },
            'rp_filter with an asymmetric route': { Context c ->
                Node a = c.nodeWithPods(); Node b = c.other(a)
                List<List<String>> cs = [cmd('sysctl -qw net.ipv4.conf.all.rp_filter=1')]
                cs << (c.vxlan() ? ['ip', 'route', 'replace', a.podCIDR().toString(), 'via', a.address().toString(), 'dev', 'eth0']
                        : ['sh', '-c', "ip link add skoopa type veth peer name skoopb && ip link set skoopa up && ip link set skoopb up && ip route replace ${a.podCIDR()} dev skoopa".toString()])
                f('rp_filter with an asymmetric route', b.name(), cs, ['rp_filter'], podsAndNode(c.t, a) + podsAndNode(c.t, b))
            },
            'bridge-nf-call-iptables off'  : { Context c -> Node n = c.nodeWithPods(); preferring(f('bridge-nf-call-iptables off', n.name(), cmds('sysctl -qw net.bridge.bridge-nf-call-iptables=0'), ['bridge-nf-call-iptables', 'reverse', 'NAT was not reversed'], podsAndNode(c.t, n))) { it.dst.startsWith('svc/') && c.t.pods().any { p -> p.key() == it.src && p.node() == n.name() } } },
            'arp_ignore on eth0'           : { Context c -> Node n = c.node(); f('arp_ignore on eth0', n.name(), cmds('sysctl -qw net.ipv4.conf.eth0.arp_ignore=8'), ['arp_ignore'], podsAndNode(c.t, n) + ['ext']) },
            'arp_ignore on cni0'           : { Context c -> Node n = c.nodeWithPods(); f('arp_ignore on cni0', n.name(), cmds('sysctl -qw net.ipv4.conf.cni0.arp_ignore=8'), ['arp_ignore'], podsAndNode(c.t, n)) },
            // ---- MTU
            'node eth0 MTU 1400'           : { Context c -> Node n = c.node(); f('node eth0 MTU 1400', n.name(), cmds('ip link set dev eth0 mtu 1400'), ['MTU'], podsAndNode(c.t, n) + ['ext']) },
            'pod eth0 MTU 1200'            : { Context c -> Pod p = c.pod(); f('pod eth0 MTU 1200', p.key(), cmds('ip link set dev eth0 mtu 1200'), ['MTU'], []) },
            'cni0 MTU 1300'                : { Context c -> Node n = c.nodeWithPods(); f('cni0 MTU 1300', n.name(), cmds('ip link set dev cni0 mtu 1300'), ['MTU'], podsAndNode(c.t, n)) },
            'flannel.1 MTU 1300'           : { Context c -> if (!c.vxlan()) return null; Node n = c.node(); f('flannel.1 MTU 1300', n.name(), cmds('ip link set dev flannel.1 mtu 1300'), ['MTU'], podsAndNode(c.t, n)) },
            // ---- listeners
            'listener killed'              : { Context c ->
                Pod p = c.server(); if (p == null) return null; def l = c.pick(p.listeners()); List<String> pids = c.listenerPids(p.key(), l.port(), l.protocol().ianaName().toUpperCase())
                if (pids.isEmpty()) return null
                preferring(f('listener killed', p.key(), [['kill'] + pids], ['no socket listens'], [])) { it.dst == p.key() && it.port == l.port() }
            },
            'listener rebound to localhost': { Context c ->
                Pod p = c.pod { Pod q -> q.listeners().any { it.protocol().ianaName() == 'tcp' } }; if (p == null) return null
                def l = c.pick(p.listeners().findAll { it.protocol().ianaName() == 'tcp' }); List<String> pids = c.listenerPids(p.key(), l.port(), 'TCP')
                if (pids.isEmpty()) return null
                preferring(f('listener rebound to localhost', p.key(), [['kill'] + pids, ['sh', '-c', "socat TCP4-LISTEN:${l.port()},bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo rebound' >/dev/null 2>&1 &".toString()], ['sleep', '0.3']], ['no socket listens', '127.0.0.1'], [])) { it.dst == p.key() && it.port == l.port() }
            },
    ]

    /** A fault of a random applicable kind for the lab (kinds tried in random order). */
    static Fault random(Context c, List<String> kinds = KINDS.keySet() as List) {
        List<String> order = new ArrayList<>(kinds)
        Collections.shuffle(order, c.r)
        for (String k : order) {
            Fault f = KINDS[k].call(c)
            if (f != null) {
                return f
            }
        }
        throw new IllegalStateException('no fault kind applies')
    }
}
