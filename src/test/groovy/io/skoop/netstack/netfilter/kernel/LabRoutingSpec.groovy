package io.skoop.netstack.netfilter.kernel

import io.skoop.model.Ip
import io.skoop.model.Packet
import io.skoop.model.Protocol
import io.skoop.netstack.netfilter.RouteDecision
import io.skoop.netstack.netfilter.kernel.RandomRuleset.Placement
import io.skoop.testsupport.KernelLab
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification

/** The hand-written {@link LabRouting} says what {@code ip route get} says in the lab's namespaces. */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class LabRoutingSpec extends Specification {
    @Shared @AutoCleanup NetfilterLab lab = new NetfilterLab()

    def "#placement: route to #dst agrees with ip route get"() {
        given:
        String ns = lab.host(placement)
        List<String> cmd = ['ip', '-o', 'route', 'get', dst]
        if (placement != Placement.LOCAL_OUT) {
            cmd += ['from', LabTopology.CLIENT.toString(), 'iif', placement == Placement.FORWARD ? LabTopology.ROUTER_CLIENT_DEV : LabTopology.SERVER1_DEV]
        }
        List r = NetfilterLab.run(ns, null, cmd as String[])
        String kernel = r[0] == 0 ? (r[1] as String).trim() : "error: ${(r[2] as String).trim()}".toString()
        RouteDecision d = LabRouting.of(placement).route(Packet.of(LabTopology.CLIENT, 40000, Ip.parse(dst), 80, Protocol.TCP),
                placement == Placement.LOCAL_OUT ? null : 'x', null)

        expect:
        if (kernel.startsWith('error')) {
            assert d.kind() == RouteDecision.Kind.ERROR: kernel
        } else if (kernel.startsWith('local ')) {
            assert d.kind() == RouteDecision.Kind.LOCAL: kernel
        } else {
            assert d.kind() == RouteDecision.Kind.UNICAST: kernel
            assert kernel.contains(" dev ${d.device()} "): kernel
            assert (d.gateway() == null) == !kernel.contains(' via '): kernel
            if (d.gateway() != null) {
                assert kernel.contains(" via ${d.gateway()} "): kernel
            }
        }

        where:
        [placement, dst] << [Placement.values() as List,
                             ['10.11.0.1', '10.11.0.2', '10.244.0.1', '10.244.0.2', '10.12.0.1', '10.12.0.2', '10.13.0.2',
                              '10.244.1.7', '10.244.1.200', '198.51.100.9', '10.244.2.5', '203.0.113.7', '10.96.0.10']].combinations()
    }
}
