#!/usr/bin/env bash
# collect-netns.sh OUTDIR — dump the network stack of the CURRENT network namespace into
# OUTDIR, in skoop's netns dump format version 1 (docs/netns-dump.md).
#
#   on a node:         scripts/collect-netns.sh /tmp/dump/host
#   in a namespace:    ip netns exec NS scripts/collect-netns.sh /tmp/dump/NS
#   in a pod's netns:  nsenter -t PID -n scripts/collect-netns.sh /tmp/dump/pod
#
# Uses only standard tools: bash, iproute2 (ip, bridge, ss), iptables-save, ip6tables-save,
# nft, ipset, ipvsadm, sysctl, and from coreutils mkdir, mv, rm, uname, date. A tool that is
# missing or fails (ipvsadm without the ip_vs module, nft without permission) is recorded in
# OUTDIR/meta.json with its status, exit code and first stderr line; its file is then NOT
# written (an existing file always means the command succeeded). Exits 0 in that case too;
# non-zero (1) only when OUTDIR cannot be created or written, 64 on a usage error. Prints
# nothing on success; the commands' stderr is kept in meta.json, not printed.
# Format: docs/netns-dump.md.
# Started with sh (dash)? Re-run under bash, which the script needs (arrays, ${var//}).
if [ -z "${BASH_VERSION:-}" ]; then
    exec bash "$0" "$@"
fi
set -u
export LC_ALL=C

FORMAT_VERSION=1

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 64
fi
OUT=$1

if ! mkdir -p -- "$OUT" 2>/dev/null || [ ! -d "$OUT" ] || [ ! -w "$OUT" ]; then
    echo "collect-netns: cannot write to output directory '$OUT'" >&2
    exit 1
fi
ERR="$OUT/.stderr.$$"
if ! : >"$ERR" 2>/dev/null; then
    echo "collect-netns: cannot create files in '$OUT'" >&2
    exit 1
fi
trap 'rm -f -- "$ERR" "$OUT"/.tmp.*' EXIT

# JSON string escaping (backslash, quote, control characters) without external tools.
json_str() {
    local s=$1 out='' c i code
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\t'/\\t}
    s=${s//$'\r'/\\r}
    s=${s//$'\n'/\\n}
    # any other control character -> \u00XX
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [[ $c < ' ' ]]; then
            printf -v code '\\u%04x' "'$c"
            out+=$code
        else
            out+=$c
        fi
    done
    printf '"%s"' "$out"
}

ENTRIES=()

# collect FILE TOOL ARG... : run TOOL ARG... and store its stdout in OUT/FILE.
collect() {
    local file=$1 tool=$2
    shift 2
    local cmd="$tool $*" status code=0 first='' tmp
    if ! command -v "$tool" >/dev/null 2>&1; then
        status=missing
        code=127
        first="$tool: command not found"
    else
        tmp="$OUT/.tmp.$file"
        "$tool" "$@" >"$tmp" 2>"$ERR" </dev/null
        code=$?
        IFS= read -r first <"$ERR" || true
        if [ "$code" -eq 0 ]; then
            if ! mv -f -- "$tmp" "$OUT/$file" 2>/dev/null; then
                echo "collect-netns: cannot write '$OUT/$file'" >&2
                exit 1
            fi
            status=ok
        else
            rm -f -- "$tmp" "$OUT/$file"
            status=failed
        fi
    fi
    ENTRIES+=("    {\"file\": $(json_str "$file"), \"tool\": $(json_str "$tool"), \"command\": $(json_str "$cmd"), \"status\": \"$status\", \"exit\": $code, \"stderr\": $(json_str "$first")}")
}

collect link.json      ip -j -d link show
collect addr.json      ip -j addr show
collect route.json     ip -j -d route show table all
collect route6.json    ip -6 -j -d route show table all
collect rule.json      ip -j rule show
collect rule6.json     ip -6 -j rule show
collect neigh.json     ip -j neigh show
collect neigh-proxy.json ip -j neigh show proxy
collect fdb.json       bridge -j fdb show
collect iptables.txt   iptables-save -c
collect ip6tables.txt  ip6tables-save -c
collect nft.json       nft -j list ruleset
collect ipset.txt      ipset save
collect ipvs.txt       ipvsadm -Sn
# listening TCP and UDP sockets, IPv4 and IPv6, numeric, no header, with the owning process
# (-p) and extended info (-e: ino, sk, v6only:0|1 for IPv6 sockets)
collect sockets.txt    ss -H -t -u -l -n -p -e
collect sysctl.txt     sysctl -a

host=$(uname -n 2>/dev/null) || host=''
kernel=$(uname -r 2>/dev/null) || kernel=''
now=$(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null) || now=''
netns=''
if command -v ip >/dev/null 2>&1; then
    netns=$(ip netns identify "$$" 2>/dev/null) || netns=''
fi

{
    printf '{\n'
    printf '  "format": %d,\n' "$FORMAT_VERSION"
    printf '  "hostname": %s,\n' "$(json_str "$host")"
    printf '  "kernel": %s,\n' "$(json_str "$kernel")"
    printf '  "time": %s,\n' "$(json_str "$now")"
    printf '  "netns": %s,\n' "$(json_str "$netns")"
    printf '  "collected": [\n'
    n=${#ENTRIES[@]}
    for ((k = 0; k < n; k++)); do
        if [ "$k" -lt $((n - 1)) ]; then
            printf '%s,\n' "${ENTRIES[k]}"
        else
            printf '%s\n' "${ENTRIES[k]}"
        fi
    done
    printf '  ]\n'
    printf '}\n'
} >"$OUT/.tmp.meta.json" && mv -f -- "$OUT/.tmp.meta.json" "$OUT/meta.json" || {
    echo "collect-netns: cannot write '$OUT/meta.json'" >&2
    exit 1
}
exit 0
