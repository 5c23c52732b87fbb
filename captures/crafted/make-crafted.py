#!/usr/bin/python3
"""Write the crafted tcplife test captures (packets no real stack sends).

    /usr/bin/python3 captures/crafted/make-crafted.py [OUTDIR]

Uses Debian's python3-scapy (2.5) only to build frames and write pcap files
with wrpcap: nothing is sent anywhere. Everything is fixed (addresses from the
documentation ranges, ports, ISNs, TSvals, times), so the output is the same
byte for byte on every run.

Conventions (as for the real-stack captures in captures/):
- The capture point is the client, 50 ms one-way delay: a reply to a packet
  the client sends at t is seen at t + 0.100200 (0.2 ms server processing);
  the client answers what it receives after 0.1 ms (0.000100).
- Client 192.0.2.1 / 2001:db8::1, server 198.51.100.2 / 2001:db8:1::2.
- SYN options as Linux: MSS, SACK_PERM, TS, NOP, WS. Client MSS 1460 (1440
  over IPv6) WS 7; server MSS 1412 (1392 over IPv6) WS 8. With timestamps
  negotiated, every later segment carries NOP NOP TS. TSval = base + ms on
  the sender's clock (client base 1000000, server base 5000000), TSecr = the
  last TSval the sender has seen from its peer.
- Every file starts at epoch T0 = 1700000000; the times below are relative.
"""
import os
import sys
from decimal import Decimal

from scapy.all import Ether, ICMP, IP, IPv6, IPv6ExtHdrFragment, TCP, Raw, fragment, fragment6, wrpcap

T0 = Decimal(1700000000)
C, S = 0, 1
MAC = {C: '02:00:00:00:00:01', S: '02:00:00:00:00:02'}
V4 = {C: '192.0.2.1', S: '198.51.100.2'}
V6 = {C: '2001:db8::1', S: '2001:db8:1::2'}
TS_BASE = {C: 1000000, S: 5000000}
M32 = 0xffffffff


def D(x):
    """Seconds as an exact Decimal (microsecond resolution in pcap)."""
    return Decimal(str(x))


class Conn:
    """One TCP connection; c() / s() append a frame sent by client / server.

    seq defaults to the sender's next sequence number (advanced by payload,
    SYN and FIN), ack to everything the peer has sent so far. Pass seq= / ack=
    to craft the anomaly; advance=False leaves the sender's snd_nxt alone
    (retransmissions, old duplicates)."""

    def __init__(self, out, cport, sport, cisn, sisn, v6=False, ts=True, ips=None):
        self.out = out
        self.port = {C: cport, S: sport}
        self.nxt = {C: cisn, S: sisn}
        self.isn = {C: cisn, S: sisn}
        self.v6 = v6
        self.ip = ips or (V6 if v6 else V4)
        self.ts = ts                      # timestamps in use on this connection
        self.last_tsval = {C: 0, S: 0}    # last TSval each end sent
        self.mss = {C: 1440 if v6 else 1460, S: 1392 if v6 else 1412}
        self.ws = {C: 7, S: 8}

    def tsval(self, who, t):
        return (TS_BASE[who] + int(D(t) * 1000)) & M32

    def pkt(self, who, t, flags, payload=b'', seq=None, ack=None, advance=True,
            ts=None, echo=None, urgptr=0):
        peer = S if who == C else C
        if seq is None:
            seq = self.nxt[who]
        has_ack = 'A' in flags
        if ack is None:
            ack = self.nxt[peer] if has_ack else 0
        use_ts = self.ts if ts is None else ts
        opts = []
        tsv = self.tsval(who, t)
        if echo is None:
            echo = self.last_tsval[peer] if has_ack else 0
        if 'S' in flags:
            opts = [('MSS', self.mss[who]), ('SAckOK', b'')]
            if use_ts:
                opts.append(('Timestamp', (tsv, echo)))
            else:
                opts += [('NOP', None), ('NOP', None)]
            opts += [('NOP', None), ('WScale', self.ws[who])]
        elif use_ts and 'R' not in flags:
            opts = [('NOP', None), ('NOP', None), ('Timestamp', (tsv, echo))]
        if use_ts and 'R' not in flags:
            self.last_tsval[who] = tsv
        win = 64240 if flags == 'S' else (65160 if flags == 'SA' else 502)
        if 'R' in flags:
            win = 0
        l3 = (IPv6(src=self.ip[who], dst=self.ip[peer], hlim=64) if self.v6 else
              IP(src=self.ip[who], dst=self.ip[peer], ttl=64, id=0, flags='DF'))
        tcp = TCP(sport=self.port[who], dport=self.port[peer], seq=seq & M32, ack=ack & M32,
                  flags=flags, window=win, options=opts, urgptr=urgptr)
        p = Ether(src=MAC[who], dst=MAC[peer]) / l3 / tcp
        if payload:
            p = p / Raw(payload)
        p.time = T0 + D(t)
        if advance:
            self.nxt[who] = (seq + len(payload) + ('S' in flags) + ('F' in flags)) & M32
        self.out.append(p)
        return p

    def c(self, t, flags, payload=b'', **kw):
        return self.pkt(C, t, flags, payload, **kw)

    def s(self, t, flags, payload=b'', **kw):
        return self.pkt(S, t, flags, payload, **kw)

    # ---- building blocks (all clean) ----
    def handshake(self, t):
        """SYN at t, SYN-ACK at t+0.1002, ACK at t+0.1003. Returns the ACK's time."""
        self.c(t, 'S')
        self.s(t + 0.1002, 'SA')
        self.c(t + 0.1003, 'A')
        return t + 0.1003

    def exchange(self, t, up=100, down=200):
        """Client request at t; server response (acks it) at t+0.1002; client ACK 0.1 ms later."""
        self.c(t, 'PA', b'Q' * up)
        self.s(t + 0.1002, 'PA', b'R' * down)
        self.c(t + 0.1003, 'A')
        return t + 0.1003

    def merged_close(self, t):
        """Client FIN at t; server FIN+ACK at t+0.1002; client final ACK 0.1 ms later."""
        self.c(t, 'FA')
        self.s(t + 0.1002, 'FA')
        self.c(t + 0.1003, 'A')
        return t + 0.1003

    def four_way_close(self, t, server_delay=0.3):
        """Client FIN at t; server ACK alone at t+0.1002; server FIN server_delay later; final ACK."""
        self.c(t, 'FA')
        self.s(t + 0.1002, 'A')
        self.s(t + 0.1002 + server_delay, 'FA')
        self.c(t + 0.1003 + server_delay, 'A')
        return t + 0.1003 + server_delay


# ---------------------------------------------------------------------------
# 1. synack-wrong-ack
def synack_wrong_ack(out):
    # Port 40001: SYN ISN 1000; the SYN-ACK acks 1005 instead of 1001. A real client in
    # SYN-SENT answers an unacceptable ACK with <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.3)
    # and the application retries from a new port.
    a = Conn(out, 40001, 80, 1000, 3000000000)
    a.c(0, 'S')                                   # 1
    a.s(0.1002, 'SA', ack=1005)                   # 2  wrong: expected 1001
    a.c(0.1003, 'R', seq=1005, advance=False)     # 3  RST, seq = SEG.ACK, no ACK flag
    # Port 40002 one second later: clean.
    b = Conn(out, 40002, 80, 2000000, 3100000000)
    t = b.handshake(1.0)                          # 4-6
    t = b.exchange(t + 0.0001)                    # 7-9
    b.merged_close(t + 0.05)                      # 10-12


# 2. handshake-ack-wrong
def handshake_ack_wrong(out):
    a = Conn(out, 40003, 80, 100000, 200000000)
    a.c(0, 'S')                                   # 1
    a.s(0.1002, 'SA')                             # 2  right: ack 100001
    a.c(0.1003, 'A', ack=200000000 + 5)           # 3  wrong third ACK: server ISN + 5
    # the server retransmits its SYN-ACK 1 s after the first one (same ISN, same TSecr:
    # the SYN's TSval)
    a.s(1.1002, 'SA', seq=200000000, advance=False, echo=a.tsval(C, 0))   # 4
    a.c(1.1003, 'A')                              # 5  right: ack 200000001
    t = a.exchange(1.1004)                        # 6-8
    a.merged_close(t + 0.05)                      # 9-11


# 3. simultaneous-open
def simultaneous_open(out):
    # A = 192.0.2.1:5000 (capture point), B = 198.51.100.2:6000. Both call connect() at the
    # same instant: A's SYN leaves at 0, B's SYN (sent at the same time) reaches A at 0.050.
    # Each answers the other's SYN with a SYN-ACK (seq = own ISN, ack = peer ISN + 1): A's at
    # 0.0501, B's (sent when A's SYN reached B) reaches A at 0.1000. No further ACK is needed.
    a = Conn(out, 5000, 6000, 700000000, 900000000)
    a.c(0, 'S')                                   # 1  A's SYN (A is the client: first SYN)
    a.s(0.05, 'S')                                # 2  B's own SYN, no ACK
    a.c(0.0501, 'SA', seq=700000000, ack=900000001, advance=False)   # 3
    a.s(0.1000, 'SA', seq=900000000, ack=700000001, advance=False)   # 4
    t = a.exchange(0.1001)                        # 5-7
    a.four_way_close(t + 0.05)                    # 8-11


# 4. syn-fin
def syn_fin(out):
    # A SYN+FIN probe to the open port 80 (ISN 5000); the server ignores the FIN and answers
    # SYN-ACK acking 5001; the prober resets (seq 5001, no ACK).
    a = Conn(out, 40004, 80, 5000, 4000000000)
    a.c(0, 'SF', advance=False)                   # 1
    a.s(0.1002, 'SA', ack=5001)                   # 2
    a.c(0.1003, 'R', seq=5001, advance=False)     # 3
    # A null packet (no flag at all) to port 81: the closed port answers RST+ACK
    # (seq 0, ack = SEG.SEQ + 0).
    b = Conn(out, 40005, 81, 6000, 0, ts=False)
    b.c(1.0, '', advance=False)                   # 4
    b.s(1.1002, 'RA', seq=0, ack=6000)            # 5
    # Xmas: FIN+PSH+URG, no ACK, to port 82: RST+ACK acking the FIN (7001).
    x = Conn(out, 40006, 82, 7000, 0, ts=False)
    x.c(2.0, 'FPU', advance=False)                # 6
    x.s(2.1002, 'RA', seq=0, ack=7001)            # 7


# 5. fin-ack-off-by-one
def fin_ack_off_by_one(out):
    # client ISN 1100000, server ISN 2200000. Handshake legs: SYN->SYN-ACK 100.2 ms,
    # SYN-ACK->ACK 0.1 ms. The wrong final ACK (frame 9) acknowledges nothing new (ack = the
    # server FIN's own seq, already acked by frame 6), is a pure ACK, and comes 300 ms after
    # the server's FIN+ACK (frame 8): more than 2 x either leg + 1 ms (1.2 ms or 201.4 ms),
    # and before the FIN retransmission (frame 10), so it is unambiguously wrong.
    a = Conn(out, 40007, 80, 1100000, 2200000)
    t = a.handshake(0)                            # 1-3
    t = a.exchange(t + 0.0001)                    # 4-6   (t = 0.200700)
    a.c(0.25, 'FA')                               # 7  client FIN seq 1100101
    fin = a.s(0.3502, 'FA')                       # 8  server FIN+ACK seq 2200201, ack 1100102
    f = fin[TCP].seq
    a.c(0.6502, 'A', ack=f)                       # 9  wrong: ack 2200201 (missing the +1)
    a.s(0.9502, 'FA', seq=f, advance=False)       # 10 server re-sends its FIN 300 ms later
    a.c(0.9503, 'A', ack=f + 1)                   # 11 right final ACK 2200202


# 6. ack-beyond-fin
def ack_beyond_fin(out):
    # HTTP/1.0 style: the server closes first. client ISN 1300000, server ISN 2400000.
    a = Conn(out, 40008, 80, 1300000, 2400000)
    t = a.handshake(0)                            # 1-3
    a.c(0.1004, 'PA', b'Q' * 100)                 # 4  request
    a.s(0.2006, 'PA', b'R' * 300)                 # 5  response, seq 2400001
    fin = a.s(0.2007, 'FA')                       # 6  server FIN seq 2400301
    f = fin[TCP].seq
    a.c(0.2008, 'A', ack=f + 10)                  # 7  wrong: ack 2400311, beyond the FIN
    # RFC 9293: an ACK of something not yet sent is answered by an ACK and dropped
    a.s(0.3010, 'A')                              # 8  server ACK, seq 2400302, ack 1300101
    a.c(0.3011, 'A', ack=f + 1)                   # 9  right: ack 2400302
    a.c(0.5011, 'FA')                             # 10 client FIN seq 1300101
    a.s(0.6013, 'A')                              # 11 server final ACK 1300102


# 7. seq-wrap-close
def seq_wrap_close(out):
    # IPv6. client ISN 4294967290, server ISN 4294967000: the 100-byte request
    # (seq 4294967291..) and the 300-byte response (seq 4294967001..) both cross 2^32.
    # Client FIN seq 95, server FIN+ACK seq 5 ack 96, final ACK ack 6.
    a = Conn(out, 40009, 443, 4294967290, 4294967000, v6=True)
    t = a.handshake(0)                            # 1-3
    t = a.exchange(t + 0.0001, up=100, down=300)  # 4-6
    a.merged_close(t + 0.05)                      # 7-9


# 8. reuse-after-rst-same-isn
def reuse_after_rst_same_isn(out):
    # client 192.0.2.1:40010 -> :80, ISN 3300000 both times; server ISN 4400000, then 5500000.
    a = Conn(out, 40010, 80, 3300000, 4400000)
    t = a.handshake(0)                            # 1-3
    a.c(0.1004, 'PA', b'Q' * 100)                 # 4
    a.s(0.2006, 'PA', b'R' * 200)                 # 5
    a.c(0.2007, 'RA')                             # 6  client aborts (SO_LINGER 0): RST+ACK
    # 2 s later: same 4-tuple, same client ISN (a stack with a fixed ISN), new server ISN
    b = Conn(out, 40010, 80, 3300000, 5500000)
    b.last_tsval[C] = a.last_tsval[C]
    t = b.handshake(2.2007)                       # 7-9
    t = b.exchange(t + 0.0001)                    # 10-12
    b.merged_close(t + 0.05)                      # 13-15


# 9. timewait-reuse-unsafe
def timewait_reuse_unsafe(out):
    # Pair A, port 40011: old connection with timestamps, client ISN 2000000000, closes first
    # (merged): client in TIME_WAIT from frame 8, final ACK 9; its last seq (snd_nxt) is
    # 2000000102. 5 s after the final ACK a new SYN on the same 4-tuple, ISN 1500000000
    # (below the old ISN and last seq) and NO timestamp option: RFC 6191 unsafe.
    a1 = Conn(out, 40011, 80, 2000000000, 600000000)
    t = a1.handshake(0)                           # 1-3
    t = a1.exchange(t + 0.0001)                   # 4-6
    t = a1.merged_close(t + 0.05)                 # 7-9   final ACK at 0.351
    a2 = Conn(out, 40011, 80, 1500000000, 610000000, ts=False)
    t = a2.handshake(t + 5.0)                     # 10-12 SYN at 5.351
    t = a2.exchange(t + 0.0001)                   # 13-15
    a2.merged_close(t + 0.05)                     # 16-18
    # Pair B, port 40012, same pattern 10 s in, but the new ISN 2100100000 is above the old
    # connection's (ISN 2100000000, last seq 2100000102): safe. No timestamps on the new SYN
    # either, so the ISN alone decides.
    b1 = Conn(out, 40012, 80, 2100000000, 620000000)
    t = b1.handshake(10.0)                        # 19-21
    t = b1.exchange(t + 0.0001)                   # 22-24
    t = b1.merged_close(t + 0.05)                 # 25-27 final ACK at 10.351
    b2 = Conn(out, 40012, 80, 2100100000, 630000000, ts=False)
    t = b2.handshake(t + 5.0)                     # 28-30 SYN at 15.351
    t = b2.exchange(t + 0.0001)                   # 31-33
    b2.merged_close(t + 0.05)                     # 34-36


# 10. timewait-assassination
def timewait_assassination(out):
    # client ISN 7700000, server ISN 8800000; merged close, client in TIME_WAIT from frame 8.
    # 1 s after the final ACK the server sends a bare RST (seq = its FIN seq + 1, in the
    # client's window): the RFC 1337 hazard.
    a = Conn(out, 40013, 80, 7700000, 8800000)
    t = a.handshake(0)                            # 1-3
    t = a.exchange(t + 0.0001)                    # 4-6
    t = a.merged_close(t + 0.05)                  # 7-9  final ACK at 0.351
    a.s(t + 1.0, 'R', ack=0)                      # 10 RST seq 8800202, no ACK flag


# 11. late-segment
def late_segment(out):
    # IPv6. client ISN 9900000, server ISN 11000000; four-way close; 2 s after the final
    # ACK a copy of the server's data segment (frame 5: seq 11000001, 200 bytes, same ack)
    # arrives; the client in TIME_WAIT answers with a duplicate ACK (RFC 9293 3.10.7.4).
    a = Conn(out, 40014, 80, 9900000, 11000000, v6=True)
    t = a.handshake(0)                            # 1-3
    t = a.exchange(t + 0.0001)                    # 4-6
    t = a.four_way_close(t + 0.05)                # 7-10 final ACK at 0.651
    old = out[4]
    dup = old.copy()
    dup.time = T0 + D(t + 2.0)
    out.append(dup)                               # 11 old server data
    a.c(t + 2.0001, 'A')                          # 12 client duplicate ACK (seq 9900102, ack 11000202)


# 12. ip-fragments
def ip_fragments(out):
    # A request too big for the path, sent without DF, arrives as IP fragments; Wireshark
    # dissects its TCP header only in the frame that completes the reassembly, from the
    # reassembled datagram (a data source of its own). IPv4 first, then the same over IPv6.
    for v6, cport, cisn, sisn, t0 in ((False, 40020, 1000000, 2000000, 0), (True, 40021, 3000000, 4000000, 2)):
        a = Conn(out, cport, 80, cisn, sisn, v6=v6)
        t = a.handshake(t0)                       # 1-3 / 13-15
        req = a.c(t + 0.0001, 'PA', b'Q' * 3000)  # one 3000-byte segment ...
        out.pop()
        if v6:
            eth, ip6 = Ether(src=req.src, dst=req.dst), req[IPv6]
            tcp = ip6.payload
            ip6.remove_payload()
            frags = fragment6(eth / ip6 / IPv6ExtHdrFragment(id=7) / tcp, 1280)
        else:
            req[IP].flags = 0                     # DF off: routers may fragment
            req[IP].id = 77
            frags = fragment(req, fragsize=1480)
        for i, f in enumerate(frags):             # ... in 3 fragments, 0.1 ms apart
            f.time = T0 + D(t + 0.0001 + i * 0.0001)
            out.append(f)                         # 4-6 / 16-18
        t = t + 0.0001 + (len(frags) - 1) * 0.0001
        a.s(t + 0.1002, 'A')                      # 7 / 19: server ACKs the 3000 bytes
        a.s(t + 0.1003, 'PA', b'R' * 200)         # 8 / 20
        t = a.c(t + 0.1004, 'A').time - T0        # 9 / 21
        a.merged_close(float(t) + 0.05)           # 10-12 / 22-24


# 13. icmp-errors
def icmp_errors(out):
    # IPv4, client ISN 3000, server ISN 7000000, port 40022 -> 80; handshake 1-3. The client's
    # first request (frame 4, seq 3001, 1400 bytes, DF) meets a router (192.0.2.254) whose next
    # hop takes 1280 bytes: fragmentation needed (frame 5, type 3 code 4, MTU 1280) quoting it,
    # the first 64 bytes of its payload included. The client re-sends the same bytes as
    # 1200 + 200 (6, 7). Then an off-path host (203.0.113.9) sends a forged port unreachable
    # (frame 8) quoting a client segment with seq 53000, which the client never sent (RFC 5927:
    # a stack drops it). The server ACKs the request (9) and the connection closes merged
    # (10-12: client FIN, server FIN+ACK, final ACK). (A forged quote of a SYN with another
    # seq would make Wireshark's TCP start a new tcp.stream: not what this capture tests.)
    a = Conn(out, 40022, 80, 3000, 7000000)

    def icmp_from(src, t, code, quoted, **kw):
        p = (Ether(src='02:00:00:00:00:fe', dst=MAC[C]) / IP(src=src, dst=V4[C], ttl=64, id=0)
             / ICMP(type=3, code=code, **kw) / quoted)
        p.time = T0 + D(t)
        out.append(p)

    t = a.handshake(0)                                                    # 1-3
    req = a.c(0.2, 'PA', b'Q' * 1400, advance=False)                      # 4
    quote = req[IP].copy()
    quote[TCP].remove_payload()
    icmp_from('192.0.2.254', 0.2011, 4, quote / Raw(b'Q' * 64), nexthopmtu=1280)   # 5
    a.c(0.2012, 'PA', b'Q' * 1200)                                        # 6
    data = a.c(0.2013, 'PA', b'Q' * 200)                                  # 7
    forged = data[IP].copy()
    forged[TCP].seq = 53000
    forged[TCP].remove_payload()
    del forged[TCP].chksum
    icmp_from('203.0.113.9', 0.25, 3, forged)                             # 8
    a.s(0.3015, 'A')                                                      # 9
    a.merged_close(0.4)                                                   # 10-12


# 14. half-close-crossing-fins
def half_close_crossing_fins(out):
    # IPv4, client ISN 4400000, server ISN 6600000, port 40024 -> 80; handshake 1-3. The
    # server's ACK of the client's FIN (frame 4, ack 4400002) is captured before that FIN
    # (frame 5, seq 4400001): reordered on the way to the capture point. The server, knowing
    # of the FIN, sends 10 new bytes (6) and 10 more (7), both with the older ack 4400001,
    # then its own FIN (8, seq 6600021, ack 4400001), whose ACK does not cover the client's
    # FIN: the FINs look crossed. Found by review: the crossing rewrites the server's
    # CLOSE_WAIT in the frames before it, which a later pass must not read as "not after FIN".
    a = Conn(out, 40024, 80, 4400000, 6600000, ts=False)
    t = a.handshake(0)                                          # 1-3
    a.s(t + 0.05, 'A', ack=4400002)                             # 4 ACK of the FIN, early
    a.c(t + 0.0501, 'FA')                                       # 5 client FIN, seq 4400001
    a.s(t + 0.06, 'PA', b'x' * 10, ack=4400001)                 # 6 data after FIN
    a.s(t + 0.07, 'PA', b'y' * 10, ack=4400001)                 # 7 data after FIN
    a.s(t + 0.08, 'FA', ack=4400001)                            # 8 server FIN


CAPTURES = [
    ('synack-wrong-ack', synack_wrong_ack),
    ('handshake-ack-wrong', handshake_ack_wrong),
    ('simultaneous-open', simultaneous_open),
    ('syn-fin', syn_fin),
    ('fin-ack-off-by-one', fin_ack_off_by_one),
    ('ack-beyond-fin', ack_beyond_fin),
    ('seq-wrap-close', seq_wrap_close),
    ('reuse-after-rst-same-isn', reuse_after_rst_same_isn),
    ('timewait-reuse-unsafe', timewait_reuse_unsafe),
    ('timewait-assassination', timewait_assassination),
    ('late-segment', late_segment),
    ('ip-fragments', ip_fragments),
    ('icmp-errors', icmp_errors),
    ('half-close-crossing-fins', half_close_crossing_fins),
]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, build in CAPTURES:
        pkts = []
        build(pkts)
        wrpcap(os.path.join(outdir, name + '.pcap'), pkts)
        print(f'{name}.pcap: {len(pkts)} frames')


if __name__ == '__main__':
    main()
