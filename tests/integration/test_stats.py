"""The -z views: -z tcplife,streams agrees with the per-packet fields, every
view prints the same in one pass and in two, the stats tree counts what the
capture holds, and ladders and SVGs come out whole."""

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

import contract
import harness

# streams column -> per-packet field carrying the same summary
ROW_FIELDS = {
    "rtt": "tcplife.handshake.rtt",
    "syn_retransmissions": "tcplife.handshake.syn_retransmissions",
    "client_bytes": "tcplife.data.client_bytes",
    "server_bytes": "tcplife.data.server_bytes",
    "close": "tcplife.close.type",
    "initiator": "tcplife.close.initiator",
    "close_duration": "tcplife.close.duration",
    "close_wait": "tcplife.close.close_wait",
    "time_wait": "tcplife.timewait.side",
    "icmp_error": "tcplife.icmp_error.text",
    "reset": "tcplife.close.reset_kind",
    "duration": "tcplife.duration",
}
# the analysis column names the experts on the connection's packets; the ICMP
# ones sit on the ICMP packets, and the icmp_error column tells of them
ANALYSIS = [e for e in contract.EXPERTS if not e.startswith("tcplife.analysis.icmp_error")]
# what the table prints where the packet shows no such field
ABSENT = {"initiator": "none", "time_wait": "none"}


def _captures():
    return [pytest.param(c, id=str(c)) for c in harness.find_captures()]


def _streams_json(staged, cap, two_pass):
    out = staged.tshark(["-q", "-r", cap, "-z", "tcplife,streams,json"], two_pass=two_pass)
    start = out.index("[")
    # numbers as written: a float would round the nanoseconds
    return json.loads(out[start:out.rindex("]") + 1], parse_float=str)


def _json_text(value):
    if value is None:
        return ""
    return str(value)


@pytest.mark.parametrize("rel", _captures())
def test_streams_agree_with_packet_fields(staged, rel):
    cap = staged.capture(rel)
    rows = _streams_json(staged, cap, two_pass=True)
    assert rows == _streams_json(staged, cap, two_pass=False), "single pass and two passes differ"

    fields = ["tcplife.stream"] + list(ROW_FIELDS.values()) + ANALYSIS
    args = ["-r", cap, "-Y", "tcplife", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in fields:
        args += ["-e", f]
    last, experts = {}, {}
    for line in staged.tshark(args, two_pass=True).splitlines():
        cols = line.split("\t")
        last[cols[0]] = dict(zip(fields[1:], cols[1:]))
        experts.setdefault(cols[0], set()).update(
            name.rsplit(".", 1)[1] for name, value in last[cols[0]].items() if name in ANALYSIS and value)

    counts = {}
    for row in rows:
        counts[row["stream"]] = counts.get(row["stream"], 0) + 1
    for row in rows:
        if counts[row["stream"]] > 1:
            continue    # several connections share the tcp.stream: no per-stream packet view
        packet = last[str(row["stream"])]
        for column, field in ROW_FIELDS.items():
            want = packet[field] or ABSENT.get(column, "")
            assert _json_text(row[column]) == want, f"stream {row['stream']} {column}"
        assert set(row["analysis"].split()) == experts[str(row["stream"])], f"stream {row['stream']} analysis"


def test_streams_handshake_answered_out_of_capture(staged):
    # mixed-vlan-mpls stream 0: only the client's side; its ACK 2 in SYN_SENT
    # proves a SYN-ACK arrived (captures/public/...mixed-vlan-mpls.pcap.facts)
    rows = _streams_json(staged, staged.capture("public/zeek__zeek__mixed-vlan-mpls.pcap"), two_pass=False)
    assert rows[0]["stream"] == 0 and rows[0]["handshake"] == "incomplete"


def test_streams_name_a_stale_connection(staged):
    # keepalive-stale: the server's kernel forgot the connection; the client's
    # first keep-alive probe got a bare RST, the connection's only close
    # (captures/keepalive-stale.facts)
    (row,) = _streams_json(staged, staged.capture("keepalive-stale.pcapng"), two_pass=False)
    assert (row["close"], row["reset"], row["analysis"]) == ("reset", "abort", "abort stale_connection")


def _tree_rows(text):
    """Every stats tree row as (indented name, count)."""
    return [m.groups() for line in text.splitlines()
            if (m := re.match(r"(\s*\S.*?)\s{2,}(\d+)\s", line))]


def _split_tree(text):
    """(the stats tree's rows, the rest of the text): the tree's rate and burst columns differ by pass."""
    head, sep, tail = text.partition("TCP Connection Lifecycle:\n")
    assert sep, "no stats tree in the output"
    rule = "\n" + "-" * 20
    table_start = tail.index(rule) + 1
    table_end = tail.index(rule, table_start)
    return _tree_rows(tail[table_start:table_end]), head + tail[table_end:]


@pytest.mark.parametrize("rel", _captures())
def test_views_same_in_one_and_two_passes(staged, rel):
    # a single pass moves each connection between tree rows as its story
    # unfolds; it must end with the rows and counts of two passes, emptied
    # rows included, and the same streams table and ladders
    cap = staged.capture(rel)
    args = ["-q", "-r", cap, "-z", "tcplife,tree", "-z", "tcplife,ladder,ascii", "-z", "tcplife,streams,csv"]
    rows, rest = _split_tree(staged.tshark(args))
    assert len(rows) > 40
    assert (rows, rest) == _split_tree(staged.tshark(args, two_pass=True))


def _tree_counts(text, node):
    """Children of a top-level stats tree node: {name: count}."""
    counts, inside = {}, False
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            inside = line.startswith(node + " ")
            continue
        if inside:
            m = re.match(r"\s+(\S.*?)\s{2,}(\d+)\s", line)
            if m:
                counts[m.group(1)] = int(m.group(2))
    return counts


@pytest.mark.parametrize("two_pass", [False, True], ids=["one-pass", "two-pass"])
def test_tree_counts_close_many(staged, two_pass):
    # close-many: 120 connections, the server closing at once (merged FIN+ACK)
    # and 300 ms after EOF (four-way) in turn (captures/README.md)
    text = staged.tshark(["-q", "-r", staged.capture("close-many.pcapng"), "-z", "tcplife,tree"],
                         two_pass=two_pass)
    assert _tree_counts(text, "Close type").get("three-way") == 60
    assert _tree_counts(text, "Close type").get("four-way") == 60
    assert _tree_counts(text, "Handshake outcome").get("complete") == 120
    assert _tree_counts(text, "TIME_WAIT held by").get("client") == 120
    assert _tree_counts(text, "Final state of the server end").get("CLOSED") == 120


@pytest.mark.parametrize("two_pass", [False, True], ids=["one-pass", "two-pass"])
def test_tree_counts_icmp_errors(staged, two_pass):
    # icmp-unreachable: four SYNs, each answered by an ICMP port unreachable only
    # (captures/icmp-unreachable.facts). The errors come after the SYNs, so a
    # single pass must move each connection when its error arrives.
    text = staged.tshark(["-q", "-r", staged.capture("icmp-unreachable.pcapng"), "-z", "tcplife,tree"],
                         two_pass=two_pass)
    counts = _tree_counts(text, "Handshake outcome")
    assert {name: n for name, n in counts.items() if n} == {"ICMP error": 4}
    assert len(counts) == 7     # every outcome has its row


def test_tree_counts_refused_and_reuse(staged):
    text = staged.tshark(["-q", "-r", staged.capture("refused.pcapng"), "-z", "tcplife,tree"])
    assert _tree_counts(text, "Handshake outcome").get("refused") == 1
    # timewait-client-reuse: four connections from one port, each of the
    # later three inside the previous one's TIME_WAIT, with timestamps (safe)
    text = staged.tshark(["-q", "-r", staged.capture("timewait-client-reuse.pcapng"),
                          "-z", "tcplife,tree"])
    assert _tree_counts(text, "TIME_WAIT reuse of the 4-tuple").get("inside 2MSL, safe") == 3


def test_ladder_of_merged_close(staged):
    # close-merged: client FIN 8, server FIN+ACK 9, final ACK 10 (captures/close-merged.facts)
    text = staged.tshark(["-q", "-r", staged.capture("close-merged.pcapng"),
                          "-z", "tcplife,ladder,ascii"])
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    arrow = {int(m.group(1)): line for line in lines
             if (m := re.match(r"\s*\d+\.\d+\s+(\d+)\s", line))}
    assert sorted(arrow) == [1, 2, 3, 8, 9, 10]
    assert "FIN_WAIT_1" in arrow[8] and "CLOSE_WAIT" in arrow[8] and "--->|" in arrow[8]
    assert "TIME_WAIT" in arrow[9] and "LAST_ACK" in arrow[9] and "|<---" in arrow[9]
    assert any("three-way close" in line for line in lines)
    assert any("data segments" in line for line in lines)


def test_ladder_svg(staged):
    out_dir = staged.root / "svg"
    out_dir.mkdir(exist_ok=True)
    os.chmod(out_dir, 0o777)
    staged.tshark(["-q", "-r", staged.capture("close-simultaneous.pcapng"),
                   "-z", f"tcplife,ladder,svg={out_dir}"])
    files = sorted(out_dir.glob("*.svg"))
    assert len(files) == 1
    root = ET.parse(files[0]).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    arrows = [e for e in root.iter(ns + "line") if e.get("marker-end")]
    # close-simultaneous: SYN, SYN-ACK, ACK, FIN, FIN, two ACKs of FIN (captures/close-simultaneous.facts)
    assert len(arrows) == 7
    texts = " ".join(t.text or "" for t in root.iter(ns + "text"))
    assert "CLOSING" in texts and "simultaneous close" in texts
