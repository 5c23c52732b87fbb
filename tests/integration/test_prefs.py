"""The preferences: 2MSL on both sides of the boundary; the connection summary
on every packet or on lifecycle packets only.

captures/timewait-after-2msl.pcapng: the client's final ACK (frame 10) starts
its TIME_WAIT at t 0.302508; the same 4-tuple's next SYN (frame 11) comes at
t 3.202291, 2.8998 s later (captures/timewait-after-2msl.facts)."""

import pytest

CAPTURE = "timewait-after-2msl.pcapng"
GAP = 3.202291 - 0.302508


def _syn_row(staged, time_wait, two_pass):
    args = ["-o", f"tcplife.time_wait:{time_wait}", "-r", staged.capture(CAPTURE),
            "-Y", 'tcplife.event == "SYN" && frame.number == 11', "-T", "fields",
            "-e", "tcplife.timewait.reuse", "-e", "tcplife.timewait.reuse_after",
            "-e", "tcplife.timewait.remaining", "-e", "tcplife.analysis.timewait_reuse"]
    out = staged.tshark(args, two_pass=two_pass).rstrip("\n")
    reuse, after, remaining, expert = out.split("\t")
    return reuse, float(after), float(remaining), expert


@pytest.mark.parametrize("two_pass", [False, True], ids=["one-pass", "two-pass"])
@pytest.mark.parametrize("time_wait,inside", [(2, False), (4, True), (60, True)])
def test_time_wait_boundary(staged, time_wait, inside, two_pass):
    reuse, after, remaining, expert = _syn_row(staged, time_wait, two_pass)
    assert after == pytest.approx(GAP, abs=0.001)
    assert remaining == pytest.approx(time_wait - GAP, abs=0.001)
    assert (reuse == "1") == inside
    assert bool(expert) == inside


def test_default_is_linux_60s(staged):
    out = staged.tshark(["-r", staged.capture(CAPTURE), "-Y", "frame.number == 11",
                         "-T", "fields", "-e", "tcplife.timewait.remaining"]).strip()
    assert float(out) == pytest.approx(60 - GAP, abs=0.001)


# captures/close-four-way.facts, by hand: frames 4-7 are the plain data and ACK
# packets; 1-3 are the handshake, 8-11 the four-way close.
FOUR_WAY = "close-four-way.pcapng"
LIFECYCLE_FRAMES = [1, 2, 3, 8, 9, 10, 11]


def _frames(staged, display_filter, summary, two_pass):
    args = ["-o", f"tcplife.summary_on_every_packet:{'TRUE' if summary else 'FALSE'}",
            "-r", staged.capture(FOUR_WAY), "-Y", display_filter, "-T", "fields", "-e", "frame.number"]
    return [int(x) for x in staged.tshark(args, two_pass=two_pass).split()]


@pytest.mark.parametrize("two_pass", [False, True], ids=["one-pass", "two-pass"])
def test_summary_on_lifecycle_packets_only(staged, two_pass):
    for summary_field in ("tcplife.handshake", "tcplife.close.type", "tcplife.data", "tcplife.duration"):
        assert _frames(staged, summary_field, True, two_pass) == list(range(1, 12)), summary_field
        assert _frames(staged, summary_field, False, two_pass) == LIFECYCLE_FRAMES, summary_field
    # The per-packet fields stay on every packet.
    for packet_field in ("tcplife.event", "tcplife.client_state", "tcplife.stream"):
        assert _frames(staged, packet_field, False, two_pass) == list(range(1, 12)), packet_field
