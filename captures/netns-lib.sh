# netns-lib.sh — sourced by the scripts that record the real Linux stack in
# network namespaces (captures/make-captures.sh, bench/make-capture.sh).
# The caller names its namespaces (NC client, NS server) and its client-side
# veth (VC) and sets TMP; everything started through here is stopped and every
# namespace in NAMESPACES deleted by netns_cleanup, which the caller traps on EXIT.

PIDS=()         # background processes to stop
NAMESPACES=()   # namespaces to delete
CAP_PID=

say() { printf '\n== %s\n' "$*"; }
in_c() { ip netns exec "$NC" "$@"; }
in_s() { ip netns exec "$NS" "$@"; }

netns_cleanup() {
    local pid ns
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    for ns in "${NAMESPACES[@]:-}"; do
        [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true
    done
    PIDS=()
}

# Bounded wait for a condition: wait_for TRIES COMMAND... (50 ms per try)
wait_for() {
    local tries=$1; shift
    while ! "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || { echo "timed out waiting for: $*" >&2; return 1; }
        sleep 0.05
    done
}

# dumpcap_start FILE FILTER [DUMPCAP OPTIONS...]: record on the client's veth,
# return once dumpcap writes. Not through in_c: a backgrounded shell function
# would make $! a subshell, and TERM would not reach dumpcap.
dumpcap_start() {
    local file=$1 filter=$2; shift 2
    rm -f "$file"
    # timeout bounds a dumpcap this script could no longer stop; it passes TERM on.
    ip netns exec "$NC" timeout "${CAP_LIMIT:-900}" dumpcap -q -i "$VC" -f "$filter" "$@" -w "$file" \
        2>"$TMP/dumpcap.log" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    wait_for 150 test -s "$file" || { cat "$TMP/dumpcap.log" >&2; return 1; }
    sleep 0.5  # the file header comes before dumpcap reaches its capture loop
}

# dumpcap_stop [SECONDS]: stop dumpcap after trailing packets; on TERM it
# finishes the file cleanly.
dumpcap_stop() {
    sleep "${1:-0.5}"
    kill -TERM "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" || true
}
