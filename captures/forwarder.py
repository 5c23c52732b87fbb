#!/usr/bin/env python3
"""Relay Ethernet frames between two interfaces after a fixed one-way delay.

Runs in the middle namespace. The kernel here has no tc netem, so this is the
"wire": every frame read on one interface is written to the other one
`delay` seconds later, in arrival order. Frames are never changed, never
dropped on purpose (drops are done with nft at the server), and the process
exits after `duration` seconds so a forgotten forwarder cannot linger.
"""
import argparse
import heapq
import select
import socket
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4  # sll_pkttype of frames this host sent: our own relays


def open_raw(ifname):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((ifname, 0))
    sock.setblocking(False)
    return sock


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("if_a")
    ap.add_argument("if_b")
    ap.add_argument("--delay", type=float, default=0.05, help="one-way delay, seconds")
    ap.add_argument("--duration", type=float, default=120, help="exit after this many seconds")
    args = ap.parse_args()

    a, b = open_raw(args.if_a), open_raw(args.if_b)
    peer = {a: b, b: a}
    queue = []  # (due time, arrival counter, output socket, frame): time-ordered
    counter = 0
    end = time.monotonic() + args.duration
    print(f"forwarder: {args.if_a} <-> {args.if_b}, delay {args.delay * 1000:.0f} ms", flush=True)

    while True:
        now = time.monotonic()
        if now >= end:
            break
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except OSError:
                pass  # interface gone while shutting down
        timeout = end - now
        if queue:
            timeout = min(timeout, max(0.0, queue[0][0] - now))
        readable, _, _ = select.select([a, b], [], [], timeout)
        for sock in readable:
            # Drain the socket: several frames can arrive in one burst.
            while True:
                try:
                    frame, addr = sock.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                counter += 1
                heapq.heappush(queue, (time.monotonic() + args.delay, counter, peer[sock], frame))


if __name__ == "__main__":
    main()
