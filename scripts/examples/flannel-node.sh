#!/usr/bin/env bash
# Builds one flannel (vxlan) + kube-proxy (iptables) Kubernetes node out of real network
# namespaces, dumps its namespaces with scripts/collect-netns.sh, and removes everything again.
# The dumps become the embedded example `node1` (src/main/resources/io/skoop/examples/).
#
#   sudo scripts/examples/flannel-node.sh OUTDIR     # writes OUTDIR/node1, OUTDIR/default_client
#
# Topology (addresses only inside the lab; nothing touches the root namespace):
#   skex-client (pod default/client, eth0 10.244.1.5/24)
#        | veth
#   skex-node1: cni0 10.244.1.1/24 (bridge), eth0 192.168.0.11/24, flannel.1 10.244.1.0/32 (VXLAN 1, port 8472, mtu 1450)
#        | veth (eth0)
#   skex-underlay: br0 192.168.0.1/24 — the VPC router; 203.0.113.1/24 towards "external" hosts
# Remote node node2 (192.168.0.12, podCIDR 10.244.2.0/24) exists only as flannel's route,
# neighbour and FDB entries, exactly as flanneld programs them on node1.
# Services (kube-proxy iptables mode): default/web 10.96.0.10:80 -> 10.244.1.7:8080, 10.244.2.7:8080;
#   kube-system/kube-dns 10.96.0.53:53/udp -> 10.244.2.3:53; NodePort 30080 for default/web.
set -euo pipefail
OUT=${1:?usage: $0 OUTDIR}
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
P=skex-
NODE=${P}node1 POD=${P}client UL=${P}underlay
cleanup() { for ns in "$POD" "$NODE" "$UL"; do ip netns del "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT
cleanup
for ns in "$UL" "$NODE" "$POD"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done

# underlay: br0 plays the VPC router
ip -n "$UL" link add br0 type bridge
ip -n "$UL" addr add 192.168.0.1/24 dev br0
ip -n "$UL" link set br0 up
ip netns exec "$UL" sysctl -qw net.ipv4.ip_forward=1

# node1 eth0 <-> underlay port
ip -n "$NODE" link add eth0 type veth peer name n1 netns "$UL"
ip -n "$UL" link set n1 master br0 up
ip -n "$NODE" addr add 192.168.0.11/24 dev eth0
ip -n "$NODE" link set eth0 up
ip -n "$NODE" route add default via 192.168.0.1 dev eth0
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NODE" sysctl -qw net.bridge.bridge-nf-call-iptables=1

# flannel vxlan backend, as flanneld programs it
ip -n "$NODE" link add flannel.1 type vxlan id 1 local 192.168.0.11 dev eth0 dstport 8472 nolearning
ip -n "$NODE" link set flannel.1 address 2a:5c:10:01:00:01 mtu 1450
ip -n "$NODE" addr add 10.244.1.0/32 dev flannel.1
ip -n "$NODE" link set flannel.1 up
ip -n "$NODE" route add 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink
ip -n "$NODE" neigh add 10.244.2.0 lladdr 2a:5c:10:02:00:01 dev flannel.1 nud permanent
ip netns exec "$NODE" bridge fdb append 2a:5c:10:02:00:01 dev flannel.1 dst 192.168.0.12 self permanent

# CNI: cni0 bridge + host-local + a veth for the pod
ip -n "$NODE" link add cni0 type bridge
ip -n "$NODE" link set cni0 address 2a:5c:10:01:00:02 mtu 1450
ip -n "$NODE" addr add 10.244.1.1/24 dev cni0
ip -n "$NODE" link set cni0 up
ip -n "$NODE" link add veth3a1f0c2e mtu 1450 type veth peer name eth0 netns "$POD"
ip -n "$NODE" link set veth3a1f0c2e master cni0 up
ip -n "$POD" link set eth0 mtu 1450 up
ip -n "$POD" addr add 10.244.1.5/24 dev eth0
ip -n "$POD" route add default via 10.244.1.1 dev eth0
ip -n "$POD" route add 10.244.0.0/16 via 10.244.1.1 dev eth0

# kube-proxy chain names: base32(sha256(servicePortName + protocol))[:16], as pkg/proxy/iptables/proxier.go
h() { printf "$(printf '%s' "$1" | sha256sum | cut -c1-64 | sed 's/../\\x&/g')" | base32 -w0 | cut -c1-16; }
SVC_WEB=KUBE-SVC-$(h "default/web:httptcp")
EXT_WEB=KUBE-EXT-$(h "default/web:httptcp")
SEP_WEB1=KUBE-SEP-$(h "default/web:httptcp10.244.1.7:8080")
SEP_WEB2=KUBE-SEP-$(h "default/web:httptcp10.244.2.7:8080")
SVC_DNS=KUBE-SVC-$(h "kube-system/kube-dns:dnsudp")
SEP_DNS=KUBE-SEP-$(h "kube-system/kube-dns:dnsudp10.244.2.3:53")

ip netns exec "$NODE" iptables-restore <<RULES
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:FLANNEL-FWD - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:FLANNEL-POSTRTG - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SERVICES - [0:0]
:$EXT_WEB - [0:0]
:$SVC_WEB - [0:0]
:$SEP_WEB1 - [0:0]
:$SEP_WEB2 - [0:0]
:$SVC_DNS - [0:0]
:$SEP_DNS - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j $EXT_WEB
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j $SVC_WEB
-A KUBE-SERVICES -d 10.96.0.53/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j $SVC_DNS
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A $EXT_WEB -m comment --comment "masquerade traffic for default/web:http external destinations" -j KUBE-MARK-MASQ
-A $EXT_WEB -j $SVC_WEB
-A $SVC_WEB ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A $SVC_WEB -m comment --comment "default/web:http -> 10.244.1.7:8080" -m statistic --mode random --probability 0.50000000000 -j $SEP_WEB1
-A $SVC_WEB -m comment --comment "default/web:http -> 10.244.2.7:8080" -j $SEP_WEB2
-A $SEP_WEB1 -s 10.244.1.7/32 -m comment --comment "default/web:http" -j KUBE-MARK-MASQ
-A $SEP_WEB1 -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.1.7:8080
-A $SEP_WEB2 -s 10.244.2.7/32 -m comment --comment "default/web:http" -j KUBE-MARK-MASQ
-A $SEP_WEB2 -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.2.7:8080
-A $SVC_DNS ! -s 10.244.0.0/16 -d 10.96.0.53/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-MARK-MASQ
-A $SVC_DNS -m comment --comment "kube-system/kube-dns:dns -> 10.244.2.3:53" -j $SEP_DNS
-A $SEP_DNS -s 10.244.2.3/32 -m comment --comment "kube-system/kube-dns:dns" -j KUBE-MARK-MASQ
-A $SEP_DNS -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.244.2.3:53
COMMIT
RULES

# listeners: kubelet-like on the node, nothing in the client pod
ip netns exec "$NODE" timeout 30 socat -T1 TCP-LISTEN:10250,bind=0.0.0.0,reuseaddr,fork /dev/null &
sleep 0.3

mkdir -p "$OUT"
ip netns exec "$NODE" "$ROOT/scripts/collect-netns.sh" "$OUT/node1"
ip netns exec "$POD" "$ROOT/scripts/collect-netns.sh" "$OUT/default_client"
kill %1 2>/dev/null || true
echo "example dumps written to $OUT/node1 and $OUT/default_client" >&2
