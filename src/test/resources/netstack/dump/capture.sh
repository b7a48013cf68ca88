#!/usr/bin/env bash
# Re-creates the fixtures of this folder from the running kernel (needs root):
#   src/test/resources/netstack/dump/capture.sh
# Builds two throwaway namespaces (prefix skfix<pid>-), fills namespace "node" with a bridge,
# a VXLAN device, neighbours, FDB entries, listeners, every ipset type and a few sysctls,
# runs scripts/collect-netns.sh inside it and copies the dump to ./node/. Deletes both
# namespaces afterwards, also on failure. Nothing connects to the root namespace.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../../.." && pwd)"
P="skfix$$-"
A="${P}node"
B="${P}peer"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$A"
ip netns add "$B"
a() { ip netns exec "$A" "$@"; }
b() { ip netns exec "$B" "$@"; }
a ip link set lo up
b ip link set lo up

# veth eth0 (node) <-> eth0 (peer)
ip -n "$A" link add eth0 type veth peer name eth0 netns "$B"
a ip addr add 10.0.0.1/24 dev eth0
a ip addr add fd00::1/64 dev eth0 nodad
b ip addr add 10.0.0.2/24 dev eth0
b ip addr add fd00::2/64 dev eth0 nodad
a ip link set eth0 up
b ip link set eth0 up

# bridge cni0 with a veth port and a vxlan port (this kernel has no bridge VLAN filtering)
a ip link add cni0 type bridge
a ip link add veth1 type veth peer name veth1p
a ip link set veth1 master cni0
a ip addr add 10.244.0.1/24 dev cni0
a ip link add flannel.1 type vxlan id 1 local 10.0.0.1 dev eth0 dstport 8472 nolearning
a ip addr add 10.244.0.0/32 dev flannel.1
a ip link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 dev eth0
a ip link set vx0 master cni0
for d in cni0 veth1 veth1p flannel.1 vx0; do a ip link set "$d" up; done

# neighbours: permanent v4/v6, router flag, noarp, stale, proxy, reachable (ping), incomplete/failed
a ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent
a ip neigh add fd00::9 lladdr 02:00:00:00:00:19 dev eth0 nud permanent router
a ip neigh add 10.0.0.10 lladdr 02:00:00:00:00:10 dev eth0 nud noarp
a ip neigh add 10.0.0.11 lladdr 02:00:00:00:00:11 dev eth0 nud stale
a ip neigh add proxy 10.0.0.20 dev eth0
a ip neigh add proxy fd00::20 dev eth0
a ip neigh add 10.244.1.0 lladdr 0a:58:0a:f4:01:00 dev flannel.1 nud permanent
# one UDP datagram each (bash /dev/udp, no ping here) resolves the peer; 10.0.0.77 stays unresolved
udp() { a bash -c "echo x > /dev/udp/$1/9" 2>/dev/null || true; }
udp 10.0.0.2
udp fd00::2
udp 10.0.0.77
sleep 0.5
a ip neigh add 10.0.0.78 dev eth0 nud incomplete 2>/dev/null || true

# FDB: flannel-style and all-zero (flood) VXLAN entries, bridge static/permanent/vlan entries
a bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.10
a bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.11
a bridge fdb add 0a:58:0a:f4:01:00 dev flannel.1 dst 10.0.0.2 self permanent
a bridge fdb add 02:00:00:00:00:42 dev vx0 dst 192.0.2.12 vni 4242 port 4790 self permanent
a bridge fdb add 02:00:00:00:00:43 dev vx0 dst 192.0.2.13 self extern_learn
a bridge fdb add 02:00:00:00:00:51 dev veth1 master static
a bridge fdb add 02:00:00:00:00:52 dev veth1 master permanent

# listeners (bounded by timeout): TCP/UDP, v4/v6, wildcard, dual-stack, v6only, bound to a
# device, bound to an address, v4-mapped
bg() { a timeout 60 "$@" >/dev/null 2>&1 & PIDS+=("$!"); }
bg socat TCP4-LISTEN:80,bind=10.0.0.1,reuseaddr /dev/null
bg socat TCP6-LISTEN:8080,ipv6only=0,reuseaddr /dev/null
bg socat TCP6-LISTEN:8081,ipv6only=1,reuseaddr /dev/null
bg socat TCP4-LISTEN:9090,so-bindtodevice=eth0,reuseaddr /dev/null
bg socat TCP6-LISTEN:443,bind=[fd00::1],reuseaddr /dev/null
bg socat TCP6-LISTEN:8443,bind=[::ffff:10.0.0.1],reuseaddr /dev/null
bg socat -u UDP4-RECV:53 /dev/null
bg socat -u UDP6-RECV:5353,ipv6only=1 /dev/null
bg socat -u UDP6-RECV:5354,ipv6only=0 /dev/null
bg socat -u UDP4-RECV:123,bind=127.0.0.1 /dev/null
bg python3 -m http.server 8000 --bind 0.0.0.0
# long enough for the listeners to start and for 10.0.0.77 to go INCOMPLETE -> FAILED (3 probes, 1 s apart)
sleep 4

# sysctls skoop reads
a sysctl -qw net.ipv4.ip_forward=1
a sysctl -qw net.ipv4.conf.all.rp_filter=2
a sysctl -qw net.ipv4.conf.eth0.rp_filter=1
a sysctl -qw net.ipv4.conf.eth0.route_localnet=1
a sysctl -qw net.ipv6.conf.all.forwarding=1
a sysctl -qw net.ipv4.ip_local_port_range="32768 60999"

# every ipset type, with entries
a ipset restore <"$HERE/ipset-input.txt"

# a little netfilter so those files are not empty
a iptables -t nat -A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE
a iptables -A INPUT -m set --match-set kube-ips src -j ACCEPT
a ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT

rm -rf "$HERE/node"
a "$ROOT/scripts/collect-netns.sh" "$HERE/node"
# the peer's own (small) dump, with a PATH lacking nft, ipset and ipvsadm
# extra views of the neighbour table (not part of the dump): NOARP/NONE entries and proxy entries
a ip -j neigh show nud all >"$HERE/neigh-nud-all.json"
a ip -j neigh show proxy >"$HERE/neigh-proxy.json"
rm -rf "$HERE/peer"
TOOLS=$(mktemp -d)
for t in ip bridge iptables-save ip6tables-save ss sysctl uname date mv rm mkdir; do
    ln -s "$(command -v "$t")" "$TOOLS/$t"
done
ip netns exec "$B" env PATH="$TOOLS" /bin/bash "$ROOT/scripts/collect-netns.sh" "$HERE/peer"
rm -rf "$TOOLS"
