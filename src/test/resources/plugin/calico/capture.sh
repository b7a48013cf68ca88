#!/usr/bin/env bash
# Re-creates the fixtures of this folder from the running kernel (needs root):
#   src/test/resources/plugin/calico/capture.sh
# Builds node-1 of a three-node Calico cluster twice, once as BGP mode leaves it (BIRD's routes) and once as VXLAN
# mode does (Felix's vxlan.calico, routes, neighbours and FDB), each with the pods default/client and default/web-1
# as the Calico CNI plugin sets them up (felix-facts §5.1, §5.3, §5.5); runs scripts/collect-netns.sh in node-1 and in
# default/client of each. Throwaway namespaces (prefix skcal<pid>-), deleted on exit, also on failure; nothing
# connects to the root namespace. The other nodes exist only as addresses on the underlay namespace.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../../.." && pwd)"
P="skcal$$-"
NSS=()
cleanup() {
    for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
mk() { ip netns add "$1"; NSS+=("$1"); ip -n "$1" link set lo up; }
dump() { rm -rf "$HERE/$2"; ip netns exec "$1" bash "$ROOT/scripts/collect-netns.sh" "$HERE/$2"; }

# pod MODE NODE_NS NAMESPACE NAME IP VETH MTU: the Calico CNI plugin's ADD
pod() {
    local mode=$1 node=$2 ns=$3 name=$4 ip=$5 veth=$6 mtu=$7
    local p="${P}${mode}-${ns}-${name}"
    mk "$p"
    ip -n "$node" link add "$veth" address ee:ee:ee:ee:ee:ee mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$p"
    ip netns exec "$node" sysctl -qw "net.ipv4.conf.${veth}.route_localnet=1" "net.ipv4.neigh.${veth}.proxy_delay=0" \
        "net.ipv4.conf.${veth}.proxy_arp=1" "net.ipv4.conf.${veth}.forwarding=1"
    ip -n "$node" link set "$veth" up
    ip -n "$node" route add "$ip/32" dev "$veth" scope link
    ip -n "$p" addr add "$ip/32" dev eth0
    ip -n "$p" link set eth0 up
    ip -n "$p" route add 169.254.1.1 dev eth0 scope link
    ip -n "$p" route add default via 169.254.1.1 dev eth0
}

# node MODE: node-1 (192.168.56.2) with its underlay peer (192.168.56.1, .3, .4: the gateway and the other nodes)
node() {
    local mode=$1 n="${P}${1}-node-1" u="${P}${1}-underlay"
    mk "$n"
    mk "$u"
    ip -n "$n" link add eth0 mtu 1500 type veth peer name eth0 netns "$u"
    ip -n "$n" addr add 192.168.56.2/24 dev eth0
    for a in 192.168.56.1/24 192.168.56.3/24 192.168.56.4/24; do ip -n "$u" addr add "$a" dev eth0; done
    ip -n "$n" link set eth0 up
    ip -n "$u" link set eth0 up
    ip -n "$n" route add default via 192.168.56.1 dev eth0
    ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1
}

# BGP: BIRD's blackhole for the own block and a route per remote block via its node (felix-facts §5.3)
node bgp
N="${P}bgp-node-1"
ip -n "$N" route add blackhole 10.244.0.0/26 proto bird
ip -n "$N" route add 10.244.0.64/26 via 192.168.56.3 dev eth0 proto bird
ip -n "$N" route add 10.244.0.128/26 via 192.168.56.4 dev eth0 proto bird
pod bgp "$N" default client 10.244.0.0 calia7a3e029a7b 1500
pod bgp "$N" default web-1 10.244.0.1 cali0761ccbeace 1500
dump "$N" bgp-node-1
dump "${P}bgp-default-client" bgp-client

# VXLAN: vxlan.calico (VNI 4096, port 4789, no learning, MTU 1450, the tunnel address ordinal 0 of the block, MAC 0x66 +
# SHA-1(node name)[0:5]), Felix's blackhole (proto 80) and per remote node a route via its tunnel address onlink, a
# permanent neighbour to its VTEP MAC and an FDB entry to its node IP (felix-facts §5.5)
node vxlan
N="${P}vxlan-node-1"
ip -n "$N" link add vxlan.calico address 66:b3:68:28:39:8e mtu 1450 type vxlan id 4096 local 192.168.56.2 dev eth0 \
    dstport 4789 nolearning
ip -n "$N" addr add 10.244.0.0/32 dev vxlan.calico
ip -n "$N" link set vxlan.calico up
ip -n "$N" route add blackhole 10.244.0.0/26 proto 80
ip -n "$N" route add 10.244.0.64/26 via 10.244.0.64 dev vxlan.calico onlink
ip -n "$N" route add 10.244.0.128/26 via 10.244.0.128 dev vxlan.calico onlink
ip -n "$N" neigh add 10.244.0.64 lladdr 66:c0:93:2e:56:2c dev vxlan.calico nud permanent
ip -n "$N" neigh add 10.244.0.128 lladdr 66:87:de:de:c9:2e dev vxlan.calico nud permanent
bridge -n "$N" fdb add 66:c0:93:2e:56:2c dev vxlan.calico dst 192.168.56.3 self permanent
bridge -n "$N" fdb add 66:87:de:de:c9:2e dev vxlan.calico dst 192.168.56.4 self permanent
pod vxlan "$N" default client 10.244.0.1 calia7a3e029a7b 1450
pod vxlan "$N" default web-1 10.244.0.2 cali0761ccbeace 1450
dump "$N" vxlan-node-1
dump "${P}vxlan-default-client" vxlan-client
