#!/usr/bin/env bash
# Regenerates an embedded cluster snapshot src/main/resources/io/skoop/snapshots/NAME/ from the
# bundled lab topology NAME (src/main/resources/io/skoop/lab/examples/): builds the lab in network
# namespaces, takes `skoop lab snapshot`, removes the lab. Needs root. NAME: flannel-vxlan (the
# default), flannel-vxlan-nftables, calico-bgp or dual-stack.
#
#   sudo scripts/examples/lab-snapshot.sh                   # flannel-vxlan, writes the folder above (replacing it)
#   sudo scripts/examples/lab-snapshot.sh calico-bgp        # calico-bgp
#   sudo scripts/examples/lab-snapshot.sh NAME OUTDIR       # writes OUTDIR instead (must not exist)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
NAME=${1:-flannel-vxlan}
OUT=${2:-}
case "$NAME" in
    flannel-vxlan)
        LAB=vxlan
        WHAT="three nodes with flannel's vxlan backend and kube-proxy in iptables mode, ten pods, three
Services, one external host";;
    flannel-vxlan-nftables)
        LAB=vxlan-nft
        WHAT="the flannel-vxlan cluster with kube-proxy in nftables mode (its ip kube-proxy table in every
node's nft.json, no KUBE-* iptables chains), ten pods, three Services, one external host";;
    calico-bgp)
        LAB=calico
        WHAT="three nodes with Calico in BGP mode (BIRD's routes, cali veths with proxy ARP, Felix's
iptables rules and ipsets rendered from the topology's NetworkPolicy db-from-api) and kube-proxy in
iptables mode, nine pods, three Services";;
    dual-stack)
        LAB=dual
        WHAT="three nodes with flannel's vxlan backend in IPv4 and IPv6 (flannel.1 and flannel-v6.1), kube-proxy's
IPv4 and IPv6 proxiers in iptables and ip6tables, six pods with both addresses, Services of each ipFamilyPolicy
(web PreferDualStack, web6 IPv6 only, api RequireDualStack with IPv6 first, kube-dns IPv4 only), one external host
with an address of each family";;
    *) echo "lab-snapshot.sh: unknown example '$NAME' (flannel-vxlan, flannel-vxlan-nftables, calico-bgp, dual-stack)" >&2; exit 2;;
esac
DEST="$ROOT/src/main/resources/io/skoop/snapshots/$NAME"
SKOOP="$ROOT/scripts/skoop"
TMP=$(mktemp -d)
cleanup() { "$SKOOP" lab down "$LAB" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
"$SKOOP" lab up --example "$NAME" >/dev/null
"$SKOOP" lab snapshot "$LAB" "$TMP/snap"
cat >"$TMP/snap/README.md" <<TEXT
# Embedded snapshot: $NAME

A cluster snapshot (docs/snapshot.md) of the bundled lab topology \`$NAME\`
(\`topology.yaml\` here, the same as src/main/resources/io/skoop/lab/examples/$NAME.yaml):
$WHAT — built out of real network namespaces and dumped with
scripts/collect-netns.sh inside each of them. Needs neither a cluster nor root to read.

Regenerate (root): \`sudo scripts/examples/lab-snapshot.sh $NAME\`
TEXT
if [ -n "$OUT" ]; then
    mv "$TMP/snap" "$OUT"
else
    rm -rf "$DEST"
    mkdir -p "$(dirname "$DEST")"
    mv "$TMP/snap" "$DEST"
    OUT=$DEST
fi
echo "wrote $OUT"
