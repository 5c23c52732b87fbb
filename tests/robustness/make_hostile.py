#!/usr/bin/python3
"""Hostile captures for the facts harness: writes captures/hostile/*.pcap with
scapy's wrpcap (Debian python3-scapy; no traffic is sent). The .facts beside
them are written by hand from how each capture is built and docs/semantics.md.
Run: /usr/bin/python3 tests/robustness/make_hostile.py"""
from pathlib import Path
from scapy.all import ARP, Dot1Q, Ether, ICMP, IP, IPv6, TCP, UDP, Raw, wrpcap
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


if __name__ == "__main__":
    main()
