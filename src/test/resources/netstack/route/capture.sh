#!/usr/bin/env bash
# Captures the route fixtures of this folder from the running kernel (as root):
# builds two lab namespaces (prefix skfix<pid>-, never connected to the root namespace),
# dumps the router namespace with the netns dump-format commands into basic/, and records
# the kernel's answer to every query of basic/queries.txt in basic/kernel-answers.txt.
# The namespaces are deleted on exit, also on failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/basic"
P="skfix$$-"
R="${P}r"; X="${P}x"
cleanup() { ip netns del "$R" 2>/dev/null || true; ip netns del "$X" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$R"; ip netns add "$X"
ip -n "$R" link set lo up
ip -n "$R" link add va type veth peer name xa netns "$X"        # peer in another namespace
ip -n "$X" link set xa up
ip -n "$R" link add br0 type bridge
ip -n "$R" link add vc type veth peer name vd                   # both ends here; vd is a bridge port
ip -n "$R" link set vd master br0
ip -n "$R" link add vx0 type vxlan id 42 local 10.1.0.1 dstport 4789 dev va nolearning
ip -n "$R" link add vdown type veth peer name xdown netns "$X"  # stays without carrier (xdown down)
for d in va br0 vc vd vx0 vdown; do ip -n "$R" link set "$d" up; done
ip -n "$R" link set vc group 5
ip -n "$R" addr add 10.1.0.1/24 dev va
ip -n "$R" addr add 10.1.0.5/24 dev va                          # secondary
ip -n "$R" addr add 10.2.0.1/24 dev br0
ip -n "$R" addr add 10.3.0.1/24 dev vdown
ip -n "$R" addr add 10.9.9.9/32 dev lo
ip -n "$R" -6 addr add 2001:db8:1::1/64 dev va nodad
ip -n "$R" -6 addr add 2001:db8:2::1/64 dev br0 nodad
ip netns exec "$R" sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.br0.rp_filter=1 net.ipv4.conf.va.rp_filter=2
ip -n "$R" -batch - <<'ROUTES'
route add default via 10.1.0.254 dev va
route add 10.20.0.0/16 via 10.1.0.2 metric 5
route add 10.20.0.0/16 via 10.2.0.2 metric 10
route add 10.21.0.0/16 nexthop via 10.1.0.2 weight 2 nexthop via 10.2.0.9 dev br0 weight 1
route add 10.22.0.0/16 via 10.3.0.2 dev vdown
route add 10.23.0.0/16 via 172.31.0.1 dev va onlink src 10.1.0.5
route add 10.24.0.0/16 via inet6 2001:db8:1::2 dev va
route add blackhole 10.30.0.0/16
route add unreachable 10.31.0.0/16
route add prohibit 10.32.0.0/16
route add 10.40.0.0/16 via 10.2.0.3 table 100
route add blackhole 10.41.0.0/16 table 100
route add throw 10.42.0.0/16 table 100
route add 10.42.0.0/16 via 10.2.0.4 table 200
route add prohibit default table 200
route add 10.43.0.0/16 dev br0 table 300
route add local 10.50.0.0/16 dev lo table local
ROUTES
ip -n "$R" -6 -batch - <<'ROUTES6'
route add 2001:db8:5::/48 via 2001:db8:1::2 metric 7 pref high
route add 2001:db8:5:1::/64 via 2001:db8:2::2
route add unreachable 2001:db8:6::/48
route add 2001:db8:7::/48 via 2001:db8:2::7 table 100
rule add pref 50 from 2001:db8:2::/64 lookup 100
rule add pref 51 fwmark 0x20 unreachable
ROUTES6
ip -n "$R" -batch - <<'RULES'
rule add pref 100 from 10.2.0.0/24 to 10.40.0.0/16 lookup 100
rule add pref 101 not from 10.1.0.0/24 iif va lookup 100
rule add pref 102 oif br0 fwmark 0x10/0xff goto 300
rule add pref 103 ipproto tcp dport 80 lookup 200
rule add pref 104 ipproto udp sport 1000-2000 dport 53 blackhole
rule add pref 105 tos 0x10 unreachable
rule add pref 106 fwmark 0x20 prohibit
rule add pref 107 uidrange 100-200 nop
rule add pref 108 lookup main suppress_prefixlength 0
rule add pref 109 lookup main suppress_ifgroup 5
rule add pref 110 fwmark 7 lookup 200
rule add pref 111 iif lo to 10.42.0.0/16 lookup 100
rule add pref 112 iif nosuch lookup 100
rule add pref 113 goto 999
rule add pref 114 to 10.0.0.1 lookup 100
rule add pref 115 nop
rule add pref 300 to 10.43.0.0/16 lookup 300
RULES
mkdir -p "$OUT"
e() { ip netns exec "$R" "$@"; }
e ip -j -d link show > "$OUT/link.json"
e ip -j addr show > "$OUT/addr.json"
e ip -j -d route show table all > "$OUT/route.json"
e ip -6 -j -d route show table all > "$OUT/route6.json"
e ip -j rule show > "$OUT/rule.json"
e ip -6 -j rule show > "$OUT/rule6.json"
e sysctl -a 2>/dev/null | grep -E '^net\.ipv[46]\.(ip_forward|conf\.)' > "$OUT/sysctl.txt" || true
# one answer per query line: the JSON array, or the RTNETLINK error line
: > "$OUT/kernel-answers.txt"
while IFS= read -r q; do
  [[ -z "$q" || "$q" == \#* ]] && continue
  a="$(e ip -j route get $q 2>&1 || true)"
  printf '%s\t%s\n' "$q" "$a" >> "$OUT/kernel-answers.txt"
done < "$OUT/queries.txt"
echo "captured into $OUT"
