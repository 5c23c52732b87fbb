#!/bin/bash
# Record the benchmark captures from the real Linux TCP stack.
#
#   bench/make-capture.sh [OUT [SCAN_OUT]]
#     OUT       mixed-load capture   (default /tmp/tcplife-bench/bench.pcapng)
#     SCAN_OUT  SYN-scan capture     (default: scan.pcapng beside OUT)
#   Environment (defaults in brackets):
#     CONNS [62000]        connections of the mixed load
#     WORKERS [48]         concurrent client processes
#     LONG_EVERY [250]     every n-th connection is a long transfer
#     LONG_BYTES [2000000] mean size of a long transfer (0.5x..1.5x)
#     SCAN [200000]        SYNs of the scan (0: no scan capture)
#     SCAN_PPS [40000]     pace of the scan
#
# Needs root, iproute2, ethtool, dumpcap, capinfos and cc. Builds two network
# namespaces joined by one veth pair; every packet stays on that pair:
#
#   client ns (10.98.0.1) == veth == server ns (10.98.0.2)
#
# dumpcap records on the client's veth with a 128-byte snap length (headers
# only). Segmentation offloads are off on both ends, so the capture shows
# MSS-sized segments as on a real wire. Each step is bounded in count and
# time; namespaces and processes are removed on exit, whatever happens.
# The captures are generated on demand and never committed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-/tmp/tcplife-bench/bench.pcapng}
SCAN_OUT=${2:-$(dirname "$OUT")/scan.pcapng}
CONNS=${CONNS:-62000}
WORKERS=${WORKERS:-48}
LONG_EVERY=${LONG_EVERY:-250}
LONG_BYTES=${LONG_BYTES:-2000000}
SCAN=${SCAN:-200000}
SCAN_PPS=${SCAN_PPS:-40000}
LIMIT=240       # seconds any one phase may take

mkdir -p "$(dirname "$OUT")" "$(dirname "$SCAN_OUT")"
TMP=$(mktemp -d /tmp/tcplife-bench-cap.XXXXXX)
ID=$$
NC=tlbc$ID NS=tlbs$ID VC=tlb${ID}c VS=tlb${ID}s
C4=10.98.0.1 S4=10.98.0.2
PORT=5001 NPORTS=4 CLOSED=6000
CAP_LIMIT=$((LIMIT + 30))

. "$HERE/../captures/netns-lib.sh"
NAMESPACES=("$NC" "$NS")
trap 'netns_cleanup; [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

cc -O2 -Wall -Wextra -o "$TMP/loadgen" "$HERE/loadgen.c"
LG=$TMP/loadgen

say "namespaces $NC, $NS"
ip netns add "$NC"
ip netns add "$NS"
ip link add "$VC" netns "$NC" type veth peer name "$VS" netns "$NS"
for ns in "$NC" "$NS"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.core.somaxconn=8192
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_syn_backlog=8192
    # TIME_WAIT sockets of 60k connections must not overflow (the kernel
    # would drop them with a log line and the capture would differ).
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_tw_buckets=262144
    ip netns exec "$ns" ip link set lo up
done
# 64k ephemeral ports, and reuse of TIME_WAIT ports for new outgoing SYNs.
in_c sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
in_c sysctl -qw net.ipv4.tcp_tw_reuse=1
in_c ip addr add "$C4/24" dev "$VC"
in_s ip addr add "$S4/24" dev "$VS"
in_c ip link set "$VC" up
in_s ip link set "$VS" up
in_c ethtool -K "$VC" tso off gso off gro off >/dev/null 2>&1 || true
in_s ethtool -K "$VS" tso off gso off gro off >/dev/null 2>&1 || true

# capture FILE / stop_capture: record headers only (128 bytes), report dumpcap's counters.
capture() { dumpcap_start "$1" tcp -s 128 -B 512; }
stop_capture() {
    dumpcap_stop 1
    grep -E 'Packets|dropped' "$TMP/dumpcap.log" || true
}

say "server: $S4:$PORT..$((PORT + NPORTS - 1)), closed port $CLOSED"
ip netns exec "$NS" timeout $((LIMIT * 2 + 60)) "$LG" server "$S4" "$PORT" "$NPORTS" 128 $((LIMIT * 2 + 30)) >"$TMP/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q ready "$TMP/server.log" && break; sleep 0.05; done
grep -q ready "$TMP/server.log" || { cat "$TMP/server.log" >&2; exit 1; }

say "mixed load: $CONNS connections, $WORKERS workers -> $OUT"
capture "$OUT"
start=$(date +%s.%N)
in_c timeout $((LIMIT + 10)) "$LG" client "$S4" "$PORT" "$NPORTS" "$CLOSED" "$CONNS" "$WORKERS" "$LONG_EVERY" "$LONG_BYTES" "$LIMIT"
printf '   load took %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
stop_capture

if [ "$SCAN" -gt 0 ]; then
    say "SYN scan: $SCAN SYNs to closed ports at $SCAN_PPS/s -> $SCAN_OUT"
    capture "$SCAN_OUT"
    in_c timeout $((LIMIT + 10)) "$LG" scan "$C4" "$S4" "$SCAN" "$SCAN_PPS" "$LIMIT"
    stop_capture
fi

chmod a+r "$OUT" ${SCAN_OUT:+"$SCAN_OUT"} 2>/dev/null || true
chmod a+rx "$(dirname "$OUT")" 2>/dev/null || true
say "captures"
for f in "$OUT" "$SCAN_OUT"; do
    [ -f "$f" ] && capinfos -c -s -u "$f" | sed 's/^/   /'
done
exit 0
