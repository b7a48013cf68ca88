package io.skoop.testsupport

import io.skoop.lab.flannel.Flannel
import io.skoop.lab.run.Lab
import io.skoop.lab.run.LabStore
import io.skoop.lab.run.Labs
import io.skoop.lab.run.Probe
import io.skoop.lab.topology.LabExamples
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
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

    /** The flannel-vxlan example's topology text with the given flannel backend ({@code vxlan}, {@code host-gw}). */
    static String topology(String backend) {
        LabExamples.text('flannel-vxlan').replace('backend: vxlan', "backend: $backend")
    }

    /** Brings up the example cluster with the backend as lab {@code <run>-<suffix>}. */
    Lab up(String backend, String suffix) {
        String yaml = topology(backend)
        ResolvedTopology t = TopologyLoader.parse("${backend}.yaml", yaml).withName("$run-$suffix")
        assert Flannel.backend(t).text() == backend
        return labs.up(t, "test $backend", "${backend}.yaml", yaml, null).lab()
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
}
