#!/usr/bin/env bash
# Regenerates the fixtures of this folder from the *.rules inputs, on this kernel, in a
# throwaway network namespace (unique name, deleted on exit). Needs root, iptables, ipset.
#   kube-proxy.nft.txt     iptables-save -c (nf_tables backend) after iptables-restore kube-proxy.rules
#   kube-proxy.legacy.txt  iptables-legacy-save -c after iptables-legacy-restore kube-proxy.rules
#   kube-proxy.nocounters.txt  iptables-save (no -c)
#   ip6.txt                ip6tables-save -c after ip6tables-restore ip6.rules
set -euo pipefail
cd "$(dirname "$0")"
NS="sktcap$$-nf"
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
ip netns add "$NS"
run() { ip netns exec "$NS" "$@"; }
run ipset create allowed-nets hash:net
run ipset create blocked hash:ip,port
run iptables-restore < kube-proxy.rules
run ip link set lo up
echo x | run timeout 2 socat -u - UDP4-SENDTO:127.0.0.1:9   # non-zero counters on OUTPUT/INPUT rules
run iptables-save -c > kube-proxy.nft.txt
run iptables-save > kube-proxy.nocounters.txt
run iptables -F; for t in raw mangle nat filter; do run iptables -t $t -F; run iptables -t $t -X; done
run iptables-legacy-restore < kube-proxy.rules
run iptables-legacy-save -c > kube-proxy.legacy.txt
run ip6tables-restore < ip6.rules
run ip6tables-save -c > ip6.txt

# dump-node/: a node-like namespace (eth0 192.168.1.10/24, cni0 10.244.1.1/24, veth peers in two
# more lab namespaces) with kube-proxy.rules loaded, dumped whole by scripts/collect-netns.sh.
PEER="sktcap$$-peer"
trap 'ip netns del "$NS" 2>/dev/null || true; ip netns del "$PEER" 2>/dev/null || true' EXIT
ip netns del "$NS"; ip netns add "$NS"; ip netns add "$PEER"
run ip link set lo up
run ip link add eth0 type veth peer name ext0 netns "$PEER"
run ip link add cni0 type veth peer name pod0 netns "$PEER"
run ip addr add 192.168.1.10/24 dev eth0
run ip addr add 10.244.1.1/24 dev cni0
run ip link set eth0 up
run ip link set cni0 up
run sysctl -qw net.ipv4.ip_forward=1
run ipset create allowed-nets hash:net
run ipset create blocked hash:ip,port
run iptables-restore < kube-proxy.rules
rm -rf dump-node
run ../../../../../scripts/collect-netns.sh dump-node
