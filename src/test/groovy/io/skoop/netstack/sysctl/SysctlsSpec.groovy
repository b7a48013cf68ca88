package io.skoop.netstack.sysctl

import io.skoop.netstack.parse.SysctlParser
import io.skoop.netstack.DumpFixtures
import spock.lang.Shared
import spock.lang.Specification

/** Typed getters and the kernel's all/default/device combination rules on the captured sysctl.txt of two namespaces. */
class SysctlsSpec extends Specification {
    @Shared Sysctls node = SysctlParser.parse('sysctl.txt', DumpFixtures.text('netstack/dump/node/sysctl.txt'))
    @Shared Sysctls peer = SysctlParser.parse('sysctl.txt', DumpFixtures.text('netstack/dump/peer/sysctl.txt'))

    def "typed getters: per-netns values of the node and of the peer"() {
        expect:
        node.ipForward().get()
        !peer.ipForward().get()
        node.ipv4Forwarding('eth0').get()       // ip_forward=1 sets every conf.*.forwarding
        !peer.ipv4Forwarding('eth0').get()
        node.ipv6Forwarding().get()
        !peer.ipv6Forwarding().get()
        node.ipLocalPortRange().get() == new Sysctls.PortRange(32768, 60999)
        node.bindV6Only().get() == false
        node.bridgeNfCallIptables().isPresent()
        node.bridgeNfCallIp6tables().isPresent()
        node.netfilter().keySet().every { it.startsWith('net.netfilter.') }
    }

    def "effective rp_filter is max(all, dev): #dev -> #mode"() {
        expect:
        node.rpFilter(dev).asInt == mode

        where:
        dev         | mode
        'eth0'      | 2      // all=2, eth0=1
        'cni0'      | 2      // all=2, cni0=0
        'flannel.1' | 2      // a dot in the name is a slash in the key
    }

    def "effective ORCONF flags: route_localnet on eth0 only"() {
        expect:
        node.routeLocalnet('eth0').get()
        !node.routeLocalnet('cni0').get()
        !node.acceptLocal('eth0').get()
        !node.srcValidMark('eth0').get()
        node.arpIgnore('eth0').asInt == 0
        !node.proxyArp('eth0').get()
        node.rpFilter('nosuchdev').empty
    }

    def "keys with dots in the device name"() {
        expect:
        Sysctls.confKey('ipv4', 'flannel.1', 'rp_filter') == 'net.ipv4.conf.flannel/1.rp_filter'
        Sysctls.confKey('ipv6', 'eth0', 'forwarding') == 'net.ipv6.conf.eth0.forwarding'
    }
}
