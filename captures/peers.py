#!/usr/bin/env python3
"""Client and server endpoints with precisely scripted application behaviour.

Each capture scenario in make-captures.sh runs one `server` in the server
namespace and one `client` in the client namespace. The options say exactly
when each end reads, writes, shuts down and closes, because that timing is
what decides the shape of the TCP close on the wire.

Every blocking call has a timeout and the server exits after --conns
connections or --timeout seconds, so a scenario cannot hang.
"""
import argparse
import socket
import struct
import subprocess
import sys
import threading
import time

TCP_FASTOPEN = getattr(socket, "TCP_FASTOPEN", 23)
TCP_DEFER_ACCEPT = getattr(socket, "TCP_DEFER_ACCEPT", 9)
MSG_FASTOPEN = getattr(socket, "MSG_FASTOPEN", 0x20000000)


def log(*parts):
    print(f"{time.time():.3f}", *parts, flush=True)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sleep_until(epoch):
    """Sleep until a wall-clock instant shared by both ends (same host clock)."""
    delay = epoch - time.time()
    if delay > 0:
        time.sleep(delay)


def recv_exactly(sock, n):
    got = 0
    while got < n:
        chunk = sock.recv(min(65536, n - got))
        if not chunk:
            break
        got += len(chunk)
    return got


def recv_until_eof(sock):
    got = 0
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return got
        got += len(chunk)


def payload(n, fill=b"x"):
    return fill * n


# ---------------------------------------------------------------- server

def serve_one(conn, index, args):
    """Handle one accepted connection according to --mode."""
    conn.settimeout(args.timeout)
    delays = [float(d) for d in args.close_delay.split(",")]
    close_delay = delays[index % len(delays)]
    # How much of the request the application reads; the rest stays unread.
    to_read = args.request if args.read is None else args.read
    try:
        if args.read_delay:
            # The application does not read yet: the receive buffer fills and
            # the window the kernel advertises closes.
            time.sleep(args.read_delay)
        if args.mode == "reply":
            # Request/response, then wait for the client's FIN and close
            # close_delay later: 0 gives a merged FIN+ACK (three-way close),
            # 0.3 lets the delayed ACK go out alone first (four-way close).
            recv_exactly(conn, to_read)
            conn.sendall(payload(args.response, b"s"))
            if args.close_at:
                sleep_until(args.close_at)
            else:
                recv_until_eof(conn)
                time.sleep(close_delay)
        elif args.mode == "first":
            # HTTP/1.0 style: the server answers and closes first. Closing
            # with request bytes still unread makes the kernel send a RST
            # instead of a FIN (RFC 9293 3.6.1, "data was lost").
            recv_exactly(conn, to_read)
            conn.sendall(payload(args.response, b"s"))
            time.sleep(close_delay)
        elif args.mode == "half":
            # The client half-closed after its request; keep sending into
            # the half-open connection, then close. Pausing before the first
            # write lets the ACK of the client's FIN go out on its own.
            recv_until_eof(conn)
            for _ in range(args.writes):
                time.sleep(args.write_interval)
                conn.sendall(payload(args.response, b"s"))
            time.sleep(args.write_interval)
        elif args.mode == "stream":
            # Keep writing until the client aborts (RST) or --writes is used up.
            recv_exactly(conn, args.request)
            for _ in range(args.writes):
                conn.sendall(payload(args.response, b"s"))
                time.sleep(args.write_interval)
        if args.before_close:
            subprocess.run(args.before_close, shell=True, check=True, timeout=5)
        if args.abort:
            # SO_LINGER {on, 0}: close() discards everything and sends RST.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        log(f"server: connection {index + 1} closed")
    except OSError as err:
        log(f"server: connection {index + 1}: {err}")
        conn.close()


def server(args):
    fam = family_of(args.addr)
    lsock = socket.socket(fam, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.rcvbuf:
        # Before listen(): accepted sockets inherit it, and the window scale
        # offered in the SYN-ACK follows from it. The kernel doubles the value.
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    if args.fastopen:
        lsock.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 16)
    if args.defer_accept:
        # The kernel drops a bare handshake ACK and keeps the connection
        # half-open until data arrives (or the deferral runs out), re-sending
        # its SYN-ACK near the end of the deferral; accept() waits till then.
        lsock.setsockopt(socket.IPPROTO_TCP, TCP_DEFER_ACCEPT, args.defer_accept)
    lsock.bind((args.addr, args.port))
    lsock.listen(128)
    deadline = time.monotonic() + args.timeout
    log(f"server: listening on {args.addr} port {args.port}")
    workers = []
    for index in range(args.conns):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        lsock.settimeout(remaining)
        try:
            conn, peer = lsock.accept()
        except socket.timeout:
            log("server: timed out waiting for a connection")
            break
        # One thread per connection: a delayed close must not hold up accept().
        worker = threading.Thread(target=serve_one, args=(conn, index, args))
        worker.start()
        workers.append(worker)
    lsock.close()
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))


# ---------------------------------------------------------------- client

def client_once(index, args):
    fam = family_of(args.addr)
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.settimeout(args.timeout)
    if args.keepalive:
        # Probe after this many idle seconds, then every as many; give up
        # (the kernel resets the connection) after --keepalive-probes unanswered.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, args.keepalive)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, args.keepalive)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, args.keepalive_probes)
    if args.reuseaddr:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.bind_port:
        sock.bind(("", args.bind_port))
    request = payload(args.request, b"c")
    try:
        if args.fastopen:
            # connect() and the first write in one call: with a cached cookie
            # the request rides on the SYN, otherwise the SYN asks for a cookie.
            # Blocking mode: with a timeout set the call would only start the
            # connect and fail with EINPROGRESS.
            sock.settimeout(None)
            sock.sendto(request, MSG_FASTOPEN, (args.addr, args.port))
            sock.settimeout(args.timeout)
        else:
            if args.connect_at:
                # Both ends connect() at one wall-clock instant (simultaneous
                # open): neither listens, each SYN meets the other's.
                sleep_until(args.connect_at)
            sock.connect((args.addr, args.port))
            if args.send_delay:
                # Connected, but silent for a while before the request.
                time.sleep(args.send_delay)
            sock.sendall(request)
    except OSError as err:
        log(f"client: connection {index + 1}: {err}")
        sock.close()
        return
    port = sock.getsockname()[1]
    try:
        if args.close == "shutdown":
            # Half-close: send FIN but keep reading what the server sends.
            sock.shutdown(socket.SHUT_WR)
            got = recv_until_eof(sock)
        elif args.wait_eof:
            # The server closes first; close after seeing its FIN.
            got = recv_until_eof(sock)
            time.sleep(args.close_delay)
        else:
            got = recv_exactly(sock, args.response)
            if args.close_at:
                sleep_until(args.close_at)
        if args.close == "abort":
            # SO_LINGER {on, 0}: close() discards everything and sends RST.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        log(f"client: connection {index + 1} from port {port}: got {got} bytes, closed")
    except OSError as err:
        log(f"client: connection {index + 1}: {err}")
        sock.close()


def client(args):
    for index in range(args.count):
        if index:
            time.sleep(args.gap)
        client_once(index, args)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="role", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--addr", required=True, help="server address")
    common.add_argument("--port", type=int, default=5000)
    common.add_argument("--request", type=int, default=300, help="bytes the client sends")
    common.add_argument("--response", type=int, default=400,
                        help="bytes the server sends (per write in half/stream mode)")
    common.add_argument("--timeout", type=float, default=30, help="bound on every wait, seconds")
    common.add_argument("--close-at", type=float, default=0,
                        help="close at this wall-clock time (simultaneous close)")
    common.add_argument("--fastopen", action="store_true")

    srv = sub.add_parser("server", parents=[common])
    srv.add_argument("--conns", type=int, default=1, help="connections to accept, then exit")
    srv.add_argument("--mode", choices=["reply", "first", "half", "stream"], default="reply")
    srv.add_argument("--close-delay", default="0",
                     help="seconds between EOF/response and close(); a comma list is cycled per connection")
    srv.add_argument("--writes", type=int, default=10, help="writes in half/stream mode")
    srv.add_argument("--write-interval", type=float, default=0.1)
    srv.add_argument("--before-close", help="shell command run just before close() (e.g. add an nft rule)")
    srv.add_argument("--abort", action="store_true", help="close with a RST (SO_LINGER {1, 0})")
    srv.add_argument("--read", type=int, help="bytes of the request to read (default: --request); the rest stays unread")
    srv.add_argument("--read-delay", type=float, default=0, help="seconds before the first read")
    srv.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF of the listening socket")
    srv.add_argument("--defer-accept", type=int, default=0,
                     help="TCP_DEFER_ACCEPT of the listening socket, seconds (0: off)")

    cli = sub.add_parser("client", parents=[common])
    cli.add_argument("--count", type=int, default=1, help="connections, one after the other")
    cli.add_argument("--gap", type=float, default=0, help="seconds between connections")
    cli.add_argument("--bind-port", type=int, default=0, help="fixed client port")
    cli.add_argument("--connect-at", type=float, default=0, help="connect() at this wall-clock time")
    cli.add_argument("--send-delay", type=float, default=0,
                     help="seconds between connect() and the request (not with --fastopen)")
    cli.add_argument("--reuseaddr", action="store_true")
    cli.add_argument("--close", choices=["close", "shutdown", "abort"], default="close")
    cli.add_argument("--wait-eof", action="store_true", help="read until the server's FIN before closing")
    cli.add_argument("--close-delay", type=float, default=0, help="with --wait-eof: seconds after EOF")
    cli.add_argument("--keepalive", type=int, default=0, help="TCP keep-alive idle and interval, seconds")
    cli.add_argument("--keepalive-probes", type=int, default=9, help="unanswered probes before the reset")

    args = ap.parse_args()
    server(args) if args.role == "server" else client(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
