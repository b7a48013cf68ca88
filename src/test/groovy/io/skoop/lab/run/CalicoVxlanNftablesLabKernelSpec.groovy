package io.skoop.lab.run

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Verdict
import io.skoop.lab.calico.Calico
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Stepwise
import spock.lang.Unroll

/**
 * Calico in VXLAN mode with kube-proxy in nftables mode, judged by the kernel: the calico-vxlan example's topology with
 * {@code proxyMode: nftables}, built once ({@code ip kube-proxy} loaded with {@code nft -f} on every node, then Felix's
 * ipsets and iptables rules). Every feature of {@link CalicoVxlanLabKernelSpec} runs on it (inherited): the VXLAN
 * devices, routes, neighbours and FDB read back; the snapshot sound; every healthy flow (pod↔pod across every node
 * pair, pod→node, node→pod, pod and node → Service over TCP and UDP, ClusterIP and NodePort with every backend
 * reached) connects for real and is diagnosed REACHABLE from the lab's snapshot with nothing breaking; the
 * NetworkPolicy's denied flow fails and skoop names the policy and Felix's chain; the two faults break exactly their
 * flow and skoop names them on the breaking hop. This spec adds what nftables mode changes: the kernel holds the
 * kube-proxy table and Felix's cali- chains and no KUBE- iptables chain; unallocated ClusterIPs are dropped by the
 * table's {@code cluster-ips-check} (the probe times out) and a ClusterIP on a port its Service lacks is rejected there
 * (refused), skoop naming that chain on the client's node; a node's tunnel address is no NodePort address (refused,
 * nothing listens). One lab for the whole spec (about 25 s). Needs root: runs in CI; fails (does not skip) under CI
 * without root.
 */
@Stepwise
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root to build network namespaces')
class CalicoVxlanNftablesLabKernelSpec extends CalicoVxlanLabKernelSpec {

    @Override
    String topologyText() {
        String text = super.topologyText()
        assert !text.contains('proxyMode')
        text.replaceFirst(/(?m)^cni:/, 'proxyMode: nftables\ncni:')
    }

    @Override
    String runPrefix() {
        'skw'
    }

    def "every node: table ip kube-proxy in the kernel, Felix's cali- chains in iptables, no KUBE- chain"() {
        expect:
        lab.topology().proxyMode().text() == 'nftables'
        ['node-1', 'node-2', 'node-3'].each { n ->
            String nft = sh(n, 'nft list table ip kube-proxy')
            assert nft.contains('chain cluster-ips-check')
            assert nft.contains('chain services')
            String saved = sh(n, 'iptables-save')
            assert !saved.contains('KUBE-')
            assert [':cali-FORWARD', ':cali-INPUT', ':cali-to-wl-dispatch', ':cali-POSTROUTING'].every { saved.contains(it) }
        }
        sh('node-3', 'iptables-save -t filter').contains(':cali-tw-' + Calico.vethName('default', 'db'))
    }

    @Unroll
    def "#src -> #dst:#port/tcp ends #outcome in the kernel (#why); skoop: UNREACHABLE, #hop says '#words'"() {
        when:
        Probe.Result r = connect(src, dst, port, 'tcp', FAIL_TIMEOUT)
        Diagnosis d = verdictOf(healthy, src, dst, port)

        then:
        r.outcome() == outcome
        d.verdict() == Verdict.UNREACHABLE
        breakingHops(d)[hop]?.any { it.contains(words) }

        where:
        src                | dst           | port  || outcome               | hop           | words                                                | why
        'default/client'   | '10.96.0.200' | 80    || Probe.Outcome.TIMEOUT | 'node:node-1' | 'nftables: dropped by ip kube-proxy/cluster-ips-check' | 'an unallocated ClusterIP: cluster-ips-check drops it'
        'default/client-2' | '10.96.7.7'   | 80    || Probe.Outcome.TIMEOUT | 'node:node-2' | 'nftables: dropped by ip kube-proxy/cluster-ips-check' | 'an unallocated ClusterIP: cluster-ips-check drops it'
        'default/client'   | '10.96.0.10'  | 80    || Probe.Outcome.REFUSED | 'node:node-1' | 'rejected by ip kube-proxy/cluster-ips-check' | 'a ClusterIP without that port: cluster-ips-check rejects it'
        'default/client'   | '10.244.0.64' | 30080 || Probe.Outcome.REFUSED | 'node:node-2' | 'no socket listens on 10.244.0.64:30080/tcp' | 'the tunnel address is no NodePort address (nodeport-ips)'
    }
}
