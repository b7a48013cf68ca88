#!/usr/bin/env bash
# Regenerates the embedded cluster snapshot src/main/resources/io/skoop/snapshots/flannel-vxlan/
# from the bundled lab topology flannel-vxlan (src/main/resources/io/skoop/lab/examples/): builds
# the lab in network namespaces, takes `skoop lab snapshot`, removes the lab. Needs root.
#
#   sudo scripts/examples/lab-snapshot.sh            # writes the folder above (replacing it)
#   sudo scripts/examples/lab-snapshot.sh OUTDIR     # writes OUTDIR instead (must not exist)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
DEST="$ROOT/src/main/resources/io/skoop/snapshots/flannel-vxlan"
OUT=${1:-}
LAB=vxlan
SKOOP="$ROOT/scripts/skoop"
TMP=$(mktemp -d)
cleanup() { "$SKOOP" lab down "$LAB" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
"$SKOOP" lab up --example flannel-vxlan >/dev/null
"$SKOOP" lab snapshot "$LAB" "$TMP/snap"
cat >"$TMP/snap/README.md" <<'TEXT'
# Embedded snapshot: flannel-vxlan

A cluster snapshot (docs/snapshot.md) of the bundled lab topology `flannel-vxlan`
(`topology.yaml` here, the same as src/main/resources/io/skoop/lab/examples/flannel-vxlan.yaml):
three nodes with flannel's vxlan backend and kube-proxy in iptables mode, ten pods, three
Services, one external host — built out of real network namespaces and dumped with
scripts/collect-netns.sh inside each of them. Needs neither a cluster nor root to read.

Regenerate (root): `sudo scripts/examples/lab-snapshot.sh`
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
