#!/usr/bin/env python3
"""Inject crafted RST segments into a live connection of the real Linux stack.

Why this exists: a real TCP never sends a RST that its peer must ignore, yet
such RSTs reach hosts (blind reset attacks, confused middleboxes, late copies),
and RFC 5961 / RFC 9293 say exactly how the receiver must react. To record the
real stack's reaction (make-captures.sh, scenario rst-injected), every other
segment of the connection is the kernel's own; only the RSTs come from here.

Runs in one namespace of the lab and talks to one interface through an
AF_PACKET raw socket: it sniffs the connection's frames on that interface to
learn the current sequence and acknowledgement numbers (no guessing: the
numbers come from what both ends have sent), and writes its own Ethernet +
IPv4 + TCP frames, checksums computed here, onto the same interface, with the
impersonated end's MAC and IP addresses and port:

- in the middle namespace, on its client-side veth: the frame goes to the
  client, as if the server had sent it (and the client's capture sees it);
- in the client namespace, on the client's veth: the frame goes out towards
  the server, as if the client had sent it (and the capture on that veth
  sees it leave).

The connection is the first one whose SYN (client -> server:port) is seen
after the start. Two modes:

  syn-sent     as soon as the client's SYN is seen: a bare RST (no ACK flag),
               then --gap later a RST+ACK acknowledging ISN + --ack-offset,
               both towards the client (before the real SYN-ACK arrives).
  established  --rst N:OFFSET (repeatable): --settle seconds after the N-th
               data segment of the server, a RST+ACK towards --toward whose
               seq is the receiver's next expected sequence number (as both
               ends' segments show) plus OFFSET (mod 2^32), and whose ACK is
               what the impersonated end has received.

Every wait is bounded by --timeout; exit status 1 when a trigger never came.
No IPv6, no VLAN tags: the lab does not need them.
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
M32 = 0xFFFFFFFF
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def log(*parts):
    print(f"{time.time():.6f} inject:", *parts, flush=True)


def after(a, b):
    """a is after b in sequence space (RFC 9293 modular comparison)."""
    return 0 < ((a - b) & M32) < 0x80000000


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def build_frame(eth_src, eth_dst, ip_src, ip_dst, sport, dport, seq, ack, flags, window=0):
    """Ethernet + IPv4 (DF, TTL 64) + 20-byte TCP header, no options, no payload."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & M32, ack & M32, 5 << 4, flags, window, 0, 0)
    pseudo = socket.inet_aton(ip_src) + socket.inet_aton(ip_dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16), 0x4000, 64, 6, 0,
                     socket.inet_aton(ip_src), socket.inet_aton(ip_dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return eth_dst + eth_src + struct.pack("!H", ETH_P_IP) + ip + tcp


def parse(frame):
    """(eth_src, eth_dst, ip_src, ip_dst, sport, dport, seq, ack, flags, paylen) or None."""
    if len(frame) < 34 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[0] >> 4 != 4 or ip[9] != 6 or len(ip) < ihl + 20:
        return None
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:]
    sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", tcp[:14])
    paylen = total - ihl - (off >> 4) * 4
    return (frame[6:12], frame[0:6], socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]),
            sport, dport, seq, ack, flags, paylen)


class End:
    """What one end of the connection has sent, as seen on the interface."""

    def __init__(self):
        self.mac = None
        self.nxt = None      # next sequence number: highest seq + len (+ SYN, FIN)
        self.ack = None      # last acknowledgement number it sent
        self.isn = None
        self.data_segments = 0

    def saw(self, seq, ack, flags, paylen):
        if flags & RST:
            # Never learn from a RST: the other injector's crafted ones pass
            # this interface too, and a real one ends the connection anyway.
            return
        end = (seq + paylen + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)) & M32
        if flags & SYN:
            self.isn = seq
        if self.nxt is None or after(end, self.nxt):
            self.nxt = end
        if flags & ACK:
            self.ack = ack
        if paylen > 0:
            self.data_segments += 1


class Tap:
    def __init__(self, args):
        self.args = args
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((args.iface, 0))
        self.client_port = None
        self.client, self.server = End(), End()
        self.deadline = time.monotonic() + args.timeout

    def poll(self, until, cond=lambda: False):
        """Follow the connection's frames until monotonic time `until` (bounded
        by the deadline) or until cond() holds after a frame; return cond()."""
        a = self.args
        while not cond():
            left = min(until, self.deadline) - time.monotonic()
            if left <= 0:
                break
            readable, _, _ = select.select([self.sock], [], [], left)
            if not readable:
                break
            seg = parse(self.sock.recv(65535))
            if seg is None:
                continue
            mac_src, mac_dst, ip_src, ip_dst, sport, dport, seq, ack, flags, paylen = seg
            if self.client_port is None:
                if (ip_src, ip_dst, dport) != (a.client, a.server, a.port) or flags & (SYN | ACK) != SYN:
                    continue
                self.client_port = sport
                log(f"connection {a.client}:{sport} -> {a.server}:{a.port}, client ISN {seq}")
            if (ip_src, sport, ip_dst, dport) == (a.client, self.client_port, a.server, a.port):
                self.client.mac, self.server.mac = mac_src, mac_dst
                self.client.saw(seq, ack, flags, paylen)
            elif (ip_src, sport, ip_dst, dport) == (a.server, a.port, a.client, self.client_port):
                self.server.mac, self.client.mac = mac_src, mac_dst
                self.server.saw(seq, ack, flags, paylen)
        return cond()

    def wait(self, what, cond):
        if not self.poll(self.deadline, cond):
            log(f"timed out waiting for {what}")
            sys.exit(1)

    def send(self, toward, seq, ack, flags, why):
        a = self.args
        if toward == "client":   # impersonate the server
            src, dst = self.server, self.client
            addrs = (a.server, a.client, a.port, self.client_port)
        else:                    # impersonate the client
            src, dst = self.client, self.server
            addrs = (a.client, a.server, self.client_port, a.port)
        frame = build_frame(src.mac, dst.mac, *addrs, seq, ack, flags)
        self.sock.send(frame)
        name = "RST+ACK" if flags & ACK else "RST"
        log(f"{name} towards the {toward}: seq {seq & M32} ack {ack & M32 if flags & ACK else 0} ({why})")


def mode_syn_sent(tap, args):
    tap.wait("the client's SYN", lambda: tap.client_port is not None)
    isn = tap.client.isn
    seq = random.getrandbits(32)
    tap.send("client", seq, 0, RST, "bare RST, no ACK flag, in SYN_SENT")
    tap.poll(time.monotonic() + args.gap)
    ack = (isn + args.ack_offset) & M32
    tap.send("client", seq, ack, RST | ACK,
             f"ACK = client ISN + {args.ack_offset}, not ISN + 1, in SYN_SENT")


def mode_established(tap, args):
    plans = []
    for spec in args.rst:
        n, offset = spec.split(":")
        plans.append((int(n), int(offset)))
    for n, offset in sorted(plans):
        tap.wait(f"data segment {n} of the server", lambda: tap.server.data_segments >= n)
        tap.poll(time.monotonic() + args.settle)
        if args.toward == "client":
            rcv_nxt, snd_nxt = tap.server.nxt, tap.client.nxt
            who = "client"
        else:
            rcv_nxt, snd_nxt = tap.client.nxt, tap.server.nxt
            who = "server"
        tap.send(args.toward, rcv_nxt + offset, snd_nxt, RST | ACK,
                 f"the {who}'s rcv_nxt {rcv_nxt} {offset:+d}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["syn-sent", "established"])
    ap.add_argument("iface")
    ap.add_argument("--client", required=True, help="client IPv4 address")
    ap.add_argument("--server", required=True, help="server IPv4 address")
    ap.add_argument("--port", type=int, default=5000, help="server port")
    ap.add_argument("--toward", choices=["client", "server"], default="client",
                    help="established: the end that receives the RSTs")
    ap.add_argument("--rst", action="append", default=[], metavar="N:OFFSET",
                    help="established: after the N-th server data segment, seq = receiver's rcv_nxt + OFFSET")
    ap.add_argument("--settle", type=float, default=0.04,
                    help="established: seconds between the trigger segment and the RST")
    ap.add_argument("--ack-offset", type=int, default=1000, help="syn-sent: RST+ACK acks client ISN + this")
    ap.add_argument("--gap", type=float, default=0.001, help="syn-sent: seconds between the two RSTs")
    ap.add_argument("--timeout", type=float, default=15, help="bound on the whole run, seconds")
    ap.add_argument("--ready", help="create this file once the socket listens")
    args = ap.parse_args()
    if args.mode == "established" and not args.rst:
        ap.error("established needs at least one --rst N:OFFSET")

    tap = Tap(args)
    if args.ready:
        open(args.ready, "w").close()
    log(f"{args.mode} on {args.iface}, listening")
    if args.mode == "syn-sent":
        mode_syn_sent(tap, args)
    else:
        mode_established(tap, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
