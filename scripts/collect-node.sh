#!/usr/bin/env bash
# collect-node.sh OUTDIR — dump a Kubernetes node for skoop: the network namespace this runs in
# (the node's own: run it on the node, over ssh, or in a hostNetwork+hostPID debug pod) into
# OUTDIR/host, and every other network namespace it can find into OUTDIR/netns/ID, each with
# scripts/collect-netns.sh (beside this script, or $COLLECT_NETNS). It trusts no one container
# runtime: it takes the named namespaces under /var/run/netns (containerd's and CRI-O's cni-*,
# `ip netns`) and the namespace of every process under /proc, each namespace once (by inode).
# Which pod a namespace belongs to is decided later from its addresses
# (skoop collect --node-dump NODE=OUTDIR; docs/live.md).
#
#   on a node:   sudo scripts/collect-node.sh /tmp/node-1
#   debug pod:   kubectl debug node/node-1 -it --profile=sysadmin --image=nicolaka/netshoot
#                then run it with the node's /proc (hostPID) and /var/run/netns (under /host)
#
# OUTDIR/netns.txt lists one line per namespace: ID INODE WHERE (the file or the first process
# found in it). Exits 0 when the node's own namespace was dumped (a namespace that vanished or
# could not be entered is recorded in netns.txt as "failed"), 1 when OUTDIR cannot be written or
# the host dump failed, 64 on a usage error. Needs root (nsenter), bash, nsenter, stat.
if [ -z "${BASH_VERSION:-}" ]; then
    exec bash "$0" "$@"
fi
set -u
export LC_ALL=C

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 64
fi
OUT=$1
COLLECT=${COLLECT_NETNS:-$(dirname -- "$0")/collect-netns.sh}
NETNS_DIR=${NETNS_DIR:-/var/run/netns}
PROC=${PROC:-/proc}
if [ ! -r "$COLLECT" ]; then
    echo "collect-node: $COLLECT not found (set COLLECT_NETNS)" >&2
    exit 64
fi
if ! mkdir -p -- "$OUT/netns" 2>/dev/null || [ ! -w "$OUT" ]; then
    echo "collect-node: cannot write to output directory '$OUT'" >&2
    exit 1
fi
: >"$OUT/netns.txt" || exit 1

self=$(stat -L -c %i /proc/self/ns/net) || exit 1
if ! bash "$COLLECT" "$OUT/host"; then
    echo "collect-node: the dump of the node's own namespace failed" >&2
    exit 1
fi
echo "host $self self" >>"$OUT/netns.txt"
declare -A seen=(["$self"]=host)

# dump ID INODE WHERE NSENTER-ARGS...: one namespace, once
dump() {
    local id=$1 ino=$2 where=$3
    shift 3
    seen[$ino]=$id
    if nsenter "$@" bash "$COLLECT" "$OUT/netns/$id" 2>/dev/null; then
        echo "$id $ino $where" >>"$OUT/netns.txt"
    else
        rm -rf -- "$OUT/netns/$id"
        echo "$id $ino $where failed" >>"$OUT/netns.txt"
    fi
}

for f in "$NETNS_DIR"/*; do
    [ -e "$f" ] || continue
    ino=$(stat -L -c %i "$f" 2>/dev/null) || continue
    [ -n "${seen[$ino]:-}" ] && continue
    dump "$(basename -- "$f")" "$ino" "$f" --net="$f"
done
for p in "$PROC"/[0-9]*; do
    ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
    [ -n "${seen[$ino]:-}" ] && continue
    pid=${p##*/}
    dump "pid-$pid" "$ino" "$p" --net="$p/ns/net"
done
exit 0
