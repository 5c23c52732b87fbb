"""tcplife.stream is tcp.stream (issue #2's contract), on every capture.

tcplife finds TCP's conversation for a packet through a cache that it checks
against what TCP did in that very frame (tcp-layers.c). The cache is used on
the first pass, so each capture is read once, single-pass, and every frame's
tcplife.stream values (one per analysed TCP layer; on an ICMP error,
tcplife.icmp_error.stream) must be among the frame's tcp.stream values -- the
same value when the frame has one TCP layer. The captures include 4-tuples
reused by new tcp.streams (hostile/tuple-reused-many, syn-flood-one-tuple,
icmp-forged-syn-quote), where a stale cache would give the old stream."""

import pytest

import harness


def _captures():
    caps = harness.find_captures()
    if not caps:
        return [pytest.param(None, id="no-captures", marks=pytest.mark.skip(reason="no captures"))]
    return [pytest.param(c, id=str(c)) for c in caps]


FIELDS = ["frame.number", "tcp.stream", "tcplife.stream", "tcplife.icmp_error.stream"]


@pytest.mark.parametrize("capture", _captures())
def test_tcplife_stream_is_tcp_stream(staged, capture):
    args = ["-r", staged.capture(capture), "-T", "fields", "-E", "separator=\t",
            "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        args += ["-e", f]
    bad = []
    for line in staged.tshark(args).splitlines():
        frame, tcp, life, icmp = (line.split("\t") + [""] * 4)[:4]
        tcp_streams = [s for s in tcp.split(",") if s]
        for s in [s for s in (life + "," + icmp).split(",") if s]:
            if s not in tcp_streams or (len(tcp_streams) == 1 and s != tcp_streams[0]):
                bad.append(f"frame {frame}: tcp.stream {tcp or '-'}, tcplife {life or '-'}, icmp_error {icmp or '-'}")
    if bad:
        pytest.fail(f"captures/{capture}: {len(bad)} frames\n  " + "\n  ".join(bad[:25]), pytrace=False)
