package io.skoop.testsupport

import io.skoop.lab.flannel.Flannel
import io.skoop.lab.plan.LabPlanner
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabStore
import io.skoop.lab.run.Labs
import io.skoop.lab.run.Probe
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.model.IpFamily
import java.nio.file.Files
import java.nio.file.Path

/**
 * Lab clusters for kernel-judged specs: the flannel-vxlan example's topology with either flannel backend, in a
 * private lab state folder, every namespace prefixed {@code <run>-}. {@link #close()} takes every lab down and fails
 * when a namespace of this run is left behind. Needs root (see {@link KernelLab#available()}).
 */
class LabClusters implements AutoCloseable {
    final Path stateDir = Files.createTempDirectory('skoop-lab-state')
    final Labs labs = new Labs(new LabStore(stateDir))
    final String run

    /** @param prefix three letters naming the spec's run ({@code skt}, {@code skd}) */
    LabClusters(String prefix) {
        run = prefix + Long.toString(System.nanoTime() % 1_000_000L, 36)
    }

    /**
     * The flannel-vxlan example's topology text with the given flannel backend ({@code vxlan}, {@code host-gw}); with the
     * suffix {@code +nft} ({@code vxlan+nft}, {@code host-gw+nft}) the flannel-vxlan-nftables example's: kube-proxy in
     * nftables mode.
     */
    static String topology(String backend) {
        boolean nft = backend.endsWith('+nft')
        String yaml = LabExamples.text(nft ? 'flannel-vxlan-nftables' : 'flannel-vxlan').replace('backend: vxlan', "backend: ${flannelBackend(backend)}")
        return backend.endsWith('+v6') ? dualStack(yaml) : yaml
    }

    /** The flannel backend of a backend name ({@code host-gw+nft} → {@code host-gw}, {@code vxlan+v6} → {@code vxlan}). */
    static String flannelBackend(String backend) {
        backend - '+nft' - '+v6'
    }

    /** The family a backend's flows are probed and diagnosed in: IPv6 for the dual-stack backends ({@code +v6}), else IPv4. */
    static IpFamily family(String backend) {
        backend.endsWith('+v6') ? IpFamily.IPv6 : IpFamily.IPv4
    }

    /**
     * The flannel-vxlan example made dual-stack, as the dual-stack example is: an IPv6 CIDR after each IPv4 one, every
     * Service PreferDualStack, the external host with an IPv6 address too. The IPv4 side is allocated as before, so the
     * IPv4 addresses of every object are unchanged.
     */
    static String dualStack(String yaml) {
        Map<String, String> edits = [
                'clusterCIDR: 10.244.0.0/16': 'clusterCIDR: [10.244.0.0/16, fd00:10:244::/56]',
                'serviceCIDR: 10.96.0.0/16' : 'serviceCIDR: [10.96.0.0/16, fd00:10:96::/112]',
                'underlay: 192.168.56.0/24' : 'underlay: [192.168.56.0/24, fd00:192:168:56::/64]',
                'address: 203.0.113.10'     : 'address: [203.0.113.10, 2001:db8:113::10]',
                '\n    selector: '         : '\n    ipFamilyPolicy: PreferDualStack\n    selector: ',
        ]
        edits.inject(yaml) { String text, from, to ->
            assert text.contains(from): "the flannel-vxlan example no longer has '$from'"
            text.replace(from, to)
        }
    }

    /** Brings up the example cluster with the backend as lab {@code <run>-<suffix>}. */
    Lab up(String backend, String suffix) {
        String yaml = topology(backend)
        ResolvedTopology t = TopologyLoader.parse("${backend}.yaml", yaml).withName("$run-$suffix")
        assert Flannel.backend(t).text() == flannelBackend(backend)
        return labs.up(t, "test $backend", "${backend}.yaml", yaml, null).lab()
    }

    /**
     * Probes {@code src -> dst:port/proto} until every one of {@code backends} answered (kube-proxy's statistic ladder
     * picks at random), at most {@code max} times; returns every result.
     */
    static List<Probe.Result> probeUntilEveryBackend(Lab lab, String src, String dst, int port, String proto, Collection<String> backends,
                                                    int max) {
        Set<String> seen = []
        List<Probe.Result> results = []
        for (int i = 0; i < max && seen != backends as Set; i++) {
            Probe.Result r = Probe.run(lab, src, dst, port, io.skoop.model.Protocol.parse(proto), Probe.DEFAULT_TIMEOUT)
            results << r
            if (r.answeredBy() != null) {
                seen << r.answeredBy()
            }
        }
        results
    }

    /** Runs {@code cmd} with {@code sh -c} in the network namespace of {@code target} (a node, pod or external host); fails on a non-zero exit. */
    static String sh(Lab lab, String target, String cmd) {
        io.skoop.lab.run.Proc.Result r = io.skoop.lab.run.Proc.run(['ip', 'netns', 'exec', lab.netns(target), 'sh', '-c', cmd], null,
                java.time.Duration.ofSeconds(10))
        assert r.ok(): "$cmd in $target: $r"
        return r.out()
    }

    /** {@link #sh}'s output as trimmed lines. */
    static List<String> lines(Lab lab, String target, String cmd) {
        return sh(lab, target, cmd).readLines()*.trim()
    }

    /**
     * A lab target as a diagnosis endpoint: a node as {@code node/NAME}, an external host (the diagnosis knows it by
     * address only) by its address of {@code family}; pods, Services and addresses as they are.
     */
    static String endpoint(Lab lab, String target, IpFamily family = IpFamily.IPv4) {
        if (lab.topology().nodes().any { it.name() == target }) {
            return "node/$target"
        }
        def ext = lab.topology().externalHosts().find { it.name() == target }
        return ext != null ? ext.address(family).toString() : target
    }

    /** Every row for every backend: {@code [backend] + row}. */
    static List cross(List backends, List rows) {
        [backends, rows].combinations().collect { [it[0]] + it[1] }
    }

    @Override
    void close() {
        // only this run's labs: list() also shows other labs' namespaces (as orphans of this store), which belong to
        // other specs, other test runs or the user
        labs.list().findAll { it.name().startsWith(run) }.each { labs.down(it.name()) }
        List<String> left = Labs.netnsList().findAll { it.startsWith(run) }
        stateDir.toFile().deleteDir()
        assert left.isEmpty(): "namespaces left behind: $left"
    }

    /** The node-side veth of a pod, as LabPlanner names it (in the order of the node's pods). */
    static String veth(ResolvedTopology t, String pod) {
        Set<String> taken = [] as Set
        String node = t.pod(pod).node()
        t.podsOn(node).collect { LabPlanner.vethName(t.name(), it, taken) }[t.podsOn(node)*.key().indexOf(t.pod(pod).key())]
    }

    /**
     * The faults of docs/lab.md, as KubeSkoop's e2e suite injects them: {@code [fault, where, command(topology),
     * src, dst, port, kernel outcomes, controlSrc, controlDst, controlPort, the hop a diagnosis must blame, words its
     * suspicion must contain]}.
     */
    static final List FAULTS = [
            ['ip link set eth0 down', 'default/client', { t -> ['ip', 'link', 'set', 'eth0', 'down'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-1', 8080,
             'pod:default/client', 'connect() fails: no route to 10.244.1.2'],
            ['ip link set eth0 down', 'node-2', { t -> ['ip', 'link', 'set', 'eth0', 'down'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT], 'default/client-2', 'default/web-2', 8080,
             'node:node-2', 'eth0 is down'],
            ['ip route flush table main', 'node-1', { t -> ['ip', 'route', 'flush', 'table', 'main'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-1', 8080,
             'node:node-1', 'routing fails: ENETUNREACH'],
            ['iptables -I INPUT -j DROP', 'node-2', { t -> ['iptables', '-I', 'INPUT', '-j', 'DROP'] },
             'default/client', 'node-2', 10250, [Probe.Outcome.TIMEOUT], 'default/client', 'node-3', 10250,
             'node:node-2', 'dropped by filter/INPUT#1 `-A INPUT -j DROP`'],
            ['iptables -I FORWARD -j DROP', 'node-3', { t -> ['iptables', '-I', 'FORWARD', '-j', 'DROP'] },
             'default/client', 'default/web-3', 8081, [Probe.Outcome.TIMEOUT], 'default/client', 'default/web-2', 8080,
             'node:node-3', 'dropped by filter/FORWARD#1 `-A FORWARD -j DROP`'],
            ['ip link set dev eth0 mtu 1400', 'node-1', { t -> ['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1400'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TRUNCATED], 'default/client', 'default/web-1', 8080,
             'node:node-1', 'eth0 MTU 1400'],
            ['route to node-2 podCIDR deleted', 'node-1', { ResolvedTopology t -> ['ip', 'route', 'del', t.node('node-2').podCIDR().toString()] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
             'node:node-1', 'onto the underlay and is lost'],
            ['route to node-2 podCIDR replaced by an on-link route on eth0', 'node-1',
             { ResolvedTopology t -> ['ip', 'route', 'replace', t.node('node-2').podCIDR().toString(), 'dev', 'eth0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
             'node:node-1', 'no host on the underlay answers ARP for 10.244.1.2'],
            // the SYN left the client with TTL 64; node-1 and node-2 each decrement it before FORWARD (the tunnel keeps
            // the inner header); the control flow is bridged on node-2 and keeps 64
            ['iptables -I FORWARD -p tcp -m ttl --ttl-eq 62 -j DROP', 'node-2',
             { t -> ['iptables', '-I', 'FORWARD', '-p', 'tcp', '-m', 'ttl', '--ttl-eq', '62', '-j', 'DROP'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT], 'default/client-2', 'default/web-2', 8080,
             'node:node-2', 'dropped by filter/FORWARD#1 `-A FORWARD -p tcp -m ttl --ttl-eq 62 -j DROP`'],
            ['sysctl net.ipv4.ip_forward=0', 'node-2', { t -> ['sysctl', '-qw', 'net.ipv4.ip_forward=0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-2', 8080,
             'node:node-2', 'forwarding is off'],
    ]

    /**
     * Faults the randomized oracle (OracleKernelSpec) found the diagnosis wrong about, each kept for good in the
     * agreement suite (LabDiagnoseKernelSpec), in the shape of {@link #FAULTS}.
     */
    static final List ORACLE_FAULTS = [
            ['bridge port of web-2 disabled', 'node-2', { ResolvedTopology t -> ['bridge', 'link', 'set', 'dev', veth(t, 'default/web-2'), 'state', '0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/api-2', 9090,
             'node:node-2', 'is in state disabled'],
            // the pod's cluster CIDR route still carries pod-to-pod traffic: the default route matters outside the cluster
            ['default route dev lo', 'default/client', { t -> ['ip', 'route', 'replace', 'default', 'dev', 'lo'] },
             'default/client', 'internet', 80, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-2', 8080,
             'pod:default/client', 'the loopback device hands it straight back'],
            ['permanent neighbour for the gateway with a wrong MAC', 'default/client',
             { ResolvedTopology t -> ['ip', 'neigh', 'replace', ResolvedTopology.podGateway(t.node('node-1')).toString(), 'lladdr', '02:00:5e:00:00:01', 'dev', 'eth0', 'nud', 'permanent'] },
             // the node's bridge takes a frame for a MAC nobody has only when br_netfilter's PREROUTING changes its
             // destination: the Service (DNAT) still works, the pod-to-pod flow does not
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'svc/default/web', 80,
             'node:node-1', 'permanent neighbour entry'],
            ['ip addr flush dev eth0', 'default/web-2', { t -> ['ip', 'addr', 'flush', 'dev', 'eth0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
             'pod:default/web-2', 'no device here has any IPv4 address'],
            ['ip link set eth0 arp off', 'node-2', { t -> ['ip', 'link', 'set', 'eth0', 'arp', 'off'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-2', 8080,
             'node:node-1', 'has NOARP'],
            ['raw NOTRACK', 'node-1', { t -> ['iptables', '-t', 'raw', '-I', 'PREROUTING', '-j', 'NOTRACK'] },
             'default/client', 'svc/default/web', 80, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-2', 8080,
             'node:node-1', 'leaves it untracked'],
            ['flannel MASQUERADE flushed', 'node-1', { t -> ['iptables', '-t', 'nat', '-F', 'FLANNEL-POSTRTG'] },
             'default/client', 'internet', 80, [Probe.Outcome.TIMEOUT], 'default/client', 'default/web-2', 8080,
             'external:203.0.113.10', 'no MASQUERADE or SNAT rule'],
            // a gateway that is the node's own address has scope host: the kernel sends on-link and ARPs for the pod
            ['route to node-2 podCIDR via node-1 itself', 'node-1',
             { ResolvedTopology t -> ['ip', 'route', 'replace', t.node('node-2').podCIDR().toString(), 'via', t.node('node-1').address().toString(), 'dev', 'eth0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
             'node:node-1', 'no host on the underlay answers ARP for'],
            ['strict rp_filter and the route back via eth0', 'node-2',
             { ResolvedTopology t -> ['sh', '-c', 'sysctl -qw net.ipv4.conf.all.rp_filter=1 && ' + (Flannel.backend(t).text() == 'vxlan'
                     ? "ip route replace ${t.node('node-1').podCIDR()} via ${t.node('node-1').address()} dev eth0"
                     : "ip link add skoopa type veth peer name skoopb && ip link set skoopa up && ip link set skoopb up && ip route replace ${t.node('node-1').podCIDR()} dev skoopa")] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT], 'default/client-2', 'default/web-2', 8080,
             'node:node-2', 'rp_filter'],
    ]

    /**
     * The faults of {@link #FAULTS} and {@link #ORACLE_FAULTS} in IPv6 terms, for the dual-stack backends ({@code +v6}):
     * ip6tables for iptables, {@code ip -6} routes and neighbours, {@code net.ipv6.conf.all.forwarding} for ip_forward,
     * {@code -m hl} for {@code -m ttl}; then faults only IPv6 has. Flows are probed and diagnosed over IPv6. Two IPv4 faults
     * have no IPv6 form: a route via the node's own address is refused by the kernel in IPv6 ("Gateway can not be a local
     * address", ip6_route_check_nh), and IPv6 has no rp_filter sysctl.
     */
    static final List FAULTS_V6 = [
            ['ip link set eth0 down', 'default/client', { t -> ['ip', 'link', 'set', 'eth0', 'down'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-1', 8080,
             'pod:default/client', 'connect() fails: no route to fd00:10:244:1::2'],
            ['ip link set eth0 down', 'node-2', { t -> ['ip', 'link', 'set', 'eth0', 'down'] },
             // IPv6 addresses leave with the device (IPv4 ones stay): node-1 finds nobody holding node-2's address
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT], 'default/client-2', 'default/web-2', 8080,
             'node:node-1', 'no device of node node-2 holds fd00:192:168:56::3 (on that node, eth0 is down, and the kernel removes'],
            ['ip -6 route flush table main', 'node-1', { t -> ['ip', '-6', 'route', 'flush', 'table', 'main'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-1', 8080,
             'node:node-1', 'routing fails: ENETUNREACH'],
            ['ip6tables -I INPUT -j DROP', 'node-2', { t -> ['ip6tables', '-I', 'INPUT', '-j', 'DROP'] },
             'default/client', 'node-2', 10250, [Probe.Outcome.TIMEOUT], 'default/client', 'node-3', 10250,
             'node:node-2', 'dropped by filter/INPUT#1 `-A INPUT -j DROP`'],
            ['ip6tables -I FORWARD -j DROP', 'node-3', { t -> ['ip6tables', '-I', 'FORWARD', '-j', 'DROP'] },
             'default/client', 'default/web-3', 8081, [Probe.Outcome.TIMEOUT], 'default/client', 'default/web-2', 8080,
             'node:node-3', 'dropped by filter/FORWARD#1 `-A FORWARD -j DROP`'],
            ['ip link set dev eth0 mtu 1400', 'node-1', { t -> ['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1400'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TRUNCATED], 'default/client', 'default/web-1', 8080,
             'node:node-1', 'eth0 MTU 1400'],
            ['IPv6 route to node-2 podCIDR deleted', 'node-1', { ResolvedTopology t -> ['ip', '-6', 'route', 'del', t.node('node-2').podCIDRv6().toString()] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
             'node:node-1', 'onto the underlay and is lost'],
            ['IPv6 route to node-2 podCIDR replaced by an on-link route on eth0', 'node-1',
             { ResolvedTopology t -> ['ip', '-6', 'route', 'replace', t.node('node-2').podCIDRv6().toString(), 'dev', 'eth0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
             'node:node-1', 'no host on the underlay answers neighbour solicitations for fd00:10:244:1::2'],
            // the hop limit: 64 from the client, decremented by node-1 and node-2 before FORWARD, as the TTL is
            ['ip6tables -I FORWARD -p tcp -m hl --hl-eq 62 -j DROP', 'node-2',
             { t -> ['ip6tables', '-I', 'FORWARD', '-p', 'tcp', '-m', 'hl', '--hl-eq', '62', '-j', 'DROP'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT], 'default/client-2', 'default/web-2', 8080,
             'node:node-2', 'dropped by filter/FORWARD#1 `-A FORWARD -p tcp -m hl --hl-eq 62 -j DROP`'],
            ['sysctl net.ipv6.conf.all.forwarding=0', 'node-2', { t -> ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-2', 8080,
             'node:node-2', 'ip6_forward: net.ipv6.conf.all.forwarding = 0'],
            ['bridge port of web-2 disabled', 'node-2', { ResolvedTopology t -> ['bridge', 'link', 'set', 'dev', veth(t, 'default/web-2'), 'state', '0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/api-2', 9090,
             'node:node-2', 'is in state disabled'],
            ['IPv6 default route dev lo', 'default/client', { t -> ['ip', '-6', 'route', 'replace', 'default', 'dev', 'lo'] },
             'default/client', 'internet', 80, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-2', 8080,
             'pod:default/client', 'the loopback device hands it straight back'],
            ['permanent IPv6 neighbour for the gateway with a wrong MAC', 'default/client',
             { ResolvedTopology t -> ['ip', '-6', 'neigh', 'replace', ResolvedTopology.podGatewayV6(t.node('node-1')).toString(), 'lladdr', '02:00:5e:00:00:01', 'dev', 'eth0', 'nud', 'permanent'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'svc/default/web', 80,
             'node:node-1', 'permanent neighbour entry'],
            ['ip addr flush dev eth0', 'default/web-2', { t -> ['ip', 'addr', 'flush', 'dev', 'eth0'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-3', 8081,
             'pod:default/web-2', 'no device here has any IPv6 address'],
            ['ip link set eth0 arp off', 'node-2', { t -> ['ip', 'link', 'set', 'eth0', 'arp', 'off'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-2', 8080,
             'node:node-1', 'has NOARP (ip link set eth0 arp off): it takes no part in neighbour discovery'],
            ['ip6tables raw NOTRACK', 'node-1', { t -> ['ip6tables', '-t', 'raw', '-I', 'PREROUTING', '-j', 'NOTRACK'] },
             'default/client', 'svc/default/web', 80, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client', 'default/web-2', 8080,
             'node:node-1', 'leaves it untracked'],
            ['flannel IPv6 MASQUERADE flushed', 'node-1', { t -> ['ip6tables', '-t', 'nat', '-F', 'FLANNEL-POSTRTG'] },
             'default/client', 'internet', 80, [Probe.Outcome.TIMEOUT], 'default/client', 'default/web-2', 8080,
             'external:2001:db8:113::10', 'no MASQUERADE or SNAT rule'],
            // IPv6 only: the decapsulated packet arrives on a device whose IPv6 is off (ip6_rcv_core drops it)
            ['net.ipv6.conf.flannel-v6/1.disable_ipv6=1', 'node-2', { t -> ['sysctl', '-qw', 'net.ipv6.conf.flannel-v6/1.disable_ipv6=1'] },
             'default/client', 'default/web-2', 8080, [Probe.Outcome.TIMEOUT, Probe.Outcome.NO_ROUTE], 'default/client-2', 'default/web-2', 8080,
             'node:node-2', 'disable_ipv6'],
    ]
}
