#!/bin/bash
# Record the test captures from the real Linux TCP stack.
#
#   captures/make-captures.sh            regenerate every capture
#   captures/make-captures.sh NAME...    regenerate only these (e.g. close-merged tfo)
#   captures/make-captures.sh --list     list the scenario names
#   OUT=/tmp/x captures/make-captures.sh write the captures there instead
#
# Needs root, iproute2, nftables, ethtool, dumpcap and python3. Each scenario
# builds its own three network namespaces, so nothing leaves this host:
#
#   client ns (10.99.0.1, fd99::1) == veth == middle ns == veth == server ns (10.99.0.2, fd99::2)
#
# The middle namespace has no IP configuration and no ip_forward; forwarder.py
# relays the Ethernet frames between its two veths after a one-way delay
# (this kernel has no tc netem), so client and server share one subnet.
# dumpcap records on the client's veth: the client's view of the connection.
# Losses are made with nft rules in the server namespace. The scenario
# rst-injected also writes crafted RSTs into live connections with
# inject_rst.py (AF_PACKET, no extra package). Everything started here is
# stopped and the namespaces are deleted on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
PY=${PYTHON:-python3}
TMP=$(mktemp -d)

# Unique names so parallel runs do not clash (interface names <= 15 chars).
ID=$$
NC=tlc$ID NM=tlm$ID NS=tls$ID
VC=tlc${ID}c VMA=tlm${ID}a VMB=tlm${ID}b VS=tls${ID}s
C4=10.99.0.1 S4=10.99.0.2 C6=fd99::1 S6=fd99::2
PORT=5000
# Everything TCP plus ICMP errors; IPv6 only type 1 (unreachable), so the
# neighbour discovery and MLD chatter of a fresh interface stays out.
FILTER='tcp or icmp or (icmp6 and ip6[40] == 1)'

. "$HERE/netns-lib.sh"
NAMESPACES=("$NC" "$NM" "$NS")
trap 'netns_cleanup; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# Per-namespace TCP sysctl; quietly skipped when this kernel lacks it.
tcp_sysctl() {
    local ns=$1 key=$2 value=$3
    if ip netns exec "$ns" test -e "/proc/sys/net/ipv4/${key//.//}"; then
        ip netns exec "$ns" sysctl -qw "net.ipv4.$key=$value"
    fi
}

# lab_up DELAY: build the three namespaces and start the forwarder.
lab_up() {
    local delay=$1 ns dev mac_c mac_s
    ip netns add "$NC"; ip netns add "$NM"; ip netns add "$NS"
    # The middle must stay silent: no IPv6 (router solicitations, DAD, MLD).
    ip netns exec "$NM" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link add "$VC" netns "$NC" type veth peer name "$VMA" netns "$NM"
    ip link add "$VS" netns "$NS" type veth peer name "$VMB" netns "$NM"
    for pair in "$NC:$VC" "$NM:$VMA" "$NM:$VMB" "$NS:$VS"; do
        ns=${pair%%:*} dev=${pair#*:}
        # No offloads: every captured segment is a real wire-sized segment with
        # a real checksum (the forwarder copies frames as they are).
        ip netns exec "$ns" ethtool -K "$dev" tx off rx off gro off gso off tso off >/dev/null 2>&1 || true
        ip -n "$ns" link set "$dev" up
        ip -n "$ns" link set lo up
    done
    ip -n "$NM" link set "$VMA" promisc on
    ip -n "$NM" link set "$VMB" promisc on
    ip -n "$NC" addr add "$C4/24" dev "$VC"
    ip -n "$NC" addr add "$C6/64" dev "$VC" nodad
    ip -n "$NS" addr add "$S4/24" dev "$VS"
    ip -n "$NS" addr add "$S6/64" dev "$VS" nodad
    # Static neighbours: no ARP or neighbour solicitation delays a SYN.
    mac_c=$(ip -n "$NC" -br link show dev "$VC" | awk '{print $3}')
    mac_s=$(ip -n "$NS" -br link show dev "$VS" | awk '{print $3}')
    ip -n "$NC" neigh replace "$S4" lladdr "$mac_s" dev "$VC" nud permanent
    ip -n "$NC" neigh replace "$S6" lladdr "$mac_s" dev "$VC" nud permanent
    ip -n "$NS" neigh replace "$C4" lladdr "$mac_c" dev "$VS" nud permanent
    ip -n "$NS" neigh replace "$C6" lladdr "$mac_c" dev "$VS" nud permanent
    for ns in "$NC" "$NS"; do
        # Exponential SYN backoff (1 s, 2 s, 4 s ...), not the linear start.
        tcp_sysctl "$ns" tcp_syn_linear_timeouts 0
    done
    ip netns exec "$NM" "$PY" "$HERE/forwarder.py" "$VMA" "$VMB" --delay "$delay" --duration 120 &
    PIDS+=($!)
    sleep 0.3
}

# nft_server RULE...: drop/reject rules on the server's input.
nft_server() {
    local rules=""
    for r in "$@"; do rules+="    $r"$'\n'; done
    printf '   nft (server): %s\n' "$@"
    in_s nft -f - <<EOF
table inet tl {
  chain in {
    type filter hook input priority 0;
$rules  }
}
EOF
}

cap_start() {
    CAP_FILE=$TMP/$1.pcapng
    dumpcap_start "$CAP_FILE" "$FILTER"
}

# cap_stop NAME [SECONDS]: stop dumpcap after trailing packets, keep the capture.
cap_stop() {
    dumpcap_stop "${2:-0.5}"
    cp "$CAP_FILE" "$OUT/$1.pcapng"
    echo "   -> $OUT/$1.pcapng ($(tshark -r "$OUT/$1.pcapng" 2>/dev/null | wc -l) frames)"
    tshark -r "$OUT/$1.pcapng" -c 60 -T fields -e frame.number -e frame.time_relative -e tcp.stream \
        -e ip.src -e ipv6.src -e tcp.srcport -e tcp.flags.str -e tcp.seq_raw -e tcp.ack_raw \
        -e tcp.len -e icmp.type -e icmpv6.type 2>/dev/null | sed 's/^/   /'
}

server() {
    printf '   server: %s\n' "$*"
    # Started directly (not via a function) so $! is the server process itself.
    ip netns exec "$NS" "$PY" "$HERE/peers.py" server "$@" > >(sed 's/^/   | /') &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
}
wait_listen() {
    wait_for 100 sh -c "ip netns exec $NS ss -Hltn 'sport = :${1:-$PORT}' | grep -q ."
}
client() {
    printf '   client: %s\n' "$*"
    in_c "$PY" "$HERE/peers.py" client "$@" | sed 's/^/   | /'
}
wait_server() { wait "$SRV_PID" || true; }

# inject NS MODE IFACE ARGS...: start inject_rst.py (crafted RSTs into a live
# connection) in namespace NS on IFACE; return once its socket listens.
INJ_PIDS=()
inject() {
    local ns=$1; shift
    local ready=$TMP/inject-ready.${#INJ_PIDS[@]}
    printf '   inject (%s): %s\n' "$ns" "$*"
    ip netns exec "$ns" "$PY" "$HERE/inject_rst.py" "$@" --client $C4 --server $S4 --port $PORT \
        --timeout 15 --ready "$ready" > >(sed 's/^/   | /') &
    INJ_PIDS+=($!)
    PIDS+=($!)
    wait_for 100 test -e "$ready"
}
# wait_injected: every injector must have sent all its RSTs (each is bounded by --timeout).
wait_injected() {
    local pid
    for pid in "${INJ_PIDS[@]}"; do
        wait "$pid" || { echo "an injector failed" >&2; return 1; }
    done
    INJ_PIDS=()
}

# Wall-clock instant a little ahead, shared by both ends (one host clock).
soon() { "$PY" -c "import time; print(f'{time.time() + $1:.3f}')"; }

# ---------------------------------------------------------------- scenarios
# Each scenario: lab_up, rules/sysctls, cap_start, endpoints, cap_stop.

scn_handshake-normal() {
    lab_up 0.05
    cap_start handshake-normal
    server --addr $S4 --request 300 --response 400 --close-delay 0.3; wait_listen
    client --addr $S4 --request 300 --response 400
    wait_server
    cap_stop handshake-normal
}

scn_refused() {
    lab_up 0.05
    cap_start refused
    client --addr $S4 --port 5999 --timeout 5
    cap_stop refused
}

scn_syn-retries-answered() {
    lab_up 0.05
    # A 1/hour token bucket holding 2 tokens: exactly the first 2 SYNs match.
    nft_server "tcp dport $PORT tcp flags & (syn|ack) == syn limit rate 1/hour burst 2 packets drop"
    cap_start syn-retries-answered
    server --addr $S4 --close-delay 0.3; wait_listen
    client --addr $S4
    wait_server
    cap_stop syn-retries-answered
}

scn_syn-retries-unanswered() {
    lab_up 0.05
    tcp_sysctl "$NC" tcp_syn_retries 3
    nft_server "tcp dport $PORT tcp flags & (syn|ack) == syn drop"
    cap_start syn-retries-unanswered
    server --addr $S4 --timeout 20; wait_listen
    client --addr $S4 --timeout 30
    cap_stop syn-retries-unanswered
    kill "$SRV_PID" 2>/dev/null || true
}

scn_tfo() {
    lab_up 0.05
    tcp_sysctl "$NC" tcp_fastopen 3
    tcp_sysctl "$NS" tcp_fastopen 3
    cap_start tfo
    server --addr $S4 --fastopen --conns 2 --close-delay 0; wait_listen
    client --addr $S4 --fastopen --count 2 --gap 0.5
    wait_server
    cap_stop tfo
}

scn_ipv6-merged-close() {
    lab_up 0.05
    cap_start ipv6-merged-close
    server --addr $S6 --close-delay 0; wait_listen
    client --addr $S6
    wait_server
    cap_stop ipv6-merged-close
}

scn_icmp-unreachable() {
    lab_up 0.05
    tcp_sysctl "$NC" tcp_syn_retries 2
    nft_server "meta nfproto ipv4 tcp dport $PORT reject with icmp type port-unreachable" \
               "meta nfproto ipv6 tcp dport $PORT reject with icmpv6 type port-unreachable"
    cap_start icmp-unreachable
    # The kernel aborts connect() on the first ICMP port unreachable (a hard
    # error), so the application retries: 3 attempts over IPv4, then 1 over IPv6.
    client --addr $S4 --count 3 --gap 1 --timeout 10
    client --addr $S6 --timeout 10
    cap_stop icmp-unreachable
}

scn_close-four-way() {
    lab_up 0.05
    cap_start close-four-way
    server --addr $S4 --request 100 --response 100 --close-delay 0.3; wait_listen
    client --addr $S4 --request 100 --response 100
    wait_server
    cap_stop close-four-way
}

scn_close-merged() {
    lab_up 0.05
    cap_start close-merged
    server --addr $S4 --request 100 --response 100 --close-delay 0; wait_listen
    client --addr $S4 --request 100 --response 100
    wait_server
    cap_stop close-merged
}

scn_close-server-first() {
    lab_up 0.05
    cap_start close-server-first
    server --addr $S4 --mode first --request 80 --response 600; wait_listen
    # The client closes 200 ms after EOF, so its ACK of the server FIN goes alone.
    client --addr $S4 --request 80 --wait-eof --close-delay 0.2
    wait_server
    cap_stop close-server-first
}

scn_close-simultaneous() {
    lab_up 0.05
    local at
    at=$(soon 1.5)
    cap_start close-simultaneous
    # Both ends close at the same wall-clock instant: each FIN is 50 ms on its
    # way when the other end sends its own, so they cross.
    server --addr $S4 --request 100 --response 100 --close-at "$at"; wait_listen
    client --addr $S4 --request 100 --response 100 --close-at "$at"
    wait_server
    cap_stop close-simultaneous
}

scn_close-half() {
    lab_up 0.05
    cap_start close-half
    server --addr $S4 --mode half --response 100 --writes 10 --write-interval 0.1; wait_listen
    client --addr $S4 --request 100 --close shutdown
    wait_server
    cap_stop close-half
}

scn_close-abort() {
    lab_up 0.05
    cap_start close-abort
    server --addr $S4 --mode stream --request 100 --response 200 --writes 20 --write-interval 0.1; wait_listen
    client --addr $S4 --request 100 --response 600 --close abort
    wait_server
    cap_stop close-abort
}

scn_close-lost-fin() {
    lab_up 0.05
    nft_server "tcp dport $PORT tcp flags & fin == fin limit rate 1/hour burst 1 packets drop"
    cap_start close-lost-fin
    server --addr $S4 --request 100 --response 100 --close-delay 0; wait_listen
    client --addr $S4 --request 100 --response 100
    wait_server
    cap_stop close-lost-fin
}

scn_close-many() {
    lab_up 0.005
    cap_start close-many
    server --addr $S4 --conns 120 --request 50 --response 50 --close-delay 0,0.3; wait_listen
    client --addr $S4 --count 120 --request 50 --response 50 > /dev/null
    wait_server
    cap_stop close-many
}

scn_timewait-client-reuse() {
    lab_up 0.05
    tcp_sysctl "$NC" tcp_tw_reuse 1
    tcp_sysctl "$NC" tcp_timestamps 1
    cap_start timewait-client-reuse
    server --addr $S4 --conns 4 --request 100 --response 100; wait_listen
    # tw_reuse needs the TIME_WAIT's last timestamp >= 1 s old: gap 1.2 s.
    client --addr $S4 --count 4 --gap 1.2 --bind-port 40000 --reuseaddr --request 100 --response 100
    wait_server
    cap_stop timewait-client-reuse
}

scn_timewait-server-side() {
    lab_up 0.05
    cap_start timewait-server-side
    server --addr $S4 --conns 2 --mode first --request 100 --response 100 --timeout 10; wait_listen
    client --addr $S4 --count 2 --gap 1 --bind-port 40001 --reuseaddr --request 100 --wait-eof
    wait_server
    cap_stop timewait-server-side
}

scn_timewait-lost-final-ack() {
    lab_up 0.05
    # Rule added by the server just before it closes: the only segment the
    # client sends after that is the final ACK of the server's FIN.
    in_s nft add table inet tl
    in_s nft add chain inet tl in '{ type filter hook input priority 0; }'
    local rule="nft add rule inet tl in tcp dport $PORT tcp flags == ack limit rate 1/hour burst 1 packets drop"
    cap_start timewait-lost-final-ack
    server --addr $S4 --request 100 --response 100 --close-delay 0 --before-close "$rule"; wait_listen
    client --addr $S4 --request 100 --response 100
    wait_server
    cap_stop timewait-lost-final-ack 1.5
}

scn_timewait-after-2msl() {
    lab_up 0.05
    tcp_sysctl "$NC" tcp_tw_reuse 1
    cap_start timewait-after-2msl
    server --addr $S4 --conns 2 --request 100 --response 100 --timeout 15; wait_listen
    client --addr $S4 --count 2 --gap 3 --bind-port 40002 --reuseaddr --request 100 --response 100
    wait_server
    cap_stop timewait-after-2msl
}

scn_keepalive() {
    lab_up 0.05
    cap_start keepalive
    # The server answers, stays silent for 3 s, then closes first; meanwhile
    # the client's keep-alive (idle and interval 1 s) probes the idle
    # connection and the server's kernel answers every probe.
    server --addr $S4 --mode first --request 100 --response 100 --close-delay 3; wait_listen
    client --addr $S4 --request 100 --wait-eof --keepalive 1
    wait_server
    cap_stop keepalive
}

scn_keepalive-timeout() {
    lab_up 0.05
    cap_start keepalive-timeout
    server --addr $S4 --request 100 --response 100 --timeout 10; wait_listen
    # Once the response is in, the server's host goes dark (everything from
    # the client is dropped): 2 keep-alive probes go unanswered, then the
    # client's kernel gives up and resets the connection.
    client --addr $S4 --request 100 --wait-eof --keepalive 1 --keepalive-probes 2 --timeout 10 &
    local cli=$!
    sleep 0.8
    nft_server "ip saddr $C4 drop"
    wait "$cli" || true
    cap_stop keepalive-timeout
    kill "$SRV_PID" 2>/dev/null || true
}

scn_keepalive-stale() {
    lab_up 0.05
    cap_start keepalive-stale
    # The server answers, then loses the connection without a word, as a
    # restarted host does: it closes with a RST (SO_LINGER 0) that its own
    # output chain drops (RST+ACK only). The client's first keep-alive probe
    # (idle 1 s) reaches a kernel with no such connection, whose bare RST
    # passes the rule.
    server --addr $S4 --mode first --request 100 --response 100 --close-delay 0.2 --abort \
        --before-close "nft add table inet tlo && nft add chain inet tlo out '{ type filter hook output priority 0; }' && nft add rule inet tlo out 'tcp flags & (rst | ack) == rst | ack drop'"
    wait_listen
    client --addr $S4 --request 100 --wait-eof --keepalive 1 --timeout 10
    wait_server
    cap_stop keepalive-stale
}

scn_zero-window() {
    lab_up 0.05
    cap_start zero-window
    # A small receive buffer (4 KB, doubled by the kernel) that the server's
    # application leaves unread for 4 s: the window closes, and the client's
    # persist timer sends zero-window probes until the reads open it again.
    # Then the server answers and closes 300 ms after EOF: a four-way close.
    server --addr $S4 --rcvbuf 4096 --read-delay 4 --request 20000 --response 100 --close-delay 0.3
    wait_listen
    client --addr $S4 --request 20000 --response 100
    wait_server
    cap_stop zero-window
}

scn_close-unread() {
    lab_up 0.05
    cap_start close-unread
    # The server reads 100 of the client's 300 bytes, answers and closes
    # 200 ms later with 200 bytes unread: Linux aborts with a RST+ACK
    # instead of a FIN (RFC 2525 2.17, RFC 9293 3.6.1).
    server --addr $S4 --mode first --request 300 --read 100 --response 100 --close-delay 0.2
    wait_listen
    client --addr $S4 --request 300 --wait-eof
    wait_server
    cap_stop close-unread
}

scn_simultaneous-open() {
    lab_up 0.1
    local at
    at=$(soon 1.5)
    cap_start simultaneous-open
    # Nobody listens: each end binds its port and connect()s to the other at
    # the same wall-clock instant. Each SYN is 100 ms on its way when the
    # other leaves, so they cross and both ends answer with a SYN-ACK. The
    # server-side end reads until EOF and closes 300 ms later: four-way.
    printf '   peer (server ns): connect to %s:40003 from port %s\n' "$C4" "$PORT"
    ip netns exec "$NS" "$PY" "$HERE/peers.py" client --addr $C4 --port 40003 --bind-port $PORT \
        --connect-at "$at" --request 100 --wait-eof --close-delay 0.3 > >(sed 's/^/   | /') &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    client --addr $S4 --bind-port 40003 --connect-at "$at" --request 100 --response 100
    wait_server
    cap_stop simultaneous-open
}

scn_defer-accept() {
    lab_up 0.05
    cap_start defer-accept
    # The server's listener has TCP_DEFER_ACCEPT 3 s (the kernel makes that
    # 2 SYN-ACK timeouts: 1 s, then 2 s more). The client connects and stays
    # silent for 4 s: the server's kernel drops the bare handshake ACK, skips
    # the re-send at the first timeout (it still waits for data) and re-sends
    # the SYN-ACK at the second, 3 s after the first; the client's kernel
    # ACKs it again, and that ACK, at the end of the deferral, is taken.
    # Then 100 bytes each way and a merged close.
    server --addr $S4 --defer-accept 3 --request 100 --response 100 --close-delay 0 --timeout 10
    wait_listen
    client --addr $S4 --send-delay 4 --request 100 --response 100 --timeout 10
    wait_server
    # How many bare ACKs the server's kernel dropped while deferring (1: the first).
    in_s nstat -az TcpExtTCPDeferAcceptDrop | sed -n 's/^/   server /; /DeferAccept/p'
    cap_stop defer-accept
}

scn_rst-injected() {
    # RSTs the receiving TCP must not accept, injected by inject_rst.py into
    # connections of the real stack (nothing else is crafted); 20 ms one-way.
    lab_up 0.02
    cap_start rst-injected
    # Stream 0: the server streams 200 bytes every 100 ms, then closes first;
    # the client closes on EOF. Towards the client, as from the server (the
    # middle namespace writes onto its client-side veth): 40 ms after the 4th
    # data segment a RST+ACK with seq = client's rcv_nxt + 2^30 (outside the
    # window: dropped silently), after the 8th one with rcv_nxt + 1000 (in the
    # window, not rcv_nxt: RFC 5961 challenge ACK). Towards the server, as from
    # the client (written onto the client's own veth, so the capture sees it
    # leave and the forwarder carries it on): after the 12th, a RST+ACK with
    # seq = server's rcv_nxt - 5000, behind what it acknowledged: dropped.
    inject "$NM" established "$VMA" --toward client --rst 4:1073741824 --rst 8:1000
    inject "$NC" established "$VC" --toward server --rst 12:-5000
    server --addr $S4 --mode stream --request 100 --response 200 --writes 20 --write-interval 0.1 --timeout 10
    wait_listen
    client --addr $S4 --request 100 --wait-eof --timeout 10
    wait_server
    wait_injected
    sleep 0.5
    # Stream 1: the moment the client's SYN passes, towards the client (40 ms
    # before the real SYN-ACK): a bare RST, then a RST+ACK acking ISN + 1000.
    # In SYN-SENT a RST counts only with an acceptable ACK (RFC 9293
    # 3.10.7.3): both are ignored. The bad ACK makes Linux re-arm its SYN
    # timer to the minimum, so the SYN goes again ~10 ms later and the server
    # answers that copy too (a second SYN-ACK, met by a challenge ACK). The
    # real handshake completes; 100 bytes each way and a merged close.
    inject "$NM" syn-sent "$VMA" --ack-offset 1000
    server --addr $S4 --request 100 --response 100 --close-delay 0 --timeout 10
    wait_listen
    client --addr $S4 --request 100 --response 100 --timeout 10
    wait_server
    wait_injected
    sleep 0.5
    # Stream 2, the contrast: 40 ms after the server's 3rd data segment a
    # RST+ACK with seq = the client's rcv_nxt exactly: accepted, the client's
    # socket is gone, and its kernel answers the server's next segment with a
    # bare RST.
    inject "$NM" established "$VMA" --toward client --rst 3:0
    server --addr $S4 --mode stream --request 100 --response 200 --writes 6 --write-interval 0.1 --timeout 10
    wait_listen
    client --addr $S4 --request 100 --wait-eof --timeout 10
    wait_server
    wait_injected
    # Evidence that is not on the wire: the client's challenge ACKs (stream 0's
    # in-window RST, stream 1's second SYN-ACK), and every segment the capture
    # shows from the client, the injected one included, in the server's
    # TcpInSegs with no checksum error.
    in_c nstat -asz TcpExtTCPChallengeACK TcpExtTCPSYNChallenge | sed -n 's/^/   client /; /Tcp/p'
    in_s nstat -asz TcpInSegs TcpInErrs TcpInCsumErrors | sed -n 's/^/   server /; /Tcp/p'
    cap_stop rst-injected
}

ALL=(handshake-normal refused syn-retries-answered syn-retries-unanswered tfo
     ipv6-merged-close icmp-unreachable close-four-way close-merged
     close-server-first close-simultaneous close-half close-abort close-lost-fin
     close-many timewait-client-reuse timewait-server-side
     timewait-lost-final-ack timewait-after-2msl keepalive keepalive-timeout keepalive-stale
     zero-window close-unread simultaneous-open defer-accept rst-injected)

if [ "${1:-}" = "--list" ]; then printf '%s\n' "${ALL[@]}"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for tool in ip nft ethtool dumpcap tshark "$PY"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

for name in "${@:-${ALL[@]}}"; do
    declare -F "scn_$name" >/dev/null || { echo "unknown capture: $name (see --list)" >&2; exit 1; }
done
for name in "${@:-${ALL[@]}}"; do
    say "$name"
    "scn_$name"
    netns_cleanup
done
