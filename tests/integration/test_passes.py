"""First-pass decisions read the same in one pass and in two passes.

Every capture under captures/ is read once with plain `tshark -r` and once
with `tshark -2`, printing contract.FIRST_PASS_FIELDS per frame; the two
outputs must be identical (practices fact 0.7 shows why this is not a given).
The only exceptions are the documented amendments in
contract.PASS_EXEMPTIONS (docs/semantics.md, "Simultaneous close": between
the two crossing FINs the second closer reads CLOSE_WAIT in one pass and
ESTABLISHED in two; likewise a FIN re-sent into TIME_WAIT and a SYN-ACK
re-sent after the handshake ACK), which exempt the named fields on the
affected streams only."""

import pytest

import harness
from contract import FIRST_PASS_FIELDS, PASS_EXEMPTIONS

MAX_REPORTED = 25


def _captures():
    caps = harness.find_captures()
    if not caps:
        return [pytest.param(None, id="no-captures", marks=pytest.mark.skip(reason="no captures"))]
    return [pytest.param(c, id=str(c)) for c in caps]


def _fields_args(fields):
    args = ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    return args


def _rows(stdout, width):
    rows = []
    for line in stdout.splitlines():
        cols = line.split("\t")
        if len(cols) != width:
            pytest.fail(f"tshark printed {len(cols)} columns instead of {width}: {line!r}",
                        pytrace=False)
        rows.append(cols)
    return rows


@pytest.mark.parametrize("capture", _captures())
def test_one_pass_equals_two_passes(staged, capture):
    cap = staged.capture(capture)
    keys = list(PASS_EXEMPTIONS)
    key_fields = [f for f, _ in keys]
    width = len(FIRST_PASS_FIELDS)
    one = _rows(staged.tshark(["-r", cap] + _fields_args(FIRST_PASS_FIELDS)), width)
    two_full = _rows(staged.tshark(["-r", cap] + _fields_args(FIRST_PASS_FIELDS + key_fields),
                                   two_pass=True), width + len(key_fields))
    two = [row[:width] for row in two_full]

    # Streams on which an amendment applies, judged from the two-pass output.
    stream_col = FIRST_PASS_FIELDS.index("tcplife.stream")
    exempt_cols = {}            # stream -> set of column indexes
    for row in two_full:
        streams = [s for s in row[stream_col].split(",") if s]
        for i, (field, value) in enumerate(keys):
            col = row[width + i]
            if (col != "") if value is None else (value in col.split(",")):
                for s in streams:
                    exempt_cols.setdefault(s, set()).update(
                        FIRST_PASS_FIELDS.index(f) for f in PASS_EXEMPTIONS[(field, value)])

    assert len(one) == len(two), f"one pass printed {len(one)} frames, two passes {len(two)}"
    diffs = []
    for r1, r2 in zip(one, two):
        skip = set()
        for s in {s for s in r1[stream_col].split(",") + r2[stream_col].split(",") if s}:
            skip |= exempt_cols.get(s, set())
        for i, (a, b) in enumerate(zip(r1, r2)):
            if i not in skip and a != b:
                diffs.append(f"frame {r2[0]}: {FIRST_PASS_FIELDS[i]}: one pass {a!r}, two passes {b!r}")
    if diffs:
        more = f"\n  ... and {len(diffs) - MAX_REPORTED} more" if len(diffs) > MAX_REPORTED else ""
        pytest.fail(f"captures/{capture}: {len(diffs)} differences between tshark -r and tshark -2\n  "
                    + "\n  ".join(diffs[:MAX_REPORTED]) + more, pytrace=False)
