#!/usr/bin/python3
"""Hostile captures for the facts harness: writes captures/hostile/*.pcap with
scapy's wrpcap (Debian python3-scapy; no traffic is sent). The .facts beside
them are written by hand from how each capture is built and docs/semantics.md.
Run: /usr/bin/python3 tests/robustness/make_hostile.py"""
from pathlib import Path
import random

from scapy.all import ARP, Dot1Q, Ether, GRE, ICMP, IP, IPv6, TCP, UDP, Raw, wrpcap
from scapy.layers.inet6 import ICMPv6DestUnreach

OUT = Path(__file__).resolve().parent.parent.parent / "captures" / "hostile"
C, S = "10.99.0.1", "10.99.0.2"
E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def at(pkts, t0=1700000000.0, step=0.01, times=None):
    for i, p in enumerate(pkts):
        p.time = times[i] if times else t0 + i * step
    return pkts


def hs(eth=E, c=C, s=S, sp=40000, dp=80, isn=1000, sisn=5000):
    return [eth / IP(src=c, dst=s) / TCP(sport=sp, dport=dp, flags="S", seq=isn),
            eth / IP(src=s, dst=c) / TCP(sport=dp, dport=sp, flags="SA", seq=sisn, ack=isn + 1),
            eth / IP(src=c, dst=s) / TCP(sport=sp, dport=dp, flags="A", seq=isn + 1, ack=sisn + 1)]


# Options as a Linux SYN / SYN-ACK carries them (20 bytes each), and the 12-byte
# timestamp block of later segments.
SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (100, 0)), ("NOP", None), ("WScale", 7)]
SYNACK_OPTS = [("MSS", 1412), ("SAckOK", b""), ("Timestamp", (200, 100)), ("NOP", None), ("WScale", 8)]


def ts(v, e):
    return [("NOP", None), ("NOP", None), ("Timestamp", (v, e))]


def clean_conn(eth=E, c=C, s=S, sp=40000, dp=80, isn=1000, sisn=5000):
    """10 frames: handshake with options, 100 bytes client->server, 200 bytes
    server->client, client FIN, server FIN+ACK (merged), client final ACK."""
    def cs(**kw):
        return eth / IP(src=c, dst=s) / TCP(sport=sp, dport=dp, **kw)

    def sc(**kw):
        return eth / IP(src=s, dst=c) / TCP(sport=dp, dport=sp, **kw)
    return [
        cs(flags="S", seq=isn, window=64240, options=SYN_OPTS),                       # 1 SYN
        sc(flags="SA", seq=sisn, ack=isn + 1, window=65160, options=SYNACK_OPTS),   # 2 SYN-ACK
        cs(flags="A", seq=isn + 1, ack=sisn + 1, options=ts(101, 200)),             # 3 handshake ACK
        cs(flags="PA", seq=isn + 1, ack=sisn + 1, options=ts(102, 200)) / Raw(b"q" * 100),   # 4 data
        sc(flags="A", seq=sisn + 1, ack=isn + 101, options=ts(201, 102)),           # 5 ACK
        sc(flags="PA", seq=sisn + 1, ack=isn + 101, options=ts(202, 102)) / Raw(b"r" * 200),  # 6 data
        cs(flags="A", seq=isn + 101, ack=sisn + 201, options=ts(103, 202)),         # 7 ACK
        cs(flags="FA", seq=isn + 101, ack=sisn + 201, options=ts(104, 202)),        # 8 FIN
        sc(flags="FA", seq=sisn + 201, ack=isn + 102, options=ts(203, 104)),        # 9 FIN+ACK
        cs(flags="A", seq=isn + 102, ack=sisn + 202, options=ts(105, 203)),         # 10 final ACK
    ]


def cut(pkt, caplen):
    """The packet's first caplen bytes as a raw frame (linktype Ethernet) whose
    original length stays the full packet's: a snaplen-truncated capture."""
    raw = bytes(pkt)
    r = Raw(raw[:caplen])
    r.time = pkt.time
    r.wirelen = len(raw)
    return r


def short_conn(c, s, sp, dp, isn, sisn, eth=E, wrap=None):
    """7 frames: SYN, SYN-ACK, ACK, 100 bytes client->server, client FIN,
    server FIN+ACK (acks data and FIN), client final ACK. wrap(ip_src, ip_dst)
    returns the outer layers for a tunnel (None: plain Ethernet/IP)."""
    def mk(src, dst, tcp):
        outer = wrap(src == c) if wrap else eth
        return outer / IP(src=src, dst=dst) / tcp
    return [
        mk(c, s, TCP(sport=sp, dport=dp, flags="S", seq=isn)),
        mk(s, c, TCP(sport=dp, dport=sp, flags="SA", seq=sisn, ack=isn + 1)),
        mk(c, s, TCP(sport=sp, dport=dp, flags="A", seq=isn + 1, ack=sisn + 1)),
        mk(c, s, TCP(sport=sp, dport=dp, flags="PA", seq=isn + 1, ack=sisn + 1) / Raw(b"d" * 100)),
        mk(c, s, TCP(sport=sp, dport=dp, flags="FA", seq=isn + 101, ack=sisn + 1)),
        mk(s, c, TCP(sport=dp, dport=sp, flags="FA", seq=sisn + 1, ack=isn + 102)),
        mk(c, s, TCP(sport=sp, dport=dp, flags="A", seq=isn + 102, ack=sisn + 2)),
    ]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # not TCP at all
    wrpcap(str(OUT / "not-tcp.pcap"), at([
        E / IP(src=C, dst=S) / UDP(sport=5353, dport=53) / Raw(b"x" * 20),
        Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(psrc=C, pdst=S),
        E / IP(src=S, dst=C) / UDP(sport=53, dport=5353) / Raw(b"y" * 20)]))
    # ICMP and ICMPv6 errors quoting TCP headers
    q4 = IP(src=C, dst=S) / TCP(sport=40000, dport=80, flags="S", seq=1000)
    q6 = IPv6(src="fd00::1", dst="fd00::2") / TCP(sport=40000, dport=80, flags="S", seq=1000)
    wrpcap(str(OUT / "icmp-quoting-tcp.pcap"), at([
        E / IP(src="10.99.0.254", dst=C) / ICMP(type=3, code=1) / q4,
        E / IPv6(src="fd00::fe", dst="fd00::1") / ICMPv6DestUnreach(code=3) / q6]))
    # TCP in VLAN: handshake
    v = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / Dot1Q(vlan=42)
    wrpcap(str(OUT / "vlan-handshake.pcap"), at(hs(eth=v)))
    # the SYN captured twice (same bytes, same time), then SYN-ACK and ACK
    h = hs()
    wrpcap(str(OUT / "duplicate-syn.pcap"),
           at([h[0], h[0].copy(), h[1], h[2]], times=[1700000000.0, 1700000000.0, 1700000000.05, 1700000000.1]))
    # illegal flags: SYN+FIN as the first packet
    wrpcap(str(OUT / "syn-fin.pcap"), at([
        E / IP(src=C, dst=S) / TCP(sport=40001, dport=80, flags="SF", seq=1000)]))

    # (a) snaplen: the clean connection with every frame cut right after the 20-byte
    # TCP header (14 Ethernet + 20 IP + 20 TCP = 54 bytes): options and payload gone.
    T = [1700000000.0 + x for x in (0, 0.05, 0.1, 0.11, 0.16, 0.17, 0.22, 0.30, 0.35, 0.40)]
    wrpcap(str(OUT / "snaplen-options-cut.pcap"),
           [cut(p, 54) for p in at(clean_conn(), times=T)], linktype=1)
    # ... and a variant: frames 4, 5, 7 cut inside the fixed TCP header (4, 13, 19 TCP
    # bytes); the other frames whole.
    frames = at(clean_conn(), times=T)
    inside = {4: 34 + 4, 5: 34 + 13, 7: 34 + 19}
    wrpcap(str(OUT / "snaplen-header-cut.pcap"),
           [cut(p, inside.get(i, len(bytes(p)))) for i, p in enumerate(frames, 1)], linktype=1)

    # (b) 2000 SYNs on one 4-tuple, distinct seeded random ISNs, 1 ms apart, no answer.
    rng = random.Random(20261121)
    isns, seen = [], set()
    while len(isns) < 2000:
        v = rng.getrandbits(32)
        if v not in seen:
            seen.add(v)
            isns.append(v)
    wrpcap(str(OUT / "syn-flood-one-tuple.pcap"), at(
        [E / IP(src=C, dst=S) / TCP(sport=40002, dport=80, flags="S", seq=v) for v in isns],
        step=0.001))

    # (c) 50 successive short connections on one 4-tuple, 100 ms apart, frames of one
    # connection 1 ms apart; ISNs increase by 1000000 per connection.
    pk, times = [], []
    for k in range(50):
        pk += short_conn(C, S, 40003, 80, 1000000 * (k + 1), 50000000 + 1000000 * k)
        times += [1700000000.0 + 0.1 * k + 0.001 * j for j in range(7)]
    wrpcap(str(OUT / "tuple-reused-many.pcap"), at(pk, times=times))

    # (d) the clean connection, the clock stepping back 1 s before frame 6 (data phase).
    TB = [1700000000.0 + x for x in (0, 0.05, 0.1, 0.11, 0.16, -0.83, -0.78, -0.70, -0.65, -0.60)]
    wrpcap(str(OUT / "time-backwards.pcap"), at(clean_conn(sp=40004), times=TB))

    # (e) mid-stream only: server data, client ACK, client data, server ACK, then a
    # four-way close (client FIN, server ACK, server FIN, client ACK). Ports 40005 / 80.
    def m_cs(**kw):
        return E / IP(src=C, dst=S) / TCP(sport=40005, dport=80, **kw)

    def m_sc(**kw):
        return E / IP(src=S, dst=C) / TCP(sport=80, dport=40005, **kw)
    wrpcap(str(OUT / "midstream-only.pcap"), at([
        m_sc(flags="PA", seq=7000, ack=3000) / Raw(b"s" * 100),   # 1
        m_cs(flags="A", seq=3000, ack=7100),                      # 2
        m_cs(flags="PA", seq=3000, ack=7100) / Raw(b"c" * 50),    # 3
        m_sc(flags="A", seq=7100, ack=3050),                      # 4
        m_cs(flags="FA", seq=3050, ack=7100),                     # 5 FIN (client)
        m_sc(flags="A", seq=7100, ack=3051),                      # 6 ACK of FIN
        m_sc(flags="FA", seq=7100, ack=3051),                     # 7 FIN (server)
        m_cs(flags="A", seq=3051, ack=7101)], step=0.02))         # 8 final ACK

    # (f) TCP in IP-in-IP (frames 1-7) and in GRE (frames 8-14); outer 192.0.2.1 <-> .2.
    def ipip(from_client):
        o = ("192.0.2.1", "192.0.2.2") if from_client else ("192.0.2.2", "192.0.2.1")
        return E / IP(src=o[0], dst=o[1])

    def gre(from_client):
        return ipip(from_client) / GRE()
    wrpcap(str(OUT / "ipip-and-gre.pcap"), at(
        short_conn("10.99.0.1", "10.99.0.2", 40006, 80, 1000, 5000, wrap=ipip)
        + short_conn("10.99.1.1", "10.99.1.2", 40007, 80, 2000, 6000, wrap=gre)))

    # (g) the clean connection (10 ms apart; client closes, server FIN+ACK 9, final
    # ACK 10), then the server re-sends its FIN 1000 times, 2 ms apart from t0 + 1 s,
    # and the client in TIME_WAIT re-acknowledges each copy 1 ms later: a chain of
    # 2000 kept packets after the close, every one drawing the close's times.
    # Ports 40008 / 80, ISNs 1000 / 5000; TSvals advance by one per copy.
    def f_cs(**kw):
        return E / IP(src=C, dst=S) / TCP(sport=40008, dport=80, **kw)

    def f_sc(**kw):
        return E / IP(src=S, dst=C) / TCP(sport=80, dport=40008, **kw)
    flood = clean_conn(sp=40008)
    times = [1700000000.0 + 0.01 * i for i in range(10)]
    for k in range(1000):
        flood += [f_sc(flags="FA", seq=5201, ack=1102, options=ts(204 + k, 105)),
                  f_cs(flags="A", seq=1102, ack=5202, options=ts(106 + k, 204 + k))]
        times += [1700000001.0 + 0.002 * k, 1700000001.0 + 0.002 * k + 0.001]
    wrpcap(str(OUT / "fin-flood-time-wait.pcap"), at(flood, times=times))

    # (h) an ICMP port unreachable from an off-path host (10.99.0.254) quoting the SYN
    # with seq 99999 (the client's ISN is 1000), between the SYN and the SYN-ACK of the
    # clean connection (port 40009): Wireshark's TCP takes the quoted SYN's other seq
    # for a new connection and gives the quote and everything after it a new tcp.stream.
    forged = IP(src=C, dst=S) / TCP(sport=40009, dport=80, flags="S", seq=99999)
    conn = clean_conn(sp=40009)
    wrpcap(str(OUT / "icmp-forged-syn-quote.pcap"), at(
        conn[:1] + [E / IP(src="10.99.0.254", dst=C) / ICMP(type=3, code=3) / forged] + conn[1:]))


if __name__ == "__main__":
    main()
